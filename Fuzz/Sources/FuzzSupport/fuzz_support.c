#include "fuzz_support.h"
#include <stdio.h>
#include <stdlib.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
int ferry_fuzz_run(int argc, char **argv, ferry_fuzz_callback callback) {
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
void ferry_fuzz_fail(const char *message) {
    fprintf(stderr, "property failed: %s\n", message);
    abort();
}
