"""Inputs: paths, globs, folders and stdin walked into sources of text.

The stage's public names are re-exported here; its modules, in the order they
build on each other:

- ``model``: what a source is, what could not be read, the limits of a scan.
- ``formats``: compression formats, decided by content (magic numbers, decoders).
- ``files``: opening files so that a change under the scan is noticed.
- ``decompress``: decompression in bounded steps.
- ``text``: BOMs, UTF-16/32, CR-only line ends, refused encodings.
- ``archives``: tar and zip members (nested layers) as sources.
- ``sources``: the one path walker: globs, folders, files, ``-``.
- ``blocks``: a source cut into blocks on line boundaries.
"""

from __future__ import annotations

from logscan.inputs.blocks import LongLine, iter_blocks, plain_block_spans, read_span, span_pieces
from logscan.inputs.decompress import LimitError, read_error_reason
from logscan.inputs.files import READ_ERRORS, ChangedError, open_checked
from logscan.inputs.formats import compression_of
from logscan.inputs.model import BLOCK_SIZE, Limits, Listed, Source, Unreadable
from logscan.inputs.sources import (
    common_folder,
    file_sources,
    is_glob,
    is_url,
    iter_files,
    iter_sources,
    plain_total,
    stream_sources,
    would_read,
)
from logscan.inputs.text import UTF16_BOMS, is_utf16, text_stream, utf8

__all__ = [
    "BLOCK_SIZE",
    "READ_ERRORS",
    "UTF16_BOMS",
    "ChangedError",
    "LimitError",
    "Limits",
    "Listed",
    "LongLine",
    "Source",
    "Unreadable",
    "common_folder",
    "compression_of",
    "file_sources",
    "is_glob",
    "is_url",
    "is_utf16",
    "iter_blocks",
    "iter_files",
    "iter_sources",
    "open_checked",
    "plain_block_spans",
    "plain_total",
    "read_error_reason",
    "read_span",
    "span_pieces",
    "stream_sources",
    "text_stream",
    "utf8",
    "would_read",
]
