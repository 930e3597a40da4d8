"""CPU of a report's map step alone, per 16 MiB block of LOG: partial counts, then the times of
each code's first and last lines (read_times, as the merge does), after the scan.

    POLARS_MAX_THREADS=1 python bench/map_step.py /tmp/bench.log [--runs 20]
"""

import argparse
import statistics
import time
from pathlib import Path

from logscan import inputs
from logscan.aggregate import report
from logscan.cli.options import load_config_and_patterns
from logscan.match.matcher import Matcher, scan_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    _, patterns = load_config_and_patterns(None, (), False, check=True)
    matcher = Matcher.build(patterns)
    spans = inputs.plain_block_spans(args.log, args.log.stat().st_size, inputs.BLOCK_SIZE, None)
    blocks = [
        scan_bytes(
            inputs.read_span(args.log, offset, length, None), matcher, describe=False, timestamps=False
        )
        for offset, length, _ in spans
    ]
    times = []
    for _ in range(args.runs):
        for block in blocks:
            start = time.process_time()
            report.read_times(report.partial_counts(block.events, matcher))
            times.append(time.process_time() - start)
    median, least = statistics.median(times) * 1000, min(times) * 1000
    print(f"map step: median {median:.2f} ms, min {least:.2f} ms per block ({len(blocks)} blocks)")


if __name__ == "__main__":
    main()
