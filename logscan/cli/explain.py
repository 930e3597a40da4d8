"""logscan explain and logscan codes: the catalogue, looked up and listed."""

from __future__ import annotations

from pathlib import Path

import click

from logscan.cli.filters import check_names
from logscan.cli.options import CONTEXT, EXIT_FINDINGS, catalogue_option
from logscan.cli.output import color_option, console_text, use_color, warn


@click.command(context_settings=CONTEXT)
@click.argument("query", nargs=-1, required=True)
@click.option("--sdk", type=click.Choice(["native", "web"]), help="Only this SDK family.")
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
@catalogue_option
@color_option
def explain(query: tuple[str, ...], sdk: str | None, format_: str, catalogue_paths: tuple[Path, ...]) -> None:
    """Explain error codes, names, or words: every matching catalogue entry.

    A number matches that code in both SDK families (native and web), since
    the same number means different things; prefix it (web/16) to pick one.
    Several codes or names (208 USER_REMOVED web/16) are explained one after
    the other; other words are one search (all of them must match).

    \b
    Exit status: 0 when every query matched, 1 when one matched nothing.

    \b
    Examples:
      logscan explain 208
      logscan explain 208 503 USER_REMOVED
      logscan explain "token expired"
    """
    from logscan.decode.catalogue import load_catalogue
    from logscan.render import json_, text

    catalogue = load_catalogue(catalogue_paths)
    queries = list(query) if all(catalogue.is_key(q) for q in query) else [" ".join(query)]
    entries, missing = [], []
    for q in queries:
        found = catalogue.search(q, sdk=sdk)
        entries += [e for e in found if e not in entries]
        if not found:
            missing.append(q)
    if format_ == "json":
        click.echo(json_.dumps([e.to_dict() for e in entries]), nl=False)
    elif entries:
        click.echo(
            console_text(lambda c: text.render_entries(entries, c, overridden=catalogue.overridden)),
            nl=False, color=use_color() or None,
        )  # fmt: skip
    for q in missing:
        near = catalogue.nearest_name(q).removeprefix("; ")
        warn(
            f"no catalogue entry matches {q!r}{f' ({near})' if near else ''}. If a log shows this code, "
            "Agora recommends "
            "contacting support@agora.io; for your app's own codes, add a --catalogue file.",
            quiet=False,
        )
    if missing:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@click.command(context_settings=CONTEXT)
@click.option("--sdk", type=click.Choice(["native", "web"]), help="Only this SDK family.")
@click.option("--category", help="Only this category (e.g. user, group, message).")
@click.option("--kind", help="Only this kind (e.g. transient, client-bug).")
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
@catalogue_option
@color_option
def codes(
    sdk: str | None, category: str | None, kind: str | None, format_: str, catalogue_paths: tuple[Path, ...]
) -> None:
    """List the catalogue: every known code with its name, category, kind and meaning.

    \b
    Examples:
      logscan codes
      logscan codes --sdk web --category connection
      logscan codes --format json | jq '.[] | select(.kind == "transient")'
    """
    from logscan.decode.catalogue import CATEGORIES, KINDS, load_catalogue
    from logscan.render import json_, text

    check_names([category] if category else [], CATEGORIES, "category", "--category")
    check_names([kind] if kind else [], KINDS, "kind", "--kind")
    catalogue = load_catalogue(catalogue_paths)
    entries = [
        e for e in catalogue.entries
        if (sdk is None or e.sdk == sdk) and (category is None or e.category == category)
        and (kind is None or e.kind == kind)
    ]  # fmt: skip
    if format_ == "json":
        rows = []
        for e in entries:
            row = e.to_dict()
            row["overrides"] = catalogue.overridden.get((e.sdk, e.code))
            rows.append(row)
        click.echo(json_.dumps(rows), nl=False)
    else:
        table = console_text(lambda c: text.render_catalogue(entries, c))
        click.echo(table, nl=False, color=use_color() or None)
