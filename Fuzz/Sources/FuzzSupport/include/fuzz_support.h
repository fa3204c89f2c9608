#include <stddef.h>
#include <stdint.h>
typedef int (*ferry_fuzz_callback)(const uint8_t *data, size_t size);
/// Runs libFuzzer's driver (LLVMFuzzerRunDriver) with the process arguments.
int ferry_fuzz_run(int argc, char **argv, ferry_fuzz_callback callback);
/// Stops the process with a message when a property fails (libFuzzer records the crash input).
void ferry_fuzz_fail(const char *message) __attribute__((noreturn));
