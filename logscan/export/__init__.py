"""Exports: every event of a scan, for triage (:mod:`logscan.export.events`)."""

from __future__ import annotations

from logscan.outputs import Format, Formats

#: The formats of an events export (their writers: :data:`WRITERS`).
EVENT_FORMATS = Formats(
    (
        Format("ndjson", (".ndjson", ".jsonl")),
        Format("csv", (".csv",)),
        Format("json", (".json",)),
        Format("parquet", (".parquet",), binary=True),
    )
)
