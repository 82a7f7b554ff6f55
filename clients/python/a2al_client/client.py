"""Synchronous, thread-safe client for a2ald's newline-delimited JSON-RPC 2.0 socket."""

import collections
import itertools
import json
import os
import socket
import threading
import time
from typing import Any, Deque, Dict, Iterator, Optional

from .errors import ProtocolError, RPCTimeout, SlowSubscriber, error_from_response

__all__ = ["Client", "Subscription", "default_socket_path"]

_UNSET = object()


def default_socket_path() -> str:
    """The daemon's default socket, by the one rule of docs/jsonrpc.md ("Finding the socket"):
    ``$A2AL_SOCKET`` when set and not empty, else ``/run/a2al.sock`` when the effective uid is
    0, else ``$XDG_RUNTIME_DIR/a2al.sock`` when that is an absolute path, else
    ``/tmp/a2al-<euid>/a2al.sock``. ``A2AL_TEST_EUID`` (tests only) stands in for geteuid()."""
    env = os.environ.get("A2AL_SOCKET")
    if env:
        return env
    euid = _effective_uid()
    if euid == 0:
        return "/run/a2al.sock"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and runtime.startswith("/"):
        return runtime.rstrip("/") + "/a2al.sock" if runtime.rstrip("/") else "/a2al.sock"
    return "/tmp/a2al-%d/a2al.sock" % euid


def u64(value) -> int:
    """A 64-bit value the daemon sends as a decimal string (a record's ``seq``, a mailbox
    ``cursor``: docs/jsonrpc.md, "Safe integers") as an exact int; a JSON integer is taken too.
    Raises ValueError for anything else (a sign, a fraction, leading zeros, > 2**64-1)."""
    if isinstance(value, bool):
        raise ValueError("not a u64: %r" % (value,))
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and (value == "0" or value[0] != "0"):
        n = int(value)
    else:
        raise ValueError("not a u64: %r" % (value,))
    if not 0 <= n <= 0xFFFFFFFFFFFFFFFF:
        raise ValueError("not a u64: %r" % (value,))
    return n


def _effective_uid() -> int:
    override = os.environ.get("A2AL_TEST_EUID", "")
    if override.isdigit() and override.isascii():
        return int(override)
    return os.geteuid()


class _Connection:
    """One Unix-socket connection: line framing plus deadline-bounded reads."""

    def __init__(self, path: str, timeout: Optional[float]):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.settimeout(timeout)
            self.sock.connect(path)
        except socket.timeout as exc:
            self.sock.close()
            raise RPCTimeout("timed out connecting to %s" % path) from exc
        except BaseException:
            self.sock.close()
            raise
        self.buf = bytearray()
        self.closed = False

    def send(self, obj: Any, timeout: Optional[float]) -> None:
        data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"
        self.sock.settimeout(timeout)
        try:
            self.sock.sendall(data)
        except socket.timeout as exc:
            # A partial line may have gone out: the stream is unusable.
            self.close()
            raise RPCTimeout("timed out sending to %s" % self.path) from exc

    def read_message(self, deadline: Optional[float]) -> Any:
        """Next decoded JSON line; RPCTimeout when ``deadline`` (monotonic) passes."""
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line = bytes(self.buf[:nl]).rstrip(b"\r")
                del self.buf[:nl + 1]
                if not line.strip():
                    continue
                try:
                    return json.loads(line.decode("utf-8"))
                except ValueError as exc:
                    raise ProtocolError("daemon sent invalid JSON: %r" % line[:200]) from exc
            if deadline is None:
                self.sock.settimeout(None)
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RPCTimeout("no reply within the timeout")
                self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout as exc:
                raise RPCTimeout("no reply within the timeout") from exc
            if not chunk:
                self.close()
                raise ProtocolError("connection closed by the daemon")
            self.buf += chunk

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass


def _deadline(timeout: Optional[float]) -> Optional[float]:
    return None if timeout is None else time.monotonic() + max(0.0, timeout)


class _Namespace:
    """``client.node`` → ``client.node.info(**params)`` calls ``node.info``."""

    def __init__(self, client: "Client", prefix: str):
        self._client = client
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        method = "%s.%s" % (self._prefix, name)
        client = self._client

        def invoke(params: Optional[Dict[str, Any]] = None, *, timeout: Any = _UNSET, **kwargs: Any) -> Any:
            return client.call(method, params, timeout=timeout, **kwargs)

        invoke.__name__ = name
        invoke.__qualname__ = method
        invoke.__doc__ = "Call the %s JSON-RPC method." % method
        return invoke

    def __repr__(self) -> str:
        return "<a2al namespace %s>" % self._prefix


