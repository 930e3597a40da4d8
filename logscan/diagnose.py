"""Tools for the people who write patterns: test lines, find near misses, list what no
pattern matched, and import a vendor error-code page into the catalogue format."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl
import regex

from logscan import catalogue as cat
from logscan import inputs
from logscan.errors import InputError
from logscan.inputs import Source, Unreadable
from logscan.patterns import Pattern
from logscan.redact import redact_expr
from logscan.scan import Matcher, match_frame, match_lines, python_regex, read_lines

#: A line that looks like an SDK error: an error-ish word, then (nearby) a number.
SUSPECT = (
    r"(?i)\b(?:err(?:or)?s?|fail(?:ed|ure|s)?|code|exception|errno|status|type|onerror|disconnect\w*)\b"
    r"[^0-9\n]{0,24}?-?\b\d{1,5}\b"
)
_NUMBER = re.compile(r"-?\b\d{1,5}\b")


@dataclass
class LineVerdict:
    """What ``patterns test`` says about one line."""

    line: str
    pattern: str | None = None
    sdk: str | None = None
    code: int | None = None
    description: str | None = None
    entry: cat.Entry | None = None
    #: (pattern name, number of edits) of the patterns that came closest, when none matched.
    closest: list[tuple[str, int]] | None = None
    #: (pattern name, why) when a pattern matches the line but it makes no event.
    dropped: tuple[str, str] | None = None


def test_lines(lines: Sequence[str], matcher: Matcher, catalogue: cat.Catalogue) -> list[LineVerdict]:
    """Which pattern matches each line and what its code means; near misses otherwise."""
    events = match_lines(list(lines), matcher)
    found = {row["row"]: row for row in events.iter_rows(named=True)}
    out = []
    for i, line in enumerate(lines):
        hit = found.get(i)
        if hit:
            out.append(
                LineVerdict(line, hit["pattern"], hit["sdk"], hit["code"], hit["description"],
                            catalogue.get(hit["sdk"], hit["code"]))
            )  # fmt: skip
        elif dropped := _dropped(line, matcher.patterns):
            out.append(LineVerdict(line, dropped=dropped))
        else:
            near = closest(line, matcher.patterns) if _NUMBER.search(line) else []
            out.append(LineVerdict(line, closest=near))
    return out


def lines_of(path: str) -> list[str]:
    """The lines of a file read as logs are (a pipe, gzip, UTF-16, bad bytes replaced), for
    ``patterns test --file``; raises :class:`InputError` when it cannot be read."""
    out: list[str] = []
    for item in inputs.iter_sources([path]):
        if isinstance(item, Unreadable):
            raise InputError(f"cannot read {item.name}: {item.reason}")
        try:
            with item.open() as stream:
                for block in inputs.iter_blocks(stream):
                    out.extend(read_lines(block)["line"].to_list())
        except inputs.READ_ERRORS as exc:
            raise InputError(f"cannot read {item.name}: {inputs.read_error_reason(exc)}") from None
    return out


def _dropped(line: str, patterns: Sequence[Pattern]) -> tuple[str, str] | None:
    """The first pattern that matches ``line`` although the line makes no event, and why."""
    for pattern in patterns:
        compiled = python_regex(pattern.regex)
        m = compiled.search(line) if compiled is not None else None
        if m is None:
            continue
        code = m.group("code")
        if not code:
            return pattern.name, "its code group is empty here"
        exclude = python_regex(pattern.exclude) if pattern.exclude else None
        if exclude is not None and exclude.search(line[: m.end("code")]):  # as the scan: up to the code
            return (
                pattern.name,
                "its exclude drops the line (not an SDK code: an HTTP status, an OS error...)",
            )
        if code.lstrip("-+0") == "":
            return pattern.name, "code 0 is success, not an error"
    return None


def closest(
    line: str, patterns: Sequence[Pattern], *, limit: int = 3, max_edits: int = 6
) -> list[tuple[str, int]]:
    """The patterns that would match ``line`` with the fewest edits (fuzzy matching, bounded in time)."""
    scores = []
    for pattern in patterns:
        try:
            fuzzy = regex.compile(f"(?:{pattern.regex}){{e<={max_edits}}}", regex.BESTMATCH)
            m = fuzzy.search(line, timeout=0.2)
        except (regex.error, TimeoutError, ValueError):
            continue
        if m is not None:
            scores.append((pattern.name, sum(m.fuzzy_counts)))
    return sorted(scores, key=lambda s: (s[1], s[0]))[:limit]


def _shape(text: str) -> str:
    """A line's shape: the part around its error word, numbers and hex ids as ``#``."""
    m = re.search(SUSPECT.removeprefix("(?i)"), text, re.I)
    start = max(0, m.start() - 40) if m else 0
    part = text[start : (m.end() + 40) if m else 120]
    part = re.sub(r"\b[0-9a-fA-F]{8,}\b", "#", part)
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", part)).strip()


