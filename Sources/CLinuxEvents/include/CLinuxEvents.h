// epoll, eventfd and accept4 for the JSON-RPC socket server (docs/architecture.md, "The
// JSON-RPC socket"): Swift's Glibc module exports none of them.
#ifndef A2AL_CLINUXEVENTS_H
#define A2AL_CLINUXEVENTS_H
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): a connection that is non-blocking
/// and not inherited by child processes from the start.
int a2al_accept_nonblocking(int fd);

/// Names the calling thread (at most 15 bytes show), so `top -H` and `perf` tell threads apart.
void a2al_name_this_thread(const char *name);
#endif
#endif
