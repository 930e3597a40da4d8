"""Markdown links in catalogue texts (``[support@agora.io](mailto:support@agora.io)``), read
in one place for every format: the terminal shows the text and the address, HTML a link,
Markdown a link.

Vendor texts link to pages the public cannot open (the vendor's internal wiki) or to pages
relative to the vendor's own site (``./agora_chat_restful_registration``). A link is kept
only when it is public: a known page becomes the public page it means (:data:`PUBLIC`), any
other link that is not ``http(s):`` or ``mailto:``, or that is on the vendor's internal
hosts, loses its address (its text stays).
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: ``[text](address)``: text without brackets, an address without spaces or parentheses.
LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")

REGISTRATION = "https://docs.agora.io/en/agora-chat/restful-api/user-system-registration"

#: Addresses that are not public, and the public page each one means.
PUBLIC = {
    # The vendor page's "valid user ID": its internal wiki; the user ID rules are on the
    # public registration page.
    "https://confluence.agoralab.co/pages/viewpage.action?pageId=846791321": REGISTRATION,
    "./agora_chat_restful_registration": REGISTRATION,
}


#: Hosts of the vendor's own network (its wiki): no page there is public.
_INTERNAL = re.compile(r"https?://[^/]*\bagoralab\.co\b")


def public(address: str) -> str | None:
    """The public form of ``address``, or None when it has none (the link is dropped)."""
    address = PUBLIC.get(address, address)
    if address.startswith("mailto:") or (
        address.startswith(("https://", "http://")) and not _INTERNAL.match(address)
    ):
        return address
    return None


def parts(text: str) -> list[tuple[str, str | None]]:
    """``text`` as (text, address) pieces: address None for plain text and dropped links."""
    out: list[tuple[str, str | None]] = []
    at = 0
    for m in LINK.finditer(text):
        if m.start() > at:
            out.append((text[at : m.start()], None))
        out.append((m.group(1), public(m.group(2))))
        at = m.end()
    if at < len(text) or not out:
        out.append((text[at:], None))
    return out


def render(
    text: str, *, plain: Callable[[str], str] = str, link: Callable[[str, str], str] | None = None
) -> str:
    """``text`` with every piece passed through ``plain`` and every kept link through
    ``link(text, address)`` (default: ``text (address)``, a mail address once)."""
    out = []
    for piece, address in parts(text):
        if address is None:
            out.append(plain(piece))
        elif link is not None:
            out.append(link(piece, address))
        else:
            out.append(plain(as_text(piece, address)))
    return "".join(out)


def as_text(text: str, address: str) -> str:
    """A link for plain text: ``text (address)``; a mail address whose text is the address
    itself appears once."""
    if address.removeprefix("mailto:") == text:
        return text
    return f"{text} ({address.removeprefix('mailto:')})"


def publicized(text: str) -> str:
    """``text`` with each link made public: a known page's address replaced by its public
    one, a link that has none reduced to its text (so every output, JSON and CSV included,
    carries only links a reader can open)."""
    out = []
    for piece, address in parts(text):
        out.append(piece if address is None else f"[{piece}]({address})")
    return "".join(out)
