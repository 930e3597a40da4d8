"""The filter options the scanning commands share, and the parameter types of times and codes.

``--since``/``--until`` take what logscan prints (``2024-05-01T10:00:00.123``) and what people
write (a date alone, a space for ``T``, ``Z`` or an offset: accepted and not applied, as logs
carry the device's wall-clock time); ``--code`` takes ``208``, ``native/208``, ``web/16`` or a
name (``USER_REMOVED``), looked up in the catalogue once it is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import click

from logscan.errors import UnknownName, did_you_mean

_CODE = re.compile(r"(?:(?:native|web)[/:])?-?\d+|[A-Za-z_][\w-]*", re.I)
SDK_CHOICE = ["native", "web"]


class TimeBound(click.ParamType):
    """A time to compare with the logs' timestamps (``end``: a date alone takes that day in)."""

    name = "time"

    def __init__(self, *, end: bool = False) -> None:
        self.end = end

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        from logscan.match.timestamps import parse_bound

        try:
            return parse_bound(str(value), end=self.end)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class CodeQuery(click.ParamType):
    """A code as written (``208``, ``native/208``, ``web/16``, ``USER_REMOVED``), resolved to
    (sdk, code) pairs by :func:`resolve_codes` once the catalogue is loaded."""

    name = "code"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "CODE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not _CODE.fullmatch(text):
            self.fail(
                f"{value!r}: a code is a number (208), native/208, web/16 or a name (USER_REMOVED)",
                param,
                ctx,
            )
        return text


def resolve_codes(values: Sequence[str], catalogue: Any, sdks: Sequence[str] = ()) -> list[tuple[str, int]]:
    """The (sdk, code) pairs of ``--code`` values; a name the catalogue lacks is a usage error."""
    pairs: list[tuple[str, int]] = []
    for value in values:
        try:
            pairs += catalogue.codes_of(value, sdks=sdks)
        except UnknownName as exc:
            raise click.BadParameter(str(exc), param_hint="--code") from None
    return list(dict.fromkeys(pairs))


def check_names(values: Sequence[str], known: Sequence[str], what: str, hint: str) -> None:
    """Refuse a ``--kind`` or ``--category`` the catalogue does not have, with the nearest one."""
    for value in values:
        if value not in known:
            near = did_you_mean(value, known) or f"; use one of: {', '.join(known)}"
            raise click.BadParameter(f"{value!r} is not a {what}{near}", param_hint=hint)


def check_order(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and since > until:
        raise click.UsageError(
            f"--since ({since.isoformat()}) is after --until ({until.isoformat()}): nothing can match"
        )


def filter_options(*, names: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--sdk``, ``--code`` (and, with ``names``, ``--category``, ``--kind``), ``--since``,
    ``--until``: the command receives them as ``sdk_filter``, ``code_filter`` ... ``since``, ``until``."""

    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option("--sdk", "sdk_filter", multiple=True, type=click.Choice(SDK_CHOICE),
                         help="Only this SDK family (repeatable)."),
            click.option("--code", "code_filter", multiple=True, type=CodeQuery(),
                         help="Only this code (repeatable): 208 (both families, unless --sdk), "
                         "native/208, web/16 or a name (USER_REMOVED)."),
        ]  # fmt: skip
        if names:
            options += [
                click.option("--category", "category_filter", multiple=True,
                             help="Only this category (repeatable)."),
                click.option("--kind", "kind_filter", multiple=True, help="Only this kind (repeatable)."),
            ]  # fmt: skip
        options += [
            click.option("--since", type=TimeBound(), default=None,
                         help="Only lines with a full timestamp at or after TIME (2024-05-01, "
                         "2024-05-01T10:00:00.123; a Z or an offset is accepted, not applied: "
                         "logs carry the device's wall-clock time)."),
            click.option("--until", type=TimeBound(end=True), default=None,
                         help="Only lines with a full timestamp at or before TIME (a date alone: "
                         "through that day)."),
        ]  # fmt: skip
        for option in reversed(options):
            f = option(f)
        return f

    return deco


def make_filters(
    catalogue: Any,
    *,
    sdk_filter: Sequence[str] = (),
    code_filter: Sequence[str] = (),
    category_filter: Sequence[str] = (),
    kind_filter: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    """The :class:`~logscan.decode.filters.Filters` of the options, checked."""
    from logscan.decode.catalogue import CATEGORIES, KINDS, UNKNOWN
    from logscan.decode.filters import Filters

    check_names(category_filter, [*CATEGORIES, UNKNOWN], "category", "--category")
    check_names(kind_filter, list(KINDS), "kind", "--kind")
    check_order(since, until)
    return Filters(
        sdk=list(sdk_filter), code=resolve_codes(code_filter, catalogue, sdk_filter),
        category=list(category_filter), kind=list(kind_filter), since=since, until=until,
    )  # fmt: skip
