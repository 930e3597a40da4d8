"""Pattern files: load, validate, and check their samples.

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
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from re import _constants as _c  # type: ignore[attr-defined]  # private, not in typeshed
from typing import Any

import polars as pl

from logscan import SDKS
from logscan.datafile import key_lines, line_of, read_toml
from logscan.errors import PatternError, located


@dataclass(frozen=True)
class Sample:
    line: str
    code: int


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


@dataclass
class SampleFailure:
    pattern: Pattern
    line: str
    problem: str


@dataclass
class PatternSet:
    """Patterns in priority order: where several match a line, the leftmost match wins, then
    the first listed."""

    patterns: list[Pattern] = field(default_factory=list)

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


def load_patterns(
    extra: Sequence[Path] = (), *, builtin: bool = True, check_samples: bool | None = None
) -> PatternSet:
    """Load the bundled patterns (unless ``builtin`` is false) and then ``extra`` ones.

    The samples and counter-samples of the ``extra`` files are run at load
    (``check_samples=None``; the bundled ones are run by the test suite):
    a sample that fails is a load error. ``True`` runs every pattern's.
    """
    files = pattern_files(([builtin_dir()] if builtin else []) + list(extra))
    patterns = [pattern for path in files for pattern in load_file(path)]
    check_unique(patterns)
    if not patterns:
        raise PatternError(
            "no patterns loaded: the bundled patterns are off (--no-builtin-patterns, or builtin_patterns = "
            "false in the configuration): give --patterns FILE (or patterns = [...]) or turn them back on"
        )
    result = PatternSet(patterns)
    user = {str(p) for p in pattern_files(list(extra))}
    to_check = (
        patterns
        if check_samples
        else [p for p in patterns if p.source in user]
        if check_samples is None
        else []
    )
    if to_check:
        failures = run_samples(PatternSet(to_check))
        if failures:
            raise PatternError("\n".join(describe_failure(f) for f in failures))
    return result


def load_file(path: Path) -> list[Pattern]:
    """Parse and validate one pattern file; raise :class:`PatternError` on any problem."""
    text, doc = read_toml(path, PatternError, "pattern file")
    lines = key_lines(text)
    unknown = set(doc) - {"pattern"}
    if unknown:
        key = sorted(unknown)[0]
        raise PatternError(
            located(
                path, line_of(lines, (key,)), f"unknown top-level key {key!r}; expected [[pattern]] tables"
            )
        )
    tables = doc.get("pattern", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise PatternError(f"{path}: 'pattern' must be an array of tables ([[pattern]])")
    problems: list[str] = []
    out: list[Pattern] = []
    for index, table in enumerate(tables):
        try:
            # The line of its name, else of its [[pattern]] header.
            out.append(_build(path, line_of(lines, ("pattern", index, "name")), index, table))
        except PatternError as exc:
            problems.append(str(exc))
    if problems:
        raise PatternError("\n".join(problems))
    return out


def _build(path: Path, line: int, index: int, table: dict[str, object]) -> Pattern:
    name = table.get("name")
    label = f"pattern {name!r}" if isinstance(name, str) and name else f"pattern #{index + 1}"

    def fail(message: str) -> PatternError:
        return PatternError(located(path, line, f"{label}: {message}"))

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
    groups = engine_groups(regex, fail)
    if "code" not in groups:
        raise fail("the regex has no named group 'code' (write (?P<code>-?\\d+))")
    if not code_is_a_number(regex):
        raise fail(
            "the group 'code' can capture other characters than an optional '-' and digits, which are "
            "no code (write (?P<code>-?\\d+))"
        )
    exclude = table.get("exclude")
    if exclude is not None:
        if not isinstance(exclude, str) or not exclude:
            raise fail("'exclude' must be a non-empty regex string")
        engine_groups(exclude, lambda m: fail(f"exclude: {m}"))
    samples = []
    raw_samples = table.get("samples", [])
    if not isinstance(raw_samples, list):
        raise fail("'samples' must be a list of { line = \"...\", code = N }")
    for item in raw_samples:
        if not (
            isinstance(item, dict) and isinstance(item.get("line"), str) and type(item.get("code")) is int
        ):
            raise fail(f"each sample needs a string 'line' and an integer 'code' (got {item!r})")
        samples.append(Sample(item["line"], item["code"]))
    counters = table.get("counter_samples", [])
    if not isinstance(counters, list) or not all(isinstance(c, str) for c in counters):
        raise fail("'counter_samples' must be a list of strings")
    note = table.get("note", "")
    return Pattern(
        name=name,
        sdk=str(sdk),
        platform=platform,
        regex=regex,
        source=str(path),
        line=line,
        samples=tuple(samples),
        counter_samples=tuple(counters),
        exclude=exclude,
        has_description="description" in groups,
        note=str(note),
    )


def engine_groups(regex: str, fail: Callable[[str], Exception]) -> list[str]:
    """Compile ``regex`` on the scan engine; return its named groups or raise via ``fail``."""
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
    if line.str.contains(regex).item():  # e.g. (?P<code>\d*): an empty code would win every line
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


def run_samples(patterns: PatternSet) -> list[SampleFailure]:
    """Run every sample and counter-sample of every pattern through the engine (each pattern
    alone, all of them in one pass)."""
    from logscan.match.matcher import match_alone

    listed = list(patterns)
    keys = [(i, s.line) for i, p in enumerate(listed) for s in p.samples]
    keys += [(i, line) for i, p in enumerate(listed) for line in p.counter_samples]
    found = dict(zip(keys, match_alone([(listed[i], line) for i, line in keys]), strict=True))
    failures: list[SampleFailure] = []
    for i, pattern in enumerate(listed):
        for sample in pattern.samples:
            got = found[(i, sample.line)]
            if got is None:
                failures.append(SampleFailure(pattern, sample.line, "sample does not match"))
            elif got != sample.code:
                failures.append(
                    SampleFailure(
                        pattern, sample.line, f"sample matches with code {got}, expected {sample.code}"
                    )
                )
        for counter in pattern.counter_samples:
            got = found[(i, counter)]
            if got is not None:
                failures.append(SampleFailure(pattern, counter, f"counter-sample matches (code {got})"))
    return failures


def describe_failure(failure: SampleFailure) -> str:
    p = failure.pattern
    return located(p.source, p.line, f"pattern {p.name!r}: {failure.problem}: {failure.line!r}")
