// accept4 is declared only with _GNU_SOURCE, which Swift's view of glibc does not define.
#define _GNU_SOURCE
#include <stddef.h>
#include <pthread.h>
#include <sys/socket.h>
#include "CLinuxEvents.h"

#ifdef __linux__
int a2al_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

void a2al_name_this_thread(const char *name) {
    pthread_setname_np(pthread_self(), name);
}
#endif
