"""Opening files so that a file replaced, truncated or grown under the scan is noticed."""

from __future__ import annotations

import os
import tarfile
import zipfile
from pathlib import Path
from typing import BinaryIO

from logscan.inputs.formats import DECOMPRESS_ERRORS


class ChangedError(OSError):
    """A file that changed while it was read: replaced (rotated) or cut shorter than when listed."""

    def __str__(self) -> str:
        return f"changed while being read ({self.args[0]})" if self.args else "changed while being read"


def open_checked(path: Path, identity: tuple[int, int] | None) -> BinaryIO:
    """``path`` opened for reading, raising :class:`ChangedError` unless it is still the file of
    ``identity`` (st_dev, st_ino; None: any)."""
    fh = path.open("rb")
    if identity is not None:
        st = os.fstat(fh.fileno())
        if (st.st_dev, st.st_ino) != identity:
            fh.close()
            raise ChangedError("replaced by another file since it was listed, e.g. by log rotation")
    return fh


def _shorter(fh: BinaryIO) -> ChangedError:
    """A file that ends before the size it had when listed."""
    try:
        now = f": now {os.fstat(fh.fileno()).st_size:,} bytes"
    except (OSError, ValueError):
        now = ""
    return ChangedError(f"truncated since it was listed{now}")


#: Exceptions that mean "this source is damaged", caught while reading blocks.
READ_ERRORS: tuple[type[BaseException], ...] = (*DECOMPRESS_ERRORS, tarfile.TarError, zipfile.BadZipFile)
