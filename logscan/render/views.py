"""The report's views as frames: one per ``--by`` value, for the tabular formats."""

from __future__ import annotations

import io

import polars as pl

from logscan.aggregate.report import Report
from logscan.render.csv_ import COLUMNS as CODE_COLUMNS
from logscan.render.csv_ import code_rows, write_rows


def frame(report: Report, view: str) -> pl.DataFrame:
    """The rows of one view (the codes view flattens each code's sample)."""
    if view == "code":
        rows = code_rows(report)
        schema = dict.fromkeys(CODE_COLUMNS, pl.String) | {
            "code": pl.Int64, "count": pl.Int64, "share": pl.Float64, "sample_line": pl.Int64,
        }  # fmt: skip
        return pl.DataFrame(rows, schema=schema, orient="row")
    if view == "category":
        return report.categories
    if view == "kind":
        return report.kinds()
    if view == "file":
        return report.files()
    if view == "platform":
        return report.platforms
    if view == "time":
        return report.timeline
    raise ValueError(f"unknown view {view!r}")


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """Lists as ``a;b;c`` text, for CSV."""
    lists = [c for c, t in df.schema.items() if isinstance(t, pl.List)]
    return df.with_columns(pl.col(c).cast(pl.List(pl.String)).list.join(";") for c in lists)


def to_csv(report: Report, view: str) -> str:
    df = _flat(frame(report, view))
    return write_rows(df.columns, df.iter_rows())


def to_parquet(report: Report, view: str) -> bytes:
    buffer = io.BytesIO()
    frame(report, view).write_parquet(buffer)
    return buffer.getvalue()
