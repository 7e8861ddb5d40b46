"""Small HTTP load helper for the integration tests (stdlib only).

  load.py burst URL N             N requests at once (one thread each, released together)
  load.py loop URL SECONDS [C]    C clients sending requests back to back for SECONDS

Prints one JSON object: {"ok": n, "failed": n, "statuses": {...}, "errors": [...first few...]}.
Every request is a POST with a small JSON body; a 200 counts as ok.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def one_request(conn_holder, url):
    parts = urllib.parse.urlsplit(url)
    try:
        if conn_holder[0] is None:
            conn_holder[0] = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn = conn_holder[0]
        conn.request("POST", parts.path or "/", body=b'{"probe":true}', headers={"content-type": "application/json"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.getheader("connection", "").lower() == "close":
            conn.close()
            conn_holder[0] = None
        return resp.status, body
    except Exception as e:  # a dropped connection is a failure too
        if conn_holder[0] is not None:
            conn_holder[0].close()
        conn_holder[0] = None
        return None, repr(e).encode()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = 0
        self.statuses = {}
        self.errors = []

    def add(self, status, body):
        with self.lock:
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
            if status == 200:
                self.ok += 1
            else:
                self.failed += 1
                if len(self.errors) < 5:
                    self.errors.append({"status": status, "body": body[:300].decode("utf-8", "replace")})

    def report(self):
        print(json.dumps({"ok": self.ok, "failed": self.failed, "statuses": self.statuses, "errors": self.errors}))


def burst(url, n):
    tally = Tally()
    barrier = threading.Barrier(n)

    def worker():
        holder = [None]
        barrier.wait()
        tally.add(*one_request(holder, url))

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.report()


def loop(url, seconds, clients):
    tally = Tally()
    stop_at = time.monotonic() + seconds

    def worker():
        holder = [None]
        while time.monotonic() < stop_at:
            tally.add(*one_request(holder, url))
            time.sleep(0.02)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tally.report()


if __name__ == "__main__":
    mode, url = sys.argv[1], sys.argv[2]
    if mode == "burst":
        burst(url, int(sys.argv[3]))
    elif mode == "loop":
        loop(url, float(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 4)
    else:
        sys.exit("unknown mode " + mode)
