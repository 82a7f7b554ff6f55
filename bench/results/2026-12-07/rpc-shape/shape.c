// Experiment: how the server's shape (blocking thread per connection, epoll thread per
// connection, N epoll loops) limits a ping-pong over a Unix socket with 16 clients.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/epoll.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <time.h>
#include <errno.h>
#include <stdint.h>

static const char *path = "/tmp/shape/s.sock";
static int mode; // 0 blocking, 1 epoll per conn, 2 N loops
static int loops = 2, conns = 16, seconds = 3, work_ns = 0;
static atomic_long total;
static atomic_int stop_flag;
static int epfds[64];

#include <sys/syscall.h>
struct sa { uint32_t size, policy; uint64_t flags; int32_t nice; uint32_t prio; uint64_t runtime, deadline, period; uint32_t umin, umax; };
static int slice_ns;
static void slice(void) { if (!slice_ns) return; struct sa a; memset(&a,0,sizeof a); syscall(SYS_sched_getattr,0,&a,sizeof a,0); a.size=sizeof a; a.flags=0; a.runtime=slice_ns; a.deadline=0;a.period=0; if (syscall(SYS_sched_setattr,0,&a,0)) perror("setattr"); }
static void spin(int ns) { if (!ns) return; struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a); do { clock_gettime(CLOCK_MONOTONIC,&b);} while ((b.tv_sec-a.tv_sec)*1000000000L+(b.tv_nsec-a.tv_nsec) < ns); }

static void *blocking(void *arg) { int fd = (int)(long)arg; char buf[65536]; slice();
  for (;;) { ssize_t n = read(fd, buf, sizeof buf); if (n <= 0) break; spin(work_ns); write(fd, buf, n); } close(fd); return 0; }
static void *epoll_one(void *arg) { int fd = (int)(long)arg; char buf[65536]; slice(); int ep = epoll_create1(0);
  fcntl(fd, F_SETFL, O_NONBLOCK); struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd}; epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  for (;;) { struct epoll_event out[4]; int k = epoll_wait(ep, out, 4, -1); if (k < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf); if (n == 0 || (n < 0 && errno != EAGAIN)) break; if (n < 0) continue; spin(work_ns); write(fd, buf, n); }
  close(fd); return 0; }
static void *loop(void *arg) { int ep = epfds[(long)arg]; char buf[65536]; slice();
  for (;;) { struct epoll_event out[64]; int k = epoll_wait(ep, out, 64, -1);
    for (int i = 0; i < k; i++) { int fd = out[i].data.fd; ssize_t n = read(fd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN)) { epoll_ctl(ep, EPOLL_CTL_DEL, fd, 0); close(fd); continue; } if (n < 0) continue; spin(work_ns); write(fd, buf, n); } }
  return 0; }
static void *acceptor(void *arg) { int l = (int)(long)arg; long next = 0;
  for (;;) { int c = accept(l, 0, 0); if (c < 0) return 0; pthread_t t;
    if (mode == 0) { pthread_create(&t, 0, blocking, (void*)(long)c); pthread_detach(t); }
    else if (mode == 1) { pthread_create(&t, 0, epoll_one, (void*)(long)c); pthread_detach(t); }
    else { fcntl(c, F_SETFL, O_NONBLOCK); struct epoll_event ev = {.events = EPOLLIN, .data.fd = c}; epoll_ctl(epfds[next++ % loops], EPOLL_CTL_ADD, c, &ev); } } }
static void *client(void *arg) { struct sockaddr_un a = {.sun_family = AF_UNIX}; strcpy(a.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0); if (connect(fd, (void*)&a, sizeof a)) { perror("connect"); exit(1); }
  const char *msg = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"node.info\"}\n"; size_t len = strlen(msg); char buf[4096]; long count = 0;
  while (!atomic_load(&stop_flag)) { write(fd, msg, len); size_t got = 0; while (got < len) { ssize_t n = read(fd, buf, sizeof buf); if (n <= 0) exit(2); got += n; } count++; }
  atomic_fetch_add(&total, count); close(fd); return 0; }
int main(int argc, char **argv) { mode = atoi(argv[1]); if (argc > 2) conns = atoi(argv[2]); if (argc > 3) loops = atoi(argv[3]); if (argc > 4) work_ns = atoi(argv[4]); if (argc > 5) slice_ns = atoi(argv[5]);
  unlink(path); int l = socket(AF_UNIX, SOCK_STREAM, 0); struct sockaddr_un a = {.sun_family = AF_UNIX}; strcpy(a.sun_path, path);
  if (bind(l, (void*)&a, sizeof a) || listen(l, 128)) { perror("bind"); return 1; }
  pthread_t t; if (mode == 2) for (long i = 0; i < loops; i++) { epfds[i] = epoll_create1(0); pthread_create(&t, 0, loop, (void*)i); }
  pthread_create(&t, 0, acceptor, (void*)(long)l);
  pthread_t cs[256]; for (int i = 0; i < conns; i++) pthread_create(&cs[i], 0, client, 0);
  if (conns == 0) { sleep(1000000); } sleep(seconds); atomic_store(&stop_flag, 1); for (int i = 0; i < conns; i++) pthread_join(cs[i], 0);
  printf("{\"mode\":%d,\"conns\":%d,\"loops\":%d,\"work_ns\":%d,\"slice\":%d,\"per_second\":%ld}\n", mode, conns, loops, work_ns, slice_ns, atomic_load(&total) / seconds); return 0; }
