/* test_framing.c - offline tests of the client against a scripted fake server
 * (split lines, CRLF, a multi-megabyte reply, notifications queued during calls,
 * late replies after a timeout, daemon errors with data, malformed lines,
 * id-null errors, connection close, connect failure, default socket path). */
#define _POSIX_C_SOURCE 200809L

#include "a2al_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)

static void msleep(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------ fake server */

static void wr(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            _exit(10);
        }
        s += w;
        n -= (size_t)w;
    }
}

static void wrs(int fd, const char *s) { wr(fd, s, strlen(s)); }

/* read one request line and check jsonrpc/id/method */
static void expect_req(int fd, long long id, const char *method)
{
    char line[4096];
    size_t n = 0;
    json_t *j;
    for (;;) {
        ssize_t r = read(fd, line + n, 1);
        if (r <= 0)
            _exit(11);
        if (line[n] == '\n')
            break;
        if (++n >= sizeof line - 1)
            _exit(12);
    }
    j = json_loadb(line, n, 0, NULL);
    if (!j || strcmp(json_string_value(json_object_get(j, "jsonrpc")) ? json_string_value(json_object_get(j, "jsonrpc")) : "", "2.0") != 0 ||
        json_integer_value(json_object_get(j, "id")) != id ||
        strcmp(json_string_value(json_object_get(j, "method")) ? json_string_value(json_object_get(j, "method")) : "", method) != 0) {
        fprintf(stderr, "server: unexpected request (want id %lld %s): %.*s\n", id, method, (int)n, line);
        _exit(13);
    }
    json_decref(j);
}

static void server(int lfd)
{
    int fd = accept(lfd, NULL, NULL);
    size_t big = 3u * 1024u * 1024u, i;
    char *buf;
    if (fd < 0)
        _exit(20);

    /* 1: notification then reply, both split across writes; CRLF ending */
    expect_req(fd, 1, "one");
    wrs(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"subscr");
    msleep(30);
    wrs(fd, "iption\",\"params\":{\"subscription\":\"s1\",\"result\":{\"n\":1}}}\n{\"jsonrpc\":\"2.0\",");
    msleep(30);
    wrs(fd, "\"id\":1,\"result\":{\"ok\":true}}\r\n");

    /* 2: a 3 MiB reply in 7000-byte chunks */
    expect_req(fd, 2, "big");
    buf = malloc(big + 64);
    if (!buf)
        _exit(21);
    strcpy(buf, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"s\":\"");
    i = strlen(buf);
    memset(buf + i, 'x', big);
    strcpy(buf + i + big, "\"}}\n");
    {
        size_t total = strlen(buf);
        for (i = 0; i < total;) {
            size_t n = total - i < 7000 ? total - i : 7000;
            wr(fd, buf + i, n);
            i += n;
        }
    }
    free(buf);

    /* 3: no reply in time (client times out); 4: late reply 3 first, then a
     * notification and reply 4 coalesced in one write */
    expect_req(fd, 3, "slow");
    expect_req(fd, 4, "four");
    wrs(fd, "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"late\":true}}\n"
            "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"subscription\":\"s1\",\"error\":{\"code\":-32011,\"message\":\"slow\"}}}\n"
            "\n"
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"four\":4}}\n");

    /* 5: an error with data */
    expect_req(fd, 5, "bad");
    wrs(fd, "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-32602,\"message\":\"invalid params: x\",\"data\":{\"field\":\"x\",\"reason\":\"r\"}}}\n");

    /* 6: garbage */
    expect_req(fd, 6, "garbage");
    wrs(fd, "this is not json\n");

    /* 7: connection-level error with id null */
    expect_req(fd, 7, "busy");
    wrs(fd, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32007,\"message\":\"overloaded\",\"data\":{\"kind\":\"overloaded\"}}}\n");

    /* 8: an event, then close */
    expect_req(fd, 8, "last");
    wrs(fd, "{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":{}}\n"
            "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"subscription\":\"s2\",\"result\":{\"n\":3}}}\n"
            "{\"jsonrpc\":\"2.0\",\"method\":\"subscription\",\"params\":{\"subscr");
    close(fd);
    _exit(0);
}

/* ------------------------------------------------------------------ client */

