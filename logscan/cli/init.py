"""logscan init and logscan completion: a configuration to start from, shell completion."""

from __future__ import annotations

from pathlib import Path

import click

from logscan.cli.options import CONTEXT
from logscan.errors import ConfigError
from logscan.outputs import printable


@click.command(context_settings=CONTEXT)
@click.argument("path", required=False, type=click.Path(path_type=Path), default=None)
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def init(path: Path | None, force: bool) -> None:
    """Write a commented logscan.toml to start from (PATH: a file or a folder; default here).

    Every key is in it, with what it does; it loads as written. An existing
    file is kept unless --force.

    \b
    Examples:
      logscan init
      logscan init ci/ --force
    """
    from logscan.config import write_config

    written = write_config(path or Path("."), force=force)
    click.echo(printable(f"wrote {written}: edit it, then `logscan check` uses it"))


@click.command(context_settings=CONTEXT)
@click.argument("shell", metavar="SHELL", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    \b
    Examples (install it):
      eval "$(logscan completion bash)"      # in ~/.bashrc
      eval "$(logscan completion zsh)"       # in ~/.zshrc
      logscan completion fish > ~/.config/fish/completions/logscan.fish
    """
    root = click.get_current_context().find_root().command
    click.echo(completion_script(root, shell), nl=False)


def completion_script(command: click.Command, shell: str, prog: str = "logscan") -> str:
    """The completion script of ``command`` for ``shell`` (bash, zsh, fish), from click's own
    machinery: what ``_LOGSCAN_COMPLETE={shell}_source logscan`` prints."""
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # the CLI's Choice keeps this out; a library caller may pass anything
        raise ConfigError(f"no completion for shell {shell!r} (bash, zsh or fish)")
    complete_var = f"_{prog.replace('-', '_').upper()}_COMPLETE"
    return cls(command, {}, prog, complete_var).source()
