// Tells ThreadSanitizer about the contended path of Swift's Synchronization.Mutex on Linux.
//
// Mutex.withLock inlines a compare-and-swap fast path into the caller, which TSan sees, but
// under contention it calls _MutexHandle._lockSlow / _unlockSlow in libswiftSynchronization.so:
// a priority-inheritance futex (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI) in code built without TSan,
// where the kernel hands the lock over. TSan never sees that hand-over, so every access a
// contended Mutex protects is reported as a race (a two-thread counter under Mutex.withLock
// reproduces it; docs/testing.md). scripts/sanitizers.sh preloads this library into the TSan
// test run: each wrapper calls the real function and adds the acquire/release edge TSan misses,
// on the lock word's address, so races on data a Mutex protects are no longer invented while
// everything else is still checked.
//
// Swift passes `self` (the lock word's address) in the swiftself register and the thread id
// in the first argument register; swiftcall + swift_context reproduce that calling convention.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

// From the TSan runtime in the instrumented executable; weak so the library also loads
// harmlessly into processes without TSan (swift-test itself inherits LD_PRELOAD).
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));

#define SWIFTCALL __attribute__((swiftcall))
#define SELF __attribute__((swift_context))

#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"

typedef SWIFTCALL void (*lock_slow_fn)(uint32_t self_id, void *SELF handle);
typedef SWIFTCALL bool (*try_lock_slow_fn)(void *SELF handle);
typedef SWIFTCALL void (*unlock_slow_fn)(void *SELF handle);

static void *next_symbol(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "tsan mutex annotations: %s not found (%s)\n", name, dlerror());
        abort();
    }
    return f;
}

SWIFTCALL void lock_slow(uint32_t self_id, void *SELF handle) __asm__(LOCK_SLOW);
SWIFTCALL void lock_slow(uint32_t self_id, void *SELF handle) {
    static lock_slow_fn real;
    if (!real) real = (lock_slow_fn)next_symbol(LOCK_SLOW);
    real(self_id, handle);
    if (__tsan_acquire) __tsan_acquire(handle);
}

SWIFTCALL bool try_lock_slow(void *SELF handle) __asm__(TRY_LOCK_SLOW);
SWIFTCALL bool try_lock_slow(void *SELF handle) {
    static try_lock_slow_fn real;
    if (!real) real = (try_lock_slow_fn)next_symbol(TRY_LOCK_SLOW);
    bool locked = real(handle);
    if (locked && __tsan_acquire) __tsan_acquire(handle);
    return locked;
}

SWIFTCALL void unlock_slow(void *SELF handle) __asm__(UNLOCK_SLOW);
SWIFTCALL void unlock_slow(void *SELF handle) {
    static unlock_slow_fn real;
    if (!real) real = (unlock_slow_fn)next_symbol(UNLOCK_SLOW);
    if (__tsan_release) __tsan_release(handle);
    real(handle);
}
