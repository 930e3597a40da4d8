"""Time buckets of the timeline: their lengths, without polars (the CLI checks ``--bucket``
before anything heavy is imported)."""

from __future__ import annotations

from datetime import timedelta

#: Seconds per unit; a month and a year at their shortest (a count of buckets is then at most).
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "mo": 28 * 86400, "y": 365 * 86400}
#: The longest bucket a user may ask for: a century.
LONGEST_SECONDS = 100 * 365 * 86400


def seconds(bucket: str) -> int:
    """How many seconds ``bucket`` (``5m``, ``1mo``) lasts, as :data:`UNIT_SECONDS` counts."""
    unit = bucket.lstrip("0123456789")
    return int(bucket[: len(bucket) - len(unit)]) * UNIT_SECONDS[unit]


def length(bucket: str) -> timedelta:
    return timedelta(seconds=seconds(bucket))