class Client:
    """Client for a2ald.

    ``client.call("node.info")``, ``client.call("node.ping", {"addr": ...})``,
    ``client.call("node.ping", addr=..., timeout_ms=500)`` or attribute style
    ``client.node.ping(addr=...)``. Returns the ``result`` object; raises an
    :class:`RPCError` subclass for error replies and :class:`RPCTimeout` when no reply
    arrives within ``timeout`` seconds.
    """

    def __init__(self, path: Optional[str] = None, timeout: Optional[float] = 10.0,
                 connect: bool = False):
        self.path = path if path is not None else default_socket_path()
        self.timeout = timeout
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._conn: Optional[_Connection] = None
        self._closed = False
        #: Notifications received on this connection while waiting for replies
        #: (e.g. after a raw ``call("subscribe", ...)``), oldest first.
        self.notifications: Deque[Dict[str, Any]] = collections.deque()
        if connect:
            with self._lock:
                self._connection(timeout)

    # -- connection -------------------------------------------------------------------

    def _connection(self, timeout: Optional[float]) -> _Connection:
        if self._closed:
            raise ProtocolError("client is closed")
        if self._conn is None or self._conn.closed:
            self._conn = _Connection(self.path, timeout)
        return self._conn

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- calls ------------------------------------------------------------------------

    def _effective_timeout(self, timeout: Any, params: Dict[str, Any]) -> Optional[float]:
        if timeout is not _UNSET:
            return timeout
        if self.timeout is None:
            return None
        # Leave room for slow methods: the daemon enforces timeout_ms itself.
        ms = params.get("timeout_ms")
        if isinstance(ms, (int, float)) and not isinstance(ms, bool):
            return max(self.timeout, ms / 1000.0 + 5.0)
        return self.timeout

    def call(self, method: str, params: Any = None, *,
             timeout: Any = _UNSET, **kwargs: Any) -> Any:
        """Call ``method`` and return its result. ``params`` is a dict (by name) or a list
        (by position, in the order of the method's params in schema/openrpc.json);
        keyword arguments add named params. ``timeout`` (seconds, None = wait forever)
        overrides the client default for this call."""
        merged: Any = {}
        if isinstance(params, (list, tuple)):
            if kwargs:
                raise TypeError("give params by position (a list) or by name, not both")
            merged = list(params)
        elif params is not None and not isinstance(params, dict):
            raise TypeError("params must be a dict (by name) or a list (by position)")
        else:
            merged.update(params or {})
            merged.update(kwargs)
        t = self._effective_timeout(timeout, merged if isinstance(merged, dict) else {})
        deadline = _deadline(t)
        with self._lock:
            conn = self._connection(t)
            req_id = next(self._ids)
            request: Dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "method": method}
            if merged:
                request["params"] = merged
            conn.send(request, t)
            while True:
                msg = conn.read_message(deadline)
                if isinstance(msg, dict) and "id" not in msg and "method" in msg:
                    self.notifications.append(msg)
                    continue
                if not isinstance(msg, dict):
                    raise ProtocolError("unexpected message from daemon: %r" % (msg,))
                if msg.get("id") != req_id:
                    # A late reply to an earlier call that timed out client-side, or an
                    # id-null error (e.g. overloaded) for the connection.
                    if msg.get("id") is None and "error" in msg:
                        raise error_from_response(msg["error"])
                    continue
                if "error" in msg:
                    raise error_from_response(msg["error"])
                return msg.get("result")

    def __getattr__(self, name: str) -> _Namespace:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Namespace(self, name)

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(self, event: str, timeout: Any = _UNSET) -> "Subscription":
        """Subscribe to ``event`` (observed_addr, public_addr, peer_health, record_stored)
        on a dedicated connection; returns an iterator of event result dicts."""
        t = self.timeout if timeout is _UNSET else timeout
        return Subscription(self.path, event, t)


class Subscription:
    """Events of one subscription, on its own connection.

    Iterate (blocking) or call :meth:`next_event` with a timeout. Raises
    :class:`SlowSubscriber` when the daemon drops the subscription.
    """

    def __init__(self, path: str, event: str, timeout: Optional[float] = 10.0):
        self.event = event
        self.timeout = timeout
        self._client = Client(path, timeout=timeout, connect=True)
        self._lock = threading.Lock()
        self._ended: Optional[BaseException] = None
        try:
            result = self._client.call("subscribe", {"event": event})
        except BaseException:
            self._client.close()
            raise
        self.id: str = result["subscription"]

    def _take_queued(self) -> Optional[Dict[str, Any]]:
        q = self._client.notifications
        while q:
            msg = q.popleft()
            event = self._match(msg)
            if event is not None:
                return event
        return None

    def _match(self, msg: Any) -> Optional[Dict[str, Any]]:
        if not isinstance(msg, dict) or msg.get("method") != "subscription":
            return None
        params = msg.get("params") or {}
        if params.get("subscription") != self.id:
            return None
        if "error" in params:
            err = error_from_response(params["error"])
            self._ended = err
            raise err
        return params.get("result")

    def next_event(self, timeout: Any = _UNSET) -> Dict[str, Any]:
        """Block until the next event; :class:`RPCTimeout` after ``timeout`` seconds
        (default: wait forever)."""
        t = None if timeout is _UNSET else timeout
        deadline = _deadline(t)
        with self._lock:
            if self._ended is not None:
                raise self._ended
            queued = self._take_queued()
            if queued is not None:
                return queued
            client = self._client
            with client._lock:
                conn = client._connection(t)
                while True:
                    msg = conn.read_message(deadline)
                    event = self._match(msg)
                    if event is not None:
                        return event

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return self

    def __next__(self) -> Dict[str, Any]:
        try:
            return self.next_event()
        except ProtocolError:
            raise StopIteration
        except OSError:
            if self._client._closed:
                raise StopIteration
            raise

    def close(self) -> None:
        """Unsubscribe (best effort) and close the connection. Safe to call from another
        thread while one is blocked in :meth:`next_event` (which then stops)."""
        if self._client._closed:
            return
        idle = self._lock.acquire(blocking=False)
        try:
            if idle and self._ended is None:
                try:
                    self._client.call("unsubscribe", {"subscription": self.id},
                                      timeout=self.timeout if self.timeout is not None else 5.0)
                except Exception:
                    pass
            if self._ended is None:
                self._ended = ProtocolError("subscription closed")
            if not idle:
                # Wake the reader: closing the connection also ends the subscription.
                conn = self._client._conn
                if conn is not None:
                    try:
                        conn.sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            self._client.close()
        finally:
            if idle:
                self._lock.release()

    @property
    def closed(self) -> bool:
        return self._client._closed

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<Subscription %s %s>" % (self.event, getattr(self, "id", "?"))
