// Counting one byte value (line feeds) in a buffer, 32 bytes per step with AVX2 where the CPU has it.
#include "ferry_support.h"

#include <stdint.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static size_t count_scalar(const unsigned char *p, size_t from, size_t n, unsigned char byte, size_t *last) {
    size_t count = 0;
    for (size_t i = from; i < n; i++) {
        if (p[i] == byte) {
            count++;
            *last = i;
        }
    }
    return count;
}

#if defined(__x86_64__)
__attribute__((target("avx2,popcnt,lzcnt"))) static size_t count_avx2(const unsigned char *p, size_t n, unsigned char byte, size_t *last) {
    const __m256i pattern = _mm256_set1_epi8((char)byte);
    size_t count = 0, i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
        uint32_t m = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, pattern));
        if (m) {
            count += (size_t)_mm_popcnt_u32(m);
            *last = i + 31 - (size_t)_lzcnt_u32(m);
        }
    }
    return count + count_scalar(p, i, n, byte, last);
}

static int count_level = -1;
#endif

size_t ferry_count_byte(const unsigned char *buf, size_t n, unsigned char byte, size_t *last) {
    *last = SIZE_MAX;
#if defined(__x86_64__)
    if (count_level < 0) {
        __builtin_cpu_init();
        count_level = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("lzcnt") ? 1 : 0;
    }
    if (count_level == 1) return count_avx2(buf, n, byte, last);
#endif
    return count_scalar(buf, 0, n, byte, last);
}
