"""The regex dialect patterns run in: polars' engine (Rust ``regex``), tuned for speed.

Patterns are written in the syntax Python and Rust share (named groups as
``(?P<name>...)``). Before they run, :func:`for_engine` makes the shorthand
classes ASCII-only, which keeps the engine on its fast DFA path.
"""

from __future__ import annotations


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