int main(void)
{
    char dir[] = "/tmp/a2t.XXXXXX", path[64], buf[256];
    struct sockaddr_un sa;
    a2al_error err = A2AL_ERROR_INIT;
    a2al_client *c;
    json_t *res = NULL, *ev = NULL, *p;
    int lfd, status;
    pid_t pid;

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/s", dir);

    /* connect failure */
    c = a2al_connect(path, 1000, &err);
    CHECK(c == NULL && err.code == A2AL_ERR_CONNECT && strstr(err.message, "connect failed"));
    a2al_error_clear(&err);

    /* u64 values sent as decimal strings */
    {
        uint64_t v = 1;
        json_t *j = json_string("18446744073709551615");
        CHECK(a2al_u64(j, &v) == 0 && v == UINT64_MAX);
        json_decref(j);
        j = json_string("1764160000123456789");
        CHECK(a2al_u64(j, &v) == 0 && v == 1764160000123456789ULL);
        json_decref(j);
        j = json_integer(7);
        CHECK(a2al_u64(j, &v) == 0 && v == 7);
        json_decref(j);
        v = 5;
        j = json_string("18446744073709551616");
        CHECK(a2al_u64(j, &v) == -1 && v == 5);
        json_decref(j);
        j = json_string("-1");
        CHECK(a2al_u64(j, &v) == -1);
        json_decref(j);
        j = json_string("1.5");
        CHECK(a2al_u64(j, &v) == -1);
        json_decref(j);
        j = json_string("07");
        CHECK(a2al_u64(j, &v) == -1);
        json_decref(j);
        j = json_integer(-3);
        CHECK(a2al_u64(j, &v) == -1);
        json_decref(j);
        CHECK(a2al_u64(NULL, &v) == -1);
    }

    /* default path */
    setenv("A2AL_SOCKET", "/x/y.sock", 1);
    CHECK(a2al_default_socket_path(buf, sizeof buf) && strcmp(buf, "/x/y.sock") == 0);
    unsetenv("A2AL_SOCKET");
    setenv("A2AL_TEST_EUID", "7", 1);
    setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
    CHECK(a2al_default_socket_path(buf, sizeof buf) && strcmp(buf, "/run/user/7/a2al.sock") == 0);
    unsetenv("XDG_RUNTIME_DIR");
    CHECK(a2al_default_socket_path(buf, sizeof buf) && strcmp(buf, "/tmp/a2al-7/a2al.sock") == 0);
    setenv("A2AL_TEST_EUID", "0", 1);
    setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
    CHECK(a2al_default_socket_path(buf, sizeof buf) && strcmp(buf, "/run/a2al.sock") == 0);
    unsetenv("XDG_RUNTIME_DIR");
    unsetenv("A2AL_TEST_EUID");
    CHECK(a2al_default_socket_path(buf, 4) == NULL);

    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 4) < 0) {
        perror("server socket");
        return 1;
    }
    pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0)
        server(lfd);
    close(lfd);

    c = a2al_connect(path, 20000, &err);
    CHECK(c != NULL);
    if (!c) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    CHECK(a2al_get_timeout(c) == 20000);

    /* 1 */
    CHECK(a2al_call(c, "one", NULL, &res, &err) == 0);
    CHECK(json_is_true(json_object_get(res, "ok")));
    json_decref(res);
    CHECK(a2al_pending_events(c) == 1);

    /* 2 */
    p = json_pack("{s:i}", "n", 2);
    CHECK(a2al_call(c, "big", p, &res, &err) == 0);
    if (err.code) {
        fprintf(stderr, "big: %d %s\n", err.code, err.message);
        a2al_error_clear(&err);
    }
    json_decref(p);
    CHECK(json_string_length(json_object_get(res, "s")) == 3u * 1024u * 1024u);
    json_decref(res);

    /* 3: client-side timeout */
    a2al_set_timeout(c, 200);
    CHECK(a2al_call(c, "slow", NULL, &res, &err) == -1 && err.code == A2AL_ERR_TIMEOUT && res == NULL);
    a2al_error_clear(&err);
    a2al_set_timeout(c, 20000);

    /* 4: late reply 3 discarded */
    CHECK(a2al_call(c, "four", NULL, &res, &err) == 0);
    CHECK(json_integer_value(json_object_get(res, "four")) == 4);
    json_decref(res);
    CHECK(a2al_pending_events(c) == 2);

    /* 5: daemon error with data */
    CHECK(a2al_call(c, "bad", NULL, &res, &err) == -1);
    CHECK(err.code == -32602 && strcmp(err.message, "invalid params: x") == 0);
    CHECK(strcmp(json_string_value(json_object_get(err.data, "field")) ? json_string_value(json_object_get(err.data, "field")) : "", "x") == 0);
    a2al_error_clear(&err);

    /* 6: malformed */
    CHECK(a2al_call(c, "garbage", NULL, &res, &err) == -1 && err.code == A2AL_ERR_MALFORMED);
    a2al_error_clear(&err);

    /* 7: id-null error */
    CHECK(a2al_call(c, "busy", NULL, &res, &err) == -1 && err.code == -32007);
    a2al_error_clear(&err);

    /* 8 */
    CHECK(a2al_call(c, "last", NULL, &res, &err) == 0);
    json_decref(res);

    /* events, in order: s1 result, s1 error, s2 result, then closed */
    CHECK(a2al_next_event(c, 1000, &ev, &err) == 0);
    CHECK(json_integer_value(json_object_get(json_object_get(ev, "result"), "n")) == 1);
    json_decref(ev);
    CHECK(a2al_next_event(c, 1000, &ev, &err) == 0);
    CHECK(json_integer_value(json_object_get(json_object_get(ev, "error"), "code")) == -32011);
    json_decref(ev);
    CHECK(a2al_next_event(c, 1000, &ev, &err) == 0);
    CHECK(strcmp(json_string_value(json_object_get(ev, "subscription")) ? json_string_value(json_object_get(ev, "subscription")) : "", "s2") == 0);
    json_decref(ev);
    CHECK(a2al_next_event(c, 1000, &ev, &err) == -1 && err.code == A2AL_ERR_CLOSED && ev == NULL);
    a2al_error_clear(&err);
    CHECK(a2al_call(c, "after", NULL, &res, &err) == -1 && err.code == A2AL_ERR_CLOSED);
    a2al_error_clear(&err);
    a2al_close(c);

    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    unlink(path);
    rmdir(dir);

    if (failures) {
        fprintf(stderr, "test_framing: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_framing: PASS\n");
    return 0;
}
