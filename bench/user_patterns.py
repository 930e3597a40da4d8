"""Twenty user patterns for the pattern-count benchmarks, and the lines they match.

    python bench/user_patterns.py /tmp/user-patterns.toml      # the pattern file

Each pattern is one shape an app might log its own SDK errors in (a module tag, a verb,
a code); none of them matches a line of the bundled corpora, so over `generate.py`'s
logs they match nothing, and `generate.py --user-share 0.01` adds ~1 % of lines for each.
"""

from __future__ import annotations

import sys
from pathlib import Path

MODULES = [
    "Inbox", "Roster", "Presence", "Upload", "Thread", "Reaction", "Moderation", "Translate",
    "Pinning", "Receipts", "Typing", "Search", "Drafts", "Mentions", "Stickers", "Calls",
    "Wallet", "Polls", "Stories", "Badges",
]  # fmt: skip


def line(i: int, code: int) -> str:
    """A line of user pattern ``i`` with ``code``."""
    return f"2024-05-01 10:00:00.123 W/MyApp: [{MODULES[i]}Module] request rejected, reason #{code}"


def toml() -> str:
    out = []
    for i, module in enumerate(MODULES):
        out.append(
            f"""[[pattern]]
name = "myapp-{module.lower()}"
sdk = "native"
platform = "android"
regex = '''\\[{module}Module\\] request rejected, reason #(?P<code>\\d+)'''
samples = [{{ line = "{line(i, 208)}", code = 208 }}]
counter_samples = ["[{module}Module] request accepted"]
"""
        )
    return "\n".join(out)


if __name__ == "__main__":
    Path(sys.argv[1]).write_text(toml(), encoding="utf-8")
