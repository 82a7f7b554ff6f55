// epoll, eventfd and accept4 for the JSON-RPC socket server (docs/architecture.md, "The
// JSON-RPC socket"): Swift's Glibc module exports none of them.
#ifndef A2AL_CLINUXEVENTS_H
#define A2AL_CLINUXEVENTS_H
#ifdef __linux__
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(fd, NULL, NULL, SOCK_CLOEXEC): a connection not inherited by child processes from
/// the start. It is left blocking: every read and write but the loop's waiting read passes
/// MSG_DONTWAIT, and that one waits at most the socket's receive timeout.
int a2al_accept_client(int fd);

/// Sets SO_RCVTIMEO: a blocking read of `fd` returns EAGAIN after `microseconds` (the kernel
/// rounds up to its tick). 0 when done, else -1 with errno.
int a2al_set_receive_timeout(int fd, uint32_t microseconds);

/// Names the calling thread (at most 15 bytes show), so `top -H` and `perf` tell threads apart.
void a2al_name_this_thread(const char *name);

/// Asks the scheduler for a time slice of `nanoseconds` for the calling thread (Linux 6.12+,
/// EEVDF: `sched_setattr`'s `sched_runtime` for a fair-class thread; no privilege needed, its
/// share of the CPU does not change). Keeps the thread's policy, nice value and flags, and
/// leaves real-time and idle threads alone. 0 when asked, else a negative errno.
int a2al_request_time_slice(uint64_t nanoseconds);

/// The time slice thread `tid` (0: the caller) has (`sched_getattr`'s `sched_runtime`); 0
/// where the kernel does not say.
uint64_t a2al_time_slice_of(int tid);
#endif
#endif
