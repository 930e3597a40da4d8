"""``logscan init``: a commented ``logscan.toml`` to start from, written without overwriting one
that exists (unless asked to).

Every key :mod:`logscan.config` knows is in the template with a comment saying what it does;
the ones whose default is not obvious are set to it, the others are commented out. The file
loads as it is written (tests load it with :func:`logscan.config.load`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from logscan.errors import ConfigError, OutputError

if TYPE_CHECKING:
    import click

#: The name ``init`` writes by default (the first that :func:`logscan.config.discover` looks for).
FILENAME = "logscan.toml"

TEMPLATE = """\
# logscan configuration: found from the current folder upward (or given with --config).
# Paths are relative to this file. Lines starting with # are comments: uncomment to use.

# Extra pattern files (TOML, see `logscan patterns list`), added to the bundled ones.
# patterns = ["patterns/myapp.toml"]

# Extra catalogue files, adding to or overriding the bundled error codes
# (check them with `logscan catalogue check FILE`).
# catalogue = ["codes/myapp.toml"]

# Use the bundled patterns (Android, iOS, Web, ...). false: only the files in `patterns`.
builtin_patterns = true

# Where scans run: "local" (this machine's processes) or "dask" (a Dask cluster).
engine = "local"

# The Dask scheduler's address, for the dask engine; none: a cluster on this machine.
# scheduler = "tcp://scheduler:8786"

[check]
# `logscan check`: the rules that fail the gate (any, unknown, code=208, name=USER_REMOVED,
# category=server, kind=client-bug; add >N to fail only above N error lines).
fail_on = ["any"]

# Codes no rule counts (same syntax, no threshold).
allow = []

# Fail when there are more than this many error lines in all.
# max_total = 100

# A JSON report written earlier (`logscan report --format json`): fail only on codes new or grown.
# baseline = "ci/baseline.json"

# How much a code may grow over the baseline: lines (5) or a share ("20%").
# tolerance = "20%"

# Pass when there is nothing to scan (an empty folder, empty files, a glob matching nothing).
# false: that is an error (exit 2), so a forgotten log upload never goes green.
allow_empty = false

[limits]
# Bounds on what compressed files and archives may expand to (zip bombs).
# The largest a compressed file or archive member may expand to.
# max_expanded = "4GiB"

# The largest an archive may expand to in all.
# max_archive_expanded = "16GiB"

# The largest expansion ratio (expanded / compressed) accepted.
# max_ratio = 200

# How deep compressed layers and archives in archives are opened.
# max_depth = 2
"""


def write_config(path: Path, *, force: bool = False) -> Path:
    """Write :data:`TEMPLATE` to ``path`` (a folder: ``path/logscan.toml``) and return where.

    An existing file is kept (:class:`ConfigError`) unless ``force``; the file is written whole
    or not at all."""
    if path.is_dir():
        path = path / FILENAME
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: no such folder {path.parent}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(TEMPLATE, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write it: {exc.strerror or exc}") from None
    return path


def completion_script(command: click.Command, shell: str, prog: str = "logscan") -> str:
    """The completion script of ``command`` for ``shell`` (bash, zsh, fish), from click's own
    machinery: what ``_LOGSCAN_COMPLETE={shell}_source logscan`` prints."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # the CLI's Choice keeps this out; a library caller may pass anything
        raise ConfigError(f"no completion for shell {shell!r} (bash, zsh or fish)")
    complete_var = f"_{prog.replace('-', '_').upper()}_COMPLETE"
    return cls(command, {}, prog, complete_var).source()
