"""Configuration files: ``logscan.toml``, or ``[tool.logscan]`` in ``pyproject.toml``.

Found from the current directory upward (the first folder that has either
wins, ``logscan.toml`` before ``pyproject.toml``), or given with ``--config``.
The search never looks in a folder named in ``LOGSCAN_CONFIG_CEILING`` (absolute
paths, separated by ``os.pathsep``) nor above one, like git's
``GIT_CEILING_DIRECTORIES`` except that a ceiling is not searched even when it
is the current directory.
Paths in the file are relative to the file. Every key is checked: an unknown
key or a bad value is an error naming the file, the line and the key (the line
of the key in its own table; of the table, or of the inline table that holds
it, when the key has no line of its own).

.. code-block:: toml

    patterns = ["patterns/myapp.toml"]   # added to the bundled patterns
    catalogue = ["codes/myapp.toml"]     # added to / overriding the catalogue
    builtin_patterns = true
    engine = "dask"                      # or "local" (the default)
    scheduler = "tcp://scheduler:8786"   # for engine = "dask"; none: a cluster on this machine

    [check]
    fail_on = ["category=server>10", "unknown"]
    allow = ["code=206"]
    max_total = 100
    baseline = "ci/baseline.json"
    tolerance = "20%"
    allow_empty = false                  # true: no input at all (empty folder, 0 bytes) passes
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from logscan import datafile
from logscan.datafile import key_lines, line_of, read_toml, read_whole
from logscan.errors import ConfigError, OutputError, located

if TYPE_CHECKING:
    from logscan.inputs import Limits

#: The engines a scan can run on (``--engine``).
ENGINES = ("local", "dask")


@dataclass
class CheckConfig:
    fail_on: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    max_total: int | None = None
    baseline: Path | None = None
    tolerance: str | None = None
    allow_empty: bool = False


@dataclass
class LimitsConfig:
    """``[limits]``: bounds on what compressed files and archives may expand to."""

    max_expanded: int | None = None
    max_archive_expanded: int | None = None
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
    #: Where scans run: "local" (this machine's processes) or "dask"; None: not said.
    engine: str | None = None
    #: The Dask scheduler's address, for the dask engine (None: a cluster on this machine).
    scheduler: str | None = None
    check: CheckConfig = field(default_factory=CheckConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    #: (key, line) of every rule in ``check.fail_on`` / ``check.allow``, for error messages.
    lines: dict[str, int] = field(default_factory=dict)
    #: Where the settings are in the file: ``tool.logscan.`` in ``pyproject.toml``.
    prefix: str = ""

    def where(self, key: str) -> str:
        """``path:line tool.logscan.check.KEY``: the source of a value of ``[check]``, for messages."""
        if self.path is None:
            return "config"
        line = self.lines.get(key, 0)
        where = f"{self.path}:{line}" if line else str(self.path)
        return f"{where} {self.prefix}check.{key}"


#: Folders (``os.pathsep``-separated absolute paths) that configuration discovery stops below.
CEILING_ENV = "LOGSCAN_CONFIG_CEILING"


def ceilings() -> set[Path]:
    """The folders of ``LOGSCAN_CONFIG_CEILING`` (resolved; relative or empty entries are ignored)."""
    entries = os.environ.get(CEILING_ENV, "").split(os.pathsep)
    return {Path(e).resolve() for e in entries if e and Path(e).is_absolute()}


def discover(start: Path | None = None) -> Path | None:
    """The nearest ``logscan.toml``, or ``pyproject.toml`` with ``[tool.logscan]``, upward from ``start``,
    stopping below the first folder of ``LOGSCAN_CONFIG_CEILING`` (which is not searched)."""
    here = (start or Path.cwd()).resolve()
    stop = ceilings()
    for folder in (here, *here.parents):
        if folder in stop:
            return None
        candidate = folder / "logscan.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_tool_section(candidate):
            return candidate
    return None


def _has_tool_section(path: Path) -> bool:
    """Whether ``pyproject.toml`` has a ``tool.logscan`` entry (a table, or a wrong value that
    :func:`load` then reports). A file that cannot be parsed is an error naming it when its
    text mentions logscan (its settings would otherwise be silently ignored), and is skipped
    otherwise (it is some other tool's business); one that cannot be read is skipped."""
    try:
        if path.stat().st_size > datafile.MAX_DATA_FILE:  # too large to look into: said, not guessed
            read_whole(path, ConfigError, "the configuration file")  # raises, naming the file
        data = path.read_bytes()
    except OSError:
        return False
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        if b"logscan" in data:
            read_toml(path, ConfigError, "the configuration file")  # raises, naming the file
        return False
    tool = doc.get("tool")
    return isinstance(tool, dict) and "logscan" in tool


def load(path: Path | None) -> Config:
    """Parse and validate a configuration file (``None``: no file, the defaults)."""
    if path is None:
        return Config()
    text, doc = read_toml(path, ConfigError, "the configuration file")
    lines = key_lines(text)
    prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        prefix = ("tool", "logscan")
        for depth in (1, 2):
            doc = doc.get(prefix[depth - 1], {})
            if not isinstance(doc, dict):
                key = prefix[:depth]
                message = f"{'.'.join(key)}: must be a table: put logscan's settings under [tool.logscan]"
                raise ConfigError(located(path, line_of(lines, key), message))
    return _parse(path, doc, lines, prefix)


def _parse(
    path: Path, doc: dict[str, object], lines: dict[tuple[str | int, ...], int], prefix: tuple[str, ...]
) -> Config:
    def fail(key: str | tuple[str, ...], message: str) -> ConfigError:
        where = (*prefix, *(key.split(".") if isinstance(key, str) else key))
        return ConfigError(located(path, line_of(lines, where), f"{'.'.join(where)}: {message}"))

    config = Config(path=path, prefix="".join(f"{p}." for p in prefix))
    base = path.parent
    top = {"patterns", "catalogue", "builtin_patterns", "engine", "scheduler", "check", "limits"}
    for key in doc:
        if key not in top:
            raise fail((key,), f"unknown key (known: {', '.join(sorted(top))})")
    config.patterns = [base / p for p in _strings(doc.get("patterns", []), "patterns", fail)]
    config.catalogue = [base / p for p in _strings(doc.get("catalogue", []), "catalogue", fail)]
    builtin = doc.get("builtin_patterns", True)
    if not isinstance(builtin, bool):
        raise fail("builtin_patterns", "must be true or false")
    config.builtin_patterns = builtin
    engine = doc.get("engine")
    if engine is not None and engine not in ENGINES:
        raise fail("engine", f"must be one of: {', '.join(ENGINES)} (got {engine!r})")
    config.engine = engine
    scheduler = doc.get("scheduler")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise fail("scheduler", 'must be the address of a Dask scheduler, such as "tcp://host:8786"')
    config.scheduler = scheduler
    check = doc.get("check", {})
    if not isinstance(check, dict):
        raise fail("check", "must be a table ([check])")
    known = {"fail_on", "allow", "max_total", "baseline", "tolerance", "allow_empty"}
    for key in check:
        if key not in known:
            raise fail(("check", key), f"unknown key (known in [check]: {', '.join(sorted(known))})")
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
    if isinstance(tolerance, int | float) and not isinstance(tolerance, bool):
        if not 0 <= tolerance <= sys.float_info.max:
            raise fail(
                "check.tolerance",
                f'must be a number of lines >= 0, or a percentage such as "20%" (got {tolerance!r})',
            )
        tolerance = format(Decimal(repr(tolerance)), "f")  # 2.5, 1e20: as --tolerance takes them
    elif tolerance is not None and not isinstance(tolerance, str):
        raise fail("check.tolerance", 'must be a number of lines or a percentage such as "20%"')
    config.check.tolerance = tolerance
    allow_empty = check.get("allow_empty", False)
    if not isinstance(allow_empty, bool):
        raise fail("check.allow_empty", "must be true or false")
    config.check.allow_empty = allow_empty
    config.lines = {
        k: line_of(lines, (*prefix, "check", k))
        for k in ("fail_on", "allow", "tolerance", "max_total", "allow_empty")
    }
    limits = doc.get("limits", {})
    if not isinstance(limits, dict):
        raise fail("limits", "must be a table ([limits])")
    known = {"max_expanded", "max_archive_expanded", "max_ratio", "max_depth"}
    for key in limits:
        if key not in known:
            raise fail(("limits", key), f"unknown key (known in [limits]: {', '.join(sorted(known))})")
    for key in ("max_expanded", "max_archive_expanded"):
        if key in limits:
            size = parse_size(limits[key])
            if size is None:
                raise fail(f"limits.{key}", 'must be a size such as "4GiB" or "500MB"')
            setattr(config.limits, key, size)
    if "max_ratio" in limits:
        ratio = limits["max_ratio"]
        if type(ratio) not in (int, float) or not 1 <= ratio <= sys.float_info.max:
            raise fail("limits.max_ratio", f"must be a finite number >= 1 (got {ratio!r})")
        config.limits.max_ratio = float(ratio)
    if "max_depth" in limits:
        depth = limits["max_depth"]
        if type(depth) is not int or depth < 0:
            raise fail("limits.max_depth", "must be a whole number >= 0")
        config.limits.max_depth = depth
    return config


def limits_of(config: Config) -> Limits:
    """The input limits a configuration asks for (defaults where it says nothing)."""
    from logscan.inputs import Limits

    base = Limits()
    c = config.limits
    return Limits(
        max_member_bytes=c.max_expanded or base.max_member_bytes,
        max_archive_bytes=c.max_archive_expanded or base.max_archive_bytes,
        max_ratio=c.max_ratio or base.max_ratio,
        max_depth=base.max_depth if c.max_depth is None else c.max_depth,
    )


def _strings(value: object, key: str, fail: Callable[[str, str], ConfigError]) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, "must be a list of strings")
    return list(value)


