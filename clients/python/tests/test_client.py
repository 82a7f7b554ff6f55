"""Integration tests against a real a2ald (binary: $A2ALD_BINARY or ../../.build/debug/a2ald)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_DIR = os.path.dirname(HERE)  # clients/python
sys.path.insert(0, PKG_DIR)

import a2al_client  # noqa: E402
from a2al_client import (  # noqa: E402
    Client, InvalidParams, MethodNotFound, NotFound, RPCError, RPCTimeout, SlowSubscriber,
)


def daemon_binary() -> str:
    path = os.environ.get("A2ALD_BINARY") or os.path.join(PKG_DIR, "..", "..", ".build", "debug", "a2ald")
    return os.path.abspath(path)


class Daemon:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="a2py.", dir="/tmp")
        self.socket = os.path.join(self.tmp, "s")
        self.log = open(os.path.join(self.tmp, "log"), "wb")
        self.proc = subprocess.Popen(
            [daemon_binary(), "--data-dir", os.path.join(self.tmp, "d"), "--socket", self.socket,
             "--listen", "127.0.0.1:0"],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None:
                raise RuntimeError("a2ald exited with %s: %s" % (self.proc.returncode, self.read_log()))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("a2ald did not create its socket: %s" % self.read_log())
            time.sleep(0.05)

    def read_log(self) -> str:
        with open(os.path.join(self.tmp, "log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-2000:]

    def stop(self) -> int:
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return rc


@unittest.skipUnless(os.access(daemon_binary(), os.X_OK), "a2ald binary not found at " + daemon_binary())
class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon()

    @classmethod
    def tearDownClass(cls):
        rc = cls.daemon.stop()
        assert rc == 0, "a2ald exited with %s" % rc

    def setUp(self):
        self.client = Client(self.daemon.socket, timeout=10.0)

    def tearDown(self):
        self.client.close()

    # -- basics ------------------------------------------------------------------------

    def test_node_info_call_and_attribute(self):
        info = self.client.call("node.info")
        self.assertIn("node_id", info)
        self.assertEqual(info["socket"], self.daemon.socket)
        info2 = self.client.node.info()
        self.assertEqual(info["node_id"], info2["node_id"])
        stats = self.client.node.stats()
        self.assertIn("rpc", stats)

    def test_ids_increment_and_dict_params(self):
        self.client.call("node.info")
        first = next(self.client._ids)
        self.client.call("store.len", {})
        self.assertEqual(next(self.client._ids), first + 2)

    def test_positional_params(self):
        agent = self.client.call("agent.create", ["by-position"])
        self.assertEqual(agent["label"], "by-position")
        with self.assertRaises(InvalidParams) as cm:
            self.client.call("node.ping", ["127.0.0.1:9", 100, 3])
        self.assertIn("takes at most 2 parameters", str(cm.exception))
        with self.assertRaises(TypeError):
            self.client.call("node.ping", ["127.0.0.1:9"], timeout_ms=5)

    def test_mailbox_cursor_is_a_u64_string(self):
        agent = self.client.agent.create(label="mail")
        self.client.call("mailbox.send", {"from": agent["address"], "to": agent["address"], "text": "hi",
                                          "timeout_ms": 300})
        first = self.client.mailbox.read(agent=agent["address"], timeout_ms=2000)
        self.assertEqual([m["text"] for m in first["messages"]], ["hi"])
        again = self.client.mailbox.read(agent=agent["address"], since=first["cursor"], timeout_ms=2000)
        self.assertEqual(again["messages"], [])
        self.assertEqual(self.client.mailbox.ack(agent=agent["address"], ids=[first["messages"][0]["id"]]),
                         {"acked": 1})
        self.assertEqual(a2al_client.u64(again["cursor"]), a2al_client.u64(first["cursor"]))

    def test_rpc_discover(self):
        doc = self.client.rpc.discover()
        self.assertIsInstance(doc, dict)
        self.assertIn("methods", doc)

    def test_agent_create_and_list(self):
        agent = self.client.agent.create(label="py-test")
        self.assertEqual(agent["label"], "py-test")
        listed = self.client.call("agent.list")["agents"]
        self.assertIn(agent["address"], [a["address"] for a in listed])

    def test_context_manager(self):
        with Client(self.daemon.socket) as c:
            self.assertIn("keys", c.store.len())
        self.assertRaises(Exception, c.call, "node.info")

    def test_threads_share_a_client(self):
        errors = []

        def worker():
            try:
                for _ in range(20):
                    self.assertIn("keys", self.client.call("store.len"))
            except BaseException as exc:  # pragma: no cover
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])

    # -- errors ------------------------------------------------------------------------

    def test_method_not_found(self):
        with self.assertRaises(MethodNotFound) as cm:
            self.client.call("no.such_method")
        self.assertEqual(cm.exception.code, -32601)
        self.assertEqual(cm.exception.method, "no.such_method")
        self.assertIsInstance(cm.exception, RPCError)

    def test_invalid_params_field(self):
        with self.assertRaises(InvalidParams) as cm:
            self.client.node.ping(addr="127.0.0.1:1", bogus=1)
        self.assertEqual(cm.exception.field, "bogus")
        self.assertEqual(cm.exception.code, -32602)

    def test_resolve_unknown_agent_not_found(self):
        with self.assertRaises(NotFound) as cm:
            self.client.query.resolve(address="0x" + "11" * 20, timeout_ms=1000)
        self.assertEqual(cm.exception.kind, "not_found")
        self.assertEqual(cm.exception.code, -32001)

    def test_unknown_code_maps_to_base(self):
        err = a2al_client.error_from_response({"code": -31999, "message": "x"})
        self.assertIs(type(err), RPCError)
        self.assertIs(type(a2al_client.error_from_response({"code": -32011, "message": "m"})),
                      SlowSubscriber)

    # -- timeouts ----------------------------------------------------------------------

    def test_client_timeout(self):
        with self.assertRaises(RPCTimeout) as cm:
            self.client.node.ping(addr="127.0.0.1:9", timeout_ms=2000, timeout=0.001)
        self.assertIsInstance(cm.exception, TimeoutError)
        # The connection stays usable; the late reply is skipped.
        self.assertIn("node_id", self.client.node.info())

    # -- subscriptions -----------------------------------------------------------------

    def test_subscription_record_stored(self):
        with self.client.subscribe("record_stored") as sub:
            self.assertEqual(len(sub.id), 16)
            agent = self.client.agent.create(label="sub-test")
            pub = self.client.call("publish.endpoint", agent=agent["address"],
                                   endpoints=["quic://127.0.0.1:1"], timeout_ms=300)
            while True:
                event = sub.next_event(timeout=10)
                if event.get("publisher") == agent["address"]:
                    break
            self.assertEqual(event["type"], "endpoint")
            self.assertEqual(event["key"], pub["key"])
            # seq is a decimal string (docs/jsonrpc.md, "Safe integers"), exact as an int.
            self.assertIsInstance(event["seq"], str)
            self.assertEqual(a2al_client.u64(event["seq"]), a2al_client.u64(pub["record"]["seq"]))
        self.assertTrue(sub.closed)
        self.assertEqual(list(sub), [])

    def test_subscription_next_event_timeout_and_iterator(self):
        sub = self.client.subscribe("peer_health")
        try:
            with self.assertRaises(RPCTimeout):
                sub.next_event(timeout=0.2)
            self.assertIs(iter(sub), sub)
        finally:
            sub.close()
        # Unsubscribed: the id is gone from the daemon.
        with self.assertRaises(NotFound):
            self.client.call("unsubscribe", subscription=sub.id)

    def test_close_from_other_thread_stops_iteration(self):
        sub = self.client.subscribe("peer_health")
        out = []
        t = threading.Thread(target=lambda: out.extend(sub))
        t.start()
        time.sleep(0.2)
        sub.close()
        t.join(5)
        self.assertFalse(t.is_alive())
        self.assertEqual(out, [])


class OfflineTest(unittest.TestCase):
    def test_u64(self):
        self.assertEqual(a2al_client.u64("18446744073709551615"), 2**64 - 1)
        self.assertEqual(a2al_client.u64("1764160000123456789"), 1764160000123456789)
        self.assertEqual(a2al_client.u64(7), 7)
        for bad in ("18446744073709551616", "-1", "1.5", "07", "", "x", 1.5, -1, True, None, 2**64):
            with self.assertRaises(ValueError, msg=repr(bad)):
                a2al_client.u64(bad)

    def test_default_socket_path_rule(self):
        saved = {k: os.environ.get(k) for k in ("A2AL_SOCKET", "A2AL_TEST_EUID", "XDG_RUNTIME_DIR")}
        try:
            os.environ.pop("A2AL_SOCKET", None)
            os.environ["A2AL_TEST_EUID"] = "0"
            os.environ["XDG_RUNTIME_DIR"] = "/run/user/5"
            self.assertEqual(a2al_client.default_socket_path(), "/run/a2al.sock")
            os.environ["A2AL_TEST_EUID"] = "5"
            self.assertEqual(a2al_client.default_socket_path(), "/run/user/5/a2al.sock")
            os.environ["XDG_RUNTIME_DIR"] = ""
            self.assertEqual(a2al_client.default_socket_path(), "/tmp/a2al-5/a2al.sock")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_default_socket_path_env(self):
        old = os.environ.get("A2AL_SOCKET")
        os.environ["A2AL_SOCKET"] = "/tmp/x.sock"
        try:
            self.assertEqual(a2al_client.default_socket_path(), "/tmp/x.sock")
            self.assertEqual(Client().path, "/tmp/x.sock")
        finally:
            if old is None:
                del os.environ["A2AL_SOCKET"]
            else:
                os.environ["A2AL_SOCKET"] = old

    def test_slow_subscriber_notice_raises(self):
        from a2al_client.client import Subscription
        sub = Subscription.__new__(Subscription)
        sub.id = "00"
        sub._ended = None
        msg = {"jsonrpc": "2.0", "method": "subscription", "params": {"subscription": "00",
               "error": {"code": -32011, "message": "slow", "data": {"kind": "slow_subscriber"}}}}
        with self.assertRaises(SlowSubscriber):
            sub._match(msg)
        self.assertIsInstance(sub._ended, SlowSubscriber)


if __name__ == "__main__":
    unittest.main()
