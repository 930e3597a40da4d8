"""The worker processes: started with the right environment, possibly before anything is loaded.

Spawning a worker costs about as much as the main process's own start-up
(a fresh interpreter importing polars), so a scan known to be large starts its
workers first (:func:`prestart`, from the command line, before the patterns
and the catalogue are loaded) and the engine adopts them (:func:`take`). This
module imports no polars: starting workers must not wait for it.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

#: Bytes scanned in-process before a worker pool is started.
POOL_THRESHOLD = 48 << 20

#: The environment worker processes start with: a single-threaded polars (the processes
#: share the cores), and an allocator (polars' jemalloc) that hands freed memory back to
#: the system within 20 ms, in a background thread, rather than after polars' 0.5-1 s
#: (a worker's resident memory is a fifth lower, at the same speed).
WORKER_ENVIRONMENT = {
    "POLARS_MAX_THREADS": "1",
    "_RJEM_MALLOC_CONF": "background_thread:true,dirty_decay_ms:20,muzzy_decay_ms:0",
}

Pool = tuple[ProcessPoolExecutor, list[Future]]

_prestarted: dict[int, Pool] = {}


def scan_here_too() -> None:
    """Give this process the workers' settings, as it will scan blocks beside them (one
    polars thread per process), if polars is not loaded yet (it reads them when it loads);
    a setting already in the environment is kept. (A pool started later, once polars is
    loaded, shares the cores with this process's threads.)"""
    if "polars" in sys.modules:
        return
    for name, value in WORKER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _init_worker(warm: tuple[str, ...]) -> None:
    # Ctrl-C is the main process's to handle (it stops the pool): no traceback from workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    for module in warm:  # the caller's modules (polars and the engine), before the first block
        importlib.import_module(module)


def _exit_with(sentinel: int) -> None:
    """End this worker once its parent is gone (killed outright: ``kill -9``, out of memory).

    A pool's worker waits for work on a pipe it holds both ends of, so it would
    not notice and would wait forever. The sentinel is ready once the parent has
    exited (already, if it died before this worker was up)."""
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def start(workers: int, warm: tuple[str, ...] = ()) -> Pool:
    """Worker processes in WORKER_ENVIRONMENT, each importing the modules ``warm`` names as it
    starts (the caller's: this module imports no other of logscan's).

    Returns the pool and one future per worker that is done once that worker is up.
    """
    saved = {name: os.environ.get(name) for name in WORKER_ENVIRONMENT}
    os.environ.update(WORKER_ENVIRONMENT)
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(warm,),
        )
        # Start the workers now, while the variables are set for them to inherit
        # (a process copies the environment when it starts, in submit).
        warmup = [pool.submit(os.getpid) for _ in range(workers)]
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return pool, warmup


def prestart(paths: Iterable[str | Path], workers: int | None = None, warm: tuple[str, ...] = ()) -> None:
    """Start the pool now if the plain files among ``paths`` are large enough to use it.

    ``workers`` counts the scanning processes, this one included (the pool has one fewer).
    """
    count = (default_workers() if workers is None else workers) - 1
    if count < 1 or count in _prestarted:
        return
    if plain_bytes(paths, POOL_THRESHOLD) > POOL_THRESHOLD:
        scan_here_too()
        _prestarted[count] = start(count, warm)


#: How many paths :func:`plain_bytes` looks at, at most (it must stay cheap).
_MAX_LOOKS = 20_000


def plain_bytes(paths: Iterable[str | Path], enough: int) -> int:
    """The size of the files ``paths`` name (walked as the scan walks them, by
    :func:`logscan.inputs.iter_files`), counted until it passes ``enough`` or
    :data:`_MAX_LOOKS` files were seen: a folder of many logs is walked only that far."""
    from logscan.inputs import Listed, iter_files

    total = 0
    for looked, item in enumerate(iter_files(paths), 1):
        if isinstance(item, Listed):
            total += item.size
        if total > enough or looked >= _MAX_LOOKS:
            break
    return total


def take(workers: int, warm: tuple[str, ...] = ()) -> Pool:
    """A pool of ``workers`` processes: the one started early if there is one, else a new one.

    (The process that takes it scans too: see :mod:`logscan.run.engine`.)"""
    return _prestarted.pop(workers, None) or start(workers, warm)


@atexit.register
def _shutdown_unused() -> None:
    for pool, _warmup in _prestarted.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _prestarted.clear()
