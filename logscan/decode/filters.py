"""Which events a command keeps: by family, code, category, kind and time (``--sdk``,
``--code``, ``--category``, ``--kind``, ``--since``, ``--until``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from logscan.match.timestamps import format_time


@dataclass
class Filters:
    """Which events to keep (empty lists keep everything)."""

    sdk: list[str] = field(default_factory=list)
    #: (sdk, code) pairs (a bare number on the command line is one pair per family).
    code: list[tuple[str, int]] = field(default_factory=list)
    category: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None

    def __bool__(self) -> bool:
        return any((self.sdk, self.code, self.category, self.kind, self.since, self.until))

    @property
    def timed(self) -> bool:
        """Whether the filter reads the events' times (``--since``/``--until``)."""
        return self.since is not None or self.until is not None

    def expr(self) -> pl.Expr:
        """True for the events kept, over the columns named (``timestamp`` when :attr:`timed`;
        ``category`` and ``kind``, which the catalogue gives, when they are filtered on)."""
        conditions = [pl.lit(True)]
        for name in ("sdk", "category", "kind"):
            values = getattr(self, name)
            if values:
                conditions.append(pl.col(name).is_in(values))
        if self.code:
            pairs = [(pl.col("sdk") == sdk) & (pl.col("code") == code) for sdk, code in self.code]
            conditions.append(pl.any_horizontal(pairs))
        # --since/--until only judge lines with a full timestamp: the others are left out.
        if self.since is not None:
            conditions.append(pl.col("timestamp") >= self.since)
        if self.until is not None:
            conditions.append(pl.col("timestamp") <= self.until)
        return pl.all_horizontal(conditions)

    def to_dict(self) -> dict[str, object]:
        """What was asked for, as a report states it (only the filters given)."""
        data: dict[str, object] = {}
        if self.sdk:
            data["sdk"] = list(self.sdk)
        if self.code:
            data["code"] = [f"{sdk}/{code}" for sdk, code in self.code]
        if self.category:
            data["category"] = list(self.category)
        if self.kind:
            data["kind"] = list(self.kind)
        if self.since is not None:
            data["since"] = format_time(self.since)
        if self.until is not None:
            data["until"] = format_time(self.until)
        return data
