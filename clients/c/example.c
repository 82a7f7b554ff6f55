/* example.c - exercise the a2al C client against a running a2ald.
 * Usage: ./example [SOCKET]   (default socket path when omitted) */
#define _POSIX_C_SOURCE 200809L

#include "a2al_client.h"

#include <inttypes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(const char *what, a2al_error *err)
{
    char *data = err->data ? json_dumps(err->data, JSON_COMPACT) : NULL;
    fprintf(stderr, "FAIL %s: code=%d message=%s data=%s\n", what, err->code, err->message,
            data ? data : "null");
    free(data);
    a2al_error_clear(err);
}

int main(int argc, char **argv)
{
    a2al_error err = A2AL_ERROR_INIT;
    a2al_client *c;
    json_t *res = NULL, *params, *ev = NULL;
    char agent[128], sub[64];
    int rc = 1, r, got = 0;
    long long deadline;

    c = a2al_connect(argc > 1 ? argv[1] : NULL, 10000, &err);
    if (!c) {
        report("connect", &err);
        return 1;
    }

    /* node.info */
    if (a2al_call(c, "node.info", NULL, &res, &err) < 0) {
        report("node.info", &err);
        goto out;
    }
    printf("address: %s\n", json_string_value(json_object_get(res, "address")));
    printf("node_id: %s\n", json_string_value(json_object_get(res, "node_id")));
    json_decref(res);
    res = NULL;

    /* agent.create */
    params = json_pack("{s:s}", "label", "c-example");
    r = a2al_call(c, "agent.create", params, &res, &err);
    json_decref(params);
    if (r < 0) {
        report("agent.create", &err);
        goto out;
    }
    snprintf(agent, sizeof agent, "%s", json_string_value(json_object_get(res, "address")));
    printf("agent: %s label=%s\n", agent, json_string_value(json_object_get(res, "label")));
    json_decref(res);
    res = NULL;

    /* an error on purpose: node.peer_health without node_id */
    params = json_object();
    r = a2al_call(c, "node.peer_health", params, &res, &err);
    json_decref(params);
    if (r == 0) {
        fprintf(stderr, "FAIL node.peer_health {}: unexpectedly succeeded\n");
        goto out;
    }
    printf("error: code=%d message=%s field=%s\n", err.code, err.message,
           json_string_value(json_object_get(err.data, "field")));
    if (err.code != -32602) {
        a2al_error_clear(&err);
        goto out;
    }
    a2al_error_clear(&err);

    /* no event yet: next_event must time out */
    r = a2al_next_event(c, 100, &ev, &err);
    if (r != 1) {
        if (r < 0)
            report("next_event before subscribing", &err);
        else
            fprintf(stderr, "FAIL next_event before subscribing: got an event\n");
        json_decref(ev);
        goto out;
    }
    printf("no event before subscribing: timeout\n");

    /* subscribe to record_stored */
    if (a2al_subscribe(c, "record_stored", sub, sizeof sub, &err) < 0) {
        report("subscribe", &err);
        goto out;
    }
    printf("subscribed: %s\n", sub);

    /* publish an endpoint for the agent */
    params = json_pack("{s:s, s:[s], s:i}", "agent", agent, "endpoints", "quic://127.0.0.1:1",
                       "timeout_ms", 300);
    r = a2al_call(c, "publish.endpoint", params, &res, &err);
    json_decref(params);
    if (r < 0) {
        report("publish.endpoint", &err);
        goto out;
    }
    printf("published: publication=%s key=%s replicas=%" JSON_INTEGER_FORMAT "\n",
           json_string_value(json_object_get(res, "publication")),
           json_string_value(json_object_get(res, "key")),
           json_integer_value(json_object_get(res, "replicas")));
    json_decref(res);
    res = NULL;

    /* wait up to 5 s for the record_stored event of our agent */
    deadline = now_ms() + 5000;
    while (!got) {
        long long left = deadline - now_ms();
        json_t *result;
        const char *sid, *publisher;
        if (left < 0)
            left = 0;
        r = a2al_next_event(c, (int)left, &ev, &err);
        if (r == 1) {
            fprintf(stderr, "FAIL no record_stored event within 5 s\n");
            goto out;
        }
        if (r < 0) {
            report("next_event", &err);
            goto out;
        }
        sid = json_string_value(json_object_get(ev, "subscription"));
        result = json_object_get(ev, "result");
        publisher = json_string_value(json_object_get(result, "publisher"));
        if (sid && strcmp(sid, sub) == 0 && result && publisher && strcmp(publisher, agent) == 0) {
            char *text = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
            uint64_t seq = 0;
            /* seq is a decimal string (docs/jsonrpc.md): a2al_u64 reads it exactly. */
            if (a2al_u64(json_object_get(result, "seq"), &seq) != 0) {
                fprintf(stderr, "example: record_stored seq is not a u64 string\n");
                free(text);
                goto out;
            }
            printf("event: record_stored key=%s type=%s publisher=%s seq=%" PRIu64 "\n",
                   json_string_value(json_object_get(result, "key")),
                   json_string_value(json_object_get(result, "type")), publisher, seq);
            printf("event params: %s\n", text ? text : "?");
            free(text);
            got = 1;
        }
        json_decref(ev);
        ev = NULL;
    }

    if (a2al_unsubscribe(c, sub, &err) < 0) {
        report("unsubscribe", &err);
        goto out;
    }
    printf("unsubscribed: %s\n", sub);
    printf("ok\n");
    rc = 0;
out:
    a2al_close(c);
    return rc;
}
