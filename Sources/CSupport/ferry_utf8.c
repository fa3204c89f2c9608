// UTF-8 validation without a branch per byte: the lookup algorithm of Keiser and Lemire ("Validating
// UTF-8 in less than one instruction per byte", Software: Practice and Experience 51(5), 2021), as
// simdjson and simdutf use it, 32 bytes per step with AVX2 (chosen at run time), and a plain C loop
// where AVX2 is missing. Text that is non-ASCII every few words (accented names, CJK) makes a
// byte-at-a-time validator mispredict on most sequences; this one costs the same whatever the text.
#include "ferry_support.h"

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Plain C: the reference the vector path is tested against, and the fallback.
static int utf8_valid_scalar(const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) { i++; continue; }
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) need = 2;
        else if (c == 0xE0) { need = 3; lo = 0xA0; }
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) need = 3;
        else if (c == 0xED) { need = 3; hi = 0x9F; }
        else if (c == 0xF0) { need = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) need = 4;
        else if (c == 0xF4) { need = 4; hi = 0x8F; }
        else return 0;
        if (n - i < need) return 0;
        if (p[i + 1] < lo || p[i + 1] > hi) return 0;
        for (size_t k = 2; k < need; k++) {
            if ((p[i + k] & 0xC0) != 0x80) return 0;
        }
        i += need;
    }
    return 1;
}

#if defined(__x86_64__)

// Error bits of a pair of bytes (the previous byte's high and low nibble, this byte's high nibble).
#define TOO_SHORT (1 << 0)      // 11______ 0_______ or 11______ 11______
#define TOO_LONG (1 << 1)       // 0_______ 10______
#define OVERLONG_3 (1 << 2)     // 11100000 100_____
#define TOO_LARGE (1 << 3)      // 11110100 1001____, 11110100 101_____, 11110101 1001____, ...
#define SURROGATE (1 << 4)      // 11101101 101_____
#define OVERLONG_2 (1 << 5)     // 1100000_ 10______
#define TOO_LARGE_1000 (1 << 6) // 11110101 1000____, 1111011_ 1000____, 11111___ 1000____
#define OVERLONG_4 (1 << 6)     // 11110000 1000____
#define TWO_CONTS (1 << 7)      // 10______ 10______
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

#define C8(x) ((char)(unsigned char)(x))
#define TABLE(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) \
    _mm256_setr_epi8(C8(a), C8(b), C8(c), C8(d), C8(e), C8(f), C8(g), C8(h), C8(i), C8(j), C8(k), C8(l), C8(m), C8(n), C8(o), C8(p), \
                     C8(a), C8(b), C8(c), C8(d), C8(e), C8(f), C8(g), C8(h), C8(i), C8(j), C8(k), C8(l), C8(m), C8(n), C8(o), C8(p))

// The bytes of `input` moved right by N, with the last N bytes of `prev` shifted in.
#define PREV(input, prev, N) _mm256_alignr_epi8((input), _mm256_permute2x128_si256((prev), (input), 0x21), 16 - (N))

__attribute__((target("avx2"))) static int utf8_valid_avx2(const unsigned char *p, size_t n) {
    const __m256i byte_1_high_table = TABLE(
        TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
        TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
        TOO_SHORT | OVERLONG_2,
        TOO_SHORT,
        TOO_SHORT | OVERLONG_3 | SURROGATE,
        TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    const __m256i byte_1_low_table = TABLE(
        CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
        CARRY | OVERLONG_2,
        CARRY,
        CARRY,
        CARRY | TOO_LARGE,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000);
    const __m256i byte_2_high_table = TABLE(
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i high_bit = _mm256_set1_epi8((char)0x80);
    // A lead byte in the last three positions whose sequence cannot end inside the block.
    const __m256i max_value = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));

    __m256i error = _mm256_setzero_si256();
    __m256i prev_input = _mm256_setzero_si256();
    __m256i prev_incomplete = _mm256_setzero_si256();
    unsigned char last[32];
    size_t i = 0;
    for (;;) {
        __m256i input;
        if (i + 32 <= n) {
            input = _mm256_loadu_si256((const __m256i *)(p + i));
        } else if (i < n) {
            // The last bytes, padded with NUL (ASCII): a sequence cut short shows as TOO_SHORT.
            memset(last, 0, sizeof last);
            memcpy(last, p + i, n - i);
            input = _mm256_loadu_si256((const __m256i *)last);
        } else {
            break;
        }
        i += 32;
        if (_mm256_movemask_epi8(input) == 0) {
            error = _mm256_or_si256(error, prev_incomplete);
            prev_incomplete = _mm256_setzero_si256();
        } else {
            __m256i prev1 = PREV(input, prev_input, 1);
            __m256i byte_1_high = _mm256_shuffle_epi8(byte_1_high_table, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nibble));
            __m256i byte_1_low = _mm256_shuffle_epi8(byte_1_low_table, _mm256_and_si256(prev1, nibble));
            __m256i byte_2_high = _mm256_shuffle_epi8(byte_2_high_table, _mm256_and_si256(_mm256_srli_epi16(input, 4), nibble));
            __m256i special = _mm256_and_si256(_mm256_and_si256(byte_1_high, byte_1_low), byte_2_high);
            __m256i prev2 = PREV(input, prev_input, 2);
            __m256i prev3 = PREV(input, prev_input, 3);
            __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
            __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
            __m256i must23 = _mm256_and_si256(_mm256_or_si256(third, fourth), high_bit);
            error = _mm256_or_si256(error, _mm256_xor_si256(must23, special));
            prev_incomplete = _mm256_subs_epu8(input, max_value);
        }
        prev_input = input;
    }
    error = _mm256_or_si256(error, prev_incomplete);
    return _mm256_testz_si256(error, error);
}

static int have_avx2 = -1;

static int use_avx2(void) {
    if (have_avx2 < 0) {
        __builtin_cpu_init();
        have_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return have_avx2;
}

#endif

int ferry_utf8_valid(const unsigned char *buf, size_t n) {
#if defined(__x86_64__)
    if (n >= 16 && use_avx2()) return utf8_valid_avx2(buf, n);
#endif
    return utf8_valid_scalar(buf, n);
}

int ferry_utf8_valid_reference(const unsigned char *buf, size_t n) {
    return utf8_valid_scalar(buf, n);
}

int ferry_utf8_vector_available(void) {
#if defined(__x86_64__)
    return use_avx2();
#else
    return 0;
#endif
}

size_t ferry_utf8_complete_prefix(const unsigned char *buf, size_t n) {
    // Where a sequence that runs past the end starts (its lead within the last three bytes).
    size_t k = n;
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = buf[n - back];
        if ((c & 0xC0) == 0x80) continue;
        if (c >= 0xC0) {
            size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (need > back) k = n - back;
        }
        break;
    }
    if (!ferry_utf8_valid(buf, k)) return SIZE_MAX;
    if (k == n) return k;
    // The cut sequence: a lead UTF-8 allows, and what follows of it in range.
    unsigned char c = buf[k];
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
    } else if (c == 0xE0) lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    } else if (c == 0xED) hi = 0x9F;
    else if (c == 0xF0) lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) {
    } else if (c == 0xF4) hi = 0x8F;
    else return SIZE_MAX;
    if (n - k >= 2 && (buf[k + 1] < lo || buf[k + 1] > hi)) return SIZE_MAX;
    if (n - k >= 3 && (buf[k + 2] & 0xC0) != 0x80) return SIZE_MAX;
    return k;
}
