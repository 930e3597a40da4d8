"""How a code's sample line (its first occurrence) is named in the human formats.

The sample is the code's earliest occurrence in time (:func:`logscan.aggregate.report.earliest`),
the line its first seen names. A code whose lines carry no time at all has no first seen:
its sample is its first line in file order, and the outputs say so with :data:`FILE_ORDER`.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The note on a sample chosen in file order (no line of the code has a time).
FILE_ORDER = "file order: no timestamps"


def by_file_order(code: Mapping[str, object]) -> bool:
    """Whether ``code``'s sample is its first line in file order (none of its lines has a time)."""
    return "seen_precision" in code and code["seen_precision"] is None
