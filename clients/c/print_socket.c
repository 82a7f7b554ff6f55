/* print_socket - prints the socket path a2al_connect(NULL, ...) would use, so the
 * shared table of environments (Tests/socket-defaults.json) can check the C client. */
#include "a2al_client.h"

#include <stdio.h>

int main(void)
{
    char buf[4096];
    const char *p = a2al_default_socket_path(buf, sizeof buf);
    if (!p) {
        fprintf(stderr, "print_socket: default socket path too long\n");
        return 1;
    }
    printf("%s\n", p);
    return 0;
}