# --------------------------------------------------------------------------- logscan init

#: The name ``init`` writes by default (the first that :func:`logscan.config.discover` looks for).
FILENAME = "logscan.toml"

TEMPLATE = """\
# logscan configuration: found from the current folder upward (or given with --config).
# Paths are relative to this file. Lines starting with # are comments: uncomment to use.

# Extra pattern files (TOML, see `logscan patterns list`), added to the bundled ones.
# patterns = ["patterns/myapp.toml"]

# Extra catalogue files, adding to or overriding the bundled error codes
# (check them with `logscan catalogue check FILE`).
# catalogue = ["codes/myapp.toml"]

# Use the bundled patterns (Android, iOS, Web, ...). false: only the files in `patterns`.
builtin_patterns = true

# Where scans run: "local" (this machine's processes) or "dask" (a Dask cluster).
engine = "local"

# The Dask scheduler's address, for the dask engine; none: a cluster on this machine.
# scheduler = "tcp://scheduler:8786"

[check]
# `logscan check`: the rules that fail the gate (any, unknown, code=208, name=USER_REMOVED,
# category=server, kind=client-bug; add >N to fail only above N error lines).
fail_on = ["any"]

# Codes no rule counts (same syntax, no threshold).
allow = []

# Fail when there are more than this many error lines in all.
# max_total = 100

# A JSON report written earlier (`logscan report --format json`): fail only on codes new or grown.
# baseline = "ci/baseline.json"

# How much a code may grow over the baseline: lines (5) or a share ("20%").
# tolerance = "20%"

# Pass when there is nothing to scan (an empty folder, empty files, a glob matching nothing).
# false: that is an error (exit 2), so a forgotten log upload never goes green.
allow_empty = false

[limits]
# Bounds on what compressed files and archives may expand to (zip bombs).
# The largest a compressed file or archive member may expand to.
# max_expanded = "4GiB"

# The largest an archive may expand to in all.
# max_archive_expanded = "16GiB"

# The largest expansion ratio (expanded / compressed) accepted.
# max_ratio = 200

# How deep compressed layers and archives in archives are opened.
# max_depth = 2
"""


def write_config(path: Path, *, force: bool = False) -> Path:
    """Write :data:`TEMPLATE` to ``path`` (a folder: ``path/logscan.toml``) and return where.

    An existing file is kept (:class:`ConfigError`) unless ``force``; the file is written whole
    or not at all."""
    if path.is_dir():
        path = path / FILENAME
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: no such folder {path.parent}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(TEMPLATE, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write it: {exc.strerror or exc}") from None
    return path
