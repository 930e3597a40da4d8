"""Time `logscan report --format json` on a log against the grep pipeline a power user would write.

    python bench/generate.py 1GiB /tmp/bench.log
    python bench/run.py /tmp/bench.log --runs 5            # logscan, interleaved with the rg pipeline

Each run is a fresh process, started right after the input was read once
(untimed: every run reads from the page cache); its peak RSS is the largest sum of the resident
memory of logscan and its worker processes, sampled every 20 ms from /proc.
The counts of every run are compared with FILE.expected.json (written by
generate.py) and must be exact. Each logscan run is followed by a run of the
peer pipeline, `rg -o -r '<code groups>' -e '<the bundled patterns>' FILE |
sort | uniq -c` (ripgrep, from Debian's packages), on the same file; the
median ratio logscan/peer is printed last (below 1: logscan is faster).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


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


def warm(path: Path) -> None:
    """Read the input once, untimed, so that every timed run reads it from the page cache
    (a machine may evict cold pages between runs: a run that reads from disk measures the disk)."""
    for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if file.is_file():
            with file.open("rb") as fh:
                while fh.read(16 << 20):
                    pass


def timed(argv: list[str], stdout: Any, ok: tuple[int, ...], name: str) -> tuple[float, int]:
    """Run ``argv``: its wall time and the peak resident memory of its process tree."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{name} exited {proc.returncode}: {proc.stderr.read().decode()[-500:]}")
    return elapsed, peak


def run_once(command: list[str], out: Path) -> tuple[float, int]:
    with out.open("wb") as fh:
        return timed(command, fh, (0, 1), " ".join(command))


def peer_command(log: Path) -> str | None:
    """The rg pipeline: every bundled pattern in one regex, each pattern's code as a numbered group."""
    rg = shutil.which("rg")
    if rg is None:
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from logscan.dialect import for_engine
    from logscan.patterns import load_patterns

    named = re.compile(r"(?<!\\)\(\?P<(\w+)>")
    parts = []
    for pattern in load_patterns():
        # the same ASCII classes logscan runs with, so that rg is not slowed by Unicode
        parts.append(named.sub(lambda m: "(" if m.group(1) == "code" else "(?:", for_engine(pattern.regex)))
    regex = "|".join(f"(?:{p})" for p in parts)
    groups = "".join(f"${{{i}}}" for i in range(1, len(parts) + 1))
    quote = lambda text: "'" + text.replace("'", "'\\''") + "'"  # noqa: E731
    return f"{rg} -o --no-filename -r {quote(groups)} -e {quote(regex)} {quote(str(log))} | sort | uniq -c"


def run_shell(command: str) -> tuple[float, int]:
    return timed(["bash", "-c", command + " > /dev/null"], None, (0,), "peer pipeline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--logscan", default=shutil.which("logscan") or "logscan")
    parser.add_argument("--no-peer", action="store_true", help="time logscan alone")
    args = parser.parse_args()
    expected_path = args.log.with_name(args.log.name + ".expected.json")
    expected = json.loads(expected_path.read_text()) if expected_path.exists() else None
    # A directory (generate.py --files) is measured by the sum of its files.
    size = (
        sum(p.stat().st_size for p in args.log.rglob("*") if p.is_file())
        if args.log.is_dir()
        else args.log.stat().st_size
    )
    # A compressed input is measured against its uncompressed size, when the plain file sits beside it.
    plain = args.log.with_suffix("") if args.log.suffix in (".gz", ".bz2", ".xz", ".zst") else args.log
    if plain != args.log and plain.exists():
        size = plain.stat().st_size
    command = [args.logscan, "report", str(args.log), "--format", "json"]
    print(f"{' '.join(command)}  ({size / 1e6:,.0f} MB, {os.cpu_count()} CPUs)")
    peer = None if args.no_peer else peer_command(args.log)
    if peer is None and not args.no_peer:
        print("(no rg on PATH: apt-get install ripgrep to time the peer pipeline)")
    rates, peaks, ratios = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        for i in range(args.runs):
            warm(args.log)
            elapsed, peak = run_once(command, out)
            report = json.loads(out.read_text())
            counts = {f"{c['sdk']}/{c['code']}": c["count"] for c in report["codes"]}
            exact = "exact" if expected is None or counts == expected else "COUNTS DIFFER"
            rate = size / elapsed / 1e6
            rates.append(rate)
            peaks.append(peak)
            line = f"run {i + 1}: logscan {elapsed:6.2f} s {rate:6.0f} MB/s  peak RSS {peak / 2**20:5.0f} MiB  {exact}"
            if peer is not None:
                warm(args.log)
                peer_elapsed, peer_peak = run_shell(peer)
                ratios.append(elapsed / peer_elapsed)
                line += (
                    f"  | rg pipeline {peer_elapsed:6.2f} s {size / peer_elapsed / 1e6:6.0f} MB/s"
                    f"  RSS {peer_peak / 2**20:4.0f} MiB  ratio {elapsed / peer_elapsed:4.2f}"
                )
            print(line)
            if exact != "exact":
                sys.exit(1)
    summary = f"median: {statistics.median(rates):.0f} MB/s, peak RSS {max(peaks) / 2**20:.0f} MiB"
    if ratios:
        summary += f", median ratio logscan/rg {statistics.median(ratios):.2f}"
    print(summary)


if __name__ == "__main__":
    main()
