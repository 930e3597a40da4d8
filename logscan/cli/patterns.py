"""logscan patterns: list, test, check and find what the pattern files miss."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from logscan.cli.options import (
    CONTEXT,
    EXIT_ERROR,
    EXIT_FINDINGS,
    catalogue_option,
    config_option,
    load_config_and_patterns,
    no_redact_option,
    pattern_options,
    redact_users_option,
)
from logscan.cli.output import console_text, warn
from logscan.outputs import printable

# --------------------------------------------------------------------------- patterns and catalogue


@click.group(context_settings=CONTEXT)
def patterns() -> None:
    """See, test and check pattern files (bundled and your own).

    \b
    Examples:
      logscan patterns list
      logscan patterns test "Login failed! code: 204 error: User not found"
      logscan patterns check mine.toml
      logscan patterns unmatched app.log
    """


def _pattern_set(
    config_path: Path | None, pattern_paths: tuple[Path, ...], no_builtin: bool, *, check: bool
) -> Any:
    return load_config_and_patterns(config_path, pattern_paths, no_builtin, check=check)[1]


@patterns.command("list", context_settings=CONTEXT)
@pattern_options
@config_option
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
def patterns_list(
    pattern_paths: tuple[Path, ...], no_builtin_patterns: bool, config_path: Path | None, format_: str
) -> None:
    """Every pattern: its source file, sdk, platform and how many samples it carries.

    \b
    Examples:
      logscan patterns list
      logscan patterns list --patterns mine.toml --format json
    """
    from logscan.match.patterns import shown_source
    from logscan.render import json_

    loaded = _pattern_set(config_path, pattern_paths, no_builtin_patterns, check=False)
    rows = [
        {"name": p.name, "sdk": p.sdk, "platform": p.platform, "source": shown_source(p.source),
         "path": p.source, "line": p.line,
         "samples": len(p.samples), "counter_samples": len(p.counter_samples), "regex": p.regex}
        for p in loaded
    ]  # fmt: skip
    if format_ == "json":
        click.echo(json_.dumps(rows), nl=False)
        return
    click.echo(
        console_text(
            lambda c: _simple_table(
                c,
                rows,
                {
                    "name": "",
                    "sdk": "",
                    "platform": "",
                    "samples": "",
                    "counter_samples": "",
                    "source": "path",
                },
            )
        ),
        nl=False,
    )


def _simple_table(console: Any, rows: list[dict[str, Any]], columns: dict[str, str]) -> None:
    """``rows`` as a table of ``columns`` (key: how its cells wrap, ``""`` for identifiers)."""
    from logscan.render.text import Col, print_table

    def justify(name: str) -> str:  # numbers right-aligned
        return "right" if rows and all(type(row[name]) is int for row in rows) else "left"

    cols = [Col(name.replace("_", " "), justify(name), wrap) for name, wrap in columns.items()]
    print_table(console, cols, [[str(row[c]) for c in columns] for row in rows])


@patterns.command("test", context_settings=CONTEXT)
@click.argument("lines", nargs=-1)
@click.option(
    "--file",
    "file_",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Test every line of this file.",
)
@pattern_options
@catalogue_option
@config_option
@click.option(
    "-f", "--format", "format_", type=click.Choice(["text", "json"]), default="text", help="Output format."
)
def patterns_test(
    lines: tuple[str, ...], file_: Path | None, pattern_paths: tuple[Path, ...], no_builtin_patterns: bool,
    catalogue_paths: tuple[Path, ...], config_path: Path | None, format_: str,
) -> None:  # fmt: skip
    """Which pattern matches each LINE (or each line of --file), the code and its meaning.

    When no pattern matches a line with numbers in it, the patterns that came
    closest (fewest edits away) are named: the place to start a new pattern.

    \b
    Exit status: 0 when every line matched, 1 when some did not.

    \b
    Examples:
      logscan patterns test "DestroyThread failed, code:1400, desc:thread not exist"
      logscan patterns test --file suspicious-lines.txt --patterns mine.toml
    """
    from logscan.decode.catalogue import load_catalogue
    from logscan.decode.diagnose import test_lines
    from logscan.match.matcher import Matcher
    from logscan.render import json_

    texts = list(lines)
    if file_ is not None:
        from logscan.decode.diagnose import lines_of

        texts += lines_of(str(file_))
    if not texts:
        raise click.UsageError("give LINES to test, or --file FILE")
    from logscan import config as cfg

    loaded = _pattern_set(config_path, pattern_paths, no_builtin_patterns, check=True)
    config = cfg.load(config_path or cfg.discover())
    verdicts = test_lines(texts, Matcher.build(loaded), load_catalogue([*config.catalogue, *catalogue_paths]))
    if format_ == "json":
        click.echo(json_.dumps([
            {"line": v.line, "pattern": v.pattern, "sdk": v.sdk, "code": v.code, "description": v.description,
             "name": v.entry.name if v.entry else None, "meaning": v.entry.description if v.entry else None,
             "closest": [{"pattern": n, "edits": e} for n, e in v.closest or []],
             "dropped": {"pattern": v.dropped[0], "why": v.dropped[1]} if v.dropped else None}
            for v in verdicts
        ]), nl=False)  # fmt: skip
    else:
        out = []
        for v in verdicts:
            out.append(f"line: {v.line}")
            if v.pattern:
                meaning = f"{v.entry.name}: {v.entry.description}" if v.entry else "not in the catalogue"
                out.append(f"  matched {v.pattern}: {v.sdk} {v.code} ({meaning})")
            elif v.dropped:
                out.append(f"  not counted: {v.dropped[0]} matches, but {v.dropped[1]}")
            elif v.closest:
                near = ", ".join(f"{n} ({e} edits)" for n, e in v.closest)
                out.append(f"  no pattern matched; closest: {near}")
            else:
                out.append("  no pattern matched" + ("" if _has_number(v.line) else " (no number in it)"))
        click.echo("\n".join(printable(line) for line in out))  # each line: one line, as it was
    if any(v.pattern is None for v in verdicts):
        raise click.exceptions.Exit(EXIT_FINDINGS)


def _has_number(text: str) -> bool:
    return re.search(r"\d", text) is not None


@patterns.command("check", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, exists=True))
def patterns_check(files: tuple[Path, ...]) -> None:
    """Run every sample and counter-sample of pattern FILES (default: the bundled ones).

    \b
    Exit status: 0 when all pass, 1 when one fails (a report per pattern), 2 when a
    file cannot be loaded (bad TOML, bad regex, no code group...).

    \b
    Examples:
      logscan patterns check
      logscan patterns check mine.toml patterns/
    """
    from logscan.match.patterns import (
        PatternSet,
        builtin_dir,
        bundled_names_taken,
        check_unique,
        load_file,
        pattern_files,
        run_samples,
    )
    from logscan.render.text import plural

    paths = pattern_files(list(files) or [builtin_dir()])
    loaded = [p for path in paths for p in load_file(path)]
    check_unique(loaded)
    for p in bundled_names_taken(loaded):
        warn(
            f"warning: {p.source}:{p.line}: pattern {p.name!r} has a bundled pattern's name: "
            "use the file with --no-builtin-patterns, or rename the pattern",
            quiet=False,
        )
    failures = run_samples(PatternSet(loaded))
    by_pattern: dict[str, list[Any]] = {}
    for failure in failures:
        by_pattern.setdefault(failure.pattern.name, []).append(failure)
    for p in loaded:
        problems = by_pattern.get(p.name, [])
        total = len(p.samples) + len(p.counter_samples)
        if problems:
            click.echo(printable(f"FAIL {p.name} ({p.source}:{p.line}): {len(problems)} of {total} samples"))
            for f in problems:
                click.echo(printable(f"     {f.problem}: {f.line!r}"))
        else:
            counter = plural(len(p.counter_samples), "counter-sample")
            samples = f"{plural(len(p.samples), 'sample')}, {counter}"
            click.echo(printable(f"ok   {p.name}: {samples}"))
    verdict = f"{len(loaded) - len(by_pattern)} of {len(loaded)} patterns pass"
    click.echo(("patterns check: " + verdict) if not failures else f"patterns check: FAILED: {verdict}")
    if failures:
        raise click.exceptions.Exit(EXIT_FINDINGS)


@patterns.command("unmatched", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True)
@pattern_options
@config_option
@no_redact_option
@redact_users_option
@click.option("-n", "--top", type=click.IntRange(1), default=30, help="How many shapes to show (default 30).")
@click.option(
    "-f", "--format", "format_", type=click.Choice(["table", "json"]), default="table", help="Output format."
)
def patterns_unmatched(
    paths: tuple[str, ...],
    pattern_paths: tuple[Path, ...],
    no_builtin_patterns: bool,
    config_path: Path | None,
    no_redact: bool,
    redact_users: bool,
    top: int,
    format_: str,
) -> None:  # fmt: skip
    """Lines that look like SDK errors (an error word near a number) that no pattern matched.

    Grouped by shape (numbers shown as #), most frequent first, with an example
    each: the list to turn into new patterns, or to confirm as noise. Secrets
    in the text are masked, as in every output (--no-redact shows them).

    \b
    Examples:
      logscan patterns unmatched app.log
      logscan patterns unmatched logs/ --patterns mine.toml --top 10
    """
    from logscan.decode.diagnose import find_unmatched
    from logscan.inputs import iter_sources
    from logscan.match.matcher import Matcher
    from logscan.render import json_

    loaded = _pattern_set(config_path, pattern_paths, no_builtin_patterns, check=True)
    shapes, bad = find_unmatched(
        iter_sources(paths), Matcher.build(loaded), redact=not no_redact, redact_users=redact_users
    )
    shown = shapes.head(top)
    if format_ == "json":
        click.echo(json_.dumps(shown.to_dicts()), nl=False)
    elif shown.height:
        rows = [{**r, "example": f"{r['file']}:{r['line']}: {r['text'][:160]}"} for r in shown.to_dicts()]
        click.echo(
            console_text(lambda c: _simple_table(c, rows, {"count": "", "shape": "text", "example": "text"})),
            nl=False,
        )
        if shapes.height > top:
            click.echo(f"... and {shapes.height - top} more shapes (--top)")
    else:
        click.echo("Every line that looks like an SDK error matched a pattern.")
    for item in bad:
        click.echo(f"logscan: error: cannot read {printable(item.name)}: {printable(item.reason)}", err=True)
    if bad:
        raise click.exceptions.Exit(EXIT_ERROR)
