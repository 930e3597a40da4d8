"""The Dask engine (--engine dask): the local engine's answers, on a real LocalCluster.

One cluster of two worker processes serves the module (the machine is small); the
first test starts its own, before that one exists. Comparisons are of the whole
JSON report, byte for byte, against the local engine over the same files.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

distributed = pytest.importorskip("distributed")
fsspec = pytest.importorskip("fsspec")

from fsspec.implementations.local import LocalFileSystem  # noqa: E402

from logscan.aggregate.report import build_report, merge, partial_counts  # noqa: E402
from logscan.cli.options import load_config_and_patterns  # noqa: E402
from logscan.decode.catalogue import load_catalogue  # noqa: E402
from logscan.fleet import cluster as engine  # noqa: E402
from logscan.inputs import iter_sources  # noqa: E402
from logscan.match.matcher import Matcher  # noqa: E402
from logscan.render import json_  # noqa: E402
from logscan.run.engine import Engine  # noqa: E402

from ..conftest import ROOT, SAMPLES, invoke  # noqa: E402

LINE = "2026-11-20 10:00:{s:02d}.123 E/ChatDemo(1234): Login failed! code: {code} error: x\n"
WEB = '2024-05-01 10:20:{s:02d} onError type: {code}, message: "websocket has been disconnected"\n'


def run_cli(*args: object, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    exe = [sys.executable, "-m", "logscan", *map(str, args)]
    return subprocess.run(exe, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def test_without_a_scheduler_a_cluster_is_started_here_and_gives_the_local_report():
    """Runs before the module's cluster exists: at most one cluster at a time."""
    local = run_cli("report", "sample_logs", "-f", "json")
    dask = run_cli("report", "sample_logs", "-f", "json", "--engine", "dask", "-j", "2")
    assert (dask.returncode, dask.stderr) == (0, "")
    assert local.returncode == 0
    assert dask.stdout == local.stdout
    assert json.loads(dask.stdout)["events"] > 100


def test_the_base_install_imports_no_dask():
    code = (
        "import sys, logscan.cli.main, logscan.aggregate.report, logscan.fleet.cluster; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'fsspec')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_tasks_keep_input_order_a_large_file_alone_small_ones_batched():
    from logscan.inputs import Listed, Unreadable

    def small(n: int) -> Listed:
        return Listed(f"s{n}", Path(f"/s{n}"), 1000)

    big = Listed("big", Path("/big"), engine.engine.SMALL_FILE + 1)
    gone = Unreadable("gone", "no such file or directory")
    items = [small(0), small(1), gone, big, *(small(n) for n in range(2, 10))]
    tasks = engine.plan(items, workers=1)  # 10 small files, 4 tasks a worker: 3 files a task
    assert tasks == [[small(0), small(1), gone], [big], [small(2), small(3), small(4)],
                     [small(5), small(6), small(7)], [small(8), small(9)]]  # fmt: skip


# --------------------------------------------------------------------------- the module's cluster


class GateFileSystem(LocalFileSystem):
    """Local files as ``gate://`` URLs; opening a file named ``gate.log`` leaves a mark
    ``opened-<pid>`` beside it and waits for a file ``go`` there (a worker held mid-task)."""

    protocol = ("gate",)

    @classmethod
    def _strip_protocol(cls, path):  # type: ignore[no-untyped-def]
        path = str(path)
        return super()._strip_protocol(path[len("gate://") :] if path.startswith("gate://") else path)

    def unstrip_protocol(self, name: str) -> str:
        return f"gate://{self._strip_protocol(name)}"

    def _open(self, path, mode="rb", **kwargs):  # type: ignore[no-untyped-def]
        file = Path(self._strip_protocol(path))
        if file.name == "gate.log":
            (file.parent / f"opened-{os.getpid()}").touch()
            deadline = time.monotonic() + 120
            while not (file.parent / "go").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return super()._open(path, mode, **kwargs)


class GatePlugin(distributed.diagnostics.plugin.WorkerPlugin):
    """gate:// on every worker, those started again after one was killed too."""

    def setup(self, worker) -> None:  # type: ignore[no-untyped-def]
        fsspec.register_implementation("gate", GateFileSystem, clobber=True)


@pytest.fixture(scope="module")
def cluster():
    fsspec.register_implementation("gate", GateFileSystem, clobber=True)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50
        ) as local,
        distributed.Client(local, set_as_default=False) as client,
    ):
        client.register_plugin(GatePlugin())
        yield local.scheduler_address, client


