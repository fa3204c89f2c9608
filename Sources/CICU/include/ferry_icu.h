// Ferry's C surface over ICU converters and charset detectors.
// Swift never sees ICU's own headers: they clash with Foundation's private ICU and use
// versioned macro names Swift cannot call. Everything here is plain C with opaque types.
#ifndef FERRY_ICU_H
#define FERRY_ICU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ferry_conv ferry_conv;

enum ferry_conv_direction {
    FERRY_DECODE = 0,   // legacy bytes -> UTF-8
    FERRY_ENCODE = 1    // UTF-8 -> legacy bytes
};

enum ferry_conv_policy {
    FERRY_POLICY_STRICT = 0,   // stop at the first invalid or unmappable sequence
    FERRY_POLICY_REPLACE = 1   // U+FFFD when decoding, '?' when encoding; counted
};

enum ferry_conv_status {
    FERRY_CONV_OK = 0,            // all input consumed (and flushed, if asked)
    FERRY_CONV_OUTPUT_FULL = 1,   // call again with more output room
    FERRY_CONV_INVALID = 2,       // strict policy: invalid/unmappable sequence; see ferry_conv_error_*
    FERRY_CONV_TRUNCATED = 3,     // strict policy: input ended inside a character
    FERRY_CONV_FAILED = -1        // any other ICU error
};

/// Opens a converter for `name` (any ICU name or alias). Returns NULL and fills `message` on failure.
ferry_conv *ferry_conv_open(const char *name, int direction, int policy, char *message, size_t messageCapacity);
void ferry_conv_close(ferry_conv *conv);
void ferry_conv_reset(ferry_conv *conv);

/// ICU's canonical name of the legacy side (e.g. "ibm-5348_P100-1997" for windows-1252).
const char *ferry_conv_name(const ferry_conv *conv);
/// Largest and smallest number of bytes per character of the legacy side.
int ferry_conv_max_char_size(const ferry_conv *conv);
int ferry_conv_min_char_size(const ferry_conv *conv);
/// ICU's converter type of the legacy side (UConverterType: 0 SBCS, 1 DBCS, 2 MBCS, 9 EBCDIC stateful, …).
int ferry_conv_type(const ferry_conv *conv);
/// Bytes of an incomplete character the legacy side holds between calls (decoding only).
int ferry_conv_pending(const ferry_conv *conv);

/// Converts from *source (advanced) to *target (advanced). `flush` != 0 on the last chunk.
int ferry_conv_run(ferry_conv *conv,
                   const char **source, const char *sourceLimit,
                   char **target, const char *targetLimit,
                   int flush);

/// Number of replacements made so far under the REPLACE policy.
uint64_t ferry_conv_replacements(const ferry_conv *conv);
/// After FERRY_CONV_INVALID: the offending bytes (decode) or code point (encode).
int ferry_conv_error_bytes(const ferry_conv *conv, unsigned char *out, int capacity);
uint32_t ferry_conv_error_codepoint(const ferry_conv *conv);

/// Number of converters ICU knows and their names, with aliases.
int ferry_conv_count_available(void);
const char *ferry_conv_available_name(int index);
int ferry_conv_count_aliases(const char *name);
const char *ferry_conv_alias(const char *name, int index);
/// ICU's canonical converter name for an alias, or NULL when unknown.
const char *ferry_conv_canonical(const char *alias);

/// One detector guess.
typedef struct {
    char name[64];
    char language[16];
    int confidence;   // 0..100
} ferry_guess;

/// ICU's ucsdet: fills up to `capacity` guesses, best first; returns their count (or -1).
int ferry_detect_icu(const char *data, int32_t length, ferry_guess *out, int capacity);
/// uchardet (Mozilla's universal detector): writes the charset name; returns 0, or -1 on failure.
/// An empty name means "no guess" (typically pure ASCII).
int ferry_detect_uchardet(const char *data, size_t length, char *name, size_t capacity);

#ifdef __cplusplus
}
#endif
#endif
