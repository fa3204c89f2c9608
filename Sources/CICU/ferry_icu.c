#include "ferry_icu.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <uchardet/uchardet.h>

#define PIVOT_SIZE 4096

struct ferry_conv {
    UConverter *legacy;
    UConverter *utf8;
    int direction;
    int policy;
    uint64_t replacements;
    UChar pivot[PIVOT_SIZE];
    UChar *pivotSource;
    UChar *pivotTarget;
    int reset;
    unsigned char errorBytes[32];
    int errorLength;
    uint32_t errorCodepoint;
};

static void to_u_callback(const void *context, UConverterToUnicodeArgs *args, const char *codeUnits,
                          int32_t length, UConverterCallbackReason reason, UErrorCode *err) {
    ferry_conv *conv = (ferry_conv *)context;
    if (reason > UCNV_IRREGULAR) return;  // reset, close, clone
    if (conv->policy == FERRY_POLICY_STRICT) {
        int n = length < 32 ? length : 32;
        memcpy(conv->errorBytes, codeUnits, (size_t)n);
        conv->errorLength = n;
        conv->errorCodepoint = 0xFFFFFFFFu;
        return;  // *err stays an error: conversion stops
    }
    static const UChar replacement = 0xFFFD;
    conv->replacements++;
    *err = U_ZERO_ERROR;
    ucnv_cbToUWriteUChars(args, &replacement, 1, 0, err);
}

static void from_u_callback(const void *context, UConverterFromUnicodeArgs *args, const UChar *codeUnits,
                            int32_t length, UChar32 codePoint, UConverterCallbackReason reason, UErrorCode *err) {
    ferry_conv *conv = (ferry_conv *)context;
    if (reason > UCNV_IRREGULAR) return;
    (void)codeUnits; (void)length;
    if (conv->policy == FERRY_POLICY_STRICT) {
        conv->errorCodepoint = (uint32_t)codePoint;
        conv->errorLength = 0;
        return;
    }
    conv->replacements++;
    *err = U_ZERO_ERROR;
    ucnv_cbFromUWriteBytes(args, "?", 1, 0, err);
}

ferry_conv *ferry_conv_open(const char *name, int direction, int policy, char *message, size_t cap) {
    UErrorCode err = U_ZERO_ERROR;
    ferry_conv *conv = calloc(1, sizeof(ferry_conv));
    if (!conv) { snprintf(message, cap, "out of memory"); return NULL; }
    conv->direction = direction;
    conv->policy = policy;
    conv->legacy = ucnv_open(name, &err);
    if (U_FAILURE(err) || conv->legacy == NULL) {
        snprintf(message, cap, "unknown charset '%s'", name);
        free(conv);
        return NULL;
    }
    if (err == U_AMBIGUOUS_ALIAS_WARNING) err = U_ZERO_ERROR;
    conv->utf8 = ucnv_open("UTF-8", &err);
    if (U_FAILURE(err)) {
        snprintf(message, cap, "cannot open UTF-8 converter: %s", u_errorName(err));
        ucnv_close(conv->legacy);
        free(conv);
        return NULL;
    }
    UConverter *source = direction == FERRY_DECODE ? conv->legacy : conv->utf8;
    UConverter *target = direction == FERRY_DECODE ? conv->utf8 : conv->legacy;
    ucnv_setToUCallBack(source, to_u_callback, conv, NULL, NULL, &err);
    ucnv_setFromUCallBack(target, from_u_callback, conv, NULL, NULL, &err);
    if (U_FAILURE(err)) {
        snprintf(message, cap, "cannot set callbacks: %s", u_errorName(err));
        ferry_conv_close(conv);
        return NULL;
    }
    conv->pivotSource = conv->pivotTarget = conv->pivot;
    conv->reset = 1;
    return conv;
}

void ferry_conv_close(ferry_conv *conv) {
    if (!conv) return;
    if (conv->legacy) ucnv_close(conv->legacy);
    if (conv->utf8) ucnv_close(conv->utf8);
    free(conv);
}

void ferry_conv_reset(ferry_conv *conv) {
    ucnv_reset(conv->legacy);
    ucnv_reset(conv->utf8);
    conv->pivotSource = conv->pivotTarget = conv->pivot;
    conv->reset = 1;
    conv->replacements = 0;
}

const char *ferry_conv_name(const ferry_conv *conv) {
    UErrorCode err = U_ZERO_ERROR;
    return ucnv_getName(conv->legacy, &err);
}

int ferry_conv_max_char_size(const ferry_conv *conv) { return ucnv_getMaxCharSize(conv->legacy); }
int ferry_conv_min_char_size(const ferry_conv *conv) { return ucnv_getMinCharSize(conv->legacy); }
int ferry_conv_type(const ferry_conv *conv) { return (int)ucnv_getType(conv->legacy); }

