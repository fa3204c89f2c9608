// Async-signal-safe cleanup of temporary output files.
// An atomic output registers its temporary path here; on SIGINT/SIGTERM/SIGHUP the handler
// unlinks every registered path and re-raises the signal with its default action.
#ifndef FERRY_SUPPORT_H
#define FERRY_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Registers a path; returns a slot number (>= 0) or -1 when the table is full or the path too long.
int ferry_tmp_register(const char *path);
/// Forgets a slot (after rename or unlink by the owner).
void ferry_tmp_unregister(int slot);
/// Installs the handlers once (idempotent).
void ferry_install_cleanup_handlers(void);
/// Unlinks every registered path now (used at exit paths).
void ferry_tmp_cleanup_all(void);

/// Line ends: writes the offsets (from `buf`) of the line ends in buf[0..<to] to `out` (at most
/// `cap`, in order) and returns how many; `*scanned` tells how far the scan got (== to unless `out`
/// filled or `to` exceeds 2^30 - 1). An entry is an LF, or a CR (bit 31), or a CR whose LF follows
/// and is not listed separately (bits 31 and 30). A CRLF split across scan blocks may appear as a
/// CR entry followed by an LF entry.
size_t ferry_scan_line_ends(const unsigned char *buf, size_t to, uint32_t *out, size_t cap, size_t *scanned);
/// Tests: limits the instruction set the scan uses (1 SSE2, 2 AVX2, 3 AVX-512; 0 = the best the CPU
/// has). Returns the level in effect (0 where there is no SIMD path).
int ferry_scan_set_level(int level);

/// Populates the pages of a read-only mapping on a helper thread, up to `ahead` bytes past what the
/// reader has consumed (reported with `ferry_prefault_advance`). Stop (joins the thread) before
/// unmapping. NULL when no thread could be started (then nothing happens: pages fault on demand).
typedef struct ferry_prefault ferry_prefault;
ferry_prefault *ferry_prefault_start(const void *base, size_t length, size_t from, size_t ahead);
void ferry_prefault_advance(ferry_prefault *prefault, size_t consumed);
void ferry_prefault_stop(ferry_prefault *prefault);

/// 1 when buf[0..<n) is valid UTF-8 (complete sequences, no surrogates, nothing above U+10FFFF), else 0.
int ferry_utf8_valid(const unsigned char *buf, size_t n);
/// When buf[0..<n) is valid UTF-8 except that it may end in the first bytes of a sequence cut short
/// (valid as far as they go): the length without those bytes. SIZE_MAX when anything is invalid.
size_t ferry_utf8_complete_prefix(const unsigned char *buf, size_t n);
/// How many bytes of buf[0..<n) equal `byte`; `*last` is the offset of the last one (SIZE_MAX: none).
size_t ferry_count_byte(const unsigned char *buf, size_t n, unsigned char byte, size_t *last);
/// Tests: the plain C check (what `ferry_utf8_valid` uses below 16 bytes and without AVX2), and
/// whether the vector path is in use on this CPU.
int ferry_utf8_valid_reference(const unsigned char *buf, size_t n);
int ferry_utf8_vector_available(void);

#ifdef __cplusplus
}
#endif
#endif
