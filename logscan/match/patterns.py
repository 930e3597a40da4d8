"""Pattern files: read and validated (their samples are run by :mod:`logscan.match.samples`).

A pattern file is TOML with one ``[[pattern]]`` table per log shape::

    [[pattern]]
    name = "unity-code-desc"
    sdk = "native"            # or "web": which numbering the code is in
    platform = "unity"
    regex = '''failed,? (?:with )?code[=:](?P<code>-?\\d+),\\s*desc[=:](?P<description>.*)'''
    samples = [{ line = "DestroyThread failed, code:1400, desc:thread not exist", code = 1400 }]
    counter_samples = ["(Filename: ./Runtime/Export/Debug/Debug.bindings.h Line: 35)"]

Regexes run on polars' engine (Rust ``regex``): linear time, no look-around,
no back-references. Validation compiles each regex on that engine, so a
pattern that loads is a pattern that runs. Optional keys: ``exclude`` (a regex;
a line that matches it is never an event of this pattern) and ``note``.

Shared definitions, written once and used by name (grok's ``%{NAME}``)::

    [fragments.core-time]          # a piece of regex: %{core-time} in any regex
    regex = '''\\[\\d{4}/\\d\\d?/\\d\\d? [\\d:]+\\]'''
    samples = ["[2021/09/27 17:03:18:054]"]           # text it must match (optional)

    [excludes.sdk-traps]           # a named exclude: exclude = "@sdk-traps"
    regex = '''(?i)\\bhttp code\\b'''
    samples = ["http code: 413"]          # lines it must drop
    counter_samples = ["code: 402 desc: x, http status 413"]   # lines it must keep

A pattern's ``exclude`` is a regex, a ``"@name"``, or a list of them (any drops
the line). Definitions of every loaded file and of the bundled ``patterns/``
folder are one namespace per kind; references are expanded at load, so the scan runs
plain regexes. A top-level ``counter_samples`` lists lines no loaded pattern may
turn into an event; a sample may carry ``description`` (``""``: none).
"""

from __future__ import annotations

import contextlib
import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from re import _constants as _c  # type: ignore[attr-defined]  # the parser's own constants: typeshed has no stub
from typing import Any, cast

import polars as pl

from logscan import SDKS
from logscan.datafile import key_lines, line_of, read_toml
from logscan.errors import PatternError, located

#: Makes the located error of a problem's message (raised by the caller).
_Fail = Callable[[str], Exception]


@dataclass(frozen=True)
class Sample:
    line: str
    code: int
    description: str | None = None  # expected among all patterns; "" for none
    at: int = 0  # its line in the file (0: unknown)


@dataclass(frozen=True)
class Pattern:
    """One validated pattern."""

    name: str
    sdk: str
    platform: str
    regex: str
    source: str
    line: int
    samples: tuple[Sample, ...] = ()
    counter_samples: tuple[str, ...] = ()
    exclude: str | None = None
    has_description: bool = False
    note: str = ""
    exclude_names: tuple[str, ...] = ()  # the named excludes (``@name``) it uses
    counter_lines: tuple[int, ...] = ()  # each counter-sample's line in the file

    @property
    def label(self) -> str:
        return f"pattern {self.name!r}"


@dataclass(frozen=True)
class Definition:
    """A named regex of a pattern file: a fragment (``%{name}``) or an exclude (``@name``),
    its references expanded."""

    kind: str  # "fragments" or "excludes"
    name: str
    regex: str
    source: str
    line: int
    samples: tuple[str, ...] = ()
    counter_samples: tuple[str, ...] = ()
    sample_lines: tuple[int, ...] = ()
    counter_lines: tuple[int, ...] = ()
    note: str = ""

    @property
    def label(self) -> str:
        return f"{'fragment' if self.kind == 'fragments' else 'exclude'} {self.name!r}"


@dataclass(frozen=True)
class FileCounters:
    """A file's top-level ``counter_samples``: lines no loaded pattern may match."""

    source: str
    line: int
    lines: tuple[str, ...]
    at: tuple[int, ...] = ()
    name: str = "counter_samples"
    label: str = "the file's counter_samples"


@dataclass
class SampleFailure:
    pattern: Pattern | Definition | FileCounters
    line: str
    problem: str
    at: int = 0  # the sample's own line in its file (0: the owner's)


