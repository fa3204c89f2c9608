#include <zlib.h>
// zlib's init functions are macros Swift cannot call; wrap them.
static inline int ferry_inflate_init_gzip(z_streamp strm) {
    return inflateInit2(strm, 15 + 32);  // auto-detect gzip or zlib header
}
static inline int ferry_deflate_init_gzip(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int ferry_deflate_init_raw(z_streamp strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
}
