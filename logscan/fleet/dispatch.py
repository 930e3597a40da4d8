"""Where the scan of a report runs: on this machine (``run/``), or on a Dask cluster
(:mod:`logscan.fleet.cluster`) when the options name one."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from logscan.aggregate.report import Report, ReportOptions, scan_report
from logscan.decode import catalogue as cat
from logscan.errors import EngineError
from logscan.fleet import cluster
from logscan.inputs import iter_sources
from logscan.match.matcher import Matcher


def report_paths(
    options: ReportOptions,
    matcher: Matcher,
    catalogue: cat.Catalogue,
    *,
    stdin: BinaryIO | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """The report of ``options.paths``: scanned here, or on the cluster the options name."""
    if options.cluster is not None and options.filters:
        raise EngineError("--sdk, --code, --since and --until are for the local engine: drop --engine dask")
    if options.cluster is not None:
        return cluster.scan_report(
            options.paths, matcher, catalogue, options.cluster, limits=options.limits, redact=options.redact,
            redact_users=options.redact_users, views=options.views, bucket=options.bucket,
        )  # fmt: skip
    items = iter_sources(options.paths, stdin=stdin, limits=options.limits, exclude=options.exclude)
    return scan_report(
        items, matcher, catalogue, workers=options.workers, redact=options.redact,
        redact_users=options.redact_users, views=options.views, bucket=options.bucket, progress=progress,
        filters=options.filters,
    )  # fmt: skip
