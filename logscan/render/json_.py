"""JSON: one object (see :meth:`logscan.report.Report.to_dict`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logscan.report import Report


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


def render(report: Report) -> str:
    return dumps(report.to_dict())
