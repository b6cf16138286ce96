// Counts allocations by taking over the allocator of the test process: this file defines
// malloc, free, calloc, realloc and the aligned variants, and the dynamic linker binds every
// library's calls (Swift runtime, Foundation, the code under test) to these definitions,
// which hand the work to glibc's own entry points (__libc_malloc, ...) and keep four counters
// on the side: live bytes, their peak, the total, and how many blocks were allocated. glibc documents this way of replacing
// its allocator ("Replacing malloc" in its manual); malloc_usable_size still works because
// every block is glibc's.
//
// Counters are relaxed atomics: any thread may allocate. A measurement is meant to run on one
// thread while others are idle (other threads' allocations would count too).
#define _GNU_SOURCE
#include "AllocationCounter.h"

#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void __libc_free(void *pointer);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic int64_t live;
static _Atomic int64_t peak;
static _Atomic int64_t total;
static _Atomic int64_t blocks;

static void counted(void *pointer) {
    if (pointer == NULL) return;
    int64_t size = (int64_t)malloc_usable_size(pointer);
    atomic_fetch_add_explicit(&blocks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&total, size, memory_order_relaxed);
    int64_t now = atomic_fetch_add_explicit(&live, size, memory_order_relaxed) + size;
    int64_t high = atomic_load_explicit(&peak, memory_order_relaxed);
    while (now > high && !atomic_compare_exchange_weak_explicit(&peak, &high, now, memory_order_relaxed,
                                                                memory_order_relaxed)) {
    }
}

static void released(void *pointer) {
    if (pointer == NULL) return;
    atomic_fetch_sub_explicit(&live, (int64_t)malloc_usable_size(pointer), memory_order_relaxed);
}

void *malloc(size_t size) {
    void *pointer = __libc_malloc(size);
    counted(pointer);
    return pointer;
}

void free(void *pointer) {
    released(pointer);
    __libc_free(pointer);
}

void *calloc(size_t count, size_t size) {
    void *pointer = __libc_calloc(count, size);
    counted(pointer);
    return pointer;
}

void *realloc(void *pointer, size_t size) {
    if (pointer == NULL) return malloc(size);
    int64_t before = (int64_t)malloc_usable_size(pointer);
    void *moved = __libc_realloc(pointer, size);
    if (moved == NULL) {
        // realloc(p, 0) frees p; any other NULL is a failure that leaves p as it was.
        if (size == 0) atomic_fetch_sub_explicit(&live, before, memory_order_relaxed);
        return NULL;
    }
    atomic_fetch_sub_explicit(&live, before, memory_order_relaxed);
    counted(moved);
    return moved;
}

void *memalign(size_t alignment, size_t size) {
    void *pointer = __libc_memalign(alignment, size);
    counted(pointer);
    return pointer;
}

void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *pointer = memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}

void *valloc(size_t size) { return memalign((size_t)sysconf(_SC_PAGESIZE), size); }

void *pvalloc(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return memalign(page, (size + page - 1) / page * page);
}

int64_t kiel_allocation_live(void) { return atomic_load_explicit(&live, memory_order_relaxed); }

int64_t kiel_allocation_peak(void) { return atomic_load_explicit(&peak, memory_order_relaxed); }

void kiel_allocation_reset_peak(void) {
    atomic_store_explicit(&peak, atomic_load_explicit(&live, memory_order_relaxed), memory_order_relaxed);
}

int64_t kiel_allocation_total(void) { return atomic_load_explicit(&total, memory_order_relaxed); }

int64_t kiel_allocation_count(void) { return atomic_load_explicit(&blocks, memory_order_relaxed); }

int64_t kiel_allocation_probe(void) {
    int64_t before = kiel_allocation_live();
    volatile char *block = malloc(1 << 20);
    if (block == NULL) return -1;
    block[0] = 1;
    int64_t during = kiel_allocation_live();
    free((void *)block);
    return during - before;
}
