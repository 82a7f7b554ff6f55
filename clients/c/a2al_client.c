/* a2al_client.c - see a2al_client.h */
#define _POSIX_C_SOURCE 200809L

#include "a2al_client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* Largest reply line accepted (the daemon's own limit is far below). */
#define A2AL_MAX_LINE (256u * 1024u * 1024u)
#define A2AL_READ_CHUNK 65536u

struct a2al_client {
    int fd;
    int timeout_ms;
    int broken;            /* connection closed or framing lost */
    json_int_t next_id;
    char *buf;             /* received bytes not yet consumed: buf[0..len) */
    size_t len, cap;
    size_t scanned;        /* bytes of buf already known to hold no '\n' */
    json_t *queue;         /* array of queued notification params */
};

/* ---------------------------------------------------------------- errors */

void a2al_error_clear(a2al_error *err)
{
    if (!err)
        return;
    json_decref(err->data);
    err->data = NULL;
    err->code = 0;
    err->message[0] = '\0';
}

static void set_err(a2al_error *err, int code, json_t *data, const char *fmt, ...)
{
    va_list ap;
    if (!err) {
        json_decref(data);
        return;
    }
    err->code = code;
    err->data = data;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ time */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* deadline < 0: none. Returns poll timeout (-1 = infinite, >= 0 ms). */
static int remaining_ms(long long deadline)
{
    long long r;
    if (deadline < 0)
        return -1;
    r = deadline - now_ms();
    if (r < 0)
        return 0;
    if (r > 0x7fffffff)
        return 0x7fffffff;
    return (int)r;
}

static long long deadline_for(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* ------------------------------------------------------------- connection */

int a2al_u64(const json_t *value, uint64_t *out)
{
    const char *p;
    uint64_t v = 0;
    if (json_is_integer(value)) {
        json_int_t i = json_integer_value(value);
        if (i < 0)
            return -1;
        *out = (uint64_t)i;
        return 0;
    }
    if (!json_is_string(value))
        return -1;
    p = json_string_value(value);
    if (!*p || (p[0] == '0' && p[1] != '\0'))
        return -1;
    for (; *p; p++) {
        unsigned d;
        if (*p < '0' || *p > '9')
            return -1;
        d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* The one rule of docs/jsonrpc.md ("Finding the socket"), as the daemon and the other
 * clients apply it. A2AL_TEST_EUID (tests only, digits) stands in for geteuid(). */
static unsigned long effective_uid(void)
{
    const char *t = getenv("A2AL_TEST_EUID");
    const char *p;
    if (t && *t && strlen(t) <= 10) {
        for (p = t; *p >= '0' && *p <= '9'; p++)
            ;
        if (*p == '\0') {
            unsigned long v = strtoul(t, NULL, 10);
            if (v <= 0xffffffffUL)
                return v;
        }
    }
    return (unsigned long)geteuid();
}

const char *a2al_default_socket_path(char *buf, size_t len)
{
    const char *env = getenv("A2AL_SOCKET");
    unsigned long euid;
    int n;
    if (env && *env) {
        n = snprintf(buf, len, "%s", env);
    } else if ((euid = effective_uid()) == 0) {
        n = snprintf(buf, len, "%s", "/run/a2al.sock");
    } else if ((env = getenv("XDG_RUNTIME_DIR")) && env[0] == '/') {
        size_t k = strlen(env);
        n = snprintf(buf, len, "%s%sa2al.sock", env, env[k - 1] == '/' ? "" : "/");
    } else {
        n = snprintf(buf, len, "/tmp/a2al-%lu/a2al.sock", euid);
    }
    if (n < 0 || (size_t)n >= len)
        return NULL;
    return buf;
}

a2al_client *a2al_connect(const char *path, int timeout_ms, a2al_error *err)
{
    char defpath[sizeof(((struct sockaddr_un *)0)->sun_path) + 256];
    struct sockaddr_un sa;
    a2al_client *c;
    int fd, flags;

    if (!path) {
        path = a2al_default_socket_path(defpath, sizeof defpath);
        if (!path) {
            set_err(err, A2AL_ERR_CONNECT, NULL, "connect failed: default socket path too long");
            return NULL;
        }
    }
    if (strlen(path) >= sizeof sa.sun_path) {
        set_err(err, A2AL_ERR_CONNECT, NULL, "connect failed: socket path too long (%lu bytes max): %s",
                (unsigned long)(sizeof sa.sun_path - 1), path);
        return NULL;
    }
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        set_err(err, A2AL_ERR_CONNECT, NULL, "connect failed: socket: %s", strerror(errno));
        return NULL;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    while (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        if (e == EINTR)
            continue;
        close(fd);
        set_err(err, A2AL_ERR_CONNECT, NULL, "connect failed: %s: %s", path, strerror(e));
        return NULL;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        set_err(err, A2AL_ERR_CONNECT, NULL, "connect failed: fcntl: %s", strerror(e));
        return NULL;
    }

    c = calloc(1, sizeof *c);
    if (c)
        c->queue = json_array();
    if (!c || !c->queue) {
        if (c)
            free(c);
        close(fd);
        set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    c->fd = fd;
    c->next_id = 1;
    a2al_set_timeout(c, timeout_ms);
    return c;
}

void a2al_close(a2al_client *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    json_decref(c->queue);
    free(c);
}

void a2al_set_timeout(a2al_client *c, int timeout_ms)
{
    if (c)
        c->timeout_ms = timeout_ms == 0 ? A2AL_DEFAULT_TIMEOUT_MS : timeout_ms;
}

int a2al_get_timeout(const a2al_client *c) { return c ? c->timeout_ms : 0; }
int a2al_fd(const a2al_client *c) { return c ? c->fd : -1; }
size_t a2al_pending_events(const a2al_client *c) { return c ? json_array_size(c->queue) : 0; }

/* ------------------------------------------------------------------ I/O */

static int send_all(a2al_client *c, const char *p, size_t n, long long deadline, a2al_error *err)
{
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd;
            int r, t = remaining_ms(deadline);
            if (t == 0) {
                set_err(err, A2AL_ERR_TIMEOUT, NULL, "timeout while sending request");
                return -1;
            }
            pfd.fd = c->fd;
            pfd.events = POLLOUT;
            pfd.revents = 0;
            r = poll(&pfd, 1, t);
            if (r < 0 && errno != EINTR) {
                set_err(err, A2AL_ERR_IO, NULL, "poll failed: %s", strerror(errno));
                return -1;
            }
            continue;
        }
        if (w < 0 && (errno == EPIPE || errno == ECONNRESET)) {
            c->broken = 1;
            set_err(err, A2AL_ERR_CLOSED, NULL, "connection closed by daemon");
            return -1;
        }
        c->broken = 1;
        set_err(err, A2AL_ERR_IO, NULL, "send failed: %s", w < 0 ? strerror(errno) : "no progress");
        return -1;
    }
    return 0;
}

/* Get the next complete line (without '\n' / trailing '\r') into a malloc'd
 * NUL-terminated string. Returns 0 with *line set, 1 on timeout, -1 on error. */
static int read_line(a2al_client *c, long long deadline, char **line, size_t *line_len, a2al_error *err)
{
    for (;;) {
        char *nl = c->len > c->scanned ? memchr(c->buf + c->scanned, '\n', c->len - c->scanned) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - c->buf), used = n + 1;
            char *out;
            if (n > 0 && c->buf[n - 1] == '\r')
                n--;
            out = malloc(n + 1);
            if (!out) {
                set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
                return -1;
            }
            memcpy(out, c->buf, n);
            out[n] = '\0';
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
            c->scanned = 0;
            *line = out;
            *line_len = n;
            return 0;
        }
        c->scanned = c->len;
        if (c->broken) {
            set_err(err, A2AL_ERR_CLOSED, NULL, "connection closed by daemon");
            return -1;
        }
        if (c->len >= A2AL_MAX_LINE) {
            c->broken = 1;
            set_err(err, A2AL_ERR_MALFORMED, NULL, "malformed reply: line longer than %u bytes", A2AL_MAX_LINE);
            return -1;
        }
        if (c->cap - c->len < A2AL_READ_CHUNK) {
            size_t ncap = c->cap ? c->cap : A2AL_READ_CHUNK;
            char *nb;
            while (ncap - c->len < A2AL_READ_CHUNK)
                ncap *= 2;
            nb = realloc(c->buf, ncap);
            if (!nb) {
                set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
                return -1;
            }
            c->buf = nb;
            c->cap = ncap;
        }
        {
            ssize_t r = read(c->fd, c->buf + c->len, c->cap - c->len);
            if (r > 0) {
                c->len += (size_t)r;
                continue;
            }
            if (r == 0) {
                c->broken = 1;
                continue; /* reports CLOSED unless a full line is buffered */
            }
            if (errno == EINTR)
                continue;
            if (errno == ECONNRESET) {
                c->broken = 1;
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                set_err(err, A2AL_ERR_IO, NULL, "read failed: %s", strerror(errno));
                return -1;
            }
        }
        {
            struct pollfd pfd;
            int r, t = remaining_ms(deadline);
            if (t == 0)
                return 1;
            pfd.fd = c->fd;
            pfd.events = POLLIN;
            pfd.revents = 0;
            r = poll(&pfd, 1, t);
            if (r < 0 && errno != EINTR) {
                set_err(err, A2AL_ERR_IO, NULL, "poll failed: %s", strerror(errno));
                return -1;
            }
            if (r == 0 && deadline >= 0 && remaining_ms(deadline) == 0)
                return 1;
        }
    }
}

/* Read and classify one message. Kinds: */
enum { MSG_REPLY, MSG_NOTIFICATION, MSG_OTHER };

/* Returns 0 with *msg (new ref) and *kind set, 1 on timeout, -1 on error.
 * Notifications are queued here (and *msg is still returned). */
static int read_message(a2al_client *c, long long deadline, json_t **msg, int *kind, a2al_error *err)
{
    for (;;) {
        char *line;
        size_t n;
        json_error_t jerr;
        json_t *m;
        int r = read_line(c, deadline, &line, &n, err);
        if (r != 0)
            return r;
        if (n == 0) {
            free(line);
            continue;
        }
        m = json_loadb(line, n, 0, &jerr);
        free(line);
        if (!m) {
            set_err(err, A2AL_ERR_MALFORMED, NULL, "malformed reply: %s (at byte %d)", jerr.text, jerr.position);
            return -1;
        }
        if (!json_is_object(m)) {
            json_decref(m);
            set_err(err, A2AL_ERR_MALFORMED, NULL, "malformed reply: not a JSON object");
            return -1;
        }
        if (json_object_get(m, "method") && !json_object_get(m, "id")) {
            json_t *params = json_object_get(m, "params");
            const char *method = json_string_value(json_object_get(m, "method"));
            if (method && strcmp(method, "subscription") == 0 && json_is_object(params)) {
                if (json_array_append(c->queue, params) < 0) {
                    json_decref(m);
                    set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
                    return -1;
                }
                *kind = MSG_NOTIFICATION;
            } else {
                *kind = MSG_OTHER;
            }
        } else if (json_object_get(m, "id") &&
                   (json_object_get(m, "result") || json_object_get(m, "error"))) {
            *kind = MSG_REPLY;
        } else {
            json_decref(m);
            set_err(err, A2AL_ERR_MALFORMED, NULL, "malformed reply: neither a response nor a notification");
            return -1;
        }
        *msg = m;
        return 0;
    }
}

/* Fill err from a JSON-RPC error object. */
static void set_rpc_err(a2al_error *err, json_t *e)
{
    json_t *code = json_object_get(e, "code");
    const char *msg = json_string_value(json_object_get(e, "message"));
    json_t *data = json_object_get(e, "data");
    if (!json_is_object(e) || !json_is_integer(code)) {
        set_err(err, A2AL_ERR_MALFORMED, NULL, "malformed reply: bad error object");
        return;
    }
    set_err(err, (int)json_integer_value(code), data ? json_incref(data) : NULL, "%s", msg ? msg : "");
}

/* ----------------------------------------------------------------- calls */

int a2al_call(a2al_client *c, const char *method, json_t *params, json_t **result, a2al_error *err)
{
    json_t *req, *msg;
    json_int_t id;
    char *text;
    size_t tlen;
    long long deadline;
    int r, kind;

    if (result)
        *result = NULL;
    if (!c || !method) {
        set_err(err, A2AL_ERR_ARG, NULL, "invalid argument: client and method are required");
        return -1;
    }
    if (params && !json_is_object(params)) {
        set_err(err, A2AL_ERR_ARG, NULL, "invalid argument: params must be an object or NULL");
        return -1;
    }
    if (c->broken) {
        set_err(err, A2AL_ERR_CLOSED, NULL, "connection closed by daemon");
        return -1;
    }
    deadline = deadline_for(c->timeout_ms);
    id = c->next_id++;
    req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", id, "method", method);
    if (!req || (params && json_object_set(req, "params", params) < 0)) {
        json_decref(req);
        set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
        return -1;
    }
    text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (!text) {
        set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
        return -1;
    }
    tlen = strlen(text);
    text[tlen] = '\n'; /* overwrite the NUL: send tlen + 1 bytes */
    r = send_all(c, text, tlen + 1, deadline, err);
    free(text);
    if (r < 0)
        return -1;

    for (;;) {
        json_t *rid, *res, *e;
        r = read_message(c, deadline, &msg, &kind, err);
        if (r == 1) {
            set_err(err, A2AL_ERR_TIMEOUT, NULL, "timeout: no reply to %s within %d ms", method, c->timeout_ms);
            return -1;
        }
        if (r < 0)
            return -1;
        if (kind != MSG_REPLY) {
            json_decref(msg);
            continue;
        }
        rid = json_object_get(msg, "id");
        if (json_is_integer(rid) && json_integer_value(rid) == id) {
            res = json_object_get(msg, "result");
            e = json_object_get(msg, "error");
            if (e) {
                set_rpc_err(err, e);
                json_decref(msg);
                return -1;
            }
            if (result)
                *result = json_incref(res);
            json_decref(msg);
            return 0;
        }
        if (json_is_null(rid) && (e = json_object_get(msg, "error"))) {
            /* connection-level error (overloaded, line too long...) */
            set_rpc_err(err, e);
            json_decref(msg);
            return -1;
        }
        json_decref(msg); /* late reply to an earlier, timed-out call */
    }
}

int a2al_subscribe(a2al_client *c, const char *event, char *sub_id, size_t sub_id_len, a2al_error *err)
{
    json_t *params, *res = NULL;
    const char *id;
    int r;
    if (!event) {
        set_err(err, A2AL_ERR_ARG, NULL, "invalid argument: event is required");
        return -1;
    }
    params = json_pack("{s:s}", "event", event);
    if (!params) {
        set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
        return -1;
    }
    r = a2al_call(c, "subscribe", params, &res, err);
    json_decref(params);
    if (r < 0)
        return -1;
    id = json_string_value(json_object_get(res, "subscription"));
    if (!id) {
        json_decref(res);
        set_err(err, A2AL_ERR_MALFORMED, NULL, "malformed reply: subscribe result has no subscription id");
        return -1;
    }
    if (sub_id) {
        if (strlen(id) >= sub_id_len) {
            json_decref(res);
            set_err(err, A2AL_ERR_ARG, NULL, "invalid argument: sub_id buffer too small");
            return -1;
        }
        memcpy(sub_id, id, strlen(id) + 1);
    }
    json_decref(res);
    return 0;
}

int a2al_unsubscribe(a2al_client *c, const char *sub_id, a2al_error *err)
{
    json_t *params, *res = NULL;
    int r;
    if (!sub_id) {
        set_err(err, A2AL_ERR_ARG, NULL, "invalid argument: subscription id is required");
        return -1;
    }
    params = json_pack("{s:s}", "subscription", sub_id);
    if (!params) {
        set_err(err, A2AL_ERR_NOMEM, NULL, "out of memory");
        return -1;
    }
    r = a2al_call(c, "unsubscribe", params, &res, err);
    json_decref(params);
    json_decref(res);
    return r;
}

static int pop_event(a2al_client *c, json_t **out)
{
    json_t *p;
    if (json_array_size(c->queue) == 0)
        return 0;
    p = json_incref(json_array_get(c->queue, 0));
    json_array_remove(c->queue, 0);
    if (out)
        *out = p;
    else
        json_decref(p);
    return 1;
}

int a2al_next_event(a2al_client *c, int timeout_ms, json_t **notification_params, a2al_error *err)
{
    long long deadline;
    if (notification_params)
        *notification_params = NULL;
    if (!c) {
        set_err(err, A2AL_ERR_ARG, NULL, "invalid argument: client is required");
        return -1;
    }
    if (pop_event(c, notification_params))
        return 0;
    deadline = deadline_for(timeout_ms);
    for (;;) {
        json_t *msg;
        int kind, r = read_message(c, deadline, &msg, &kind, err);
        if (r != 0)
            return r;
        json_decref(msg); /* replies here are late replies to timed-out calls */
        if (pop_event(c, notification_params))
            return 0;
    }
}
