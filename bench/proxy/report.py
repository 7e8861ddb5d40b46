#!/usr/bin/env python3
"""bench/proxy.sh's small helpers for numbers: parse wrk's output, and print the results table.

    report.py wrk FILE
        One line from wrk --latency output: "RPS P50_US P99_US REQUESTS ERRORS" where ERRORS counts
        non-2xx/3xx responses plus socket errors (connect, read, write, timeout).
    report.py table SAMPLES.tsv
        SAMPLES.tsv has one line per measured round: case, proxy, round, rps, p50_us, p99_us,
        cpu_us_per_req, rss_idle_kib, rss_load_kib, errors, and optionally backend_us_per_req and
        wrk_us_per_req. Prints, per case, the median of the rounds for each proxy (with the
        rounds' spread), and lambdagate/nginx as the ratio of the medians, as a Markdown table;
        with the optional columns, a second table: each core's CPU per request and the req/s it
        allows (the proxy alone on core 0; the backend and wrk sharing core 1).
"""
import re
import statistics
import sys

UNITS_US = {"us": 1.0, "ms": 1000.0, "s": 1_000_000.0}


def to_us(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * UNITS_US[m.group(2)]


def parse_wrk(text):
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    total = re.search(r"^\s+(\d+) requests in ", text, re.M)
    if not (rps and p50 and p99 and total):
        raise ValueError("wrk output without Requests/sec, latency distribution or request count:\n" + text)
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return float(rps.group(1)), to_us(p50.group(1)), to_us(p99.group(1)), int(total.group(1)), errors


def fmt_rps(v):
    return f"{v / 1000:.1f}k" if v >= 1000 else f"{v:.0f}"


def fmt_us(v):
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def fmt_mib(kib):
    return f"{kib / 1024:.1f} MiB"


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "n/a"


def table(path):
    rows = {}
    order = []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            case, proxy, _round, rps, p50, p99, cpu, rss_idle, rss_load, errors = fields[:10]
            key = (case, proxy)
            if case not in order:
                order.append(case)
            row = dict(rps=float(rps), p50=float(p50), p99=float(p99), cpu=float(cpu), rss_idle=float(rss_idle),
                       rss_load=float(rss_load), errors=int(errors))
            if len(fields) >= 12 and fields[10] != "-" and fields[11] != "-":
                # Core 1's CPU per request: the backend's and wrk's.
                row["core1"] = float(fields[10]) + float(fields[11])
            rows.setdefault(key, []).append(row)

    def med(case, proxy, field):
        return statistics.median(r[field] for r in rows[(case, proxy)])

    print("| case | proxy | req/s (median; rounds) | p50 | p99 | CPU per request | RSS idle | RSS under load | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for case in order:
        for proxy in ("nginx", "lambdagate"):
            if (case, proxy) not in rows:
                continue
            rs = rows[(case, proxy)]
            spread = " / ".join(fmt_rps(r["rps"]) for r in rs)
            print(f"| {case} | {proxy} | {fmt_rps(med(case, proxy, 'rps'))} ({spread}) | "
                  f"{fmt_us(med(case, proxy, 'p50'))} | {fmt_us(med(case, proxy, 'p99'))} | "
                  f"{med(case, proxy, 'cpu'):.1f} µs | {fmt_mib(med(case, proxy, 'rss_idle'))} | "
                  f"{fmt_mib(med(case, proxy, 'rss_load'))} | {sum(r['errors'] for r in rs)} |")
        if (case, "nginx") in rows and (case, "lambdagate") in rows:
            def r(field):
                return ratio(med(case, "lambdagate", field), med(case, "nginx", field))
            print(f"| {case} | **lambdagate / nginx** | **{r('rps')}** | {r('p50')} | {r('p99')} | {r('cpu')} | "
                  f"{r('rss_idle')} | {r('rss_load')} | |")
    cores_table(rows, order, med)


def cores_table(rows, order, med):
    """Each core's CPU per request and the req/s it would allow alone (1 s / µs per request)."""
    keys = [(case, proxy) for case in order for proxy in ("nginx", "lambdagate")
            if (case, proxy) in rows and all("core1" in r for r in rows[(case, proxy)])]
    if not keys:
        return
    print()
    print("Each core's CPU per request (medians): core 0 runs the proxy alone; core 1 runs the backend and")
    print("wrk. The core that allows fewer req/s sets the pace; what the proxy's requests and answers cost")
    print("the backend and wrk counts as much as the proxy's own CPU.")
    print()
    print("| case | proxy | core 0: proxy | core 1: backend + wrk | req/s core 0 allows | req/s core 1 allows | pace set by |")
    print("|---|---|---:|---:|---:|---:|---|")
    for case, proxy in keys:
        core0 = med(case, proxy, "cpu")
        core1 = med(case, proxy, "core1")
        print(f"| {case} | {proxy} | {core0:.1f} µs | {core1:.1f} µs | {fmt_rps(1e6 / core0)} | "
              f"{fmt_rps(1e6 / core1)} | core {0 if core0 >= core1 else 1} |")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "wrk":
        with open(sys.argv[2]) as f:
            rps, p50, p99, total, errors = parse_wrk(f.read())
        print(f"{rps:.0f} {p50:.0f} {p99:.0f} {total} {errors}")
    elif len(sys.argv) == 3 and sys.argv[1] == "table":
        table(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
