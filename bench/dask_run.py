"""Time `logscan report --format json` on a folder of files: the local engine against a Dask
LocalCluster (--engine dask), and check that both give the same report, byte for byte.

    python bench/generate.py 2GB /tmp/corpus --files 2000      # 2,000 files of 1 MB
    python bench/dask_run.py /tmp/corpus --workers 2 --runs 1

Every run is a fresh process (`-j WORKERS` for both engines: the local engine's
processes, the cluster's workers), after the corpus was read once untimed (page
cache). The counts are checked against CORPUS.expected.json (from generate.py).
The cluster's fixed cost (starting a scheduler and its workers) is timed apart,
on a one-file input, and the per-worker rate is what is left:

    rate = bytes / (dask wall time - fixed cost) / workers

from which the time of a cluster of N workers on SIZE is estimated (--estimate-workers,
--estimate-bytes), assuming the workers read as fast as here (local disk or page
cache: from an object store, the network of each worker bounds it too).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def logscan(*args: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "logscan", "report", *args, "--format", "json"], capture_output=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"logscan {' '.join(args)}: exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return elapsed, done.stdout


def warm(folder: Path) -> int:
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    total += len(chunk)
    return total


def counts(report: bytes) -> Counter[str]:
    return Counter({f"{c['sdk']}/{c['code']}": c["count"] for c in json.loads(report)["codes"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="a folder written by generate.py --files")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--estimate-workers", type=int, default=100)
    parser.add_argument("--estimate-bytes", type=float, default=1e12, help="default 1 TB")
    args = parser.parse_args()
    expected = json.loads(args.corpus.with_name(args.corpus.name + ".expected.json").read_text())
    size = warm(args.corpus)
    files = sum(1 for p in args.corpus.rglob("*") if p.is_file())
    jobs = ["-j", str(args.workers)]
    local_times, dask_times, fixed_times = [], [], []
    with tempfile.TemporaryDirectory(prefix="logscan-bench-") as tmp:
        one = Path(tmp) / "one.log"
        one.write_text("E/ChatDemo(1234): Login failed! code: 204 error: User not found\n")
        for run in range(args.runs):
            warm(args.corpus)
            t_local, local = logscan(str(args.corpus), *jobs)
            warm(args.corpus)
            t_dask, dask = logscan(str(args.corpus), *jobs, "--engine", "dask")
            t_fixed, _ = logscan(str(one), *jobs, "--engine", "dask")
            if dask != local:
                raise SystemExit(f"run {run + 1}: the dask report differs from the local one")
            if counts(local) != Counter(expected):
                raise SystemExit(f"run {run + 1}: counts differ from {args.corpus.name}.expected.json")
            local_times.append(t_local)
            dask_times.append(t_dask)
            fixed_times.append(t_fixed)
            print(
                f"run {run + 1}: local {t_local:.1f} s, dask {t_dask:.1f} s (cluster fixed cost {t_fixed:.1f} s); "
                "reports identical, counts exact"
            )
    t_local, t_dask, t_fixed = map(statistics.median, (local_times, dask_times, fixed_times))
    rate = size / max(t_dask - t_fixed, 1e-9) / args.workers
    estimate = args.estimate_bytes / (rate * args.estimate_workers)
    print(f"corpus: {files:,} files, {size:,} bytes")
    print(f"local engine (-j {args.workers}): {t_local:.1f} s, {size / t_local / 1e6:.1f} MB/s")
    print(f"dask LocalCluster ({args.workers} workers): {t_dask:.1f} s, {size / t_dask / 1e6:.1f} MB/s")
    print(f"dask / local: {t_dask / t_local:.2f}x")
    print(f"per-worker rate (fixed cost {t_fixed:.1f} s taken off): {rate / 1e6:.1f} MB/s")
    print(
        f"estimate: {args.estimate_workers} workers on {args.estimate_bytes / 1e12:g} TB: "
        f"{estimate / 60:.0f} min (+ the cluster's start and the listing)"
    )


if __name__ == "__main__":
    main()
