#!/usr/bin/env python3
"""Opens many keep-alive connections to a proxy and keeps them open, idle, for a memory measurement.

Each connection sends one request (POST PATH with body "abc", as the benchmark's wrk does), reads
the whole response, then stays open without sending anything more. At most --window requests are
in flight at once, so the proxy's upstream pool stays the size a normal load gives it and the
memory measured is that of idle client connections, not of a burst of upstream connections.

When every connection has its answer (or failed), one line goes to stdout:
    ready ok=N failed=M statuses=200:N[,...]
and the connections stay open until SIGTERM/SIGINT (or --hold seconds, default 120). bench/proxy.sh reads the
proxy's RSS in between. Exit status 0; failures are reported, not hidden.

    hold_connections.py --port 8080 --count 10000 [--host 127.0.0.1] [--path /lambda] [--window 64]
"""
import argparse
import errno
import resource
import selectors
import signal
import socket
import sys
import time


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        sys.exit(f"hold_connections: RLIMIT_NOFILE is {soft}, {needed} descriptors needed")


class Conn:
    __slots__ = ("sock", "out", "inbuf", "status", "need")

    def __init__(self, sock, request):
        self.sock = sock
        self.out = request
        self.inbuf = b""
        self.status = None
        self.need = None  # total bytes of head + body once the head is parsed


def parse_head(buf):
    """(status, total length) once the head is complete, else None. Content-Length framing only:
    both proxies answer this request with a fixed-length body."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buf[:end].split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status, end + 4 + length


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/lambda")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=60.0, help="give up on the stragglers after this long")
    ap.add_argument("--hold", type=float, default=120.0, help="keep them open at most this long")
    args = ap.parse_args()

    raise_nofile(args.count + 64)
    body = b'"abc"'
    request = (f"POST {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body

    sel = selectors.DefaultSelector()
    held = []  # connections that got their answer, kept open
    failed = 0
    statuses = {}
    started = 0
    in_flight = 0
    deadline = time.monotonic() + args.timeout

    def start_one():
        nonlocal started, in_flight, failed
        started += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rc = s.connect_ex((args.host, args.port))
        if rc not in (0, errno.EINPROGRESS):
            s.close()
            failed += 1
            return
        c = Conn(s, request)
        sel.register(s, selectors.EVENT_WRITE, c)
        in_flight += 1

    def finish(c, ok):
        nonlocal in_flight, failed
        sel.unregister(c.sock)
        in_flight -= 1
        if ok:
            held.append(c.sock)
            statuses[c.status] = statuses.get(c.status, 0) + 1
        else:
            c.sock.close()
            failed += 1

    while (started < args.count or in_flight) and time.monotonic() < deadline:
        while started < args.count and in_flight < args.window:
            start_one()
        for key, mask in sel.select(timeout=1.0):
            c = key.data
            try:
                if mask & selectors.EVENT_WRITE:
                    n = c.sock.send(c.out)
                    c.out = c.out[n:]
                    if not c.out:
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                    continue
                chunk = c.sock.recv(65536)
                if not chunk:
                    finish(c, False)
                    continue
                c.inbuf += chunk
                if c.need is None:
                    head = parse_head(c.inbuf)
                    if head:
                        c.status, c.need = head
                if c.need is not None and len(c.inbuf) >= c.need:
                    finish(c, True)
            except OSError:
                finish(c, False)
    failed += in_flight  # timed out
    summary = ",".join(f"{k}:{v}" for k, v in sorted(statuses.items()))
    print(f"ready ok={len(held)} failed={failed} statuses={summary or '-'}", flush=True)

    # Held until SIGTERM/SIGINT, or --hold seconds at most (never left behind for long).
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    end = time.monotonic() + args.hold
    while not stop and time.monotonic() < end:
        time.sleep(0.2)
    for s in held:
        s.close()

if __name__ == "__main__":
    main()
