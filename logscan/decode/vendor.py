"""The vendor's error-code page (Markdown) imported as a catalogue file, its errata corrected."""

from __future__ import annotations

import re
from typing import cast

from logscan.decode import catalogue as cat

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
        entry = known.get("native", cast(int, row["code"])) if known else None  # parse_vendor_page's: an int
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