def find_unmatched(
    items: Iterable[Source | Unreadable], matcher: Matcher, *, redact: bool = True, redact_users: bool = False
) -> tuple[pl.DataFrame, list[Unreadable]]:
    """Lines that look like SDK errors but that no pattern matched, grouped by shape.

    Returns (shape, count, example file, example line, example text), most
    frequent first, and the inputs that could not be read. The text is redacted
    (:mod:`logscan.redact`) before it is shaped, unless ``redact`` is false.
    """
    rows: list[dict[str, object]] = []
    bad: list[Unreadable] = []
    for item in items:
        if isinstance(item, Unreadable):
            bad.append(item)
            continue
        base = 0
        try:
            with item.open() as stream:
                for block in inputs.iter_blocks(stream):
                    lines = read_lines(block)
                    events = match_frame(lines, matcher, describe=False, timestamps=False)
                    suspects = lines.filter(pl.col("line").str.contains(SUSPECT)).join(
                        events.select("row"), on="row", how="anti"
                    )
                    if redact:
                        suspects = suspects.with_columns(redact_expr(pl.col("line"), users=redact_users))
                    for row, text in suspects.iter_rows():
                        rows.append({"file": item.name, "line": base + row + 1, "text": text[:300]})
                    base += block.count(b"\n")
        except inputs.READ_ERRORS as exc:
            bad.append(Unreadable(item.name, inputs.read_error_reason(exc)))
    if not rows:
        schema = {
            "shape": pl.String,
            "count": pl.Int64,
            "file": pl.String,
            "line": pl.Int64,
            "text": pl.String,
        }
        return pl.DataFrame(schema=schema), bad
    frame = pl.DataFrame(rows).with_columns(
        pl.col("text").map_elements(_shape, return_dtype=pl.String).alias("shape")
    )
    grouped = (
        frame.group_by("shape", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("count"),
            pl.col("file").first(),
            pl.col("line").first(),
            pl.col("text").first(),
        )
        .sort(["count", "shape"], descending=[True, False])
    )
    return grouped, bad


# ---------------------------------------------------------------------------- vendor page import

#: Errata of the vendor page that the import corrects (recorded in the entry's notes).
ERRATA = {403: ("FILE_DOWNLOAD_FAILED", "FILE_UPLOAD_FAILED")}
_RANGES = (
    (0, 8, "general"), (100, 112, "app"), (200, 221, "user"), (300, 309, "server"),
    (350, 354, "server"), (400, 409, "file"), (500, 513, "message"), (600, 613, "group"),
    (700, 707, "chatroom"), (800, 827, "call"), (900, 901, "user-attributes"),
    (903, 905, "translation"), (1000, 1002, "contact"), (1100, 1101, "presence"),
    (1110, 1113, "translation"), (1200, 1200, "moderation"), (1299, 1299, "server"),
    (1300, 1302, "reaction"), (1400, 1402, "thread"), (1500, 1502, "push"),
)  # fmt: skip
_CJK = re.compile(r"[\u3400-\u9fff]")


def category_of(code: int) -> str:
    return next((c for low, high, c in _RANGES if low <= code <= high), "general")


def parse_vendor_page(text: str) -> list[dict[str, object]]:
    """Rows of a vendor error-code page in Markdown-table form, irregular rows included.

    A row is ``| code | name | description | possible reason |``. Rows with a
    missing cell keep their text as the description; rows whose message cell is
    Chinese have it as ``message_zh`` and their English text, in the last cell,
    as the description.
    """
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|", line)
        if not m:
            continue
        cells = [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]
        code, name = int(cells[0]), cells[1]
        entry: dict[str, object] = {
            "sdk": "native", "code": code, "name": name, "aliases": [], "category": category_of(code),
            "message_zh": "", "cause": "", "notes": "",
        }  # fmt: skip
        if len(cells) == 3:
            entry["description"] = cells[2]
            entry["notes"] = "The vendor page has only three cells in this row; its text is the description."
        elif _CJK.search(cells[2]):
            entry["message_zh"] = cells[2]
            entry["description"] = cells[3]
            entry["notes"] = (
                "The vendor page gives the Chinese message, and the English text in the last column."
            )
        else:
            entry["description"], entry["cause"] = cells[2], cells[3]
        if code in ERRATA:
            fixed, misprint = ERRATA[code]
            if name == misprint:
                entry["name"], entry["aliases"] = fixed, [misprint]
                entry["notes"] = (
                    f"Erratum: the vendor page prints {misprint}; the SDK sources name it {fixed}."
                )
        rows.append(entry)
    return rows


def import_vendor_page(text: str, known: cat.Catalogue | None = None) -> str:
    """The catalogue TOML of a vendor page; kinds and missing causes from ``known`` where it has the code."""
    out = [
        "# Imported from a vendor error-code page by `logscan catalogue import`.",
        "# kind is taken from the bundled catalogue where it knows the code, else 'unknown' (to triage).",
        "",
    ]
    for row in parse_vendor_page(text):
        code = row["code"]  # an int (parse_vendor_page)
        entry = known.get("native", code) if known and isinstance(code, int) else None
        row["kind"] = entry.kind if entry else "unknown"
        row["cause_source"] = "vendor" if row["cause"] else "logscan"
        row["cause"] = row["cause"] or (entry.cause if entry else "") or "Not documented on the vendor page."
        row["source"] = "vendor-page"
        out.append("[[entry]]")
        keys = ("sdk", "code", "name", "aliases", "category", "kind", "description", "cause", "cause_source",
                "message_zh", "source", "notes")  # fmt: skip
        for key in keys:
            out.append(f"{key} = {_toml(row[key])}")
        out.append("")
    return "\n".join(out)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'
