#pragma once
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver on the target's LLVMFuzzerTestOneInput.
///
/// A debug `swift build` compiles executables testable, which renames their Swift entry point
/// to `<module>_main` and links with `--defsym main=<module>_main`; with `-parse-as-library`
/// there is no Swift `main` to rename, so each target defines `<module>_main` itself and
/// calls this, and libFuzzer runs exactly as it would from its own `main`.
int a2al_fuzz_main(int argc, char **argv);
