// accept4 is declared only with _GNU_SOURCE, which Swift's view of glibc does not define.
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include "CLinuxEvents.h"

#ifdef __linux__
int a2al_accept_client(int fd) {
    return accept4(fd, NULL, NULL, SOCK_CLOEXEC);
}

int a2al_set_receive_timeout(int fd, uint32_t microseconds) {
    struct timeval tv = { .tv_sec = microseconds / 1000000, .tv_usec = microseconds % 1000000 };
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

void a2al_name_this_thread(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

// The kernel's struct sched_attr up to SCHED_ATTR_SIZE_VER0 (48 bytes); glibc 2.36 has no
// wrapper or declaration for it.
struct a2al_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
};

enum { a2al_sched_flag_reset_on_fork = 0x01 };

static int a2al_get_sched_attr(int tid, struct a2al_sched_attr *attr) {
#ifdef SYS_sched_getattr
    memset(attr, 0, sizeof *attr);
    return (int)syscall(SYS_sched_getattr, tid, attr, (unsigned)sizeof *attr, 0U) == 0 ? 0 : -errno;
#else
    (void)tid; (void)attr;
    return -ENOSYS;
#endif
}

int a2al_request_time_slice(uint64_t nanoseconds) {
#ifdef SYS_sched_setattr
    struct a2al_sched_attr attr;
    int got = a2al_get_sched_attr(0, &attr);
    if (got != 0) return got;
    if (attr.sched_policy != SCHED_OTHER && attr.sched_policy != SCHED_BATCH) return 0;
    attr.size = sizeof attr;
    attr.sched_flags &= a2al_sched_flag_reset_on_fork;
    attr.sched_runtime = nanoseconds;
    attr.sched_deadline = 0;
    attr.sched_period = 0;
    return syscall(SYS_sched_setattr, 0, &attr, 0U) == 0 ? 0 : -errno;
#else
    (void)nanoseconds;
    return -ENOSYS;
#endif
}

uint64_t a2al_time_slice_of(int tid) {
    struct a2al_sched_attr attr;
    return a2al_get_sched_attr(tid, &attr) == 0 ? attr.sched_runtime : 0;
}
#endif
