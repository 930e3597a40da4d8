"""Time `logscan report --format json` on a log, check its counts, report MB/s and peak RSS.

    python bench/generate.py 1GiB /tmp/bench.log
    python bench/run.py /tmp/bench.log --runs 5

Each run is a fresh process; its peak RSS is the largest sum of the resident
memory of logscan and its worker processes, sampled every 20 ms from /proc.
The counts of every run are compared with FILE.expected.json (written by
generate.py) and must be exact. Prints one line per run and the median.
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
import time
from pathlib import Path


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_once(command: list[str], out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with out.open("wb") as fh:
        proc = subprocess.Popen(command, stdout=fh, stderr=subprocess.PIPE)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(command)} exited {proc.returncode}: {proc.stderr.read().decode()[-500:]}"
        )
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--logscan", default=shutil.which("logscan") or "logscan")
    args = parser.parse_args()
    expected_path = args.log.with_name(args.log.name + ".expected.json")
    expected = json.loads(expected_path.read_text()) if expected_path.exists() else None
    size = args.log.stat().st_size
    # A compressed input is measured against its uncompressed size, when the plain file sits beside it.
    plain = args.log.with_suffix("") if args.log.suffix in (".gz", ".bz2", ".xz", ".zst") else args.log
    if plain != args.log and plain.exists():
        size = plain.stat().st_size
    command = [args.logscan, "report", str(args.log), "--format", "json"]
    print(f"{' '.join(command)}  ({size / 1e6:,.0f} MB, {os.cpu_count()} CPUs)")
    rates, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        for i in range(args.runs):
            elapsed, peak = run_once(command, out)
            report = json.loads(out.read_text())
            counts = {f"{c['sdk']}/{c['code']}": c["count"] for c in report["codes"]}
            exact = "exact" if expected is None or counts == expected else "COUNTS DIFFER"
            rate = size / elapsed / 1e6
            rates.append(rate)
            peaks.append(peak)
            print(
                f"run {i + 1}: {elapsed:6.2f} s  {rate:7.0f} MB/s  peak RSS {peak / 2**20:5.0f} MiB  {exact}"
            )
            if exact != "exact":
                sys.exit(1)
    print(f"median: {statistics.median(rates):.0f} MB/s, peak RSS {max(peaks) / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