int ferry_conv_pending(const ferry_conv *conv) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = ucnv_toUCountPending(conv->legacy, &err);
    return U_FAILURE(err) ? 0 : (int)n;
}

int ferry_conv_run(ferry_conv *conv, const char **source, const char *sourceLimit,
                   char **target, const char *targetLimit, int flush) {
    UErrorCode err = U_ZERO_ERROR;
    UConverter *from = conv->direction == FERRY_DECODE ? conv->legacy : conv->utf8;
    UConverter *to = conv->direction == FERRY_DECODE ? conv->utf8 : conv->legacy;
    ucnv_convertEx(to, from, target, targetLimit, source, sourceLimit,
                   conv->pivot, &conv->pivotSource, &conv->pivotTarget, conv->pivot + PIVOT_SIZE,
                   (UBool)conv->reset, (UBool)(flush != 0), &err);
    conv->reset = 0;
    if (err == U_BUFFER_OVERFLOW_ERROR) return FERRY_CONV_OUTPUT_FULL;
    if (U_SUCCESS(err)) return FERRY_CONV_OK;
    if (err == U_TRUNCATED_CHAR_FOUND) {
        if (conv->policy == FERRY_POLICY_STRICT) return FERRY_CONV_TRUNCATED;
    }
    if (err == U_ILLEGAL_CHAR_FOUND || err == U_INVALID_CHAR_FOUND || err == U_TRUNCATED_CHAR_FOUND
        || err == U_ILLEGAL_ESCAPE_SEQUENCE || err == U_UNSUPPORTED_ESCAPE_SEQUENCE) {
        return FERRY_CONV_INVALID;
    }
    return FERRY_CONV_FAILED;
}

uint64_t ferry_conv_replacements(const ferry_conv *conv) { return conv->replacements; }

int ferry_conv_error_bytes(const ferry_conv *conv, unsigned char *out, int capacity) {
    int n = conv->errorLength < capacity ? conv->errorLength : capacity;
    memcpy(out, conv->errorBytes, (size_t)n);
    return n;
}

uint32_t ferry_conv_error_codepoint(const ferry_conv *conv) { return conv->errorCodepoint; }

int ferry_conv_count_available(void) { return ucnv_countAvailable(); }
const char *ferry_conv_available_name(int index) { return ucnv_getAvailableName(index); }

int ferry_conv_count_aliases(const char *name) {
    UErrorCode err = U_ZERO_ERROR;
    int n = ucnv_countAliases(name, &err);
    return U_FAILURE(err) ? 0 : n;
}

const char *ferry_conv_alias(const char *name, int index) {
    UErrorCode err = U_ZERO_ERROR;
    const char *a = ucnv_getAlias(name, (uint16_t)index, &err);
    return U_FAILURE(err) ? NULL : a;
}

const char *ferry_conv_canonical(const char *alias) {
    UErrorCode err = U_ZERO_ERROR;
    const char *n = ucnv_getAlias(alias, 0, &err);
    return U_FAILURE(err) ? NULL : n;
}

int ferry_detect_icu(const char *data, int32_t length, ferry_guess *out, int capacity) {
    UErrorCode err = U_ZERO_ERROR;
    UCharsetDetector *det = ucsdet_open(&err);
    if (U_FAILURE(err)) return -1;
    ucsdet_setText(det, data, length, &err);
    int32_t found = 0;
    const UCharsetMatch **matches = ucsdet_detectAll(det, &found, &err);
    if (U_FAILURE(err)) { ucsdet_close(det); return -1; }
    int n = 0;
    for (int32_t i = 0; i < found && n < capacity; i++) {
        UErrorCode e = U_ZERO_ERROR;
        const char *name = ucsdet_getName(matches[i], &e);
        const char *lang = ucsdet_getLanguage(matches[i], &e);
        int conf = ucsdet_getConfidence(matches[i], &e);
        if (U_FAILURE(e) || !name) continue;
        snprintf(out[n].name, sizeof out[n].name, "%s", name);
        snprintf(out[n].language, sizeof out[n].language, "%s", lang ? lang : "");
        out[n].confidence = conf;
        n++;
    }
    ucsdet_close(det);
    return n;
}

int ferry_detect_uchardet(const char *data, size_t length, char *name, size_t capacity) {
    uchardet_t ud = uchardet_new();
    if (!ud) return -1;
    if (uchardet_handle_data(ud, data, length) != 0) { uchardet_delete(ud); return -1; }
    uchardet_data_end(ud);
    const char *cs = uchardet_get_charset(ud);
    snprintf(name, capacity, "%s", cs ? cs : "");
    uchardet_delete(ud);
    return 0;
}
