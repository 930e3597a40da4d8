"""Time `logscan report --format json` on a log against the one-liner a power user types.

    python bench/generate.py 1GiB /tmp/bench.log                 # + /tmp/bench.log.expected.json
    python bench/generate.py 1GiB /tmp/dense.log --profile dense
    python bench/run.py /tmp/bench.log --runs 5                  # logscan, the one-liner, the floor

Each run is a fresh process, started right after the input was read once
(untimed: every run reads from the page cache); its peak RSS is the largest sum of the
resident memory of the process and its children, sampled every 20 ms from /proc. The
counts of every logscan run are compared with FILE.expected.json (written by
generate.py) and must be exact. In each round logscan is followed by its peers on the
same file:

- the one-liner, exactly as a user types it (imprecise: it is the time to beat, not the
  answer): ``rg -o -r '$1' -e 'ONE_LINER' FILE | sort | uniq -c``;
- the floor, the time to only find those lines: ``rg -c -e 'ONE_LINER' FILE``.

The median ratios logscan/one-liner and logscan/floor are printed last. With
``--patterns FILE`` logscan also loads those patterns; ``--vs-bundled`` then times
logscan with the bundled patterns alone in each round too, and prints what the extra
patterns cost (the ratio of the two).
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


#: The one-liner's regex (issue 13), as a user types it.
ONE_LINER = r"""(?:code"?[:=] ?|errorCode = |type"?[:=] ?|onDisconnect|onDisconnected \.\.\.)(-?[0-9]+)"""


def quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def peers(log: Path) -> dict[str, str] | None:
    """The one-liner and the floor on ``log`` (``-z`` where it is compressed, as a user would)."""
    rg = shutil.which("rg")
    if rg is None:
        return None
    z = "-z " if log.suffix in (".gz", ".bz2", ".xz", ".zst") else ""
    where = quote(str(log))
    return {
        "one-liner": f"{rg} {z}--no-filename -o -r '$1' -e {quote(ONE_LINER)} {where} | sort | uniq -c",
        "floor": f"{rg} {z}-c -e {quote(ONE_LINER)} {where}",
    }


def run_shell(command: str) -> tuple[float, int]:
    return timed(["bash", "-c", command + " > /dev/null"], None, (0, 1), "peer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--logscan", default=shutil.which("logscan") or "logscan")
    parser.add_argument("--no-peer", action="store_true", help="time logscan alone")
    parser.add_argument("--patterns", type=Path, help="a pattern file logscan loads beside the bundled ones")
    parser.add_argument(
        "--vs-bundled", action="store_true", help="with --patterns: also time the bundled set alone"
    )
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
    bundled = [args.logscan, "report", str(args.log), "--format", "json"]
    command = bundled + (["--patterns", str(args.patterns)] if args.patterns else [])
    print(f"{' '.join(command)}  ({size / 1e6:,.0f} MB, {os.cpu_count()} CPUs)")
    others = {} if args.no_peer else peers(args.log)
    if others is None:
        print("(no rg on PATH: apt-get install ripgrep to time the peers)")
        others = {}
    rates, peaks = [], []
    ratios: dict[str, list[float]] = {
        name: [] for name in [*others, *(["bundled"] if args.vs_bundled else [])]
    }
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        for i in range(args.runs):
            warm(args.log)
            elapsed, peak = run_once(command, out)
            report = json.loads(out.read_text())
            counts = {f"{c['sdk']}/{c['code']}": c["count"] for c in report["codes"]}
            exact = "exact" if expected is None or counts == expected else "COUNTS DIFFER"
            rates.append(size / elapsed / 1e6)
            peaks.append(peak)
            line = f"run {i + 1}: logscan {elapsed:6.2f} s {size / elapsed / 1e6:5.0f} MB/s RSS {peak / 2**20:4.0f} MiB {exact}"
            if args.vs_bundled:
                warm(args.log)
                alone, _ = run_once(bundled, out)
                ratios["bundled"].append(elapsed / alone)
                line += f" | bundled alone {alone:5.2f} s (x{elapsed / alone:4.2f})"
            for name, peer in others.items():
                warm(args.log)
                peer_elapsed, peer_peak = run_shell(peer)
                ratios[name].append(elapsed / peer_elapsed)
                line += f" | {name} {peer_elapsed:5.2f} s RSS {peer_peak / 2**20:4.0f} MiB ratio {elapsed / peer_elapsed:4.2f}"
            print(line, flush=True)
            if exact != "exact":
                sys.exit(1)
    summary = f"median: {statistics.median(rates):.0f} MB/s, peak RSS {max(peaks) / 2**20:.0f} MiB"
    for name, values in ratios.items():
        label = "with the patterns / bundled alone" if name == "bundled" else f"logscan/{name}"
        summary += f", median {label} {statistics.median(values):.2f}"
    print(summary)


if __name__ == "__main__":
    main()
