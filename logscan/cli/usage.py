"""Usage errors as one line: ``logscan: error: what; did you mean X? (see logscan CMD --help)``.

Click shows a usage error as a block (``Usage: ...``, ``Try ...``, ``Error: ...``); logscan
shows every one (an unknown command or option, a bad choice or value, a missing argument) as
the one line its other errors are, with the nearest name when there is one.
"""

from __future__ import annotations

from typing import Any

import click

from logscan.errors import did_you_mean


class SuggestingChoice(click.Choice):
    """A choice whose error names the choices plainly and the nearest one."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        names = [str(c) for c in self.choices]
        return f"{value!r} is not one of {', '.join(names)}{did_you_mean(str(value), names)}"


def suggest_choices(command: click.Command) -> None:
    """Give every choice of ``command`` (and of its subcommands) the nearest-name message."""
    for param in command.params:
        if type(param.type) is click.Choice:
            param.type = SuggestingChoice(param.type.choices, case_sensitive=param.type.case_sensitive)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            suggest_choices(sub)


def usage_line(exc: click.UsageError, root: click.Command, argv: list[str]) -> str:
    """The one line that says what was wrong, the nearest name, and where the help is (the
    command ``argv`` names, when click did not say: ``report -o`` without its file)."""
    where = exc.ctx.command_path if exc.ctx is not None else command_path(root, argv)
    return f"logscan: error: {_what(exc)} (see {where} --help)"


def command_path(root: click.Command, argv: list[str]) -> str:
    """``logscan report``: the root and the (sub)commands the words of ``argv`` name."""
    words, command = ["logscan"], root
    for word in argv:
        if not isinstance(command, click.Group) or word.startswith("-"):
            if word.startswith("-") and isinstance(command, click.Group):
                continue  # an option of the group (--debug) before the command
            break
        sub = command.commands.get(word)
        if sub is None:
            break
        words.append(word)
        command = sub
    return " ".join(words)


def _what(exc: click.UsageError) -> str:
    if isinstance(exc, click.NoSuchOption):
        near = f"; did you mean {exc.possibilities[0]}?" if exc.possibilities else ""
        return f"no such option {exc.option_name}{near}"
    command_name = getattr(exc, "command_name", None)
    if command_name is not None:  # click.NoSuchCommand (click 8.4 and later)
        names = exc.ctx.command.list_commands(exc.ctx) if exc.ctx is not None else []  # type: ignore[attr-defined]
        return f"no such command {command_name!r}{did_you_mean(command_name, names, fold=False)}"
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        return f"missing {kind} {_hint(exc)}".rstrip()
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        return f"{hint}: {_sentence(exc.message)}" if hint else _sentence(exc.message)
    return _sentence(exc.message)


def _hint(exc: click.BadParameter) -> str:
    """The option or argument, as it is written on the command line (``-f/--format``, ``PATHS...``)."""
    if isinstance(exc.param_hint, str):
        return exc.param_hint
    if exc.param_hint is not None:
        return "/".join(exc.param_hint)
    param = exc.param
    if param is None:
        return ""
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.make_metavar(exc.ctx) if exc.ctx is not None else (param.name or "").upper()


def _sentence(message: str) -> str:
    """Click's message as a clause of the line: no final period, a lower-case first word."""
    text = " ".join(message.split()).rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text
