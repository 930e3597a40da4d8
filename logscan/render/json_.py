"""JSON: one object (see :meth:`logscan.aggregate.report.Report.to_dict`), stamped with the version of its
layout (``schema_version``) and of the logscan that wrote it (``logscan_version``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logscan.aggregate.report import Report


#: DEL, C1 controls and the line and paragraph separators, which JSON may hold as they are
#: (it escapes C0 itself).
_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    """JSON text with DEL, C1 controls and U+2028/U+2029 written as ``\\uNNNN`` (inside strings,
    where alone they can be): the data are the same, ``cat`` of the file drives no terminal, and
    a reader that splits lines on U+2028 splits no row."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def dumps(data: object) -> str:
    return escape_controls(json.dumps(data, indent=2, ensure_ascii=False, default=str)) + "\n"


#: The layout of the JSON report and verdict: raised when a key is removed or changes meaning
#: (keys are added without a change).
SCHEMA_VERSION = 1


def stamped(data: Mapping[str, object]) -> dict[str, object]:
    """``data`` headed by ``schema_version`` and ``logscan_version``."""
    from logscan import __version__

    return {"schema_version": SCHEMA_VERSION, "logscan_version": __version__, **data}


def render(report: Report) -> str:
    return dumps(stamped(report.to_dict()))
