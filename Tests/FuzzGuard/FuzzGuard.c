// Crash and hang reports for the fuzz tests. A trap in a decoder kills the test process, and
// XCTest prints nothing about which input did it; this prints the run's name, its seed and
// the case index (everything needed to rerun that one case) from the signal handler, using
// only write(2). A watchdog thread does the same and aborts when one case runs for too long,
// so a hang ends the run with a report instead of a CI timeout.
#define _GNU_SOURCE
#include "FuzzGuard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char run_name[128];
static _Atomic uint64_t run_seed;
static _Atomic uint64_t current_case;
static _Atomic uint64_t progress;
static _Atomic int active;
static _Atomic int hang_limit;

static const int guarded[] = {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT};
#define GUARDED_COUNT (sizeof(guarded) / sizeof(guarded[0]))
static struct sigaction previous[GUARDED_COUNT];
static pthread_once_t watchdog_once = PTHREAD_ONCE_INIT;

static void put(const char *text) {
    ssize_t ignored = write(STDERR_FILENO, text, strlen(text));
    (void)ignored;
}

static void put_number(uint64_t value, int hex) {
    char digits[24];
    int n = 0;
    unsigned base = hex ? 16 : 10;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value != 0);
    char out[26];
    int at = 0;
    if (hex) { out[at++] = '0'; out[at++] = 'x'; }
    while (n > 0) out[at++] = digits[--n];
    out[at] = 0;
    put(out);
}

static void report(const char *what) {
    put("\nfuzz: ");
    put(run_name);
    put(" ");
    put(what);
    put(" in case ");
    put_number(atomic_load(&current_case), 0);
    put(" (seed ");
    put_number(atomic_load(&run_seed), 1);
    put("): rerun it alone with KIEL_FUZZ_SEED=");
    put_number(atomic_load(&run_seed), 1);
    put(" KIEL_FUZZ_CASE=");
    put_number(atomic_load(&current_case), 0);
    put(" and --filter for this test\n");
}

static void on_signal(int signal_number) {
    if (atomic_load(&active)) report(signal_number == SIGABRT ? "aborted" : "crashed");
    // SA_RESETHAND put the default action back: raising again ends the process as it would have.
    raise(signal_number);
}

static void *watch(void *unused) {
    (void)unused;
    uint64_t seen = 0;
    int still = 0;
    for (;;) {
        sleep(1);
        uint64_t now = atomic_load(&progress);
        if (!atomic_load(&active) || now != seen) {
            seen = now;
            still = 0;
            continue;
        }
        if (++still >= atomic_load(&hang_limit)) {
            report("hung");
            atomic_store(&active, 0);
            abort();
        }
    }
    return NULL;
}

static void start_watchdog(void) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, watch, NULL) == 0) pthread_detach(thread);
}

void kiel_fuzz_begin(const char *name, uint64_t seed, int hang_seconds) {
    strncpy(run_name, name, sizeof(run_name) - 1);
    run_name[sizeof(run_name) - 1] = 0;
    atomic_store(&run_seed, seed);
    atomic_store(&current_case, 0);
    atomic_store(&hang_limit, hang_seconds > 0 ? hang_seconds : 60);
    atomic_fetch_add(&progress, 1);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < GUARDED_COUNT; i++) sigaction(guarded[i], &action, &previous[i]);
    atomic_store(&active, 1);
    pthread_once(&watchdog_once, start_watchdog);
}

void kiel_fuzz_case(uint64_t index) {
    atomic_store_explicit(&current_case, index, memory_order_relaxed);
    atomic_fetch_add_explicit(&progress, 1, memory_order_relaxed);
}

void kiel_fuzz_end(void) {
    atomic_store(&active, 0);
    for (size_t i = 0; i < GUARDED_COUNT; i++) sigaction(guarded[i], &previous[i], NULL);
}
