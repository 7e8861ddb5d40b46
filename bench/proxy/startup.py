#!/usr/bin/env python3
"""Start-up time: from exec to the first 200 from GET /readyz, over several runs.

    startup.py --admin 127.0.0.1:19000 --runs 7 -- lambdagate --config ... --admin 127.0.0.1:19000 ...

Each run starts the command (stdout and stderr to /dev/null), polls /readyz on a fresh
connection every 0.5 ms until it answers 200 (at most --timeout seconds), then stops the process
with SIGTERM and waits for it. The clock starts immediately before the exec. Prints one line per
run and a summary line:
    startup: median 41.2 ms, min 38.0 ms, max 55.1 ms over 7 runs
Exit status 1 when a run never became ready.
"""
import argparse
import socket
import statistics
import subprocess
import sys
import time


def ready(host, port):
    try:
        with socket.create_connection((host, port), timeout=0.5) as s:
            s.sendall(f"GET /readyz HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
            return head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200")
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--admin", required=True, help="HOST:PORT of the admin listener")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    host, _, port = args.admin.rpartition(":")
    port = int(port)

    times = []
    for run in range(1, args.runs + 1):
        t0 = time.monotonic()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = None
        while time.monotonic() - t0 < args.timeout and proc.poll() is None:
            if ready(host, port):
                elapsed = time.monotonic() - t0
                break
            time.sleep(0.0005)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if elapsed is None:
            print(f"startup: run {run}: not ready within {args.timeout} s (exit status {proc.returncode})")
            return 1
        times.append(elapsed * 1000)
        print(f"startup: run {run}: {elapsed * 1000:.1f} ms")
        time.sleep(0.2)  # let the port go before the next run binds it
    print(f"startup: median {statistics.median(times):.1f} ms, min {min(times):.1f} ms, "
          f"max {max(times):.1f} ms over {len(times)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
