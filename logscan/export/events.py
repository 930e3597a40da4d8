"""Every occurrence as data: events -> filtered, decoded, redacted rows -> a file.

Rows are written block by block as the engine yields them, so memory stays
flat however many events there are; Parquet is assembled at the end from
per-block Arrow IPC spills (a streaming sink).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import polars as pl

from logscan.decode import catalogue as cat
from logscan.decode.filters import Filters
from logscan.export import EVENT_FORMATS  # noqa: F401 (re-exported: the writers' names)
from logscan.inputs import Source, Unreadable
from logscan.match.matcher import Matcher
from logscan.match.redact import redact_expr
from logscan.match.timestamps import iso
from logscan.outputs import write_all
from logscan.render.csv_ import safe_cell
from logscan.render.json_ import escape_controls
from logscan.run.engine import Engine, RunStats, keep_events

#: Columns of an events export, in order.
COLUMNS = (
    "file", "line", "timestamp", "time_text", "time_precision", "sdk", "platform", "pattern", "code",
    "name", "category", "kind", "description", "text",
)  # fmt: skip
#: The first block of a file an export scans (then doubled to a whole block): its rows are out
#: within a tenth of a second, where a whole 16 MiB block took about a second.
FIRST_BLOCK = 1 << 20
#: Longest line text kept in an export.
TEXT_CHARS = 500
_CATEGORICAL = ("time_precision", "sdk", "platform", "pattern", "category", "kind")


def decode(
    events: pl.DataFrame, catalogue: cat.Catalogue, *, redact: bool, redact_users: bool
) -> pl.DataFrame:
    """Events of one block (in input order) as export rows: catalogue names joined, text
    redacted and capped (in that order: a secret cut in two is still recognised)."""
    text = pl.col("text")
    description = pl.col("description")
    if redact:
        text = redact_expr(text, users=redact_users)
        description = redact_expr(description, users=redact_users)
    enriched = cat.enrich(events.with_columns(description.alias("description")), catalogue)
    return enriched.with_columns(
        text.str.slice(0, TEXT_CHARS).alias("text"), time_text(events.columns)
    ).select(COLUMNS)


def time_text(columns: Sequence[str]) -> pl.Expr:
    """A line's time as the report shows it: ISO 8601 to the millisecond for a full timestamp,
    what is known of a partial one (``--09-02T10:50:35.972`` without a year, ``14:03:07.005``
    a time of day), null without one; ``time_precision`` says which."""
    partial = pl.col("time_text") if "time_text" in columns else pl.lit(None, dtype=pl.String)
    return pl.coalesce(iso(pl.col("timestamp")), partial).alias("time_text")


class Writer:
    """Writes export rows to a binary stream, chunk by chunk."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        self.rows += frame.height
        self._write(frame)

    def _write(self, frame: pl.DataFrame) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Hand what is written to the reader (a pipe: ``| head``, ``| jq``)."""
        flush = getattr(self.out, "flush", None)
        if flush is not None:
            flush()

    def close(self) -> None:
        """Finish the file (footer, Parquet assembly)."""


class NdjsonWriter(Writer):
    def _write(self, frame: pl.DataFrame) -> None:
        if frame.height:
            write_all(self.out, _ndjson(frame).encode("utf-8"))


class JsonWriter(Writer):
    """One JSON array of row objects."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__(out)
        write_all(self.out, b"[")
        self.first = True

    def _write(self, frame: pl.DataFrame) -> None:
        for line in _ndjson(frame).split("\n")[:-1]:  # one row a line
            write_all(self.out, ("\n" if self.first else ",\n").encode() + line.encode("utf-8"))
            self.first = False

    def close(self) -> None:
        write_all(self.out, b"\n]\n")


class CsvWriter(Writer):
    """CSV that is safe to open in a spreadsheet: formula-like cells are neutralised."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__(out)
        self._emit([COLUMNS])

    def _write(self, frame: pl.DataFrame) -> None:
        self._emit([safe_cell(v) for v in row] for row in _iso(frame).iter_rows())

    def _emit(self, rows: Iterable[Sequence[object]]) -> None:
        """A frame's rows in one write (all of it, or an error: see write_all)."""
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(rows)
        write_all(self.out, text.getvalue().encode("utf-8"))


class ParquetWriter(Writer):
    """Typed Parquet: integer code and line, datetime timestamp, categorical labels."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__(out)
        self.tmp = tempfile.TemporaryDirectory(prefix="logscan-")
        self.parts: list[Path] = []

    def _write(self, frame: pl.DataFrame) -> None:
        part = Path(self.tmp.name) / f"{len(self.parts):06d}.arrow"
        frame.write_ipc(part)
        self.parts.append(part)

    def close(self) -> None:
        try:
            lazy = pl.scan_ipc(self.parts) if self.parts else pl.LazyFrame(schema=EXPORT_SCHEMA)
            typed = lazy.with_columns(pl.col(c).cast(pl.Categorical) for c in _CATEGORICAL)
            buffer = Path(self.tmp.name) / "out.parquet"
            typed.sink_parquet(buffer)
            with buffer.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    write_all(self.out, chunk)
        finally:
            self.tmp.cleanup()


EXPORT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "file": pl.String, "line": pl.Int64, "timestamp": pl.Datetime("us"), "time_text": pl.String,
    "time_precision": pl.String, "sdk": pl.String,
    "platform": pl.String, "pattern": pl.String, "code": pl.Int64, "name": pl.String,
    "category": pl.String, "kind": pl.String, "description": pl.String, "text": pl.String,
}  # fmt: skip

WRITERS: dict[str, Callable[[BinaryIO], Writer]] = {
    "ndjson": NdjsonWriter,
    "json": JsonWriter,
    "csv": CsvWriter,
    "parquet": ParquetWriter,
}


def _ndjson(frame: pl.DataFrame) -> str:
    """The rows as NDJSON, DEL, C1 and U+2028/9 escaped as in the JSON report."""
    return escape_controls(_iso(frame).write_ndjson())


def _iso(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(iso(pl.col("timestamp")))


def export_events(
    items: Iterable[Source | Unreadable],
    matcher: Matcher,
    catalogue: cat.Catalogue,
    writer: Writer,
    *,
    filters: Filters | None = None,
    workers: int | None = None,
    redact: bool = True,
    redact_users: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RunStats:
    """Scan ``items`` and write every (filtered) event with ``writer``; return what was read."""
    keep = (filters or Filters()).expr()
    with Engine(matcher, workers=workers) as engine:
        engine.first_block = FIRST_BLOCK  # the first rows out at once (| head), not after 16 MiB
        for frame in engine.run(items, keep_events, progress=progress):
            if frame.is_empty():
                continue
            rows = decode(frame, catalogue, redact=redact, redact_users=redact_users).filter(keep)
            if rows.height:
                writer.write(rows.select(pl.col(c).cast(t) for c, t in EXPORT_SCHEMA.items()))
                writer.flush()  # a block's rows reach the reader before the next block is scanned
        stats = engine.stats
    writer.close()
    return stats