@pytest.fixture(scope="module")
def patterns():
    _, loaded = load_config_and_patterns(None, (), False, check=False)
    return Matcher.build(loaded), load_catalogue([])


def local_report(paths, matcher, catalogue, *, block_size=None):  # type: ignore[no-untyped-def]
    """The local engine's JSON report (in this process)."""
    kwargs = {} if block_size is None else {"block_size": block_size}
    with Engine(matcher, workers=1, **kwargs) as local:
        partials = merge(local.run(iter_sources(paths), partial_counts))
        stats = local.stats
    return json_.render(build_report(partials, stats, catalogue))


def mixed_corpus(root: Path) -> Path:
    """Generated small files (batched) plus one of every kind the readers know."""
    gen = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "2MB", str(root / "gen"), "--files", "200"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "wrote" in gen.stdout
    kinds = root / "kinds"
    kinds.mkdir()
    lines = "".join(LINE.format(s=i % 60, code=(204, 208, 300)[i % 3]) for i in range(300))
    (kinds / "a.log.gz").write_bytes(gzip.compress(lines.encode()))
    (kinds / "b.log.bz2").write_bytes(bz2.compress(lines.encode()))
    (kinds / "c-utf16.log").write_bytes(("\ufeff" + lines).encode("utf-16-le"))
    (kinds / "d-bad-utf8.log").write_bytes(lines.encode().replace(b"error: x", b"error: x\xff"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = "".join(WEB.format(s=i % 60, code=16) for i in range(50)).encode()
        info = tarfile.TarInfo("inner/web.log")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (kinds / "e.tgz").write_bytes(buffer.getvalue())
    with zipfile.ZipFile(kinds / "f.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("z.log", lines)
    return root


def test_a_generated_corpus_gives_the_local_report_byte_for_byte(cluster, patterns, tmp_path):
    address, _ = cluster
    matcher, catalogue = patterns
    root = mixed_corpus(tmp_path)
    dask = engine.scan_report([str(root)], matcher, catalogue, engine.Cluster(address))
    local = local_report([root], matcher, catalogue)
    assert json_.render(dask) == local
    report = json.loads(local)
    # 200 generated; gz, bz2, UTF-16, bad UTF-8; a tar member, a zip member.
    assert report["inputs"]["files"] == 207
    expected = json.loads((root / "gen.expected.json").read_text())
    generated = sum(expected.values())
    assert report["events"] == generated + 5 * 300 + 50
    # More than one task, so the merge tree had nodes.
    assert len(engine.plan(engine.list_inputs([str(root)]), 2)) > engine.FAN_IN


def test_a_large_file_is_read_in_the_local_engines_blocks(cluster, patterns, tmp_path):
    """A file over SMALL_FILE is a task of its own, read in blocks as the local engine reads it
    (small blocks here: many of them), line numbers and all."""
    address, _ = cluster
    matcher, catalogue = patterns
    big = tmp_path / "big.log"
    filler = "I/ChatDemo(1234): an ordinary line of some length to fill the file up ......\n"
    with big.open("w") as fh:
        for i in range(60_000):
            fh.write(LINE.format(s=i % 60, code=(204, 208, 300, 2)[i % 4]) if i % 7 == 0 else filler)
    assert big.stat().st_size > engine.engine.SMALL_FILE
    block = 1 << 18
    dask = engine.scan_report([str(big)], matcher, catalogue, engine.Cluster(address), block_size=block)
    assert json_.render(dask) == local_report([big], matcher, catalogue, block_size=block)
    assert dask.events == len(range(0, 60_000, 7))


@pytest.mark.parametrize(
    "views",
    [
        ("--by", "kind", "--by", "file", "--by", "platform", "--by", "time"),
        ("--by", "time", "--bucket", "1h", "--redact-users"),
    ],
)
def test_every_view_of_the_report_is_the_local_ones(cluster, views):
    address, _ = cluster
    local = invoke("report", SAMPLES, "-f", "json", *views)
    dask = invoke("report", SAMPLES, "-f", "json", *views, "--scheduler", address)
    assert (dask.exit_code, dask.stderr) == (0, "")
    assert dask.stdout == local.stdout
    assert "timeline" in json.loads(dask.stdout)


def test_check_gives_the_same_verdict_and_exit_code(cluster):
    address, _ = cluster
    for rule in ("any", "code=987654", "category=server>1000"):
        local = invoke("check", SAMPLES, "--fail-on", rule, "--format", "json")
        dask = invoke("check", SAMPLES, "--fail-on", rule, "--format", "json", "--scheduler", address)
        assert (dask.exit_code, dask.stdout, dask.stderr) == (local.exit_code, local.stdout, local.stderr)
    assert invoke("check", SAMPLES, "--fail-on", "any", "--scheduler", address).exit_code == 1


def test_unreadable_inputs_are_named_in_order_with_the_local_exit_codes(cluster, tmp_path):
    address, _ = cluster
    (tmp_path / "ok.log").write_text(LINE.format(s=1, code=208) * 3)
    gz = gzip.compress(LINE.format(s=2, code=302).encode() * 1000)
    (tmp_path / "trunc.log.gz").write_bytes(gz[: len(gz) // 2])
    paths = [tmp_path / "missing.log", tmp_path, tmp_path / "*.nothing"]
    for extra in ((), ("--keep-going",)):
        local = invoke("report", *paths, "-f", "json", *extra)
        dask = invoke("report", *paths, "-f", "json", "--scheduler", address, *extra)
        assert (dask.exit_code, dask.stdout, dask.stderr) == (local.exit_code, local.stdout, local.stderr)
    assert local.exit_code == 0
    unreadable = json.loads(local.stdout)["inputs"]["unreadable"]
    assert [u["name"] for u in unreadable] == [
        str(tmp_path / "missing.log"),
        str(tmp_path / "trunc.log.gz"),
        str(tmp_path / "*.nothing"),
    ]
    assert invoke("report", *paths, "--scheduler", address).exit_code == 2


def test_events_are_written_as_a_parquet_dataset_one_part_per_task(cluster, tmp_path):
    address, _ = cluster
    out = tmp_path / "out"
    r = invoke("events", SAMPLES, "--scheduler", address, "-o", out)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "")
    parts = sorted(p.name for p in out.iterdir())
    assert parts == [f"part-{i:06d}.parquet" for i in range(len(parts))]
    assert len(parts) == len(engine.plan(engine.list_inputs([str(SAMPLES)]), 2)) > 1
    r = invoke("events", SAMPLES, "-o", tmp_path / "local.parquet")
    assert r.exit_code == 0
    local = pl.read_parquet(tmp_path / "local.parquet")
    dataset = pl.read_parquet(out)
    assert dataset.height == local.height == 140
    assert_frame_equal(dataset, local)
    # Not into a folder that has files already, nor to stdout.
    again = invoke("events", SAMPLES, "--scheduler", address, "-o", out)
    assert again.exit_code == 2
    assert (
        again.stderr
        == f"logscan: error: {out}: not empty; give a new or empty folder for the Parquet dataset\n"
    )
    stdout = invoke("events", SAMPLES, "--scheduler", address)
    assert stdout.exit_code == 2
    assert "give -o FOLDER" in stdout.stderr


def test_the_configuration_picks_the_engine_and_the_scheduler(cluster, tmp_path):
    """file:// URLs are read by the dask engine only: the configuration chose it."""
    address, _ = cluster
    config = tmp_path / "logscan.toml"
    config.write_text(f'engine = "dask"\nscheduler = "{address}"\n')
    url = f"file://{SAMPLES}"
    dask = invoke("report", url, "-f", "json", "--config", config)
    local = invoke("report", SAMPLES, "-f", "json")
    assert (dask.exit_code, dask.stderr) == (0, "")
    assert dask.stdout.replace(url, str(SAMPLES)) == local.stdout
    plain = invoke("report", url, "-f", "json")
    assert (plain.exit_code, plain.stdout) == (2, "")
    assert plain.stderr == (
        f"logscan: error: cannot read {url}: a URL: the local engine reads files; URLs are read with --engine dask\n"
    )


def test_a_killed_worker_is_replaced_and_the_counts_stay_exact(cluster, patterns, tmp_path):
    """A worker killed while it reads a file: Dask runs its task again elsewhere."""
    address, client = cluster
    matcher, catalogue = patterns
    for i in range(12):
        (tmp_path / f"f{i:02d}.log").write_text(LINE.format(s=i, code=(204, 208)[i % 2]) * (i + 1))
    (tmp_path / "gate.log").write_text(LINE.format(s=59, code=300) * 5)
    result: dict[str, object] = {}

    def scan() -> None:
        try:
            result["report"] = engine.scan_report(
                [f"gate://{tmp_path}"], matcher, catalogue, engine.Cluster(address)
            )
        except BaseException as exc:  # shown by the assertion below
            result["error"] = exc

    thread = threading.Thread(target=scan)
    thread.start()
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("opened-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    (mark,) = tmp_path.glob("opened-*")
    os.kill(int(mark.name.split("-")[1]), signal.SIGKILL)
    (tmp_path / "go").touch()
    thread.join(timeout=240)
    assert "error" not in result, result.get("error")
    assert len(list(tmp_path.glob("opened-*"))) == 2  # read again by another worker process
    got = json_.render(result["report"]).replace("gate://", "")  # type: ignore[arg-type]
    files = [tmp_path / "gate.log", *sorted(tmp_path.glob("f*.log"))]
    assert got == local_report(sorted(files), matcher, catalogue)
    assert result["report"].events == sum(range(1, 13)) + 5  # type: ignore[union-attr]
    client.wait_for_workers(2, timeout=120)


def test_an_unreachable_scheduler_is_one_line_and_exit_2():
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    r = invoke("report", SAMPLES, "--scheduler", f"tcp://127.0.0.1:{port}", "--connect-timeout", "1")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith(
        f"logscan: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} within 1 s"
    )
    assert r.stderr.count("\n") == 1


def test_a_scheduler_that_never_answers_is_given_up_after_the_timeout():
    """A listener that accepts nothing: the handshake never ends; --connect-timeout does."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        r = run_cli(
            "report", "sample_logs", "--scheduler", f"tcp://127.0.0.1:{port}", "--connect-timeout", "2"
        )
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith(
        f"logscan: error: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} within 2 s"
    )
    assert r.stderr.count("\n") == 1


def test_usage_errors_of_the_dask_engine():
    r = invoke("report", "-", "--engine", "dask", input="x\n")
    assert r.exit_code == 2
    assert "standard input (-) is read by the local engine only" in r.stderr
    r = invoke("report", SAMPLES, "--engine", "local", "--scheduler", "tcp://127.0.0.1:1")
    assert r.exit_code == 2
    assert "a scheduler is for --engine dask" in r.stderr


# --------------------------------------------------------------------------- S3 (moto's server)


def set_environment(env: dict[str, str]) -> None:
    """On a worker (``os.environ.update`` itself would update a pickled copy)."""
    os.environ.update(env)


@pytest.fixture
def s3(cluster, monkeypatch):
    """A local S3 server (moto) on 127.0.0.1, its address and test credentials in the
    environment (the standard chain), here and on the workers."""
    moto_server = pytest.importorskip("moto.server")
    pytest.importorskip("s3fs")
    boto3 = pytest.importorskip("boto3")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "logscan-test-key",
            "AWS_SECRET_ACCESS_KEY": "logscan-test-secret-do-not-print",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        _, client = cluster
        client.run(set_environment, env)
        yield boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"]), env
    finally:
        server.stop()


def test_s3_objects_give_the_numbers_of_the_same_files_read_locally(s3, cluster, tmp_path):
    s3_client, env = s3
    address, _ = cluster
    root = mixed_corpus(tmp_path)
    s3_client.create_bucket(Bucket="logscan-test")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.parent != root)
    for path in files:
        s3_client.upload_file(str(path), "logscan-test", f"logs/{path.relative_to(root)}")
    dask = invoke("report", "s3://logscan-test/logs/", "-f", "json", "--scheduler", address)
    assert (dask.exit_code, dask.stderr) == (0, "")
    local = invoke("report", root / "gen", root / "kinds", "-f", "json")
    got, want = json.loads(dask.stdout), json.loads(local.stdout)
    assert got["events"] == want["events"] > 0
    assert got["inputs"] == {**want["inputs"], "bytes": got["inputs"]["bytes"]}
    counts = [(c["sdk"], c["code"], c["count"], len(c["files"])) for c in got["codes"]]
    assert counts == [(c["sdk"], c["code"], c["count"], len(c["files"])) for c in want["codes"]]
    assert got["categories"] == want["categories"]
    # A glob, and objects that are not there: named, with the local exit code; no secret shown.
    glob = invoke("report", "s3://logscan-test/logs/**/*.gz", "-f", "json", "--scheduler", address)
    assert glob.exit_code == 0
    assert [f for c in json.loads(glob.stdout)["codes"] for f in c["files"]] == [
        "s3://logscan-test/logs/kinds/a.log.gz"
    ] * 3
    missing = invoke(
        "report", "s3://logscan-test/nothing.log", "s3://no-such-bucket/x.log", "--scheduler", address
    )
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[:2] == [
        "logscan: error: cannot read s3://logscan-test/nothing.log: no such file or directory",
        "logscan: error: cannot read s3://no-such-bucket/x.log: no such file or directory",
    ]
    for r in (dask, glob, missing):
        assert env["AWS_SECRET_ACCESS_KEY"] not in r.stdout + r.stderr


def test_s3_without_credentials_is_one_line_naming_the_url(s3, cluster, monkeypatch):
    import s3fs

    address, _ = cluster
    s3_client, _ = s3
    s3_client.create_bucket(Bucket="logscan-test")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    s3fs.S3FileSystem.clear_instance_cache()  # an instance keeps the credentials it found
    r = invoke("report", "s3://logscan-test/logs/", "--scheduler", address)
    s3fs.S3FileSystem.clear_instance_cache()
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        "logscan: error: s3://logscan-test/logs/: cannot list it: NoCredentialsError: Unable to locate "
        "credentials; check the credentials of the storage (see Fleets)\n"
    )


# --- Issue 15: where a code was last seen, the same on a cluster -------------------------------


def test_last_seen_names_the_local_engines_line(cluster, tmp_path):
    """The latest occurrence in time, in the earlier file; ties: the last in file order."""
    address, _ = cluster
    late = "[2024/05/01 10:30:00:000]: login failed code: 208, desc: latest\n"
    early = "[2024/05/01 09:50:05:130]: login failed code: 208, desc: early\n"
    paths = [tmp_path / f"{name}.log" for name in ("a", "b", "c")]
    paths[0].write_text(early + late, encoding="utf-8")
    paths[1].write_text(early * 3, encoding="utf-8")
    paths[2].write_text("noise\n" + late.replace("latest", "tied"), encoding="utf-8")
    for order, last in ((paths, (paths[2], 2)), (paths[::-1], (paths[0], 2))):
        local = invoke("report", *order, "-f", "json")
        dask = invoke("report", *order, "-f", "json", "--scheduler", address)
        assert (dask.exit_code, dask.stderr) == (0, "")
        assert dask.stdout == local.stdout
        code = json.loads(dask.stdout)["codes"][0]
        assert code["last"] == {"file": str(last[0]), "line": last[1]}
