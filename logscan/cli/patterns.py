"""logscan patterns: list, test, check and find what the pattern files miss."""

from __future__ import annotations

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
    from logscan.render import json_
    from logscan.render.patterns import list_rows, list_table

    rows = list_rows(_pattern_set(config_path, pattern_paths, no_builtin_patterns, check=False))
    if format_ == "json":
        click.echo(json_.dumps(rows), nl=False)
    else:
        click.echo(console_text(lambda c: list_table(c, rows)), nl=False)


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
    from logscan.render.patterns import test_verdicts

    texts = list(lines)
    if file_ is not None:
        from logscan.decode.diagnose import lines_of

        texts += lines_of(str(file_))
    if not texts:
        raise click.UsageError("give LINES to test, or --file FILE")
    # A file whose samples fail still loads here (scan and report refuse it): each failure is
    # said on stderr, and the lines show which pattern takes them and why.
    from logscan.match.samples import describe_failure, user_sample_failures

    config, loaded = load_config_and_patterns(config_path, pattern_paths, no_builtin_patterns, check=False)
    for failure in user_sample_failures(loaded, [*config.patterns, *pattern_paths]):
        refused = " (scan and report refuse the file until it passes)"
        warn(f"warning: {describe_failure(failure)}{refused}", quiet=False)
    verdicts = test_lines(texts, Matcher.build(loaded), load_catalogue([*config.catalogue, *catalogue_paths]))
    click.echo(test_verdicts(verdicts, format_), nl=False)
    if any(v.pattern is None for v in verdicts):
        raise click.exceptions.Exit(EXIT_FINDINGS)


@patterns.command("check", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--no-builtin-patterns", is_flag=True, help="Let the samples of FILES compete among FILES alone."
)
def patterns_check(files: tuple[Path, ...], no_builtin_patterns: bool) -> None:
    """Run every sample and counter-sample of pattern FILES (default: the bundled ones).

    Each pattern runs alone on its samples (it must match them, with their
    code) and counter-samples (it must not); then every sample must be won,
    among all the patterns a scan would load (the bundled ones and FILES),
    by its pattern or another of its platform, with its sdk and code. The
    samples of [fragments.NAME] and [excludes.NAME] definitions must match,
    their counter-samples not; a file's top-level counter_samples must be
    no event at all.

    \b
    Exit status: 0 when all pass, 1 when one fails (a line per failing sample,
    FILE:LINE first), 2 when a file cannot be loaded (bad TOML, bad regex, no
    code group, unknown key or name...).

    \b
    Examples:
      logscan patterns check
      logscan patterns check mine.toml patterns/
    """
    from logscan.match.samples import check_files
    from logscan.render.patterns import check_report

    report = check_files(list(files), builtin=not no_builtin_patterns)
    for p in report.taken:
        warn(
            f"warning: {p.source}:{p.line}: pattern {p.name!r} has a bundled pattern's name: "
            "use the file with --no-builtin-patterns, or rename the pattern",
            quiet=False,
        )
    click.echo("\n".join(check_report(report)))
    if report.failures:
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
    from logscan.render.patterns import unmatched_table

    loaded = _pattern_set(config_path, pattern_paths, no_builtin_patterns, check=True)
    shapes, bad = find_unmatched(
        iter_sources(paths), Matcher.build(loaded), redact=not no_redact, redact_users=redact_users
    )
    shown = shapes.head(top)
    if format_ == "json":
        click.echo(json_.dumps(shown.to_dicts()), nl=False)
    elif shown.height:
        click.echo(console_text(lambda c: unmatched_table(c, shown)), nl=False)
        if shapes.height > top:
            click.echo(f"... and {shapes.height - top} more shapes (--top)")
    else:
        click.echo("Every line that looks like an SDK error matched a pattern.")
    for item in bad:
        click.echo(f"logscan: error: cannot read {printable(item.name)}: {printable(item.reason)}", err=True)
    if bad:
        raise click.exceptions.Exit(EXIT_ERROR)
