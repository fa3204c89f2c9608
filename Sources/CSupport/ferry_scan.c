// Finding line ends fast: the offsets of every LF and CR byte in a block, 64 bytes per step (AVX-512
// or AVX2, chosen at run time; SSE2 and plain C otherwise), so the line reader pays no per-line
// search call.
//
// Offsets are written branch-free: two slots unconditionally, the count added afterwards. Typical
// text has zero to two line ends per 64 bytes, and a data-dependent loop would mispredict on most
// blocks. A CR is marked with bit 31; a CR whose LF follows in the same block is one entry with bit
// 30 set too (CRLF files cost no more than LF files); blocks without any CR skip that work.
#include "ferry_support.h"

#include <stdint.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define CR_BIT 0x80000000u
#define CRLF_BIT 0x40000000u
#define LIMIT 0x3FFFFFFFu

#if defined(__x86_64__)

// lfs, crs: bit masks of LF and CR bytes in a 64-byte block at offset `rel`.
#define FERRY_EMIT_BLOCK(lfs, crs, rel)                                                            \
    do {                                                                                           \
        uint64_t m;                                                                                \
        if ((crs) == 0) {                                                                          \
            m = (lfs);                                                                             \
            size_t count = (size_t)_mm_popcnt_u64(m);                                              \
            out[n + 0] = (rel) + (uint32_t)_tzcnt_u64(m); m = _blsr_u64(m);                        \
            out[n + 1] = (rel) + (uint32_t)_tzcnt_u64(m); m = _blsr_u64(m);                        \
            if (count > 2) {                                                                       \
                size_t k = n + 2;                                                                  \
                while (m) { out[k++] = (rel) + (uint32_t)_tzcnt_u64(m); m = _blsr_u64(m); }        \
            }                                                                                      \
            n += count;                                                                            \
        } else {                                                                                   \
            uint64_t crlf = (crs) & ((lfs) >> 1);                                                  \
            m = ((lfs) & ~(crlf << 1)) | (crs);                                                    \
            size_t count = (size_t)_mm_popcnt_u64(m);                                              \
            uint64_t t;                                                                            \
            t = _tzcnt_u64(m) & 63;                                                                \
            out[n + 0] = ((rel) + (uint32_t)t) | (uint32_t)(((crs) >> t) & 1) << 31                \
                         | (uint32_t)((crlf >> t) & 1) << 30;                                      \
            m = _blsr_u64(m);                                                                      \
            t = _tzcnt_u64(m) & 63;                                                                \
            out[n + 1] = ((rel) + (uint32_t)t) | (uint32_t)(((crs) >> t) & 1) << 31                \
                         | (uint32_t)((crlf >> t) & 1) << 30;                                      \
            m = _blsr_u64(m);                                                                      \
            if (count > 2) {                                                                       \
                size_t k = n + 2;                                                                  \
                while (m) {                                                                        \
                    t = _tzcnt_u64(m);                                                             \
                    out[k++] = ((rel) + (uint32_t)t) | (uint32_t)(((crs) >> t) & 1) << 31          \
                               | (uint32_t)((crlf >> t) & 1) << 30;                                \
                    m = _blsr_u64(m);                                                              \
                }                                                                                  \
            }                                                                                      \
            n += count;                                                                            \
        }                                                                                          \
    } while (0)

__attribute__((target("avx512f,avx512bw,bmi,bmi2,popcnt")))
static size_t scan_avx512(const unsigned char *buf, size_t i, size_t to, uint32_t *out, size_t cap, size_t *next) {
    size_t n = 0;
    const __m512i lf = _mm512_set1_epi8('\n');
    const __m512i cr = _mm512_set1_epi8('\r');
    while (i + 64 <= to && n + 64 <= cap) {
        _mm_prefetch((const char *)(buf + i + 2048), _MM_HINT_T0);
        __m512i v = _mm512_loadu_si512((const void *)(buf + i));
        uint64_t lfs = _mm512_cmpeq_epi8_mask(v, lf);
        uint64_t crs = _mm512_cmpeq_epi8_mask(v, cr);
        uint32_t rel = (uint32_t)i;
        FERRY_EMIT_BLOCK(lfs, crs, rel);
        i += 64;
    }
    *next = i;
    return n;
}

