"""`logscan watch -` on a pipe: throughput, memory over time, exact counts, and latency.

    python bench/generate.py 1GiB /tmp/bench.log
    python bench/watch.py /tmp/bench.log                    # throughput + latency
    python bench/watch.py /tmp/bench.log --no-latency
    python bench/watch.py --latency-only

Throughput: the log is written into `logscan watch - --format ndjson --report json -o F`
at full speed, 1 MiB at a time, by a thread; another reads the NDJSON events (one per line,
counted) and a third samples the watch's resident memory (VmRSS) every 0.2 s. Shown: the
rate (first byte written to exit), the CPU time, the RSS once the first 5 % were written (the start, warm)
and at the last sample before the end, the peak, and the final report's counts compared with
FILE.expected.json (written by generate.py; a run that differs fails). Then `logscan report
FILE` and `logscan report -` (the same bytes on a pipe) are timed for the ratios (of wall time,
and of CPU time: on a busy machine the steadier figure).

Latency: 1,000 error lines written one by one at 100 lines/s into `logscan watch -
--format ndjson`; for each, the time from its write to its event read from the watch's
stdout. Median and worst.

Not a test: timings depend on the machine (see bench/README.md for the figures).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

#: Written into the pipe at a time.
CHUNK = 1 << 20
#: The line of the latency test: its description carries its number.
LATENCY_LINE = "E/ChatDemo(1234): Login failed! code: 208 error: seq {}\n"


def logscan() -> list[str]:
    exe = shutil.which("logscan")
    return [exe] if exe else [sys.executable, "-m", "logscan"]


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def mib(n: float) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def rate(nbytes: int, seconds: float) -> str:
    return f"{nbytes / seconds / 1e6:,.0f} MB/s"


def throughput(log: Path, tmp: Path) -> int:
    size = log.stat().st_size
    final = tmp / "final.json"
    proc = subprocess.Popen(
        [*logscan(), "watch", "-", "--format", "ndjson", "--report", "json", "-o", str(final)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    fed = [0]
    events = [0]
    samples: list[tuple[int, int]] = []  # (bytes written so far, rss)
    done = threading.Event()

    def feed() -> None:
        fd = proc.stdin.fileno()  # type: ignore[union-attr]
        with log.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
                fed[0] += len(chunk)
        proc.stdin.close()  # type: ignore[union-attr]

    def count() -> None:
        while block := proc.stdout.read1(1 << 20):  # type: ignore[union-attr]
            events[0] += block.count(b"\n")

    def sample() -> None:
        while not done.is_set():
            samples.append((fed[0], rss(proc.pid)))
            time.sleep(0.2)

    start = time.perf_counter()
    threads = [threading.Thread(target=f, daemon=True) for f in (feed, count, sample)]
    for t in threads:
        t.start()
    cpu = _wait(proc)
    elapsed = time.perf_counter() - start
    done.set()
    for t in threads:
        t.join(10)
    err = proc.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
    if proc.returncode != 0:
        print(f"watch failed (exit {proc.returncode}): {err[-500:]}")
        return 1
    report = json.loads(final.read_text())
    got = {f"{c['sdk']}/{c['code']}": c["count"] for c in report["codes"]}
    expected_path = Path(str(log) + ".expected.json")
    status = 0
    if expected_path.exists():
        expected = json.loads(expected_path.read_text())
        exact = got == {k: v for k, v in expected.items() if v}
        status = 0 if exact else 1
        verdict = "exact" if exact else "COUNTS DIFFER"
    else:
        verdict = "no expected file"
    warm = [r for written, r in samples if written >= size * 0.05 and r]
    live = [r for _, r in samples if r]
    print(f"input: {log} ({size:,} bytes), {report['events']:,} error lines, {events[0]:,} NDJSON events")
    print(f"watch -: {elapsed:.2f} s, {rate(size, elapsed)}, CPU {cpu:.2f} s, counts {verdict}")
    if warm and live:
        growth = (warm[-1] - warm[0]) / warm[0] * 100
        print(
            f"RSS: {mib(warm[0])} after the first 5 %, {mib(warm[-1])} at the end ({growth:+.1f} %), "
            f"peak {mib(max(live))} ({len(samples)} samples)"
        )
        tenths = []
        for tenth in range(1, 11):
            at = [r for written, r in samples if r and written >= size * tenth / 10]
            tenths.append(mib(at[0]) if at else "-")
        print(f"RSS by tenth of the input written: {', '.join(tenths)}")
    for name, argv, stdin in (
        ("report FILE", [*logscan(), "report", str(log), "--format", "json"], None),
        ("report -", [*logscan(), "report", "-", "--format", "json"], log),
    ):
        with stdin.open("rb") if stdin else open(os.devnull, "rb") as fh, tempfile.TemporaryFile() as out:
            begin = time.perf_counter()
            other = subprocess.Popen(argv, stdin=fh, stdout=out, stderr=subprocess.DEVNULL)
            other_cpu = _wait(other)
            took = time.perf_counter() - begin
            out.seek(0)
            same = _counts(json.loads(out.read())) == _counts(report)
        print(
            f"{name}: {took:.2f} s, {rate(size, took)}, CPU {other_cpu:.2f} s; watch/{name}: throughput "
            f"{took / elapsed:.2f}, CPU {cpu / other_cpu:.2f}{'' if same else '  (CODES DIFFER from the watch)'}"
        )
        status |= 0 if same else 1
    return status


def _wait(proc: subprocess.Popen) -> float:
    """Wait for ``proc``; the CPU seconds (user and system) it and the children it waited for used."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def _counts(report: dict) -> list[tuple[str, int, int, object, object]]:
    """What must agree between two reports of the same bytes (file names may differ)."""
    return [(c["sdk"], c["code"], c["count"], c["first_seen"], c["last_seen"]) for c in report["codes"]]


