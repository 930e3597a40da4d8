"""CSV: one row per (sdk, code), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from logscan.aggregate.report import Report

COLUMNS = (
    "sdk", "code", "name", "category", "kind", "count", "share", "first_seen", "last_seen",
    "files", "description", "cause", "sample_file", "sample_line", "sample_text",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Neutralise a cell a spreadsheet would run as a formula (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def code_rows(report: Report) -> list[list[object]]:
    """One row per code, in COLUMNS order (the sample flattened): the codes table as data."""
    rows: list[list[object]] = []
    for code in report.to_dict()["codes"]:
        sample = code["sample"]
        rows.append(
            [code["sdk"], code["code"], code["name"], code["category"], code["kind"], code["count"],
             code["share"], code["first_seen"], code["last_seen"], ";".join(code["files"]),
             code["description"], code["cause"], sample["file"], sample["line"], sample["text"]]
        )  # fmt: skip
    return rows


def render(report: Report) -> str:
    return write_rows(COLUMNS, code_rows(report))
