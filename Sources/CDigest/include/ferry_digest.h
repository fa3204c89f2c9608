#ifndef FERRY_DIGEST_H
#define FERRY_DIGEST_H
#include <stddef.h>
#include <stdint.h>

/// SHA-256 (FIPS 180-4), streaming; the x86 SHA extensions when the CPU has them.
typedef struct {
    uint32_t state[8];
    uint8_t block[64];
    uint32_t used;
    uint64_t length;
} ferry_sha256_ctx;

void ferry_sha256_init(ferry_sha256_ctx *ctx);
void ferry_sha256_update(ferry_sha256_ctx *ctx, const void *data, size_t count);
void ferry_sha256_final(ferry_sha256_ctx *ctx, uint8_t out[32]);
/// Tests: 0 = portable code only, 1 = SHA extensions when present (default). Returns the level in effect.
int ferry_sha256_set_level(int level);

#endif
