#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdatomic.h>
static const char *path; static int conns = 16, seconds = 3; static atomic_long total; static atomic_int stop_flag;
static const char *msg = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"node.info\"}\n";
static void *client(void *arg) { struct sockaddr_un a = {.sun_family = AF_UNIX}; strcpy(a.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0); if (connect(fd, (void*)&a, sizeof a)) { perror("connect"); exit(1); }
  size_t len = strlen(msg); char buf[65536]; long count = 0;
  while (!atomic_load(&stop_flag)) { write(fd, msg, len); for (;;) { ssize_t n = read(fd, buf, sizeof buf); if (n <= 0) exit(2); if (memchr(buf, '\n', n)) break; } count++; }
  atomic_fetch_add(&total, count); close(fd); return 0; }
int main(int argc, char **argv) { path = argv[1]; if (argc > 2) conns = atoi(argv[2]); if (argc > 3) seconds = atoi(argv[3]);
  pthread_t cs[256]; for (int i = 0; i < conns; i++) pthread_create(&cs[i], 0, client, 0);
  sleep(seconds); atomic_store(&stop_flag, 1); for (int i = 0; i < conns; i++) pthread_join(cs[i], 0);
  printf("{\"conns\":%d,\"per_second\":%ld}\n", conns, atomic_load(&total) / seconds); return 0; }
