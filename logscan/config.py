"""Configuration files: ``logscan.toml``, or ``[tool.logscan]`` in ``pyproject.toml``.

Found from the current directory upward (the first folder that has either
wins, ``logscan.toml`` before ``pyproject.toml``), or given with ``--config``.
Paths in the file are relative to the file. Every key is checked: an unknown
key or a bad value is an error naming the file, the line and the key.

.. code-block:: toml

    patterns = ["patterns/myapp.toml"]   # added to the bundled patterns
    catalogue = ["codes/myapp.toml"]     # added to / overriding the catalogue
    builtin_patterns = true

    [check]
    fail_on = ["category=server>10", "unknown"]
    allow = ["code=206"]
    max_total = 100
    baseline = "ci/baseline.json"
    tolerance = "20%"
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from logscan.errors import ConfigError, located, read_toml

NAMES = ("logscan.toml", "pyproject.toml")


@dataclass
class CheckConfig:
    fail_on: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    max_total: int | None = None
    baseline: Path | None = None
    tolerance: str | None = None


@dataclass
class LimitsConfig:
    """``[limits]``: bounds on what compressed files and archives may expand to."""

    max_expanded: int | None = None
    max_ratio: float | None = None
    max_depth: int | None = None


_SIZE = re.compile(r"(?i)^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$")
_UNITS = {"b": 1, "kb": 10**3, "kib": 1 << 10, "mb": 10**6, "mib": 1 << 20, "gb": 10**9, "gib": 1 << 30,
          "tb": 10**12, "tib": 1 << 40}  # fmt: skip


def parse_size(value: object) -> int | None:
    """Bytes from ``4GiB``, ``500 MB`` or a plain number; None if it is not a size."""
    if type(value) is int:
        return value if value > 0 else None
    m = _SIZE.match(str(value))
    if not m:
        return None
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "b").lower()]) or None


@dataclass
class Config:
    """What a configuration file says (empty when there is none)."""

    path: Path | None = None
    patterns: list[Path] = field(default_factory=list)
    catalogue: list[Path] = field(default_factory=list)
    builtin_patterns: bool = True
    check: CheckConfig = field(default_factory=CheckConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    #: (key, line) of every rule in ``check.fail_on`` / ``check.allow``, for error messages.
    lines: dict[str, int] = field(default_factory=dict)


def discover(start: Path | None = None) -> Path | None:
    """The nearest ``logscan.toml``, or ``pyproject.toml`` with ``[tool.logscan]``, upward from ``start``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "logscan.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_tool_section(candidate):
            return candidate
    return None


def _has_tool_section(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[tool\.logscan[\].]", text, re.M) is not None


def load(path: Path | None) -> Config:
    """Parse and validate a configuration file (``None``: no file, the defaults)."""
    if path is None:
        return Config()
    text, doc = read_toml(path, ConfigError, "the configuration file")
    prefix = ""
    if path.name == "pyproject.toml":
        doc = doc.get("tool", {}).get("logscan", {})
        prefix = "tool.logscan."
    return _parse(path, text, doc, prefix)


def _parse(path: Path, text: str, doc: dict[str, object], prefix: str) -> Config:
    def fail(key: str, message: str) -> ConfigError:
        line = _line_of(text, key.rsplit(".", 1)[-1])
        return ConfigError(located(path, line, f"{prefix}{key}: {message}"))

    config = Config(path=path)
    base = path.parent
    top = {"patterns", "catalogue", "builtin_patterns", "check", "limits"}
    for key in doc:
        if key not in top:
            raise fail(key, f"unknown key (known: {', '.join(sorted(top))})")
    config.patterns = [base / p for p in _strings(doc.get("patterns", []), "patterns", fail)]
    config.catalogue = [base / p for p in _strings(doc.get("catalogue", []), "catalogue", fail)]
    builtin = doc.get("builtin_patterns", True)
    if not isinstance(builtin, bool):
        raise fail("builtin_patterns", "must be true or false")
    config.builtin_patterns = builtin
    check = doc.get("check", {})
    if not isinstance(check, dict):
        raise fail("check", "must be a table ([check])")
    known = {"fail_on", "allow", "max_total", "baseline", "tolerance"}
    for key in check:
        if key not in known:
            raise fail(f"check.{key}", f"unknown key (known in [check]: {', '.join(sorted(known))})")
    config.check.fail_on = _strings(check.get("fail_on", []), "check.fail_on", fail)
    config.check.allow = _strings(check.get("allow", []), "check.allow", fail)
    max_total = check.get("max_total")
    if max_total is not None and (type(max_total) is not int or max_total < 0):
        raise fail("check.max_total", f"must be a whole number >= 0 (got {max_total!r})")
    config.check.max_total = max_total
    baseline = check.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise fail("check.baseline", "must be a path (a string)")
    config.check.baseline = base / baseline if baseline else None
    tolerance = check.get("tolerance")
    if tolerance is not None and not isinstance(tolerance, str | int):
        raise fail("check.tolerance", 'must be a number of lines or a percentage such as "20%"')
    config.check.tolerance = str(tolerance) if tolerance is not None else None
    config.lines = {k: _line_of(text, k) for k in ("fail_on", "allow", "tolerance", "max_total")}
    limits = doc.get("limits", {})
    if not isinstance(limits, dict):
        raise fail("limits", "must be a table ([limits])")
    for key in limits:
        if key not in ("max_expanded", "max_ratio", "max_depth"):
            raise fail(f"limits.{key}", "unknown key (known in [limits]: max_depth, max_expanded, max_ratio)")
    if "max_expanded" in limits:
        size = parse_size(limits["max_expanded"])
        if size is None:
            raise fail("limits.max_expanded", 'must be a size such as "4GiB" or "500MB"')
        config.limits.max_expanded = size
    if "max_ratio" in limits:
        ratio = limits["max_ratio"]
        if type(ratio) not in (int, float) or ratio < 1:
            raise fail("limits.max_ratio", "must be a number >= 1")
        config.limits.max_ratio = float(ratio)
    if "max_depth" in limits:
        depth = limits["max_depth"]
        if type(depth) is not int or depth < 0:
            raise fail("limits.max_depth", "must be a whole number >= 0")
        config.limits.max_depth = depth
    return config


def limits_of(config: Config):  # type: ignore[no-untyped-def]
    """The input limits a configuration asks for (defaults where it says nothing)."""
    from logscan.inputs import Limits

    base = Limits()
    c = config.limits
    return Limits(
        max_member_bytes=c.max_expanded or base.max_member_bytes,
        max_ratio=c.max_ratio or base.max_ratio,
        max_depth=base.max_depth if c.max_depth is None else c.max_depth,
    )


def _strings(value: object, key: str, fail) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, "must be a list of strings")
    return list(value)


def _line_of(text: str, key: str) -> int:
    m = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 0
