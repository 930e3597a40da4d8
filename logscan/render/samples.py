"""How a code's sample line (its first occurrence) is named in the human formats.

The sample is the code's earliest occurrence in time (:func:`logscan.aggregate.report.earliest`),
the line its first seen names. A code whose lines carry no time at all has no first seen:
its sample is its first line in file order, and the outputs say so with :data:`FILE_ORDER`.
Its latest occurrence (the line last seen names; ties and untimed: the last in file order)
is named next to it, where it is another line (:func:`last_elsewhere`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The note on a sample chosen in file order (no line of the code has a time).
FILE_ORDER = "file order: no timestamps"


def by_file_order(code: Mapping[str, object]) -> bool:
    """Whether ``code``'s sample is its first line in file order (none of its lines has a time)."""
    return "seen_precision" in code and code["seen_precision"] is None


def last_elsewhere(code: Mapping[str, Any]) -> tuple[str, int] | None:
    """Where ``code``'s latest occurrence is (``file``, ``line``), if it is not its sample's line
    (a code seen once has one line)."""
    last, sample = code.get("last"), code.get("sample")
    if not last or last.get("line") is None:
        return None
    where = (last["file"], last["line"])
    if sample and (sample.get("file"), sample.get("line")) == where:
        return None
    return where
