"""logscan catalogue: import the vendor page, check catalogue files."""

from __future__ import annotations

from pathlib import Path

import click

from logscan.cli.options import CONTEXT, EXIT_ERROR, EXIT_FINDINGS
from logscan.cli.output import emit
from logscan.outputs import printable


@click.group(context_settings=CONTEXT)
def catalogue() -> None:
    """Import and check catalogue files.

    \b
    Examples:
      logscan catalogue import error-codes.md -o codes.toml
      logscan catalogue check codes.toml
    """


@catalogue.command("import", context_settings=CONTEXT)
@click.argument("page", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE instead of stdout."
)
def catalogue_import(page: Path, output: Path | None) -> None:
    """Turn a vendor error-code page (Markdown table) into a catalogue file.

    Irregular rows are read as they are meant (a missing cell, the English
    text in the last column); known errata are corrected and noted. kind comes
    from the bundled catalogue where it knows the code, else "unknown".

    \b
    Examples:
      logscan catalogue import agora-chat-error-codes.md -o vendor.toml
    """
    from logscan.datafile import read_whole
    from logscan.decode.catalogue import load_catalogue
    from logscan.decode.vendor import import_vendor_page, parse_vendor_page
    from logscan.errors import CatalogueError

    text = read_whole(page, CatalogueError, "a vendor page").decode("utf-8", errors="replace")
    if not parse_vendor_page(text):
        raise CatalogueError(
            f"{page}: no error-code table rows found (| code | name | description | reason |)"
        )
    emit("toml", output, lambda _: import_vendor_page(text, load_catalogue()))


@catalogue.command("check", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def catalogue_check(files: tuple[Path, ...]) -> None:
    """Validate catalogue FILES: duplicate codes per sdk, missing fields, unknown category or kind.

    Every problem of every file is reported in one run, each named FILE:LINE.

    \b
    Exit status: 0 when valid, 1 when a file has problems, 2 when a file is missing.

    \b
    Examples:
      logscan catalogue check codes.toml
    """
    from logscan.decode.catalogue import check_files
    from logscan.render.text import plural

    checks = check_files(files)
    for found in checks:
        if not found.problems:
            click.echo(printable(f"ok   {found.path}: {plural(found.entries, 'entry', 'entries')}"))
        for line in found.problems:
            click.echo(printable(line), err=found.unreadable)
    bad = [c for c in checks if c.problems]
    if len(checks) > 1 and bad:
        problems = sum(len(c.problems) for c in bad)
        click.echo(
            f"catalogue check: {plural(problems, 'problem')} in {plural(len(bad), 'file')} of {len(checks)}"
        )
    if any(c.unreadable for c in checks):
        raise click.exceptions.Exit(EXIT_ERROR)
    if bad:
        raise click.exceptions.Exit(EXIT_FINDINGS)