@dataclass
class PatternSet:
    """Patterns in priority order: where several match a line, the leftmost match wins, then
    the first listed. ``definitions`` and ``counters``: those of the files loaded."""

    patterns: list[Pattern] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    counters: list[FileCounters] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.patterns)

    def __iter__(self) -> Iterator[Pattern]:
        return iter(self.patterns)


def builtin_dir() -> Path:
    """The bundled ``patterns/`` folder (inside the wheel, or the source checkout)."""
    packaged = resources.files("logscan") / "patterns"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "patterns"


#: How the files of :func:`builtin_dir` are shown: ``bundled:android.toml``.
BUNDLED_PREFIX = "bundled:"


def shown_source(source: str) -> str:
    """A pattern's source file as shown to users: ``bundled:android.toml`` for a bundled file
    (where it is installed says nothing), else the path as given."""
    path = Path(source)
    with contextlib.suppress(OSError):
        if path.resolve().parent == builtin_dir().resolve():
            return BUNDLED_PREFIX + path.name
    return source


def pattern_files(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into ``*.toml`` pattern files, sorted per folder."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(path.glob("*.toml")))
        elif path.is_file():
            out.append(path)
        else:
            raise PatternError(f"{path}: no such pattern file or folder")
    # A file named twice (a folder and a file in it, the configuration and the command line)
    # is loaded once, as inputs are read once.
    unique: dict[Path, Path] = {}
    for path in out:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


def bundled_names_taken(patterns: Sequence[Pattern]) -> list[Pattern]:
    """The patterns of other files than the bundled ones that take a bundled pattern's name
    (loaded beside the bundled set, they would be refused)."""
    bundled_dir = builtin_dir().resolve()
    theirs = [p for p in patterns if Path(p.source).resolve().parent != bundled_dir]
    if not theirs:
        return []
    bundled = {p.name for path in pattern_files([bundled_dir]) for p in load_file(path)}
    return [p for p in theirs if p.name in bundled]


def check_unique(patterns: Sequence[Pattern]) -> None:
    """Refuse two patterns of one name (a name says which pattern matched)."""
    seen: dict[str, Pattern] = {}
    for pattern in patterns:
        first = seen.setdefault(pattern.name, pattern)
        if first is not pattern:
            raise PatternError(
                located(
                    Path(pattern.source),
                    pattern.line,
                    f"pattern {pattern.name!r}: name already used in {first.source}",
                )
            )


#: The keys a pattern file knows, per table (an unknown one is an error with a suggestion).
TOP_KEYS = ("pattern", "fragments", "excludes", "counter_samples")
PATTERN_KEYS = ("name", "sdk", "platform", "regex", "exclude", "samples", "counter_samples", "note")
DEFINITION_KEYS = ("regex", "samples", "counter_samples", "note")
SAMPLE_KEYS = ("line", "code", "description")

#: A reference to a fragment in a regex: ``%{name}`` (a name starts with a letter, so the
#: repetition ``%{3}`` stays one). A literal ``%{`` is written ``%\\{``.
_REFERENCE = re.compile(r"%\{([A-Za-z][A-Za-z0-9_.-]*)\}")
_EXCLUDE_NAME = re.compile(r"@([A-Za-z][A-Za-z0-9_.-]*)")
_DEFINITION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_LEADING_FLAGS = re.compile(r"\(\?([a-zA-Z]+)\)")


def _unknown_key(key: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return f"unknown key {key!r} ({hint})"


@dataclass
class _File:
    path: Path
    text: str
    doc: dict[str, object]
    lines: dict[tuple[str | int, ...], int]

    def at(self, *key: str | int) -> int:
        return line_of(self.lines, key)


def _read(path: Path) -> _File:
    text, doc = read_toml(path, PatternError, "pattern file")
    file = _File(path, text, doc, key_lines(text))
    for key in doc:
        if key not in TOP_KEYS:
            raise PatternError(
                located(path, file.at(key), f"{_unknown_key(key, TOP_KEYS)}; a pattern file holds "
                        "[[pattern]] "
                        "tables, [fragments.NAME] and [excludes.NAME] definitions and counter_samples")
            )  # fmt: skip
    tables = doc.get("pattern", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise PatternError(f"{path}: 'pattern' must be an array of tables ([[pattern]])")
    return file


def _item_lines(file: _File, key: tuple[str | int, ...], items: Sequence[object]) -> tuple[int, ...]:
    """The line of each item of the array at ``key`` (one item per line, as the bundled files
    write them), else the array's own line."""
    start = file.at(*key)
    fallback = tuple(start for _ in items)
    if not start or not items:
        return fallback
    source = file.text.splitlines()
    found: list[int] = []
    number = start - 1
    for item in items:
        while number < len(source):
            text = source[number].strip()
            if "=" in text and number == start - 1:
                text = text.split("=", 1)[1].strip().removeprefix("[").strip()
            text = text.removesuffix("]").strip().removesuffix(",").strip()
            number += 1
            if not text:
                continue
            try:
                value = tomllib.loads(f"v = {text}")["v"]
            except tomllib.TOMLDecodeError:
                continue
            if value == item:
                found.append(number)
                break
        else:
            return fallback
    return tuple(found)


def _strings(file: _File, key: tuple[str | int, ...], value: object, fail: _Fail) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise fail(f"'{key[-1]}' must be a list of strings")
    return tuple(value)


class Definitions:
    """The fragments and excludes of the loaded files (and the bundled ones), expanded on
    first use; a name defined twice, an unknown name or a cycle is a located error."""

    def __init__(self, files: Sequence[_File]) -> None:
        self.raw: dict[tuple[str, str], tuple[_File, dict[str, object]]] = {}
        problems: list[str] = []
        for file in files:
            for kind in ("fragments", "excludes"):
                tables = file.doc.get(kind, {})
                if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
                    problems.append(
                        located(
                            file.path, file.at(kind), f"'{kind}' must be tables: [{kind}.NAME] with a regex"
                        )
                    )
                    continue
                for name, table in tables.items():
                    where = located(file.path, file.at(kind, name), f"{kind[:-1]} {name!r}")
                    if not _DEFINITION_NAME.fullmatch(name):
                        problems.append(
                            f"{where}: a name starts with a letter, then letters, digits, '-', '_', '.'"
                        )
                        continue
                    first = self.raw.setdefault((kind, name), (file, table))
                    if first[0] is not file:
                        problems.append(
                            f"{where}: name already defined in {first[0].path}:{first[0].at(kind, name)}"
                        )
        if problems:
            raise PatternError("\n".join(problems))
        self.done: dict[tuple[str, str], Definition] = {}

    def names(self, kind: str) -> list[str]:
        return sorted(name for k, name in self.raw if k == kind)

    def get(self, kind: str, name: str, fail: _Fail, stack: tuple[str, ...] = ()) -> Definition:
        """The definition ``name`` of ``kind``, expanded (``fail(message)`` makes the error of
        the place that refers to it)."""
        if (kind, name) not in self.raw:
            what = "fragment" if kind == "fragments" else "exclude"
            close = difflib.get_close_matches(name, self.names(kind), n=1)
            other = "excludes" if kind == "fragments" else "fragments"
            if (other, name) in self.raw:
                hint = f'it is an exclude: write exclude = "@{name}"' if kind == "fragments" else ""
                hint = hint or f"it is a fragment: write %{{{name}}}"
            elif close:
                hint = f"did you mean {close[0]!r}?"
            else:
                hint = f"define it as [{kind}.{name}] in a pattern file"
            raise fail(f"unknown {what} {name!r} ({hint})")
        if (kind, name) in self.done:
            return self.done[(kind, name)]
        if name in stack and kind == "fragments":
            raise fail(
                "fragments refer to each other in a cycle: "
                + " -> ".join((*stack[stack.index(name) :], name))
            )
        file, table = self.raw[(kind, name)]
        label = f"{'fragment' if kind == 'fragments' else 'exclude'} {name!r}"
        key = (kind, name)

        def own(message: str, *sub: str) -> PatternError:
            return PatternError(located(file.path, file.at(*key, *sub), f"{label}: {message}"))

        for k in table:
            if k not in DEFINITION_KEYS:
                raise own(_unknown_key(k, DEFINITION_KEYS), k)
        regex = table.get("regex")
        if not isinstance(regex, str) or not regex:
            raise own("'regex' must be a non-empty string", "regex")
        inner = (*stack, name) if kind == "fragments" else stack
        expanded = expand(regex, self, lambda m: own(m, "regex"), inner)
        engine_groups(expanded, lambda m: own(m, "regex"), empty_ok=kind == "fragments")
        samples = _strings(file, (*key, "samples"), table.get("samples", []), lambda m: own(m, "samples"))
        counters = _strings(
            file,
            (*key, "counter_samples"),
            table.get("counter_samples", []),
            lambda m: own(m, "counter_samples"),
        )
        definition = Definition(
            kind=kind, name=name, regex=expanded, source=str(file.path), line=file.at(*key),
            samples=samples, counter_samples=counters,
            sample_lines=_item_lines(file, (*key, "samples"), samples),
            counter_lines=_item_lines(file, (*key, "counter_samples"), counters),
            note=str(table.get("note", "")),
        )  # fmt: skip
        self.done[(kind, name)] = definition
        return definition

    def of(self, files: Sequence[_File]) -> list[Definition]:
        """The definitions written in ``files``, validated, in file order."""
        paths = {id(f) for f in files}
        out = []
        for (kind, name), (file, _) in self.raw.items():
            if id(file) in paths:
                out.append(self.get(kind, name, lambda m: PatternError(m)))
        return out


def _grouped(regex: str) -> str:
    """``regex`` as one group, to sit inside another regex: a leading ``(?i)`` scopes to it."""
    if m := _LEADING_FLAGS.match(regex):
        return f"(?{m.group(1)}:{regex[m.end() :]})"
    return f"(?:{regex})"


def expand(regex: str, definitions: Definitions, fail: _Fail, stack: tuple[str, ...] = ()) -> str:
    """``regex`` with each ``%{name}`` replaced by its fragment (a group of its own; the whole
    regex, a lone reference, is the fragment's text as it is)."""
    whole = _REFERENCE.fullmatch(regex)
    if whole:
        return definitions.get("fragments", whole.group(1), fail, stack).regex
    return _REFERENCE.sub(
        lambda m: _grouped(definitions.get("fragments", m.group(1), fail, stack).regex), regex
    )


_BUNDLED_DEFINITIONS: list[_File] | None = None


def _bundled_files() -> list[_File]:
    """The bundled files that hold definitions (read once)."""
    global _BUNDLED_DEFINITIONS
    if _BUNDLED_DEFINITIONS is None:
        files = [_read(path) for path in pattern_files([builtin_dir()])]
        _BUNDLED_DEFINITIONS = [f for f in files if "fragments" in f.doc or "excludes" in f.doc]
    return _BUNDLED_DEFINITIONS


def load_files(paths: Sequence[Path]) -> PatternSet:
    """The patterns, definitions and file counter-samples of ``paths`` (validated); references
    may name the definitions of any of them and of the bundled files."""
    files = [_read(path) for path in paths]
    mine = {f.path.resolve() for f in files}
    bundled = [f for f in _bundled_files() if f.path.resolve() not in mine]
    definitions = Definitions([*bundled, *files])  # a user file's name taken is the duplicate
    problems: list[str] = []
    patterns: list[Pattern] = []
    for file in files:
        tables = cast("list[dict[str, object]]", file.doc.get("pattern", []))  # as _read checked
        for index, table in enumerate(tables):
            try:
                patterns.append(_build(file, index, table, definitions))
            except PatternError as exc:
                problems.append(str(exc))
    if problems:
        raise PatternError("\n".join(problems))
    counters = []
    for file in files:
        if "counter_samples" in file.doc:
            at = file.at("counter_samples")
            if not isinstance(file.doc["counter_samples"], list) or not all(
                isinstance(c, str) for c in file.doc["counter_samples"]
            ):
                raise PatternError(located(file.path, at, "'counter_samples' must be a list of strings"))
            lines = tuple(file.doc["counter_samples"])
            where = _item_lines(file, ("counter_samples",), lines)
            counters.append(FileCounters(str(file.path), at, lines, where))
    return PatternSet(patterns, definitions.of(files), counters)


def load_file(path: Path) -> list[Pattern]:
    """Parse and validate one pattern file; raise :class:`PatternError` on any problem."""
    return load_files([path]).patterns


def _build(file: _File, index: int, table: dict[str, object], definitions: Definitions) -> Pattern:
    path = file.path
    line = file.at("pattern", index, "name")  # the line of its name, else of its [[pattern]] header
    name = table.get("name")
    label = f"pattern {name!r}" if isinstance(name, str) and name else f"pattern #{index + 1}"

    def fail(message: str, key: str | None = None) -> PatternError:
        at = file.at("pattern", index, key) if key else line
        return PatternError(located(path, at, f"{label}: {message}"))

    for key in table:
        if key not in PATTERN_KEYS:
            raise fail(_unknown_key(key, PATTERN_KEYS), key)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.:-]+", name):
        raise fail("'name' must be a non-empty string of letters, digits, '-', '_', '.', ':'")
    sdk = table.get("sdk")
    if sdk not in SDKS:
        raise fail(f"'sdk' must be one of {', '.join(SDKS)} (got {sdk!r})")
    platform = table.get("platform", "")
    if not isinstance(platform, str):
        raise fail("'platform' must be a string")
    regex = table.get("regex")
    if not isinstance(regex, str) or not regex:
        raise fail("'regex' must be a non-empty string")
    regex = expand(regex, definitions, lambda m: fail(m, "regex"))
    groups = engine_groups(regex, fail)
    if "code" not in groups:
        raise fail("the regex has no named group 'code' (write (?P<code>-?\\d+))")
    if not code_is_a_number(regex):
        raise fail(
            "the group 'code' can capture other characters than an optional '-' and digits, which are "
            "no code (write (?P<code>-?\\d+))"
        )
    exclude, names = _exclude(table.get("exclude"), definitions, fail, lambda m: fail(m, "exclude"))
    samples = []
    raw_samples = table.get("samples", [])
    if not isinstance(raw_samples, list):
        raise fail("'samples' must be a list of { line = \"...\", code = N }", "samples")
    where = _item_lines(file, ("pattern", index, "samples"), raw_samples)
    for item, at in zip(raw_samples, where, strict=True):
        if isinstance(item, dict):
            for key in item:
                if key not in SAMPLE_KEYS:
                    raise PatternError(
                        located(path, at, f"{label}: sample: {_unknown_key(key, SAMPLE_KEYS)}")
                    )
        if not (
            isinstance(item, dict) and isinstance(item.get("line"), str) and type(item.get("code")) is int
        ):
            raise PatternError(located(
                path, at, f"{label}: each sample needs a string 'line' and an integer 'code' (got {item!r})"
            ))  # fmt: skip
        description = item.get("description")
        if description is not None and not isinstance(description, str):
            raise PatternError(located(path, at, f"{label}: a sample's 'description' must be a string"))
        samples.append(Sample(item["line"], item["code"], description, at))
    counters = _strings(
        file, ("pattern", index, "counter_samples"), table.get("counter_samples", []),
        lambda m: fail(m, "counter_samples"),
    )  # fmt: skip
    note = table.get("note", "")
    return Pattern(
        name=name,
        sdk=str(sdk),
        platform=platform,
        regex=regex,
        source=str(path),
        line=line,
        samples=tuple(samples),
        counter_samples=counters,
        exclude=exclude,
        has_description="description" in groups,
        note=str(note),
        exclude_names=names,
        counter_lines=_item_lines(file, ("pattern", index, "counter_samples"), counters),
    )


def _exclude(
    value: object, definitions: Definitions, fail: _Fail, at_key: _Fail
) -> tuple[str | None, tuple[str, ...]]:
    """A pattern's ``exclude``: a regex, ``"@name"`` or a list of them, as one regex (a single
    one as written), and the names it uses. ``at_key`` makes the errors of references (at the
    key's line), ``fail`` the others (at the pattern's)."""
    if value is None:
        return None, ()
    items = value if isinstance(value, list) else [value]
    strings = [i for i in items if isinstance(i, str) and i]
    if not items or len(strings) != len(items):
        raise fail("'exclude' must be a regex, \"@name\" of a named exclude, or a list of them")
    regexes: list[str] = []
    names: list[str] = []
    for item in strings:
        if m := _EXCLUDE_NAME.fullmatch(item):
            names.append(m.group(1))
            regexes.append(definitions.get("excludes", m.group(1), at_key).regex)
        else:
            regex = expand(item, definitions, at_key)
            engine_groups(regex, lambda m: fail(f"exclude: {m}"))
            regexes.append(regex)
    combined = regexes[0] if len(regexes) == 1 else "|".join(_grouped(r) for r in regexes)
    return combined, tuple(names)


def engine_groups(regex: str, fail: Callable[[str], Exception], *, empty_ok: bool = False) -> list[str]:
    """Compile ``regex`` on the scan engine; return its named groups or raise via ``fail``
    (``empty_ok``: a regex that matches an empty line is no error, as a fragment's may)."""
    from logscan.match.dialect import for_engine

    line = pl.Series("line", [""], dtype=pl.String)
    try:
        series = line.str.extract_groups(regex)
    except pl.exceptions.PolarsError as exc:
        raise fail(f"regex does not compile: {_regex_error(str(exc))}") from None
    try:  # the form the engine runs (ASCII classes) must compile too
        line.str.extract_groups(for_engine(regex))
    except pl.exceptions.PolarsError as exc:
        raise fail(f"regex does not compile with ASCII classes: {_regex_error(str(exc))}") from None
    if (
        not empty_ok and line.str.contains(regex).item()
    ):  # e.g. (?P<code>\d*): an empty code would win every line
        raise fail("it matches an empty line, so it matches every line (every part of it is optional)")
    dtype = series.dtype
    return [f.name for f in dtype.fields] if isinstance(dtype, pl.Struct) else []


def code_is_a_number(regex: str) -> bool:
    """Whether the ``code`` group of ``regex`` captures an optional '-' and digits only (a match
    of anything else would not read as a code). A regex Python's parser cannot read as the
    engine does (see :func:`logscan.match.literals.parse`) is given the benefit of the doubt."""
    from logscan.match import literals

    # The engine's (?<name>...) is Python's (?P<name>...).
    parsed = literals.parse(re.sub(r"(?<!\\)((?:\\\\)*)\(\?<([A-Za-z_]\w*)>", r"\1(?P<\2>", regex))
    number = parsed.state.groupdict.get("code") if parsed is not None else None
    group = _group(list(parsed), number) if number is not None else None
    if group is None:
        return True
    try:
        return _signed_digits(group)
    except _Unknown:
        return True


class _Unknown(Exception):
    """A construct the code group's analysis does not know."""


_DIGITS = frozenset("0123456789")


def _group(items: list[Any], number: int) -> list[Any] | None:
    """The parsed items of capturing group ``number``, wherever it is nested."""
    for op, av in items:
        if op is _c.SUBPATTERN:
            if av[0] == number:
                return list(av[3])
            found = _group(list(av[3]), number)
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            found = _group(list(av[2]), number)
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            found = _group(list(av), number)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _group(list(av[1]), number)
        elif op is _c.BRANCH:
            found = next((g for alt in av[1] if (g := _group(list(alt), number)) is not None), None)
        else:
            continue
        if found is not None:
            return found
    return None


def _signed_digits(items: list[Any]) -> bool:
    """Whether a sequence matches only an optional '-' then digits."""
    if len(items) == 1 and items[0][0] is _c.BRANCH:
        return all(_signed_digits(list(alt)) for alt in items[0][1][1])
    if len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        return _signed_digits(list(items[0][1][3]))
    start = 1 if items and _only(items[0], frozenset("-")) else 0
    return all(_only(item, _DIGITS) for item in items[start:])


def _only(item: tuple[Any, Any], chars: frozenset[str]) -> bool:
    """Whether a parsed item matches only characters of ``chars`` (zero-width ones: true)."""
    op, av = item
    if op is _c.LITERAL:
        return chr(av) in chars
    if op is _c.IN:
        return all(_in_only(kind, value, chars) for kind, value in av)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
        return all(_only(sub, chars) for sub in av[2])
    if op is _c.SUBPATTERN:
        return all(_only(sub, chars) for sub in av[3])
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return all(_only(sub, chars) for sub in av)
    if op is _c.BRANCH:
        return all(_only(sub, chars) for alt in av[1] for sub in alt)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return True
    if op in (_c.ANY, _c.NOT_LITERAL):
        return False
    raise _Unknown(op)


def _in_only(kind: object, value: Any, chars: frozenset[str]) -> bool:
    """Whether one item of a character class ``[...]`` matches only characters of ``chars``."""
    if kind is _c.LITERAL:
        return chr(value) in chars
    if kind is _c.RANGE:
        low, high = value
        return high - low < len(chars) and all(chr(n) in chars for n in range(low, high + 1))
    if kind is _c.CATEGORY:
        return value is _c.CATEGORY_DIGIT and chars == _DIGITS
    if kind is _c.NEGATE:
        return False
    raise _Unknown(kind)


def _regex_error(message: str) -> str:
    """Turn the engine's multi-line regex error into one line with the column."""
    lines = message.splitlines()
    error = next((ln.split("error:", 1)[1].strip() for ln in lines if ln.strip().startswith("error:")), "")
    caret = next((ln for ln in lines if ln.strip() and set(ln.strip()) <= {"^"}), None)
    where = f" at column {len(caret) - len(caret.lstrip()) - 3}" if caret else ""
    return (error or lines[0].strip()) + where
