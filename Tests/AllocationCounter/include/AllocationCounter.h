// Counts the bytes (and blocks) the process allocates, for tests that bound a decoder's memory
// or a hot path's allocations.
// See AllocationCounter.c for how (it takes over malloc and friends for the test process).
#ifndef KIEL_ALLOCATION_COUNTER_H
#define KIEL_ALLOCATION_COUNTER_H

#include <stdint.h>

/// Bytes allocated and not yet freed (usable sizes, so slightly above what was asked).
int64_t kiel_allocation_live(void);
/// The highest `kiel_allocation_live` since the last `kiel_allocation_reset_peak`.
int64_t kiel_allocation_peak(void);
/// Starts a new peak at the current live bytes.
void kiel_allocation_reset_peak(void);
/// Every byte ever allocated (never decreases).
int64_t kiel_allocation_total(void);
/// Blocks ever allocated (malloc, calloc, memalign and the rest, and each realloc that
/// returned a block; never decreases).
int64_t kiel_allocation_count(void);
/// How much the live bytes grew while a megabyte malloc'd here was held: at least a
/// megabyte if the linker bound malloc to this file. Done in C so that no optimizer can leave
/// the allocation out.
int64_t kiel_allocation_probe(void);

#endif
