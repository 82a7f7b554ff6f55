/*
 * a2al_client.h - minimal C99 client for the a2ald JSON-RPC 2.0 API
 * (newline-delimited JSON over a Unix socket). Depends on jansson.
 *
 * No global state: every a2al_client is independent. A single client is not
 * thread-safe; use one client per thread or serialise access.
 *
 * Error reporting: functions that can fail take an `a2al_error *err` (may be
 * NULL). On failure they OVERWRITE *err (they never read it), so call
 * a2al_error_clear() after handling each failure to release err->data.
 * On success *err is not touched.
 */
#ifndef A2AL_CLIENT_H
#define A2AL_CLIENT_H

#include <stddef.h>
#include <jansson.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Local (transport) error codes; daemon errors use JSON-RPC codes (-32xxx). */
#define A2AL_ERR_CONNECT   (-1)  /* socket/connect failed                       */
#define A2AL_ERR_TIMEOUT   (-2)  /* client-side timeout elapsed                 */
#define A2AL_ERR_CLOSED    (-3)  /* connection closed by the daemon / broken    */
#define A2AL_ERR_MALFORMED (-4)  /* reply line is not a valid JSON-RPC message  */
#define A2AL_ERR_IO        (-5)  /* read/write/poll failure                     */
#define A2AL_ERR_ARG       (-6)  /* invalid argument                            */
#define A2AL_ERR_NOMEM     (-7)  /* allocation failed                           */

/* Default per-client timeout used when a2al_connect gets timeout_ms == 0. */
#define A2AL_DEFAULT_TIMEOUT_MS 30000

typedef struct {
    int code;           /* JSON-RPC error code, or an A2AL_ERR_* local code     */
    char message[256];  /* human-readable message (truncated if longer)         */
    json_t *data;       /* error "data" (new reference) or NULL                 */
} a2al_error;

#define A2AL_ERROR_INIT { 0, "", NULL }

/* Release err->data and reset the struct. Safe on NULL. */
void a2al_error_clear(a2al_error *err);

typedef struct a2al_client a2al_client;

/* Default socket path, the daemon's own rule (docs/jsonrpc.md, "Finding the
 * socket"): $A2AL_SOCKET if set and not empty, else /run/a2al.sock when the
 * effective uid is 0, else $XDG_RUNTIME_DIR/a2al.sock when that is absolute,
 * else /tmp/a2al-<euid>/a2al.sock. Writes into buf (NUL-terminated); returns
 * buf, or NULL if it does not fit. */
const char *a2al_default_socket_path(char *buf, size_t len);

/* A 64-bit quantity the daemon sends as a decimal string (seq, cursor:
 * docs/jsonrpc.md, "Framing and protocol"), or a JSON integer >= 0. Stores
 * the exact value in *out and returns 0; returns -1 (leaving *out alone) for
 * NULL, any other type, a sign, a fraction, leading zeros or > 2^64-1. */
int a2al_u64(const json_t *value, uint64_t *out);

/* Connect to the daemon at `path` (NULL = default path). timeout_ms is the
 * per-client timeout for calls (0 = A2AL_DEFAULT_TIMEOUT_MS, < 0 = wait
 * forever). Returns NULL on failure with err filled (A2AL_ERR_CONNECT...). */
a2al_client *a2al_connect(const char *path, int timeout_ms, a2al_error *err);

/* Close the connection and free everything, including queued events. */
void a2al_close(a2al_client *c);

/* Per-client call timeout in ms (< 0 = wait forever, 0 = default). */
void a2al_set_timeout(a2al_client *c, int timeout_ms);
int a2al_get_timeout(const a2al_client *c);

/* File descriptor of the connection (e.g. to poll for readability). */
int a2al_fd(const a2al_client *c);

/* Call `method` with `params` (borrowed; an object, or NULL for none).
 * Returns 0 and stores a new reference to the result in *result (if result
 * is non-NULL), or -1 with err filled: the daemon's error (code, message,
 * data) or a local A2AL_ERR_* code. Subscription notifications received
 * while waiting are queued for a2al_next_event. A reply arriving after its
 * call timed out is discarded. */
int a2al_call(a2al_client *c, const char *method, json_t *params,
              json_t **result, a2al_error *err);

/* Subscribe to `event` ("observed_addr", "public_addr", "peer_health",
 * "record_stored"). Copies the subscription id into sub_id (sub_id_len bytes
 * including the NUL; 17 is enough) if sub_id is non-NULL. 0 / -1. */
int a2al_subscribe(a2al_client *c, const char *event, char *sub_id,
                   size_t sub_id_len, a2al_error *err);

/* Unsubscribe. 0 / -1. */
int a2al_unsubscribe(a2al_client *c, const char *sub_id, a2al_error *err);

/* Next subscription notification. Returns 0 with *notification_params set to
 * a new reference to the params object ({"subscription", "result"} or
 * {"subscription", "error"}), 1 if timeout_ms elapsed first (< 0 = wait
 * forever, 0 = only what is already queued or readable now), -1 on error
 * (err filled, e.g. A2AL_ERR_CLOSED). Queued notifications are returned
 * first, in arrival order. */
int a2al_next_event(a2al_client *c, int timeout_ms, json_t **notification_params,
                    a2al_error *err);

/* Number of notifications currently queued. */
size_t a2al_pending_events(const a2al_client *c);

#ifdef __cplusplus
}
#endif

#endif /* A2AL_CLIENT_H */
