#!/usr/bin/env python3
"""Tiny UDP tools for the testbed self-check: `echo PORT...` answers every datagram with the
sender's address as the echo server saw it; `ask LOCALPORT HOST:PORT...` sends from one local
port to each target and prints what each saw (or "none"); `listen PORT SECONDS` prints the
first datagram's source or "none"."""
import socket, sys, select, json

def echo(ports, seconds):
    socks = []
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", p)); socks.append(s)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select(socks, [], [], seconds)
        if not r: return
        for s in r:
            data, addr = s.recvfrom(2048)
            if data.startswith(b"to "):   # "to IP:PORT": send a cold packet from this socket there
                host, port = data[3:].decode().split(":")
                s.sendto(b"cold", (host, int(port)))
            else:
                s.sendto(("%s:%d" % addr).encode(), addr)

def ask(local, targets):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", local)); s.settimeout(1.0)
    out = {}
    for t in targets:
        host, port = t.split(":")
        s.sendto(b"x", (host, int(port)))
        try: out[t] = s.recvfrom(2048)[0].decode()
        except socket.timeout: out[t] = "none"
    print(json.dumps(out), flush=True)

def listen(port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", port)); s.settimeout(seconds)
    print("ready", flush=True)
    try: print("%s:%d" % s.recvfrom(2048)[1], flush=True)
    except socket.timeout: print("none", flush=True)

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "echo": echo([int(p) for p in sys.argv[2].split(",")], float(sys.argv[3]))
    elif cmd == "ask": ask(int(sys.argv[2]), sys.argv[3:])
    elif cmd == "listen": listen(int(sys.argv[2]), float(sys.argv[3]))
