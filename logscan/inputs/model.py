"""What an input is: a named source of bytes, a file that could not be read, the limits of a scan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

from logscan.outputs import text_name

#: Read size of the block splitter, and the target size of one block.
BLOCK_SIZE = 16 << 20
_T = TypeVar("_T")


@dataclass(frozen=True)
class Limits:
    """Bounds on what archives may expand to (a defence against zip bombs)."""

    #: Largest size an archive member or a compressed file may expand to.
    max_member_bytes: int = 4 << 30
    #: Largest expansion ratio (zip bombs expand ~1000 times; logs ~10-50 times).
    max_ratio: float = 200.0
    #: Archives inside archives (and compressed streams inside compressed streams) are opened to this depth.
    max_depth: int = 2
    #: Largest size all the members of one archive may expand to, in all.
    max_archive_bytes: int = 16 << 30


@dataclass
class Source:
    """One readable log: a file, a decompressed file, an archive member or stdin."""

    name: str
    open: Callable[[], BinaryIO]
    #: The file on disk when the source is a plain, uncompressed regular file.
    path: Path | None = None
    #: Bytes on disk (compressed size for compressed sources), when known.
    size: int | None = None
    #: (st_dev, st_ino) of a plain file when it was listed: it is read as that file or not at all.
    identity: tuple[int, int] | None = None
    #: Something the user should know about how it is read (a format logscan does not open).
    warning: str | None = None
    #: For a source decompressed from a file: the bytes of that file read since last asked
    #: (progress in compressed bytes, of the file's size on disk). None: its own bytes count.
    disk_read: Callable[[], int] | None = None

    def __post_init__(self) -> None:
        self.name = text_name(self.name)  # a name that is not UTF-8 still goes into every output


@dataclass(frozen=True)
class Unreadable:
    """An input that could not be read, and why."""

    name: str
    reason: str
    #: A glob that matched no file: no input rather than a broken one (``check --allow-empty``).
    no_match: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", text_name(self.name))
        object.__setattr__(self, "reason", text_name(self.reason))


@dataclass(frozen=True)
class Listed:
    """A regular file a path names, not opened yet: for a worker elsewhere to read
    (:func:`file_sources`), by its absolute ``path``; ``name`` as the paths given name it."""

    name: str
    path: Path
    size: int
