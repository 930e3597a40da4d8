"""The regex dialect patterns run in: polars' engine (Rust ``regex``), tuned for speed.

Patterns are written in the syntax Python and Rust share (named groups as
``(?P<name>...)``). Before they run, :func:`for_engine` makes the shorthand
classes ASCII-only, which keeps the engine on its fast DFA path.
"""

from __future__ import annotations

import re


def for_engine(regex: str) -> str:
    """A pattern as the engine runs it: ``\\b \\B \\s \\d \\w`` are ASCII (``\\S \\D \\W`` stay Unicode).

    Unicode classes make polars' regex engine leave its fast DFA path; error
    codes and the words around them are ASCII, so nothing is lost.
    """
    out: list[str] = []
    i, in_class = 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            if in_class and nxt in _IN_CLASS:
                out.append(_IN_CLASS[nxt])
            elif not in_class and nxt in "bBsdw":
                out.append(f"(?-u:\\{nxt})")
            else:
                out.append(regex[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            # a ']' right after '[' or '[^' is a literal member
            j = i + 1
            if regex[j : j + 1] == "^":
                out.append("^")
                j += 1
            if regex[j : j + 1] == "]":
                out.append("]")
                j += 1
            i = j
            continue
        if ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


_IN_CLASS = {"d": "0-9", "s": "\\t\\n\\x0B\\f\\r\\x20", "w": "0-9A-Za-z_"}


#: Inline flags that change what a pattern means line by line once it runs over a line with
#: a newline on each side: ``s`` (``.`` matches a newline), ``x`` (comments and spaces: the
#: walker below would misread them), ``R`` (CRLF mode), and ``m`` switched off.
_UNBOUND_FLAGS = re.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?[:)]")
#: Escapes that denote a newline outside a class (a line never holds one).
_NEWLINE_ESCAPE = re.compile(r"n|x0[aA](?![0-9a-fA-F])|[xu]\{0*[aA]\}|u000[aA]|U0000000[aA]")


def for_lines(regex: str) -> str | None:
    """A pattern as the engine runs it on a line with a newline on each side (``"\\n" + line +
    "\\n"``, with ``(?m)``): what :func:`for_engine` gives, and no part of it can match a
    newline, so that it matches exactly what it matches on the line alone. ``\\A`` and ``\\z``
    become ``^`` and ``$`` (the line's start and end under ``(?m)``).

    None where that cannot be promised (inline ``s``, ``x`` or ``R`` flags, ``m`` switched off,
    nested classes or class set operations, an escape that is a newline): the caller then
    runs the pattern on the bare line.
    """
    for flags in _UNBOUND_FLAGS.finditer(regex):
        on, off = flags.group(1), flags.group(2) or ""
        if set(on) & {"s", "x", "R"} or "m" in off:
            return None
    out: list[str] = []
    i = 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            if _NEWLINE_ESCAPE.match(regex, i + 1):
                return None
            if nxt in "bBdw":
                out.append(f"(?-u:\\{nxt})")
            elif nxt == "s":
                out.append("(?-u:[\\t\\x0B\\f\\r ])")
            elif nxt in "DW":
                out.append(f"[\\{nxt}&&[^\\n]]")
            elif nxt in "pP":
                end = regex.find("}", i) + 1 if regex[i + 2 : i + 3] == "{" else i + 3
                if end <= i:
                    return None
                out.append(f"[{regex[i:end]}&&[^\\n]]")
                i = end
                continue
            elif nxt == "A":
                out.append("^")
            elif nxt == "z":
                out.append("$")
            else:
                out.append(regex[i : i + 2])
            i += 2
            continue
        if ch == "[":
            end, body, negated = _class(regex, i)
            if end < 0:
                return None
            out.append(f"[[{'^' if negated else ''}{body}]&&[^\\n]]")
            i = end
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _class(regex: str, start: int) -> tuple[int, str, bool]:
    """The class opening at ``start``: (index past its ``]``, its members as the engine runs
    them, whether it is negated); index -1 for a class this module does not rewrite."""
    i = start + 1
    negated = regex[i : i + 1] == "^"
    if negated:
        i += 1
    body: list[str] = []
    if regex[i : i + 1] == "]":  # a ']' right after '[' or '[^' is a literal member
        body.append("\\]")
        i += 1
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            body.append(_IN_CLASS_LINES.get(nxt, regex[i : i + 2]))
            i += 2
            continue
        if ch == "[" or regex.startswith(("&&", "--", "~~"), i):
            return -1, "", negated
        if ch == "]":
            return i + 1, "".join(body), negated
        body.append(ch)
        i += 1
    return -1, "", negated


_IN_CLASS_LINES = {"d": "0-9", "s": "\\t\\x0B\\f\\r\\x20", "w": "0-9A-Za-z_"}