def latency(lines: int, per_second: float) -> int:
    proc = subprocess.Popen(
        [*logscan(), "watch", "-", "--format", "ndjson", "-q"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    written: dict[int, float] = {}
    arrived: dict[int, float] = {}

    def read() -> None:
        for raw in proc.stdout:  # type: ignore[union-attr]
            now = time.perf_counter()
            seq = int(json.loads(raw)["description"].split()[-1])
            arrived[seq] = now

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    fd = proc.stdin.fileno()  # type: ignore[union-attr]
    # The first line waits for the start-up (imports, patterns, catalogue): it is not counted.
    os.write(fd, LATENCY_LINE.format(-1).encode())
    deadline = time.monotonic() + 60
    while -1 not in arrived and time.monotonic() < deadline:
        time.sleep(0.01)
    begin = time.perf_counter()
    for i in range(lines):
        target = begin + i / per_second
        pause = target - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        data = LATENCY_LINE.format(i).encode()
        written[i] = time.perf_counter()
        os.write(fd, data)
    deadline = time.monotonic() + 60
    while len(arrived) < lines + 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.stdin.close()  # type: ignore[union-attr]
    proc.wait(60)
    reader.join(10)
    delays = [(arrived[i] - written[i]) * 1000 for i in range(lines) if i in arrived]
    missing = lines - len(delays)
    print(
        f"latency over {lines:,} lines at {per_second:g}/s: median {statistics.median(delays):.1f} ms, "
        f"p99 {sorted(delays)[int(len(delays) * 0.99) - 1]:.1f} ms, worst {max(delays):.1f} ms"
        + (f", {missing} lines never arrived" if missing else "")
    )
    return 1 if missing or proc.returncode != 0 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", nargs="?", type=Path, help="the log to pipe (from bench/generate.py)")
    parser.add_argument("--no-latency", action="store_true", help="only the throughput run")
    parser.add_argument("--latency-only", action="store_true", help="only the latency run")
    parser.add_argument("--lines", type=int, default=1000, help="lines of the latency run (1000)")
    parser.add_argument("--rate", type=float, default=100.0, help="their rate per second (100)")
    args = parser.parse_args()
    status = 0
    if not args.latency_only:
        if args.log is None:
            parser.error("give the LOG to pipe (python bench/generate.py 1GiB /tmp/bench.log)")
        with tempfile.TemporaryDirectory(prefix="logscan-bench-watch-") as tmp:
            status |= throughput(args.log, Path(tmp))
    if not args.no_latency:
        status |= latency(args.lines, args.rate)
    return status


if __name__ == "__main__":
    sys.exit(main())
