"""logscan catalogue: import the vendor page, check catalogue files."""

from __future__ import annotations

from pathlib import Path

import click

from logscan.cli.options import CONTEXT, EXIT_FINDINGS
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
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
def catalogue_check(files: tuple[Path, ...]) -> None:
    """Validate catalogue FILES: duplicate codes per sdk, missing fields, unknown category or kind.

    \b
    Exit status: 0 when valid, 1 when a file has problems (each named FILE:LINE).

    \b
    Examples:
      logscan catalogue check codes.toml
    """
    from logscan.decode.catalogue import load_file
    from logscan.errors import CatalogueError

    failed = False
    for path in files:
        try:
            entries = load_file(path, origin=str(path))
        except CatalogueError as exc:
            failed = True
            for line in str(exc).splitlines():
                click.echo(printable(line))
            continue
        click.echo(printable(f"ok   {path}: {len(entries)} entries"))
    if failed:
        raise click.exceptions.Exit(EXIT_FINDINGS)
