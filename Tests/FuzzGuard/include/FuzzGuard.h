// Makes a fuzz case that crashes or hangs say which case it was, so it can be run again alone.
// See FuzzGuard.c.
#ifndef KIEL_FUZZ_GUARD_H
#define KIEL_FUZZ_GUARD_H

#include <stdint.h>

/// Starts guarding a fuzz run called `name` with `seed`: until `kiel_fuzz_end`, a crash signal
/// prints the run, seed and current case before the process dies, and so does a case that
/// runs for more than `hang_seconds` (then the process aborts).
void kiel_fuzz_begin(const char *name, uint64_t seed, int hang_seconds);
/// The case now running.
void kiel_fuzz_case(uint64_t index);
/// Stops guarding; the previous signal handlers are back.
void kiel_fuzz_end(void);

#endif