__attribute__((target("avx2,bmi,bmi2,popcnt")))
static size_t scan_avx2(const unsigned char *buf, size_t i, size_t to, uint32_t *out, size_t cap, size_t *next) {
    size_t n = 0;
    const __m256i lf = _mm256_set1_epi8('\n');
    const __m256i cr = _mm256_set1_epi8('\r');
    while (i + 64 <= to && n + 64 <= cap) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(buf + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(buf + i + 32));
        uint64_t lfs = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, lf))
                     | ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, lf)) << 32);
        __m256i acr = _mm256_cmpeq_epi8(a, cr);
        __m256i bcr = _mm256_cmpeq_epi8(b, cr);
        uint64_t crs = 0;
        if (!_mm256_testz_si256(_mm256_or_si256(acr, bcr), _mm256_or_si256(acr, bcr))) {
            crs = (uint64_t)(uint32_t)_mm256_movemask_epi8(acr) | ((uint64_t)(uint32_t)_mm256_movemask_epi8(bcr) << 32);
        }
        uint32_t rel = (uint32_t)i;
        FERRY_EMIT_BLOCK(lfs, crs, rel);
        i += 64;
    }
    *next = i;
    return n;
}

static size_t scan_sse2(const unsigned char *buf, size_t i, size_t to, uint32_t *out, size_t cap, size_t *next) {
    size_t n = 0;
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    while (i + 16 <= to && n + 16 <= cap) {
        __m128i v = _mm_loadu_si128((const __m128i *)(buf + i));
        uint32_t crs = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr));
        uint32_t lfs = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf));
        uint32_t crlf = crs & (lfs >> 1);
        uint32_t mask = (lfs & ~(crlf << 1)) | crs;
        while (mask) {
            uint32_t t = (uint32_t)__builtin_ctz(mask);
            out[n++] = (uint32_t)(i + t) | (((crs >> t) & 1) ? CR_BIT : 0) | (((crlf >> t) & 1) ? CRLF_BIT : 0);
            mask &= mask - 1;
        }
        i += 16;
    }
    *next = i;
    return n;
}

static int forced_level = 0;

static int simd_level(void) {
    static int cached = -1;
    if (forced_level > 0) return forced_level;
    if (cached < 0) {
        int bmi = __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
        if (bmi && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) cached = 3;
        else if (bmi && __builtin_cpu_supports("avx2")) cached = 2;
        else cached = 1;
    }
    return cached;
}
#endif

int ferry_scan_set_level(int level) {
#if defined(__x86_64__)
    int best = (forced_level = 0, simd_level());
    forced_level = level > best ? best : level;
    return forced_level > 0 ? forced_level : best;
#else
    (void)level;
    return 0;
#endif
}

size_t ferry_scan_line_ends(const unsigned char *buf, size_t to, uint32_t *out, size_t cap, size_t *scanned) {
    size_t n = 0;
    size_t i = 0;
    if (to > LIMIT) to = LIMIT;
#if defined(__x86_64__)
    int level = simd_level();
    size_t block = level >= 2 ? 64 : 16;
    if (level == 3) n = scan_avx512(buf, i, to, out, cap, &i);
    else if (level == 2) n = scan_avx2(buf, i, to, out, cap, &i);
    else n = scan_sse2(buf, i, to, out, cap, &i);
    if (i + block <= to) {  // stopped because `out` is nearly full
        *scanned = i;
        return n;
    }
#endif
    while (i < to && n < cap) {
        unsigned char b = buf[i];
        if (b == '\r' && i + 1 < to && buf[i + 1] == '\n') {
            out[n++] = (uint32_t)i | CR_BIT | CRLF_BIT;
            i += 2;
            continue;
        }
        if (b == '\n' || b == '\r') out[n++] = (uint32_t)i | (b == '\r' ? CR_BIT : 0);
        i++;
    }
    *scanned = i;
    return n;
}
