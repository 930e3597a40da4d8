"""Renderers: a finished report (or catalogue entries) -> text or bytes.

One module per output format; each exposes ``render(report) -> str``.
"""

from __future__ import annotations

FORMATS = ("table", "json", "markdown", "csv", "parquet", "html")
#: Formats that are not text: refused on a terminal.
BINARY = ("parquet",)
#: Output file extensions and the format they select.
EXTENSIONS = {
    ".json": "json", ".md": "markdown", ".markdown": "markdown", ".csv": "csv", ".txt": "table",
    ".parquet": "parquet", ".html": "html", ".htm": "html",
}  # fmt: skip
