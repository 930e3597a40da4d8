"""The same scan on a Dask cluster (``--engine dask``): local paths and fsspec URLs.

The client lists what PATHS name (files on a shared file system, objects in a
bucket: names and sizes, nothing is read) and plans tasks: a file over
:data:`logscan.run.engine.SMALL_FILE` is a task of its own, smaller ones are batched,
in input order. Each task runs the local engine (:class:`logscan.run.engine.Engine`,
in the worker's process) over its files, which the worker reads itself:
compression, archives, encodings and limits as locally (:mod:`logscan.inputs`),
large files in the same blocks. A report task maps its blocks with the report's
own map step and merges them (:func:`logscan.aggregate.report.merge`); the partial frames
of consecutive tasks are combined in a tree on the workers
(:func:`logscan.aggregate.report.combine`), so the client receives one frame of a few rows
per code and file, never the events; it builds the report as the local engine
does (:func:`logscan.aggregate.report.build_report`). An export task writes its events as
one part of a Parquet dataset.

What is shipped to the workers: the paths or URLs of their files, the compiled
patterns, the limits (and, for an export, the catalogue and the filters). Dask is
imported only here, and only for ``--engine dask``: the base install stays light.
Credentials are the storage backends' own (their standard chain on each worker:
environment, configuration files, instance roles); logscan takes none, and
prints and writes none.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from logscan import inputs
from logscan.aggregate import report
from logscan.decode import catalogue as cat
from logscan.decode.filters import Filters
from logscan.errors import EngineError, InputError, OutputError
from logscan.export import events as exports
from logscan.inputs import Limits, Listed, Source, Unreadable
from logscan.match.matcher import Matcher
from logscan.run import engine, pool
from logscan.run.engine import Engine, RunStats

#: How long to wait for a scheduler given by address (``--connect-timeout``), in seconds.
CONNECT_TIMEOUT = 10.0
#: Partial frames of this many tasks are combined by one task of the merge tree.
FAN_IN = 4
#: Tasks per worker at least, when the files allow it (smaller batches than locally: every
#: worker gets some, and one slow task does not hold the run).
TASKS_PER_WORKER = 4


@dataclass(frozen=True)
class Remote:
    """An object an fsspec URL names (``s3://bucket/key``), with its size; read by a worker."""

    url: str
    size: int


Item = Listed | Remote | Unreadable


# --------------------------------------------------------------------------- listing (client)


def list_inputs(paths: Sequence[str]) -> list[Item]:
    """The files and objects ``paths`` name, in order, with the inputs that name nothing."""
    items: list[Item] = []
    local: list[str] = []
    for text in paths:
        if not inputs.is_url(text):
            local.append(text)
            continue
        items.extend(inputs.iter_files(local))
        local = []
        items.extend(_list_url(text))
    items.extend(inputs.iter_files(local))
    return items


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec.core

        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise InputError(
            f"{url}: this kind of URL needs a storage backend that is not installed ({exc}); "
            "for s3:// install logscan[s3]"
        ) from None
    except ValueError as exc:
        raise InputError(f"{url}: not a URL logscan can read ({exc})") from None


def _list_url(url: str) -> Iterator[Remote | Unreadable]:
    """What a URL names: an object, the objects under a prefix, or a glob's matches (``**``
    included), in the order a local folder is walked (name by name, level by level)."""
    fs, path = _filesystem(url)
    files: dict[str, dict[str, Any]] = {}
    try:
        if set("*?[") & set(path):
            for found, info in fs.glob(path, detail=True).items():
                if info.get("type") == "directory":
                    files.update(fs.find(found, detail=True))
                else:
                    files[found] = info
            if not files:
                yield Unreadable(url, "no file matches this pattern", no_match=True)
                return
        elif fs.isdir(path):
            files = fs.find(path, detail=True)
        else:
            files = {path: fs.info(path)}
    except OSError as exc:
        yield Unreadable(url, inputs.read_error_reason(exc))
        return
    except Exception as exc:  # the backend's own (botocore's NoCredentialsError, ...)
        raise InputError(f"{url}: cannot list it: {_backend_error(exc)}") from None
    for name in sorted(files, key=lambda p: p.split("/")):
        yield Remote(fs.unstrip_protocol(name), int(files[name].get("size") or 0))


def plan(items: Sequence[Item], workers: int) -> list[list[Item]]:
    """Tasks, in input order: a file over SMALL_FILE alone, smaller ones batched as the local
    engine batches them (at most BATCH_BYTES or BATCH_FILES), in smaller batches where that
    gives each worker TASKS_PER_WORKER tasks. Unreadable inputs go with the task at hand, so
    that they are named in input order."""
    small = [i for i in items if not isinstance(i, Unreadable) and _size(i) <= engine.SMALL_FILE]
    share = max(1, TASKS_PER_WORKER * workers)
    most_bytes = min(engine.BATCH_BYTES, max(1 << 20, sum(map(_size, small)) // share))
    most_files = min(engine.BATCH_FILES, max(1, -(-len(small) // share)))
    tasks: list[list[Item]] = []
    batch: list[Item] = []
    files = size = 0

    def flush() -> None:
        nonlocal batch, files, size
        if batch:
            tasks.append(batch)
            batch, files, size = [], 0, 0

    for item in items:
        if isinstance(item, Unreadable):
            batch.append(item)
            continue
        if _size(item) > engine.SMALL_FILE:
            flush()
            tasks.append([item])
            continue
        batch.append(item)
        files += 1
        size += _size(item)
        if size >= most_bytes or files >= most_files:
            flush()
    flush()
    return tasks


def _size(item: Listed | Remote) -> int:
    return item.size


# --------------------------------------------------------------------------- tasks (workers)


def _sources(items: Iterable[Item], limits: Limits) -> Iterator[Source | Unreadable]:
    """The sources of a task's items, read on the worker."""
    for item in items:
        if isinstance(item, Unreadable):
            yield item
        elif isinstance(item, Listed):
            yield from inputs.file_sources(item.path, item.name, limits)
        else:
            yield from _remote_sources(item, limits)


def _remote_sources(item: Remote, limits: Limits) -> Iterator[Source | Unreadable]:
    fs, path = _filesystem(item.url)
    try:
        raw = fs.open(path, "rb")
    except OSError as exc:
        yield Unreadable(item.url, inputs.read_error_reason(exc))
        return
    except Exception as exc:  # the backend's own: this worker has no credentials, ...
        yield Unreadable(item.url, _backend_error(exc))
        return
    with raw:
        yield from inputs.stream_sources(item.url, raw, item.size, limits)


def _report_task(
    start: int, items: list[Item], matcher: Matcher, limits: Limits, mapper: engine.Mapper, block_size: int
) -> tuple[pl.DataFrame, RunStats]:
    """A task of a report: the local engine over its files, its partials merged."""
    with Engine(matcher, workers=1, block_size=block_size) as local:
        partials = report.merge(local.run(_sources(items, limits), mapper), start=start)
        return partials, local.stats


def _combine(*parts: tuple[pl.DataFrame, RunStats]) -> tuple[pl.DataFrame, RunStats]:
    """The partials of consecutive tasks (in input order) as one: a node of the merge tree."""
    stats = _joined(stats for _, stats in parts)
    frames = [frame for frame, _ in parts if not frame.is_empty()]
    if not frames:
        return parts[0][0], stats
    return report.combine(report.read_times(pl.concat(frames, how="diagonal_relaxed"))), stats


def _joined(all_stats: Iterable[RunStats]) -> RunStats:
    joined = RunStats()
    for stats in all_stats:
        joined.sources.extend(stats.sources)
        joined.unreadable.extend(stats.unreadable)
    return joined


def _export_task(
    part: str,
    items: list[Item],
    matcher: Matcher,
    catalogue: cat.Catalogue,
    limits: Limits,
    options: dict[str, Any],
) -> RunStats:
    """A task of an export: its events written as one Parquet part (under a temporary name,
    renamed once whole: a task retried elsewhere writes it again)."""
    target = Path(part)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("wb") as fh:
            writer = exports.ParquetWriter(fh)
            sources = _sources(items, limits)
            stats = exports.export_events(sources, matcher, catalogue, writer, workers=1, **options)
        os.replace(partial, target)
    except OSError as exc:  # the folder, as this worker sees it (a file system the workers share?)
        raise OutputError(f"{target}: a worker cannot write it: {exc.strerror or exc}") from None
    return stats


# --------------------------------------------------------------------------- the cluster (client)


@contextlib.contextmanager
def connect(scheduler: str | None, *, timeout: float = CONNECT_TIMEOUT, workers: int | None = None) -> Any:
    """A Dask client: of the scheduler at ``scheduler`` (reached within ``timeout`` seconds,
    with a worker within as long), or of a cluster of ``workers`` processes (default: this
    machine's cores) started here and stopped at the end."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError("--engine dask needs Dask: pip install 'logscan[dask]'") from None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
            env=dict(pool.WORKER_ENVIRONMENT),
        )
        try:
            with Client(cluster, set_as_default=False) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        _probe(scheduler, timeout)
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise EngineError(
            f"cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({_first_line(exc)}); "
            "check the address (tcp://host:8786), or leave out --scheduler for a cluster on this machine"
        ) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise EngineError(
                f"the Dask scheduler at {scheduler} has no worker (none joined within {timeout:g} s: "
                f"{_first_line(exc)}); start one with: dask worker {scheduler}"
            ) from None
        yield client


def _probe(address: str, timeout: float) -> None:
    """Connect to the scheduler and shake hands, within ``timeout`` seconds in all (Dask's own
    timeout bounds the connection, not the handshake: a port that accepts and never answers
    would hold the client for ever). Raises OSError or TimeoutError. In a thread of its own: the
    caller may be running an event loop (a notebook)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm.core import connect as open_comm

    async def shake() -> None:
        comm = await open_comm(address, timeout=timeout)
        await comm.close()

    with ThreadPoolExecutor(1) as thread:
        thread.submit(lambda: asyncio.run(asyncio.wait_for(shake(), timeout))).result()


def _backend_error(exc: BaseException) -> str:
    """A storage backend's error, in a line: its type and what it says (credentials are the
    backend's to keep out of its messages; logscan has none to show)."""
    return f"{type(exc).__name__}: {_first_line(exc)}; check the credentials of the storage (see Fleets)"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    if not text and isinstance(exc, TimeoutError):
        return "no answer"
    return text[0] if text else type(exc).__name__


def _workers(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _results(futures: Any, get: Any) -> Any:
    """``get(futures)``: the results, with a cluster that fails as an :class:`EngineError`."""
    from distributed import KilledWorker

    try:
        return get(futures)
    except KilledWorker as exc:
        raise EngineError(
            f"workers died running a task, each time it was tried ({_first_line(exc)}): too little memory?"
        ) from None


def _tree(client: Any, futures: list[Any]) -> Any:
    """The futures' partials combined, FAN_IN at a time, on the workers: one future."""
    while len(futures) > 1:
        futures = [
            client.submit(_combine, *futures[i : i + FAN_IN], pure=False)
            for i in range(0, len(futures), FAN_IN)
        ]
    return futures[0]


@dataclass
class Cluster:
    """Where to run: the scheduler's address (None: a cluster on this machine) and how long to
    wait for it; workers of a cluster started here."""

    scheduler: str | None = None
    connect_timeout: float = CONNECT_TIMEOUT
    workers: int | None = None


def scan_report(
    paths: Sequence[str],
    matcher: Matcher,
    catalogue: cat.Catalogue,
    cluster: Cluster,
    *,
    limits: Limits | None = None,
    redact: bool = True,
    redact_users: bool = False,
    views: tuple[str, ...] = (),
    bucket: str | None = None,
    block_size: int = inputs.BLOCK_SIZE,
) -> report.Report:
    """The report of ``paths``, scanned on a Dask cluster: the local engine's, to the byte."""
    items = list_inputs(paths)
    mapper = report.mapper_for(views, bucket)
    with connect(cluster.scheduler, timeout=cluster.connect_timeout, workers=cluster.workers) as client:
        tasks = plan(items, _workers(client))
        if not tasks:
            partials, stats = report.merge([]), RunStats()
        else:
            leaves = [
                client.submit(
                    _report_task, i << 32, task, matcher, limits or Limits(), mapper, block_size, pure=False
                )
                for i, task in enumerate(tasks)
            ]
            partials, stats = _results(_tree(client, leaves), lambda root: root.result())
    return report.build_report(
        partials, stats, catalogue, redact=redact, redact_users=redact_users, views=views, every=bucket
    )


def export_dataset(
    paths: Sequence[str],
    matcher: Matcher,
    catalogue: cat.Catalogue,
    folder: Path,
    cluster: Cluster,
    *,
    limits: Limits | None = None,
    filters: Filters | None = None,
    redact: bool = True,
    redact_users: bool = False,
) -> RunStats:
    """Every (filtered) event of ``paths`` as a Parquet dataset in ``folder`` (new or empty; on
    a file system the workers share): one part per task, ``part-000000.parquet`` on, in input
    order, written by the workers in parallel. Returns what was read."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "not a folder" if not folder.is_dir() else "not empty"
        raise OutputError(f"{folder}: {what}; give a new or empty folder for the Parquet dataset")
    items = list_inputs(paths)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None
    options = {"filters": filters, "redact": redact, "redact_users": redact_users}
    with connect(cluster.scheduler, timeout=cluster.connect_timeout, workers=cluster.workers) as client:
        tasks = plan(items, _workers(client))
        where = folder.absolute()
        futures = [
            client.submit(
                _export_task,
                str(where / f"part-{i:06d}.parquet"),
                task,
                matcher,
                catalogue,
                limits or Limits(),
                options,
                pure=False,
            )
            for i, task in enumerate(tasks)
        ]
        return _joined(_results(futures, client.gather))
