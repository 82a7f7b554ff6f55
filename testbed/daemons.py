"""Real a2ald processes on the testbed's hosts (docs/testbed.md): one per host, each with its
own data directory, socket and log, driven over its JSON-RPC socket. The sockets live in the
run directory, which every namespace shares (a Unix socket path is not tied to a network
namespace), so the driver talks to every daemon from the root namespace."""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from netns import Topology

UDP_PORT = 4121


class RPCError(Exception):
    def __init__(self, error: dict):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.error = error


class Connection:
    """One JSON-RPC connection: calls in order, and notifications kept for the reader."""

    def __init__(self, path: str, timeout: float = 60):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.file = self.sock.makefile("rb")
        self.next_id = 1
        self.notifications: "queue.Queue[dict]" = queue.Queue()

    def call(self, method: str, params: dict | None = None) -> dict:
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            line = self.file.readline()
            if not line:
                raise ConnectionError(f"{method}: the daemon closed the connection")
            reply = json.loads(line)
            if reply.get("id") != rid:
                self.notifications.put(reply)
                continue
            if "error" in reply:
                raise RPCError(reply["error"])
            return reply["result"]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class Subscription:
    """Events of one kind from one daemon, read on a thread of its own into a queue, each with
    the monotonic time it arrived."""

    def __init__(self, path: str, event: str):
        self.conn = Connection(path, timeout=None)
        self.conn.call("subscribe", {"event": event})
        self.events: "queue.Queue[tuple[float, dict]]" = queue.Queue()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                line = self.conn.file.readline()
            except (OSError, ValueError):
                return
            if not line:
                return
            msg = json.loads(line)
            if msg.get("method") == "subscription":
                self.events.put((time.monotonic(), msg["params"].get("result", {})))

    def next(self, timeout: float) -> tuple[float, dict] | None:
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.conn.close()


class Daemon:
    def __init__(self, topo: Topology, host: str, binary: str, run_dir: Path,
                 bootstrap: list[str] | None = None, extra_args: list[str] | None = None):
        self.topo = topo
        self.host = host
        self.binary = binary
        self.dir = run_dir / host
        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket = str(self.dir / "a2al.sock")
        self.bootstrap = bootstrap or []
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def udp_addr(self) -> str:
        return f"{self.topo.hosts[self.host].ip}:{UDP_PORT}"

    def start(self, timeout: float = 60) -> None:
        args = ["ip", "netns", "exec", self.topo.ns(self.host), self.binary,
                "--data-dir", str(self.dir / "data"), "--socket", self.socket,
                "--listen", f"0.0.0.0:{UDP_PORT}", "--log-level", os.environ.get("TESTBED_LOG_LEVEL", "info"), *self.extra_args]
        if self.bootstrap:
            args += ["--bootstrap", ",".join(self.bootstrap)]
        self.starts += 1
        log = open(self.dir / f"a2ald.{self.starts}.log", "wb")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.host}: a2ald exited with {self.proc.returncode}; see {log.name}")
            try:
                Connection(self.socket, timeout=5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{self.host}: no socket at {self.socket} after {timeout} s")
                time.sleep(0.05)

    def connect(self) -> Connection:
        return Connection(self.socket)

    def log_lines(self, *needles: str, last: int = 12) -> list[str]:
        """The last `last` lines of the current log holding any of needles: what a failed
        scenario attaches to its report, so a run elsewhere (CI) can be diagnosed from it."""
        try:
            text = (self.dir / f"a2ald.{self.starts}.log").read_text(errors="replace")
        except OSError:
            return []
        hits = [line[:300] for line in text.splitlines() if any(n in line for n in needles)]
        return hits[-last:]

    def call(self, method: str, params: dict | None = None) -> dict:
        conn = self.connect()
        try:
            return conn.call(method, params)
        finally:
            conn.close()

    def subscribe(self, event: str) -> Subscription:
        return Subscription(self.socket, event)

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self, timeout: float = 30) -> int | None:
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            raise

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None
