"""The error-code catalogue: load, validate, look up, and join onto events.

The catalogue is data (``logscan/data/catalogue.toml``), one ``[[entry]]`` per
(sdk, code). Users may add files of the same format; a later file overrides
an earlier entry with the same (sdk, code), and the entry remembers its
``origin``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from logscan import SDKS
from logscan.datafile import key_lines, line_of, read_toml
from logscan.decode import links
from logscan.errors import CatalogueError, UnknownName, did_you_mean, located

if TYPE_CHECKING:
    import polars as pl

CATEGORIES = (
    "general", "app", "request", "connection", "user", "server", "file", "message", "group",
    "chatroom", "call", "user-attributes", "translation", "contact", "presence", "moderation",
    "reaction", "thread", "conversation", "database", "push",
)  # fmt: skip
KINDS = (
    "ok", "transient", "client-bug", "auth", "session", "limit", "permission", "configuration",
    "not-found", "server", "unknown",
)  # fmt: skip
UNKNOWN = "unknown"
UNKNOWN_CAUSE = (
    "This code is not in the catalogue. Agora recommends contacting support@agora.io "
    "so that the technical support team can help resolve the issue; if it is your app's own "
    "code, add it with --catalogue."
)
#: A code as a query: ``208``, ``web/16``, ``native:208``.
_CODE_QUERY = re.compile(r"(?:(native|web)[/:])?(-?\d+)", re.I)
_REQUIRED = {
    "sdk": str,
    "code": int,
    "name": str,
    "category": str,
    "kind": str,
    "description": str,
    "cause": str,
}
_OPTIONAL: dict[str, tuple[type, object]] = {
    "aliases": (list, []),
    "cause_source": (str, "vendor"),
    "message_zh": (str, ""),
    "source": (str, "user"),
    "deprecated": (bool, False),
    "notes": (str, ""),
}


def names_match(wanted: str, names: Iterable[str | None]) -> bool:
    """Whether ``wanted`` is one of ``names`` (a code's name and aliases), in any case."""
    key = wanted.strip().upper()
    return any(key == name.upper() for name in names if name)


@dataclass(frozen=True)
class Entry:
    sdk: str
    code: int
    name: str
    category: str
    kind: str
    description: str
    cause: str
    aliases: tuple[str, ...] = ()
    cause_source: str = "vendor"
    message_zh: str = ""
    source: str = "vendor-page"
    deprecated: bool = False
    notes: str = ""
    origin: str = "builtin"

    @property
    def key(self) -> str:
        return f"{self.sdk}/{self.code}"

    def is_named(self, name: str) -> bool:
        """Whether ``name`` is this entry's name or an alias, in any case."""
        return names_match(name, (self.name, *self.aliases))

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["aliases"] = list(self.aliases)
        return data


@dataclass
class Catalogue:
    entries: list[Entry] = field(default_factory=list)
    #: (sdk, code) -> origin of the entry it replaced, for overrides.
    overridden: dict[tuple[str, int], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._index = {(e.sdk, e.code): e for e in self.entries}
        self._frame: pl.DataFrame | None = None

    def get(self, sdk: str, code: int) -> Entry | None:
        return self._index.get((sdk, code))

    def frame(self) -> pl.DataFrame:
        """The catalogue as a frame, one row per entry (the join side of enrichment); built once
        (exports and ``watch`` enrich every block: ~20 ms each to build it)."""
        if self._frame is None:
            self._frame = self._build_frame()
        return self._frame

    def _build_frame(self) -> pl.DataFrame:
        import polars as pl  # imported here: `explain` and `codes` do without it (start-up time)

        rows = [e.to_dict() for e in self.entries]
        schema: dict[str, pl.DataType | type[pl.DataType]] = {
            "sdk": pl.String, "code": pl.Int64, "name": pl.String, "category": pl.String,
            "kind": pl.String, "description": pl.String, "cause": pl.String,
            "aliases": pl.List(pl.String), "cause_source": pl.String, "message_zh": pl.String,
            "source": pl.String, "deprecated": pl.Boolean, "notes": pl.String, "origin": pl.String,
        }  # fmt: skip
        return pl.DataFrame(rows, schema=schema)

    def is_key(self, query: str) -> bool:
        """Whether ``query`` is a code (``208``, ``web/16``) or a name or alias, not words."""
        q = query.strip()
        return bool(_CODE_QUERY.fullmatch(q)) or any(e.is_named(q) for e in self.entries)

    def codes_of(self, query: str, *, sdks: Sequence[str] = ()) -> list[tuple[str, int]]:
        """The (sdk, code) pairs ``query`` names: ``208`` (that number in each family, or in
        ``sdks``), ``native/208``, ``web/16``, or a name or alias (``USER_REMOVED``, any case).
        A name the catalogue does not have raises :class:`UnknownName` with the nearest one."""
        families = tuple(sdks) or SDKS
        m = _CODE_QUERY.fullmatch(query.strip())
        if m:
            family, code = m.group(1), int(m.group(2))
            return [(family.lower(), code)] if family else [(f, code) for f in families]
        found = [(e.sdk, e.code) for e in self.entries if e.sdk in families and e.is_named(query)]
        if not found:
            near = self.nearest_name(query)
            raise UnknownName(f"no code is named {query!r}{near or '; logscan codes lists the names'}")
        return list(dict.fromkeys(found))

    def nearest_name(self, query: str) -> str:
        """``"; did you mean X?"`` for the code name nearest ``query`` (a misspelt name), or ``""``."""
        if not re.fullmatch(r"[A-Za-z_][\w-]*", query.strip()) or self.is_key(query):
            return ""
        names = [name.upper() for e in self.entries for name in (e.name, *e.aliases)]
        return did_you_mean(query.strip().upper(), names, fold=False)

    def search(self, query: str, *, sdk: str | None = None) -> list[Entry]:
        """Entries matching a code (``208``, ``web/16``), a name or alias, or words of text."""
        q = query.strip()
        pool = [e for e in self.entries if sdk is None or e.sdk == sdk]
        m = _CODE_QUERY.fullmatch(q)
        if m:
            family, code = m.group(1), int(m.group(2))
            return [e for e in pool if e.code == code and (family is None or e.sdk == family.lower())]
        exact = [e for e in pool if e.is_named(q)]
        if exact:
            return exact
        words = [w.lower() for w in re.findall(r"\w+", q)]
        if not words:
            return []

        def haystack(e: Entry) -> str:
            return " ".join([e.name, *e.aliases, e.description, e.cause, e.notes]).lower().replace("_", " ")

        return [e for e in pool if all(w in haystack(e) for w in words)]


def builtin_path() -> Path:
    return Path(str(resources.files("logscan") / "data" / "catalogue.toml"))


def load_catalogue(extra: Sequence[Path] = ()) -> Catalogue:
    """The bundled catalogue, then each of ``extra`` overriding by (sdk, code)."""
    entries: dict[tuple[str, int], Entry] = {}
    overridden: dict[tuple[str, int], str] = {}
    for index, path in enumerate([builtin_path(), *extra]):
        origin = "builtin" if index == 0 else str(path)
        for entry in load_file(path, origin=origin):
            key = (entry.sdk, entry.code)
            if key in entries:
                overridden[key] = entries[key].origin
            entries[key] = entry
    ordered = sorted(entries.values(), key=lambda e: (SDKS.index(e.sdk), e.code))
    return Catalogue(ordered, overridden)


def load_file(path: Path, *, origin: str = "builtin") -> list[Entry]:
    """Parse and validate one catalogue file; every problem is reported with file:line."""
    text, doc = read_toml(path, CatalogueError, "catalogue file")
    tables = doc.get("entry")
    if set(doc) - {"entry"} or not isinstance(tables, list):
        raise CatalogueError(f"{path}: expected only [[entry]] tables")
    problems: list[tuple[int, str, int | None]] = []  # (entry index, message, index of the first)
    entries: list[Entry] = []
    seen: dict[tuple[str, int], int] = {}
    for index, table in enumerate(tables):
        try:
            entry = _entry(table, origin)
        except _EntryProblems as exc:
            problems.extend((index, f"entry #{index + 1}: {m}", None) for m in exc.problems)
            continue
        key = (entry.sdk, entry.code)
        if key in seen:
            problems.append((index, f"duplicate entry {entry.key}", seen[key]))
            continue
        seen[key] = index
        entries.append(entry)
    if problems:  # lines are looked up only now: the catalogue is loaded at every start-up
        lines = key_lines(text)

        def line(index: int) -> int:
            return line_of(lines, ("entry", index))

        raise CatalogueError(
            "\n".join(
                located(
                    path, line(i), message if first is None else f"{message} (first at line {line(first)})"
                )
                for i, message, first in problems
            )
        )
    return entries


_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}


class _EntryProblems(ValueError):
    """Every problem of one ``[[entry]]`` table."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class FileCheck:
    """What ``catalogue check`` found in one file: its entries, or every problem (file:line)."""

    path: Path
    entries: int = 0
    problems: tuple[str, ...] = ()
    #: There is no such file (an input error, not a finding).
    unreadable: bool = False


def check_files(paths: Sequence[Path]) -> list[FileCheck]:
    """Validate every catalogue file of ``paths``, each to its end: one run names every problem
    of every file (a file that cannot be read does not stop the others)."""
    checks = []
    for path in paths:
        if not path.is_file():
            why = "is a folder" if path.is_dir() else "no such file"
            checks.append(FileCheck(path, problems=(f"{path}: {why}",), unreadable=True))
            continue
        try:
            entries = load_file(path, origin=str(path))
        except CatalogueError as exc:
            checks.append(FileCheck(path, problems=tuple(str(exc).splitlines())))
            continue
        checks.append(FileCheck(path, entries=len(entries)))
    return checks


def _entry(table: object, origin: str) -> Entry:
    """The entry ``table`` describes; :class:`_EntryProblems` names all that is wrong with it."""
    if not isinstance(table, dict):
        raise _EntryProblems(["not a table"])
    problems: list[str] = []
    values: dict[str, object] = {}
    for key, kind in _REQUIRED.items():
        value = table.get(key)
        if value is None:
            problems.append(f"missing required key {key!r}")
        elif type(value) is not kind:
            problems.append(f"{key!r} must be {_TYPE_NAMES.get(kind, kind.__name__)} (got {value!r})")
        else:
            values[key] = value
    for key, (kind, default) in _OPTIONAL.items():
        value = table.get(key, default)
        if type(value) is not kind:
            problems.append(f"{key!r} must be {_TYPE_NAMES.get(kind, kind.__name__)} (got {value!r})")
        else:
            values[key] = value
    for key in sorted(set(table) - set(_REQUIRED) - set(_OPTIONAL)):
        problems.append(f"unknown key {key!r}")
    if "code" in values and not -(2**63) <= values["code"] < 2**63:  # type: ignore[operator]  # an int: checked above
        problems.append(f"'code' must be a 64-bit integer, as codes in logs are (got {values['code']})")
    if "sdk" in values and values["sdk"] not in SDKS:
        problems.append(f"'sdk' must be one of {', '.join(SDKS)} (got {values['sdk']!r})")
    if "category" in values and values["category"] not in CATEGORIES:
        problems.append(f"unknown category {values['category']!r} (one of {', '.join(CATEGORIES)})")
    if "kind" in values and values["kind"] not in KINDS:
        problems.append(f"unknown kind {values['kind']!r} (one of {', '.join(KINDS)})")
    aliases = values.pop("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        problems.append("'aliases' must be a list of strings")
    if problems:
        raise _EntryProblems(problems)
    for key in ("description", "cause"):  # links a reader cannot open: public ones, or text
        if isinstance(values.get(key), str):
            values[key] = links.publicized(str(values[key]))
    return Entry(aliases=tuple(aliases), origin=origin, **values)  # type: ignore[arg-type]  # types checked above


def enrich(frame: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Join catalogue fields onto a frame with ``sdk`` and ``code``; unknown codes are kept."""
    import polars as pl

    cat = catalogue.frame().select(
        "sdk", "code", "name", "category", "kind",
        pl.col("description").alias("meaning"), "cause", "aliases", "deprecated", "source",
    )  # fmt: skip
    return frame.join(cat, on=["sdk", "code"], how="left", coalesce=True).with_columns(
        pl.col("category").fill_null(UNKNOWN),
        pl.col("kind").fill_null(UNKNOWN),
        pl.col("cause").fill_null(UNKNOWN_CAUSE),
        pl.col("deprecated").fill_null(False),
        pl.col("source").fill_null(UNKNOWN),
    )
