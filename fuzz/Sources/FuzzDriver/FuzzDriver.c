#include "FuzzDriver.h"

// Both come from the fuzz target: compiler-rt's libFuzzer (linked by -sanitize=fuzzer) and
// the target's @_cdecl("LLVMFuzzerTestOneInput") function.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int a2al_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
