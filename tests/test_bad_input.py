"""What logscan does with bad input: every case of the README's table, as a test.

Across all cases: no traceback reaches the user, no event that could be read is
lost, and every unreadable input is named with its reason (exit 2 unless
--keep-going).
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import lzma
import os
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logscan.config import load as load_config
from logscan.decode.catalogue import load_file as load_catalogue_file
from logscan.errors import LogscanError
from logscan.inputs import Limits, iter_blocks, iter_sources
from logscan.match.patterns import load_file as load_pattern_file

from .conftest import done, invoke

ERR = "2026-11-20 10:00:00.123 E/ChatDemo(1234): Login failed! code: {} error: x\n"


def report(*args):
    r = invoke("report", *args, "-f", "json")
    assert "Traceback" not in r.stderr
    return r, (r.json() if r.stdout.strip() else None)


def unreadable(data):
    return {u["name"]: u["reason"] for u in data["inputs"]["unreadable"]}


# ---------------------------------------------------------------- paths and files


def test_missing_path(tmp_path):
    r, data = report(tmp_path / "nope.log")
    assert r.exit_code == 2 and data is None
    assert r.stderr == f"logscan: error: cannot read {tmp_path / 'nope.log'}: no such file or directory\n"


def test_permission_denied_is_named_and_the_rest_is_read(tmp_path, monkeypatch):
    good, locked = tmp_path / "good.log", tmp_path / "locked.log"
    good.write_text(ERR.format(204), encoding="utf-8")
    locked.write_text(ERR.format(205), encoding="utf-8")
    real_open = Path.open

    def guarded(self, *args, **kwargs):  # root reads anything: simulate the OS refusing
        if self.name == "locked.log":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)
    r, data = report(tmp_path)
    assert r.exit_code == 2 and data["events"] == 1
    assert unreadable(data) == {str(locked): "permission denied"}
    r, data = report(tmp_path, "--keep-going")
    assert (r.exit_code, r.stderr) == (0, f"logscan: warning: cannot read {locked}: permission denied\n")


def test_directory_symlink_loop(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.log").write_text(ERR.format(206), encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    r, data = report(tmp_path)
    assert r.exit_code == 0 and data["events"] == 1


def test_empty_file(tmp_path):
    (tmp_path / "empty.log").write_bytes(b"")
    r, data = report(tmp_path / "empty.log")
    assert r.exit_code == 0 and data["events"] == 0 and data["inputs"]["files"] == 1


def test_binary_file_with_nul_bytes(tmp_path):
    path = tmp_path / "core.bin"
    path.write_bytes(
        os.urandom(4096).replace(b"\n", b"") + b"\x00\x00\n" + ERR.format(207).encode() + b"\x00" * 100
    )
    r, data = report(path)
    assert r.exit_code == 0 and data["events"] == 1


def test_a_100_mb_line_without_newline(tmp_path):
    path = tmp_path / "huge.log"
    with path.open("wb") as fh:
        fh.write(ERR.format(208).encode())
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            fh.write(chunk)
        fh.write(b" Login failed! code: 209 error: at the end")
    r, data = report(path, "-j", "1")
    assert r.exit_code == 0
    assert {c["code"]: c["count"] for c in data["codes"]} == {208: 1, 209: 1}
    assert data["inputs"]["lines"] == 2


def _rotate(path: Path) -> None:
    """What logrotate does: the log moved away, a new one (other codes) in its place."""
    path.rename(path.with_name(path.name + ".1"))
    path.write_text(ERR.format(999) * 200, encoding="utf-8")


@pytest.mark.parametrize("change", ["rotated", "truncated", "small-rotated", "small-truncated"])
def test_a_file_that_changes_while_it_is_read_is_named_and_counts_what_was_read(
    tmp_path, monkeypatch, change
):
    """Regression: a file rotated (or truncated) during a scan gave exit 0 and a fraction of its
    events, and the new file's codes were counted under the old name. A file is read as the file
    listed (same inode, full reads): the blocks read before the change count, the file is named
    (changed while being read), exit 2. Small files (read in a batch) too."""
    import logscan.run.engine as engine_module
    from logscan import inputs

    small = change.startswith("small")
    monkeypatch.setattr(inputs, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(engine_module, "SMALL_FILE", 1 << 20 if small else 0)
    log, other = tmp_path / "rot.log", tmp_path / "other.log"
    log.write_text(ERR.format(204) * 200, encoding="utf-8")  # 75-byte lines: 15,000 bytes
    other.write_text(ERR.format(205) * 3, encoding="utf-8")
    real, calls = inputs.read_span, []

    def read_span(path, offset, length, identity=None):
        calls.append((path.name, offset))
        if path == log and (small or offset > 0) and len(calls) == (1 if small else 2):
            _rotate(log) if change.endswith("rotated") else log.write_bytes(b"")
        return real(path, offset, length, identity)

    monkeypatch.setattr(inputs, "read_span", read_span)
    r, data = report(log, other, "-j", "1")
    assert r.exit_code == 2
    first = 0 if small else 55  # the first block: 4,096 bytes and the rest of its line
    assert {c["code"]: c["count"] for c in data["codes"]} == ({204: first} if first else {}) | {205: 3}
    assert data["inputs"]["lines"] == first + 3
    shorter = "truncated since it was listed: now 0 bytes"
    reason = "replaced by another file since it was listed, e.g. by log rotation"
    assert unreadable(data) == {
        str(log): f"changed while being read ({reason if change.endswith('rotated') else shorter})"
    }
    assert r.stderr.startswith(f"logscan: error: cannot read {log}: changed while being read (")


@pytest.mark.parametrize("stream", [False, True])
def test_a_line_longer_than_a_block_counts_once_and_an_error_across_a_cut_is_found(
    tmp_path, monkeypatch, stream
):
    """Regression: a line longer than a block was cut into pieces scanned as lines: an error
    across a cut was lost, and one line holding 3 codes counted 3 events. Its pieces now overlap:
    wherever the error falls it is found, and the line makes one event (the leftmost match).
    A file read by offset and a stream (stdin); blocks of 256 bytes, so lines over ~1 KiB are long.
    The 70 KiB line is never held whole: no piece scanned is over 5 blocks and the overlap."""
    import logscan.run.engine as engine_module
    from logscan import inputs

    monkeypatch.setattr(inputs, "BLOCK_SIZE", 256)
    monkeypatch.setattr(engine_module, "SMALL_FILE", 0)  # in blocks, not read whole in a batch
    real, scanned = engine_module.match_frame, []

    def match_frame(lines, *args, **kwargs):  # the pieces of long lines are scanned here
        scanned.append(lines["line"].str.len_bytes().max())
        return real(lines, *args, **kwargs)

    monkeypatch.setattr(engine_module, "match_frame", match_frame)
    error = "E/ChatDemo(1234): Login failed! code: {} error: x"
    for shift in range(0, 256, 23):  # the error at places all along a cut between pieces
        long = (
            "x" * (1100 + shift)
            + error.format(2081)
            + "y" * (70 << 10)
            + error.format(209)
            + error.format(211)
        )
        text = ERR.format(204) + "noise\n" + long + "\n" + ERR.format(205) + "tail " * 400 + error.format(210)
        path = tmp_path / "long.log"
        path.write_text(text, encoding="utf-8")
        r = invoke("report", "-" if stream else path, "-j", "1", "-f", "json", input=text if stream else None)
        assert r.exit_code == 0, r.stderr
        data = r.json()
        assert {c["code"]: c["count"] for c in data["codes"]} == {204: 1, 2081: 1, 205: 1, 210: 1}, shift
        assert {c["code"]: c["sample"]["line"] for c in data["codes"]} == {204: 1, 2081: 3, 205: 4, 210: 5}
        assert (data["events"], data["inputs"]["lines"], data["inputs"]["bytes"]) == (4, 5, len(text))
    assert scanned and max(scanned) <= 5 * 256 + 128


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "sarif", "json"])
def test_keep_going_with_nothing_readable_never_passes(tmp_path, fmt):
    """Regression: `check --keep-going` on a log that was listed but could not be read at all (a
    .gz damaged from its first block) said "passed" with exit 0, and JUnit gave it a passing test
    case. No input read: exit 2, and no format says passed."""
    import xml.etree.ElementTree as ET

    path = tmp_path / "b.log.gz"
    path.write_bytes(gzip.compress(ERR.format(204).encode() * 10)[:10] + b"\xff" * 50)  # bad block type
    r = invoke("check", path, "--keep-going", "-f", fmt)
    assert r.exit_code == 2
    reason = r.stderr.splitlines()[0].removeprefix(f"logscan: error: cannot read {path}: ")
    assert r.stderr.splitlines() == [
        f"logscan: error: cannot read {path}: {reason}",
        "logscan: error: no input could be read (--keep-going accepts some, not all)",
    ]
    nothing = "logscan check: no input could be read, nothing was checked\n"
    if fmt == "text":
        assert r.stdout == nothing
    elif fmt == "github":
        assert r.stdout == f"::error file={path}::cannot read: {reason}\n" + nothing
    elif fmt == "junit":
        root = ET.fromstring(r.stdout)
        assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "1")
        cases = root.findall(".//testcase")
        assert [(c.get("name"), c.find("error").get("message")) for c in cases] == [("readable", reason)]
    elif fmt == "sarif":
        [invocation] = r.json()["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["error"]
    else:
        data = r.json()
        assert data["verdict"] == "error" and data["report"]["inputs"]["unreadable"] == [
            {"name": str(path), "reason": reason}
        ]
    r = invoke("report", path, "--keep-going", "-f", "json")
    assert r.exit_code == 2 and r.json()["events"] == 0


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("t.log.gz", gzip.compress),
        ("t.log.xz", lzma.compress),
        ("t.log.bz2", bz2.compress),
        ("t.log.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
    ],
)
def test_truncated_compressed_files_keep_what_they_hold(tmp_path, name, pack):
    text = "".join(ERR.format(300).replace("x", f"x{i * 7919 % 10007}") for i in range(60000)).encode()
    packed = pack(text)
    path = tmp_path / name
    path.write_bytes(packed[: len(packed) // 2])
    r, data = report(path)
    assert r.exit_code == 2 and data["events"] > 0
    reason = unreadable(data)[str(path)]
    assert (
        reason in ("truncated: the compressed stream ended early",)
        or "end" in reason
        or "invalid" in reason.lower()
    )
    r, _ = report(path, "--keep-going")
    assert r.exit_code == 0


@pytest.mark.parametrize(("name", "pack"), [("t.log.gz", gzip.compress), ("t.log.bz2", bz2.compress)])
def test_padding_and_trailing_garbage_after_a_compressed_stream(tmp_path, name, pack):
    """Zero bytes after the last member are padding (as gzip(1) reads them); anything else
    is reported for what it is, after every line of the stream was counted."""
    packed = pack(ERR.format(305).encode() * 3)
    padded = tmp_path / name
    padded.write_bytes(packed + bytes(700))
    r, data = report(padded)
    assert r.exit_code == 0 and data["events"] == 3 and data["inputs"]["unreadable"] == []
    junk = tmp_path / ("junk-" + name)
    junk.write_bytes(packed + b"not a member")
    r, data = report(junk)
    assert r.exit_code == 2 and data["events"] == 3
    assert unreadable(data) == {str(junk): "unexpected data after the end of the compressed stream"}


def _damage_gzip_crc(packed: bytes) -> bytes:
    """``packed`` (one gzip member) with the CRC-32 of its trailer wrong."""
    return packed[:-8] + bytes([packed[-8] ^ 0xFF]) + packed[-7:]


@pytest.mark.parametrize("lines", [8, 200_000])
def test_a_gzip_crc_error_keeps_every_line_before_it(tmp_path, lines):
    """Regression: a CRC error at the end of a member dropped what the last decompress call had
    given (all 8 lines of a small file; the end of a big one); now every line counts and the
    file is named."""
    text = "".join(ERR.format(208).replace("x", f"x{i * 7919 % 10007}") for i in range(lines)).encode()
    path = tmp_path / "crc.log.gz"
    path.write_bytes(_damage_gzip_crc(gzip.compress(text)))
    r, data = report(path)
    assert r.exit_code == 2 and data["events"] == lines and data["inputs"]["lines"] == lines
    assert unreadable(data) == {str(path): "CRC check failed: the data is damaged"}
    assert r.stderr.startswith(f"logscan: error: cannot read {path}: CRC check failed: the data is damaged\n")
    r, data = report(path, "--keep-going")
    assert r.exit_code == 0 and data["events"] == lines


def test_nested_compression_layers_to_the_configured_depth(tmp_path):
    """Regression: gzip of gzip of gzip was read as binary: 0 events, exit 0. Layers are
    decompressed to ``max_depth`` (a compressed stream inside another is a level, as an archive
    inside an archive is), and a file nested deeper is named."""
    text = (ERR.format(208) * 3).encode()
    three = tmp_path / "three.log.gz"
    three.write_bytes(gzip.compress(gzip.compress(gzip.compress(text))))
    mixed = tmp_path / "mixed.log.xz"
    mixed.write_bytes(lzma.compress(bz2.compress(zstandard.ZstdCompressor().compress(text))))
    for path in (three, mixed):
        r, data = report(path)
        assert (r.exit_code, data["events"], data["inputs"]["lines"], unreadable(data)) == (0, 3, 3, {})
    four = tmp_path / "four.log.gz"
    four.write_bytes(gzip.compress(three.read_bytes()))
    r, data = report(four, three, "--keep-going")
    assert r.exit_code == 0 and data["events"] == 3
    assert unreadable(data) == {
        str(four): "archive or compressed stream nested deeper than 2 levels (max_depth); skipped"
    }
    (tmp_path / "logscan.toml").write_text("[limits]\nmax_depth = 3\n", encoding="utf-8")
    r, data = report(four, "--config", tmp_path / "logscan.toml")
    assert (r.exit_code, data["events"], unreadable(data)) == (0, 3, {})


@pytest.mark.parametrize(
    "start",
    [
        b"BZh x\n",
        b"BZh91AY&SY but a log\n",
        b"PK\x03\x04 not a zip\n",
        b"x" * 256 + b"\n" + b"ustar " * 60 + b"\n",
    ],
    ids=["bzip2", "bzip2-block", "zip", "tar"],
)
@pytest.mark.parametrize("stdin", [False, True])
def test_a_text_log_that_starts_like_a_magic_number_is_text(tmp_path, start, stdin):
    """Regression: a text log whose first line starts with ``BZh`` (or has ``ustar`` at offset
    257, or another format's magic number) was taken for that format and lost. When the
    format's reader refuses the very first bytes and they read as text, the file is text."""
    path = tmp_path / "b.log"
    path.write_bytes(start + ERR.format(208).encode() * 2)
    lines = start.count(b"\n") + 2
    if stdin:
        r = invoke("report", "-", "-f", "json", input=path.read_bytes())
        data = r.json()
    else:
        r, data = report(path)
    assert (r.exit_code, data["events"], data["inputs"]["lines"], unreadable(data)) == (0, 2, lines, {})


def test_a_damaged_compressed_file_that_is_not_text_is_still_named(tmp_path):
    """The fallback to text is for text: binary bytes after a magic number are a damaged file."""
    path = tmp_path / "bad.log.bz2"
    path.write_bytes(b"BZh9" + bytes(range(256)) * 4)
    r, data = report(path)  # nothing could be read: no report, the reason on stderr
    assert (r.exit_code, data, r.stderr) == (
        2,
        None,
        f"logscan: error: cannot read {path}: Invalid data stream\n",
    )
    r, data = report(path, "--keep-going")
    assert (r.exit_code, data["events"], unreadable(data)) == (2, 0, {str(path): "Invalid data stream"})


def _gzip_member(text: bytes, *, flags: int, fields: bytes, header_crc: bool) -> bytes:
    """A gzip member written by hand: the given flags and header fields (zlib writes none)."""
    import struct
    import zlib

    header = b"\x1f\x8b\x08" + bytes([flags | (2 if header_crc else 0)]) + bytes(4) + b"\x00\xff" + fields
    if header_crc:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = deflate.compress(text) + deflate.flush()
    return header + body + struct.pack("<II", zlib.crc32(text), len(text))


def test_gzip_with_a_header_crc_and_a_long_comment(tmp_path):
    """Regression: a valid gzip with FHCRC and a header comment over 64 KiB (gzip -t accepts it)
    was refused by ISA-L's header reader; the header is read by logscan, every field of any size."""
    text = (ERR.format(208) * 4).encode()
    path = tmp_path / "fhcrc.log.gz"
    path.write_bytes(
        _gzip_member(text, flags=4 | 8 | 16, fields=b"\x03\x00abc" + b"name.log\0" + b"c" * 70_000 + b"\0",
                     header_crc=True)
    )  # fmt: skip
    r, data = report(path)
    assert (r.exit_code, data["events"], data["inputs"]["lines"], unreadable(data)) == (0, 4, 4, {})
    bad = tmp_path / "bad-fhcrc.log.gz"
    packed = bytearray(path.read_bytes())
    packed[20] ^= 0xFF  # a byte of the comment: the header CRC no longer matches
    bad.write_bytes(bytes(packed))
    r, data = report(bad, "--keep-going")  # nothing could be read: the report only with --keep-going
    assert (r.exit_code, data["events"]) == (2, 0)
    assert unreadable(data) == {str(bad): "invalid gzip header (header CRC check failed)"}


def test_corrupt_zip(tmp_path):
    path = tmp_path / "bad.zip"
    path.write_bytes(b"PK\x03\x04" + os.urandom(200))
    (tmp_path / "good.log").write_text(ERR.format(204), encoding="utf-8")
    r, data = report(tmp_path)
    assert r.exit_code == 2 and str(path) in unreadable(data) and data["events"] == 1


def _tar_of(name, data):
    body = io.BytesIO()
    with tarfile.open(fileobj=body, mode="w") as tf:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return body.getvalue()


@pytest.mark.parametrize("pack", [lambda b: b, gzip.compress])
def test_a_tar_cut_inside_a_member_keeps_the_member_s_lines(tmp_path, pack):
    """Regression: the lines of a tar member before the cut were lost (tarfile raises for the
    whole read); now they count, as a cut .gz's do, and the member is named."""
    line = ERR.format(201)
    whole = len(line) * 50 + 10  # fifty lines and a piece of the next
    path = tmp_path / "cut.tar"
    path.write_bytes(pack(_tar_of("big.log", (line * 200).encode())[: 512 + whole]))
    r, data = report(path)
    assert r.exit_code == 2 and data["events"] == 50 and data["inputs"]["lines"] == 51
    assert unreadable(data)[f"{path}:big.log"] == "truncated: the archive ends inside this member"


def test_a_tar_gz_cut_keeps_what_it_holds(tmp_path):
    text = "".join(ERR.format(202).replace("x", f"x{i * 7919 % 10007}") for i in range(60000)).encode()
    packed = gzip.compress(_tar_of("big.log", text))
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(packed[: len(packed) // 2])
    r, data = report(path)
    assert r.exit_code == 2 and 20000 < data["events"] < 60000
    assert unreadable(data)[f"{path}:big.log"] == "truncated: the compressed stream ended early"


def test_an_archive_member_that_fails(tmp_path):
    path = tmp_path / "logs.tar"
    with tarfile.open(path, "w") as tf:
        for member, data in (
            ("ok.log", ERR.format(301).encode()),
            ("bad.log.gz", gzip.compress(ERR.format(302).encode() * 500)[:60]),
        ):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    r, data = report(path)
    member = f"{path}:bad.log.gz"
    assert (r.exit_code, data["events"]) == (2, 1)
    assert unreadable(data) == {member: "truncated: the compressed stream ended early"}
    assert r.stderr == (
        f"logscan: error: cannot read {member}: truncated: the compressed stream ended early\n"
        "logscan: error: the report above is incomplete; pass --keep-going to accept that\n"
    )


# ---------------------------------------------------------------- data files read whole

DATA_FILES = ("config", "pyproject", "patterns", "catalogue", "baseline", "vendor page")


def _use_data_file(kind: str, path: Path, log: Path) -> list[object]:
    """The command that reads ``path`` whole as a data file of ``kind``."""
    if kind == "pyproject":
        return ["report", log]  # found in the current folder
    option = {"config": "--config", "patterns": "--patterns", "catalogue": "--catalogue"}.get(kind)
    if option:
        return ["report", log, option, path]
    return ["check", log, "--baseline", path] if kind == "baseline" else ["catalogue", "import", path]


@pytest.mark.parametrize("kind", DATA_FILES)
def test_a_data_file_over_the_size_limit_is_refused_by_name(tmp_path, monkeypatch, kind):
    """Regression: `check --baseline /dev/zero` was killed by the kernel at 24 GB: every file read
    whole is read through one helper, up to a limit (64 MiB; 1 MiB here)."""
    from logscan import datafile

    monkeypatch.setattr(datafile, "MAX_DATA_FILE", 1 << 20)
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "a.log"
    log.write_text(ERR.format(204), encoding="utf-8")
    path = tmp_path / ("pyproject.toml" if kind == "pyproject" else "big.data")
    path.write_text("# logscan\n" + "#" * (1 << 20) + "\n", encoding="utf-8")
    r = invoke(*_use_data_file(kind, path, log))
    what = {"config": "the configuration file", "pyproject": "the configuration file",
            "patterns": "pattern file", "catalogue": "catalogue file", "baseline": "the baseline",
            "vendor page": "a vendor page"}[kind]  # fmt: skip
    shown = path.name if kind == "pyproject" else path
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr.endswith(f"{shown}: too large (over 1 MiB) for {what}: is it the right file?\n"), r.stderr


def test_a_baseline_that_never_ends_is_refused(tmp_path):
    """Regression: `check --baseline /dev/zero` read for ever (killed at 24 GB)."""
    log = tmp_path / "a.log"
    log.write_text(ERR.format(204), encoding="utf-8")
    r = invoke("check", log, "--baseline", "/dev/zero")
    assert (r.exit_code, r.stdout) == (2, "")
    assert (
        r.stderr
        == "logscan: error: /dev/zero: too large (over 64 MiB) for the baseline: is it the right file?\n"
    )


@pytest.mark.parametrize("kind", [k for k in DATA_FILES if k != "vendor page"])
def test_a_data_file_nested_2000_deep_is_refused_by_name(tmp_path, monkeypatch, kind):
    """Regression: 2,000-deep arrays gave `internal error: RecursionError`, naming no file."""
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "a.log"
    log.write_text(ERR.format(204), encoding="utf-8")
    path = tmp_path / ("pyproject.toml" if kind == "pyproject" else "deep.data")
    deep = "[" * 2000 + "]" * 2000
    path.write_text(f'{{"codes": {deep}}}' if kind == "baseline" else f"logscan = {deep}\n", encoding="utf-8")
    r = invoke(*_use_data_file(kind, path, log))
    what = "arrays or objects" if kind == "baseline" else "arrays or tables"
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        f"logscan: error: {path}: nested too deeply ({what} inside each other hundreds of levels deep)\n"
    )


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ('"code": true, "count": 1', "its code is true"),
        ('"code": 208.5, "count": 1', "its code is 208.5"),
        ('"code": "208", "count": 1', 'its code is "208"'),
        ('"code": 208, "count": 2.5', "its count is 2.5"),
        ('"code": 208, "count": false', "its count is false"),
    ],
)
def test_a_baseline_entry_that_is_not_whole_numbers_is_refused(tmp_path, entry, why):
    """Regression: a baseline saying `"code": true` (read as code 1) or 208.5 (read as 208) was
    accepted; it is refused, naming the file and the entry."""
    log, base = tmp_path / "a.log", tmp_path / "base.json"
    log.write_text(ERR.format(204), encoding="utf-8")
    base.write_text(
        f'{{"codes": [{{"sdk": "native", "code": 204, "count": 1}}, {{"sdk": "native", {entry}}}]}}',
        encoding="utf-8",
    )
    r = invoke("check", log, "--baseline", base)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == f"logscan: error: {base}: codes[1] needs sdk, code and count (whole numbers): {why}\n"


@pytest.mark.parametrize(
    ("group", "refused"),
    [
        (r"(?P<code>\w+)", True),
        (r"(?P<code>\S+)", True),
        (r"(?P<code>[0-9a-f]+)", True),
        (r"(?P<code>\d+(?:\.\d+)?)", True),
        (r"(?P<code>\d+-\d+)", True),
        (r"(?<code>.+?)\b", True),
        (r"(?P<code>-?\d+)", False),
        (r"(?P<code>\d{1,5})", False),
        (r"(?P<code>-\d+|[0-9]+)", False),
        (r"(?P<code>(?:-)?[\d]+)\b", False),
    ],
)
def test_a_code_group_that_captures_more_than_digits_is_refused_at_load(tmp_path, group, refused):
    """Regression: a pattern whose code group captured non-digits (`(?P<code>\\w+)`) loaded, and
    its matches were dropped without a word at scan time (`patterns test` said no pattern matched).
    It is refused at load, naming the file, line and pattern."""
    path = tmp_path / "mine.toml"
    path.write_text(
        f"[[pattern]]\nname = \"mine\"\nsdk = \"native\"\nregex = '''failed code={group}'''\n",
        encoding="utf-8",
    )
    r = invoke("patterns", "test", "failed code=208", "--patterns", path, "--no-builtin-patterns")
    if refused:
        assert (r.exit_code, r.stdout) == (2, "")
        assert r.stderr == (
            f"logscan: error: {path}:2: pattern 'mine': the group 'code' can capture other characters than "
            "an optional '-' and digits, which are no code (write (?P<code>-?\\d+))\n"
        )
    else:
        assert (r.exit_code, r.stderr) == (0, "")
        assert r.stdout == (
            "line: failed code=208\n  matched mine: native 208 (USER_REG_FAILED: The user registration fails)\n"
        )


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path, encoding):
    bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
    path = tmp_path / "win.log"
    path.write_bytes(bom + (ERR.format(303) * 5).encode(encoding))
    r, data = report(path)
    assert r.exit_code == 0 and data["events"] == 5


def test_utf16_files_among_others_in_a_folder(tmp_path):
    """Small files are read in batches; a UTF-16 one among them is transcoded in the batch."""
    (tmp_path / "a.log").write_bytes(b"\xff\xfe" + ("noise\n" + ERR.format(303) * 2).encode("utf-16-le"))
    (tmp_path / "b.log").write_bytes(("noise\n" * 3 + ERR.format(303)).encode())
    r, data = report(tmp_path)
    assert r.exit_code == 0 and data["events"] == 3
    assert data["inputs"]["lines"] == 3 + 4 and data["inputs"]["files"] == 2


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf32-bom-le.log", lambda t: codecs.BOM_UTF32_LE + t.encode("utf-32-le")),
        ("utf32-bom-be.log", lambda t: codecs.BOM_UTF32_BE + t.encode("utf-32-be")),
        ("utf32-le.log", lambda t: t.encode("utf-32-le")),
        ("utf32-be.log", lambda t: t.encode("utf-32-be")),
        ("utf16-le.log", lambda t: t.encode("utf-16-le")),
        ("utf16-be.log", lambda t: t.encode("utf-16-be")),
        ("cr-only.log", lambda t: t.replace("\n", "\r").encode()),
        ("cr-only-utf16.log", lambda t: t.replace("\n", "\r").encode("utf-16")),
        ("old.log.lzma", lambda t: lzma.compress(t.encode(), format=lzma.FORMAT_ALONE)),
    ],
)
def test_encodings_line_ends_and_formats_not_promised_before(tmp_path, name, encode):
    """Regression: UTF-32 with a BOM, UTF-16 without one, CR-only line ends (classic Mac OS)
    and LZMA-alone (``.lzma``) each read as 0 events with exit 0; each is now read, with its
    exact lines, in a folder (with other files) as on its own."""
    text = "noise é\n" + ERR.format(303) * 5 + "last line"
    path = tmp_path / "logs" / name
    path.parent.mkdir()
    path.write_bytes(encode(text))
    other = path.parent / "other.log"
    other.write_text(ERR.format(304), encoding="utf-8")
    for target, files in ((path, {str(path): 5}), (path.parent, {str(path): 5, str(other): 1})):
        r, data = report(target, "--by", "file")
        assert (r.exit_code, r.stderr, unreadable(data)) == (0, "", {})
        assert {f["file"]: f["count"] for f in data["files"]} == files
        assert data["inputs"]["lines"] == 7 + len(files) - 1
    r = invoke("events", path)
    assert r.exit_code == 0 and [json.loads(e)["line"] for e in r.stdout.splitlines()] == [2, 3, 4, 5, 6]


def test_a_format_logscan_does_not_open_is_read_with_a_warning(tmp_path):
    """A 7-Zip archive (or RAR, LZ4, compress(1), lzip) is read as text, which finds nothing:
    said on stderr and in the JSON report's inputs, not passed over in silence."""
    path = tmp_path / "logs.7z"
    path.write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(range(256)))
    warning = "looks like a 7-Zip archive, which logscan does not open: read as text; extract or decompress it first"
    r, data = report(path)
    assert (r.exit_code, data["events"]) == (0, 0)
    assert data["inputs"]["warnings"] == [{"name": str(path), "warning": warning}]
    assert r.stderr == f"logscan: warning: {path}: {warning}\n"
    r, _ = report(path, "--quiet")
    assert (r.exit_code, r.stderr) == (0, "")


def test_invalid_utf8_lines_are_replaced_and_counted(tmp_path):
    path = tmp_path / "bad8.log"
    path.write_bytes(
        (ERR.format(304).encode().replace(b"error: x", b"error: x\xff\xfe")) * 3 + b"\xc3\x28 noise\n"
    )
    r, data = report(path)
    assert r.exit_code == 0 and data["events"] == 3 and data["inputs"]["lines"] == 4


# ---------------------------------------------------------------- hostile archives


def test_zip_bomb_is_bounded_by_the_ratio(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.log", b"\0" * (50 << 20))
        zf.writestr("real.log", ERR.format(305))
    r, data = report(path)
    assert r.exit_code == 2 and data["events"] == 1
    assert "ratio" in unreadable(data)[f"{path}:zeros.log"]


def test_gzip_bomb_is_bounded_and_limits_are_configurable(tmp_path):
    path = tmp_path / "bomb.log.gz"
    path.write_bytes(gzip.compress(ERR.format(306).encode() + b"\n" * (100 << 20), compresslevel=9))
    r, data = report(path)
    assert r.exit_code == 2 and data["events"] == 1
    assert unreadable(data) == {
        str(path): "expands over 200 times its compressed size (a bomb?); the rest is skipped"
    }
    (tmp_path / "logscan.toml").write_text(
        '[limits]\nmax_ratio = 100000\nmax_expanded = "1GiB"\n', encoding="utf-8"
    )
    r, data = report(path, "--config", tmp_path / "logscan.toml")
    assert r.exit_code == 0 and data["events"] == 1


@pytest.mark.parametrize("streamed", [False, True])
def test_a_truncated_zstd_frame_is_reported(tmp_path, streamed):
    """A cut .zst (one frame with its size, or a streamed one) is named unreadable, as a cut .gz is
    (it used to pass as whole, exit 0, with a seventh of its lines)."""
    text = "".join(ERR.format(303).replace("x", f"x{i * 7919 % 10007}") for i in range(60000)).encode()
    packed = zstandard.ZstdCompressor().compress(text)
    if streamed:
        compressor = zstandard.ZstdCompressor().compressobj()
        packed = compressor.compress(text) + compressor.flush()
    path = tmp_path / "t.log.zst"
    path.write_bytes(packed[: len(packed) // 2])
    r, data = report(path)
    assert r.exit_code == 2 and 0 < data["events"] < 60000
    assert unreadable(data) == {str(path): "truncated: the compressed stream ended early"}


def test_zstd_skippable_frames_are_skipped(tmp_path):
    """Regression: a skippable frame (a seekable file's seek table, pzstd's header) after a frame
    made the file unreadable and lost the frames after it; one first was not taken for zstd."""
    import struct

    frame = zstandard.ZstdCompressor().compress
    skip = struct.pack("<II", 0x184D2A5E, 5) + b"12345"
    for name, data, events in (
        ("end", frame(ERR.format(204).encode() * 3) + skip, 3),
        ("middle", frame(ERR.format(204).encode() * 3) + skip + frame(ERR.format(205).encode() * 2), 5),
        ("start", skip + frame(ERR.format(204).encode() * 3), 3),
    ):
        path = tmp_path / f"{name}.log.zst"
        path.write_bytes(data)
        r, out = report(path)
        assert (r.exit_code, out["events"], out["inputs"]["unreadable"]) == (0, events, []), name


def test_zstd_is_held_to_the_limits(tmp_path):
    path = tmp_path / "bomb.log.zst"
    path.write_bytes(zstandard.ZstdCompressor().compress(ERR.format(306).encode() + b"\n" * (80 << 20)))
    r, data = report(path)
    assert r.exit_code == 2 and data["events"] == 1
    assert unreadable(data) == {
        str(path): "expands over 200 times its compressed size (a bomb?); the rest is skipped"
    }
    two = tmp_path / "two-frames.log.zst"
    two.write_bytes(b"".join(zstandard.ZstdCompressor().compress(ERR.format(c).encode()) for c in (204, 205)))
    (tmp_path / "logscan.toml").write_text('[limits]\nmax_expanded = "1KB"\n', encoding="utf-8")
    big = tmp_path / "big.log.zst"
    big.write_bytes(zstandard.ZstdCompressor().compress(ERR.format(307).encode() * 200))
    r, data = report(big, "--config", tmp_path / "logscan.toml")
    assert (r.exit_code, unreadable(data)) == (
        2, {str(big): "expands beyond 1,000 bytes (the limit); the rest is skipped"})  # fmt: skip
    r, data = report(two)
    assert r.exit_code == 0 and {c["code"]: c["count"] for c in data["codes"]} == {204: 1, 205: 1}


def _bomb(tmp_path, kind, size):
    """A file of ``kind`` that expands to ``size`` bytes of NUL lines (a decompression bomb)."""
    import zlib

    line = bytes(1023) + b"\n"
    chunk = line * 1024

    def pieces():
        for _ in range(size // len(chunk)):
            yield chunk

    path = tmp_path / f"bomb.{kind}"
    zipped = {"zip": zipfile.ZIP_DEFLATED, "bz2.zip": zipfile.ZIP_BZIP2, "lzma.zip": zipfile.ZIP_LZMA}
    if kind in (*zipped, "tar.gz"):
        if kind in zipped:
            with zipfile.ZipFile(path, "w", zipped[kind]) as zf, zf.open("z.log", "w") as out:
                for piece in pieces():
                    out.write(piece)
        else:
            body = io.BytesIO()
            with tarfile.open(fileobj=body, mode="w") as tf:
                info = tarfile.TarInfo("z.log")
                info.size = size // len(chunk) * len(chunk)
                tf.addfile(info, io.BytesIO(b"".join(pieces())))
            path.write_bytes(gzip.compress(body.getvalue(), compresslevel=1))
        return path
    compressor = {
        "gz": lambda: zlib.compressobj(6, zlib.DEFLATED, 31),
        "bz2": bz2.BZ2Compressor,
        "xz": lambda: lzma.LZMACompressor(preset=0),
        "lzma": lambda: lzma.LZMACompressor(lzma.FORMAT_ALONE, preset=0),
        "zst": lambda: zstandard.ZstdCompressor().compressobj(),
    }[kind]()
    with path.open("wb") as fh:
        for piece in pieces():
            fh.write(compressor.compress(piece))
        fh.write(compressor.flush())
    return path


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "lzma", "zst", "zip", "bz2.zip", "lzma.zip", "tar.gz"])
def test_a_decompression_bomb_is_read_with_bounded_memory(tmp_path, kind):
    """Regression: each decompress call gave out all it could (1.5 KB of bzip2 -> 2 GiB at once,
    4.3 GB RSS); the limits were checked only after it. Each step gives out at most 1 MiB, so
    what is buffered stays bounded even with the limits off (what reading it allocates at most)."""
    import tracemalloc

    size = 128 << 20
    path = _bomb(tmp_path, kind, size)
    off = Limits(max_member_bytes=1 << 40, max_ratio=1e12, max_archive_bytes=1 << 40)
    tracemalloc.start()
    try:
        total = 0
        for source in iter_sources([path], limits=off):
            with source.open() as fh:
                for block in iter_blocks(fh, 1 << 20):
                    total += len(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 16 << 20, f"{peak:,} bytes allocated at once"


def test_member_over_the_size_limit(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.log", ERR.format(307) * 20000)
        zf.writestr("small.log", ERR.format(308))
    (tmp_path / "logscan.toml").write_text('[limits]\nmax_expanded = "100KB"\n', encoding="utf-8")
    r, data = report(path, "--config", tmp_path / "logscan.toml")
    assert (r.exit_code, data["events"]) == (2, 1)  # small.log is read
    assert unreadable(data) == {f"{path}:big.log": "member expands to 1500000 bytes, over the limit"}


def _zip_listing_one_member_many_times(member: bytes, copies: int) -> bytes:
    """A zip whose central directory lists the member ``a.log`` ``copies`` times, every entry
    pointing at the same data (a known zip-bomb technique), then a real member."""
    import struct

    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.log", member)
        zf.writestr("ok.log", ERR.format(205))
    data = body.getvalue()
    end = data.rindex(b"PK\x05\x06")
    (offset,) = struct.unpack("<I", data[end + 16 : end + 20])
    first = data[offset : data.index(b"PK\x01\x02", offset + 4)]  # a.log's central entry
    directory = first * copies + data[offset + len(first) : end]  # then ok.log's
    eocd = data[end : end + 8] + struct.pack("<HHII", copies + 1, copies + 1, len(directory), offset)
    return data[:offset] + directory + eocd + data[end + 20 :]


def test_overlapping_zip_members_are_named_not_read_over_and_over(tmp_path):
    """Regression: a zip listing one member 30 times was read 30 times (a 586 KB zip: 36 s,
    2.9 M events). Members whose data overlaps another's are named, the others read."""
    path = tmp_path / "overlap.zip"
    path.write_bytes(_zip_listing_one_member_many_times(ERR.format(204).encode() * 100, 30))
    r, data = report(path)
    assert r.exit_code == 2 and data["events"] == 1 and data["inputs"]["files"] == 1
    reason = "its data overlaps another member's (a zip bomb?); skipped"
    assert data["inputs"]["unreadable"] == [{"name": f"{path}:a.log", "reason": reason}] * 30


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_the_expansion_of_a_whole_archive_is_limited(tmp_path, kind):
    """Regression: an archive's members were each held to the limits, their sum to none. Members
    are read while the archive's total (``max_archive_expanded``) allows; the archive is named
    with the member it stops at."""
    line = ERR.format(206).encode()
    members = {f"{n}.log": line * 100 for n in "abc"}
    path = tmp_path / f"logs.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
            for member, data in members.items():
                zf.writestr(member, data)
    else:
        with tarfile.open(path, "w") as tf:
            for member, data in members.items():
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    config = tmp_path / "logscan.toml"
    config.write_text(f'[limits]\nmax_archive_expanded = "{2 * len(line) * 100}B"\n', encoding="utf-8")
    r, data = report(path, "--config", config)
    assert r.exit_code == 2 and data["events"] == 200 and data["inputs"]["files"] == 2
    assert unreadable(data) == {
        str(path): f"the archive expands beyond {2 * len(line) * 100:,} bytes in all (the limit, "
        f"max_archive_expanded); the members from {path}:c.log on are skipped"
    }
    r, data = report(path)
    assert (r.exit_code, data["events"]) == (0, 300)


def test_an_encrypted_zip_member_is_named_in_a_sentence(tmp_path):
    """Regression: the reason was Python's repr of an exception ("File 'a.log' is encrypted, ...")."""
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.log", ERR.format(207))
        zf.writestr("b.log", ERR.format(208))
    data = bytearray(body.getvalue())
    for header in (b"PK\x03\x04", b"PK\x01\x02"):  # a.log's headers say: encrypted
        at = data.index(header)
        data[at + (6 if header == b"PK\x03\x04" else 8)] |= 1
    path = tmp_path / "secret.zip"
    path.write_bytes(bytes(data))
    r, out = report(path)
    assert r.exit_code == 2 and out["events"] == 1
    assert unreadable(out) == {
        f"{path}:a.log": "the member is encrypted (password-protected); logscan cannot read it"
    }


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_bzip2_and_lzma_zip_members_are_read_and_checked(tmp_path, method):
    """bzip2 and LZMA members are decompressed by logscan in bounded steps (zipfile gives out
    all a read holds at once); their CRC is still checked: a wrong one names the member after
    its lines were counted."""
    text = "".join(ERR.format(209).replace("x", f"x{i * 7919 % 10007}") for i in range(2000)).encode()
    body = io.BytesIO()
    with zipfile.ZipFile(body, "w", method) as zf:
        zf.writestr("a.log", text)
    path = tmp_path / "m.zip"
    path.write_bytes(body.getvalue())
    r, data = report(path)
    assert (r.exit_code, data["events"], unreadable(data)) == (0, 2000, {})
    damaged = bytearray(body.getvalue())
    at = damaged.index(b"PK\x01\x02") + 16  # the CRC-32 in the central directory
    damaged[at] ^= 0xFF
    path.write_bytes(bytes(damaged))
    r, data = report(path)
    assert (r.exit_code, data["events"]) == (2, 2000)
    assert unreadable(data) == {f"{path}:a.log": "CRC check failed: the data is damaged"}


def test_names_with_dot_dot_and_absolute_paths_are_only_read(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../escaped.log", ERR.format(308))
        zf.writestr("/abs/olute.log", ERR.format(309))
    before = set(tmp_path.parent.rglob("*"))
    r, data = report(path)
    assert r.exit_code == 0 and data["events"] == 2
    assert set(tmp_path.parent.rglob("*")) == before  # nothing was written anywhere
    assert sorted(data["codes"][0]["files"] + data["codes"][1]["files"]) == [
        f"{path}:../../escaped.log",
        f"{path}:abs/olute.log",
    ]


def test_nested_archives_to_a_fixed_depth(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("deep.log", ERR.format(310))
    data = inner.getvalue()
    for level in range(4):
        outer = io.BytesIO()
        with zipfile.ZipFile(outer, "w") as zf:
            zf.writestr(f"level{level}.zip", data)
        data = outer.getvalue()
    path = tmp_path / "nest.zip"
    path.write_bytes(data)
    (tmp_path / "top.log").write_text(ERR.format(311), encoding="utf-8")
    r, report_data = report(tmp_path)
    assert r.exit_code == 2 and report_data["events"] == 1
    assert any("nested deeper" in reason for reason in unreadable(report_data).values())


# ---------------------------------------------------------------- the process


def _logscan(*args: str, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "logscan", *args], **kwargs)


def test_output_piped_into_head_ends_quietly(tmp_path):
    log = tmp_path / "many.log"
    log.write_text(ERR.format(311) * 20000, encoding="utf-8")
    p = subprocess.run(
        f"{sys.executable} -m logscan events {log} | head -1", shell=True, capture_output=True, text=True
    )
    assert p.stdout.count("\n") == 1 and p.stderr == ""
    status = subprocess.run(
        f"{sys.executable} -m logscan events {log} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", capture_output=True, text=True,
    )  # fmt: skip
    assert status.stdout == "141\n"  # as if SIGPIPE killed it; not 1 (findings), as click would have it


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_exits_130_without_traceback_or_partial_file(tmp_path, sent):
    out = tmp_path / "events.csv"
    # stdin stays open: the run is still reading when Ctrl-C comes
    proc = _logscan(
        "events", "-", "-o", str(out), stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=subprocess.PIPE
    )
    proc.stdin.write(ERR.format(312).encode() * 100)
    proc.stdin.flush()
    deadline = time.monotonic() + 60  # wait until the export has begun: its temp file exists
    while not any(p.name.startswith(".events.csv.") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(sent)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and err.strip().endswith(b"logscan: interrupted")
    assert list(tmp_path.iterdir()) == []


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


def _running(pid: int) -> bool:
    """Whether a process exists and is not a zombie (exited, not yet reaped by its new parent)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 60
    while alive := [pid for pid in pids if _running(pid)]:
        assert time.monotonic() < deadline, f"still running: {alive}"
        time.sleep(0.1)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads processes from /proc")
def test_a_closed_pipe_stops_the_workers_too(tmp_path):
    """Regression: `logscan events big.log | head` died of SIGPIPE and left its worker process
    waiting for work forever; now it ends quietly (141, as SIGPIPE would) and stops its workers."""
    log = tmp_path / "big.log"
    with log.open("w", encoding="utf-8") as fh:
        for _ in range(70):  # > 48 MiB: the workers start at once
            fh.write(ERR.format(311) * 10_000)
    with _logscan("events", str(log), stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout.readline().startswith(b'{"file"')
        # The workers start once the first rows are out (they would hold them back): read on
        # until they are up.
        deadline = time.monotonic() + 60
        while not (workers := _children(proc.pid)) and time.monotonic() < deadline:
            proc.stdout.readline()
        assert workers  # the pool (and multiprocessing's resource tracker)
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == 141 and err == b""
    _wait_until_gone(workers)  # the pool's workers are joined; the resource tracker follows


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads processes from /proc")
def test_workers_of_a_process_killed_outright_end_too(tmp_path):
    """A worker waits for work on a pipe it holds both ends of: when the process that started it
    is killed (kill -9), it would wait forever; it notices its parent is gone and ends."""
    script = "from logscan.run import pool; p, up = pool.start(1); print(up[0].result(), flush=True); input()"
    with subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as parent:
        worker = int(parent.stdout.readline())
        assert _running(worker)
        parent.kill()
        parent.wait(timeout=60)
    _wait_until_gone([worker])  # it looks every second


def test_only_debug_shows_a_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[pattern]\n", encoding="utf-8")
    r = invoke("report", "sample_logs/core", "--patterns", bad)
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        f"logscan: error: {bad}: invalid TOML: Expected ']]' at the end of an array declaration "
        "(at line 1, column 10)\n"
    )
    p = subprocess.run([sys.executable, "-m", "logscan", "--debug", "report", "sample_logs/core", "--patterns", str(bad)],
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 2 and "Traceback" in p.stderr


# ---------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_crash_any_command(tmp_path, data):
    path = tmp_path / "random.bin"
    path.write_bytes(data)
    for args in (
        ["report", path, "-f", "json"],
        ["events", path],
        ["check", path, "-f", "junit"],
        ["patterns", "unmatched", path],
    ):
        r = invoke(*args)
        assert r.exit_code in (0, 1, 2), (args, r.stderr)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr
        if r.exit_code == 2:  # only ever because the bytes look like a damaged compressed file
            # (or, for check, because 0 bytes is nothing scanned: issue 15)
            empty = not data and args[0] == "check" and "nothing was scanned" in r.stderr
            assert "cannot read" in r.stderr or empty, r.stderr


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=80), max_size=40),
       positions=st.lists(st.integers(min_value=0, max_value=40), max_size=12))  # fmt: skip
def test_inserting_n_error_lines_into_noise_gives_n_events(tmp_path, noise, positions):
    from logscan.match.matcher import Matcher, match_lines
    from logscan.match.samples import load_patterns

    matcher = Matcher.build(load_patterns())
    clean = [
        line for i, line in enumerate(noise) if i not in set(match_lines(noise, matcher)["row"].to_list())
    ]
    lines = list(clean)
    for n, pos in enumerate(positions):
        lines.insert(
            min(pos, len(lines)), f"[2024/05/01 10:00:00:001]: [global listener] onDisconnect{300 + n % 6}"
        )
    path = tmp_path / "mixed.log"
    path.write_text("\n".join(lines), encoding="utf-8")
    r = invoke("report", path, "-f", "json")
    assert r.exit_code == 0 and r.json()["events"] == len(positions)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_loaders_accept_or_reject_with_a_located_message(tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text, encoding="utf-8")
    for load in (load_pattern_file, load_catalogue_file, load_config):
        try:
            load(path)
        except LogscanError as exc:
            assert str(exc).startswith(str(path)), str(exc)


def test_no_code_runs_from_data_files():
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path("logscan").rglob("*.py"))
    for forbidden in ("eval(", "exec(", "pickle.load", "yaml.load", "__import__("):
        assert forbidden not in source, forbidden


# ---------------------------------------------------------------- what reaches the terminal

FL = "[2024/05/01 10:20:01:000]: login failed code: 208, desc: registration failed {}\n"
ESC = "\x1b]0;PWN\x07\x1b[2J"
ESC_SHOWN = "\\x1b]0;PWN\\x07\\x1b[2J"


def _hostile(tmp_path: Path) -> Path:
    """A log whose name and line hold terminal escapes (and DEL, C1 CSI)."""
    log = tmp_path / "esc\x1b[31m.log"
    log.write_text(FL.format(ESC + " \x7f\x9b6n"), encoding="utf-8")
    return log


def test_terminal_escapes_in_logs_and_names_are_shown_escaped_in_human_outputs(tmp_path):
    """Regression: ``\\x1b]0;PWN\\x07\\x1b[2J`` in a log line (or a file name) reached the terminal
    intact through the table, Markdown, the verdict, annotations, ``patterns test`` and files."""
    log = _hostile(tmp_path)
    shown_line = f"registration failed {ESC_SHOWN} \\x7f\\x9b6n"
    outputs = {}
    for fmt in ("table", "markdown", "html"):
        r = invoke("report", log, "-f", fmt)
        assert r.exit_code == 0, fmt
        outputs[f"report {fmt}"] = r.stdout
    for suffix in (".txt", ".md"):
        out = tmp_path / f"report{suffix}"
        assert invoke("report", log, "-o", out).exit_code == 0
        outputs[suffix] = out.read_text(encoding="utf-8")
    for fmt in ("text", "github"):
        r = invoke("check", log, "-f", fmt)
        assert r.exit_code == 1, fmt
        outputs[f"check {fmt}"] = r.stdout
    r = invoke("patterns", "test", "--file", log)
    assert r.exit_code == 0
    outputs["patterns test"] = r.stdout
    for name, text in outputs.items():
        assert not set(text) & {"\x1b", "\x07", "\x7f", "\x9b"}, name
        assert name == "patterns test" or "esc\\x1b[31m.log" in text, name
    for name in ("report table", "patterns test"):
        assert shown_line in outputs[name], name
    assert (  # -o: 120 columns, the sample line cut to one line, after its escapes were shown
        "    e.g. esc\\x1b[31m.log:1: [2024/05/01 10:20:01:000]: login failed code: 208, desc: "
        "registration failed \\x1b]0;PWN\\x07…\n"
    ) in outputs[".txt"]
    for name in ("report markdown", ".md"):
        assert f"{shown_line}\n```" in outputs[name], name  # the sample, in its code block
    assert f"file={tmp_path}/esc\\x1b[31m.log,line=1," in outputs["check github"]
    assert f"(first at {tmp_path}/esc\\x1b[31m.log:1)" in outputs["check text"]
    # what no pattern matched, and the names on stderr
    other = tmp_path / "other.log"
    other.write_text(f"sync failed with error 9 {ESC}\n", encoding="utf-8")
    r = invoke("patterns", "unmatched", other)
    assert r.exit_code == 0 and ESC_SHOWN in r.stdout and "\x1b" not in r.stdout
    r = invoke("report", tmp_path / "gone\x1b]0;PWN\x07.log")  # no [ : not a glob
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == (
        f"logscan: error: cannot read {tmp_path}/gone\\x1b]0;PWN\\x07.log: no such file or directory\n"
    )
    r = invoke("report", log, "--config", tmp_path / "x\x1b]0;PWN\x07.toml")  # click's own messages
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        f"logscan: error: --config: file '{tmp_path}/x\\x1b]0;PWN\\x07.toml' does not exist "
        "(see logscan report --help)\n"
    )
    mine = tmp_path / "mine\x1b]0;PWN\x07.toml"  # the check commands name the files they read
    entry = (
        '[[entry]]\nsdk = "native"\ncode = {}\nname = "MINE{}"\ncategory = "general"\nkind = "transient"\n'
    )
    mine.write_text(
        "".join(entry.format(n, n) + 'description = "d"\ncause = "c"\n' for n in (1, 2)), encoding="utf-8"
    )
    r = invoke("catalogue", "check", mine)
    assert (r.exit_code, r.stdout) == (0, f"ok   {tmp_path}/mine\\x1b]0;PWN\\x07.toml: 2 entries\n")


def test_a_folder_named_with_escapes_heads_the_report_escaped_and_its_files_are_relative(tmp_path):
    """Regression: the report's first line named the folder of the inputs as it was
    (``of d\x1b[31m/`` drove the terminal) and its files were not shown relative to it."""
    folder = tmp_path / "d\x1b[31m"
    folder.mkdir()
    (folder / "app.log").write_text(FL.format(""), encoding="utf-8")
    shown = f"{tmp_path}/d\\x1b[31m"
    out = tmp_path / "report.txt"
    assert invoke("report", folder, "-o", out).exit_code == 0
    r = invoke("report", folder)
    assert r.exit_code == 0 and r.stderr == ""
    for text in (r.stdout, out.read_text(encoding="utf-8")):
        assert "\x1b" not in text
        assert text.startswith(f"logscan report of {shown}/ — 1 file, 1 line, ")
        assert "    e.g. app.log:1: [2024/05/01 10:20:01:000]: login failed code: 208, desc: " in text
        row = next(line for line in text.splitlines() if line.startswith("native  208 "))
        assert row.endswith(" app.log")  # the codes table's files column
    r = invoke("report", folder, "-f", "html")
    assert r.exit_code == 0 and "\x1b" not in r.stdout
    assert f"error codes in {shown}/ (file names below are relative to it)" in r.stdout
    assert "<p>Sample, app.log:1:</p>" in r.stdout


#: A user catalogue whose cause holds a link with control characters in its text and address.
LINK_CATALOGUE = (
    '[[entry]]\nsdk = "native"\ncode = 90001\nname = "MYAPP_SYNC"\ncategory = "general"\n'
    'kind = "transient"\ndescription = "d"\n'
    'cause = "Retry [b]now[/b], see [the \\u0007 docs](https://x.example/a\\u001bb)."\n'
)


def test_a_catalogue_link_with_controls_is_shown_escaped_in_every_output(tmp_path):
    """Regression: a catalogue link's address reached Markdown (the report, the step summary)
    with its control characters as they were (``https://x.example/a\x1bb``)."""
    mine = tmp_path / "mine.toml"
    mine.write_text(LINK_CATALOGUE, encoding="utf-8")
    log = tmp_path / "app.log"
    log.write_text("E/ChatDemo(1234): Login failed! code: 90001 error: boom\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    outputs = {}
    for fmt in ("table", "markdown", "html"):
        r = invoke("report", log, "--catalogue", mine, "-f", fmt)
        assert r.exit_code == 0 and r.stderr == "", fmt
        outputs[fmt] = r.stdout
    for fmt in ("text", "github"):
        r = invoke("check", log, "--catalogue", mine, "-f", fmt, env={"GITHUB_STEP_SUMMARY": str(summary)})
        assert r.exit_code == 1, fmt
        outputs[f"check {fmt}"] = r.stdout
    outputs["summary"] = summary.read_text(encoding="utf-8")
    r = invoke("explain", "90001", "--catalogue", mine)
    assert r.exit_code == 0 and r.stderr == ""
    outputs["explain"] = r.stdout
    for name, text in outputs.items():
        assert not set(text) & {"\x1b", "\x07"}, name
    plain = "Retry [b]now[/b], see the \\x07 docs (https://x.example/a\\x1bb)."
    assert f"    Cause/fix: {plain}\n" in outputs["table"]
    assert f"cause/fix    {plain}\n" in outputs["explain"]
    assert f"Cause/fix: {plain} (first at {log}:1, file order: no timestamps)" in outputs["check text"]
    assert f"Cause/fix: {plain}\n" in outputs["check github"]
    link = "see [the \\\\x07 docs](https://x.example/a\\x1bb)."
    assert f"**Cause / fix:** Retry \\[b\\]now\\[/b\\], {link}\n" in outputs["markdown"]
    assert f"| Retry \\[b\\]now\\[/b\\], {link} |" in outputs["summary"]
    assert (
        '<a href="https://x.example/a\\x1bb" rel="noopener noreferrer">the \\x07 docs</a>' in outputs["html"]
    )


def test_data_formats_keep_controls_and_json_escapes_them(tmp_path):
    """Regression: the JSON report and the JSON/NDJSON events held DEL and C1 controls (CSI,
    U+009B) as they were, and a U+2028 in a line split a JSON array's row in two."""
    log = _hostile(tmp_path)
    log.write_text(FL.format(ESC + " \x7f\x9b6n \u2028end"), encoding="utf-8")
    line = FL.format(ESC + " \x7f\x9b6n \u2028end").rstrip("\n")
    r = invoke("report", log, "-f", "json")
    assert r.exit_code == 0 and not set(r.stdout) & {"\x1b", "\x7f", "\x9b"}
    assert "\\u001b]0;PWN\\u0007\\u001b[2J \\u007f\\u009b6n" in r.stdout
    assert r.json()["codes"][0]["sample"] == {"file": str(log), "line": 1, "text": line}
    for fmt in ("ndjson", "json"):
        r = invoke("events", log, "-f", fmt)
        assert r.exit_code == 0 and not set(r.stdout) & {"\x1b", "\x7f", "\x9b"}, fmt
        rows = [json.loads(x) for x in r.stdout.splitlines()] if fmt == "ndjson" else r.json()
        assert [(row["file"], row["text"]) for row in rows] == [(str(log), line)], fmt
    r = invoke("events", log, "-f", "csv")
    assert r.exit_code == 0 and line in r.stdout  # CSV holds the data as they are


def test_a_file_name_that_is_not_utf8_is_scanned_and_shown_escaped(tmp_path):
    """Regression: one name that is not UTF-8 (``x\\xff.log``) in a folder gave ``internal error:
    UnicodeEncodeError`` and no report at all, in every format."""
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "ok.log").write_text(FL.format(""), encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"x\xff.log"), "wb") as fh:
        fh.write(FL.format("").encode())
    shown = f"{folder}/x\\xff.log"
    for fmt in ("table", "json", "markdown", "csv", "html"):
        r = invoke("report", folder, "--by", "file", "-f", fmt)
        assert r.exit_code == 0 and r.stderr == "", (fmt, r.stderr)
        if fmt == "table":  # names relative to the folder named, which the first line names
            assert r.stdout.startswith(f"logscan report of {folder}/ — ") and "\nx\\xff.log " in r.stdout
        elif fmt != "html":  # its table names the first file of a code only
            assert (shown.replace("\\", "\\\\") if fmt in ("json", "markdown") else shown) in r.stdout, fmt
    assert report(folder)[1]["codes"][0]["files"] == [f"{folder}/ok.log", shown]
    for fmt in ("ndjson", "json", "csv"):
        r = invoke("events", folder, "-f", fmt)
        assert r.exit_code == 0 and r.stderr == "", fmt
    rows = [json.loads(x) for x in done("events", folder).stdout.splitlines()]
    assert [row["file"] for row in rows] == [f"{folder}/ok.log", shown]
    out = tmp_path / "events.parquet"
    assert invoke("events", folder, "-o", out).exit_code == 0
    import polars as pl

    assert pl.read_parquet(out)["file"].to_list() == [f"{folder}/ok.log", shown]
    for fmt in ("text", "github", "sarif", "junit", "json"):
        r = invoke("check", folder, "-f", fmt)
        assert r.exit_code == 1 and r.stderr == "", (fmt, r.stderr)
    bad = os.path.join(os.fsdecode(os.fsencode(folder)), os.fsdecode(b"gone\xfe.log"))
    r = invoke("report", bad)
    assert (
        r.exit_code == 2
        and r.stderr == f"logscan: error: cannot read {folder}/gone\\xfe.log: no such file or directory\n"
    )


# ---------------------------------------------------------------- where the output goes

#: Every command and format that writes to stdout.
ALL_OUTPUTS = [
    *(["report", "{log}", "--by", "file", "-f", fmt] for fmt in ("table", "json", "markdown", "csv", "parquet", "html")),
    *(["events", "{log}", "-f", fmt] for fmt in ("ndjson", "csv", "json", "parquet")),
    *(["check", "{log}", "-f", fmt] for fmt in ("text", "github", "sarif", "junit", "json")),
    ["codes"], ["explain", "208"], ["patterns", "list"],
]  # fmt: skip


def _cmd(args: list[str], log: Path) -> list[str]:
    return [sys.executable, "-m", "logscan", *(a.format(log=log) for a in args)]


def test_a_reader_that_goes_away_gives_141_on_every_command_and_format(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(FL.format("") * 50, encoding="utf-8")
    for args in ALL_OUTPUTS:
        with subprocess.Popen(_cmd(args, log), stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            proc.stdout.close()  # gone before the first byte
            err = proc.stderr.read()
            assert (proc.wait(timeout=120), err) == (141, b""), args


def test_a_reader_that_read_all_and_left_before_the_end_cut_the_output(monkeypatch):
    """Regression: ``report --by file tiny/ | head -1`` exited 0 and ``check -f json | head -1``
    exited 1: the output fitted in the pipe, so no write failed; the reader left before the end
    all the same, and the run said success."""
    from logscan.cli import main as cli
    from logscan.outputs import Stdout

    def status(code: int, *, reader_stays: bool) -> int:
        read, write = os.pipe()
        try:
            out = Stdout(write)
            out.write(b"the whole report\n")
            monkeypatch.setattr(cli, "_STDOUT", out)
            if not reader_stays:
                os.close(read)
            return cli._output_complete(code)
        finally:
            os.close(write)
            if reader_stays:
                os.close(read)

    assert [status(code, reader_stays=True) for code in (0, 1, 2)] == [0, 1, 2]
    assert [status(code, reader_stays=False) for code in (0, 1, 2)] == [141, 141, 2]


def test_stdout_full_or_closed_is_one_line_and_exit_2(tmp_path):
    """Regression: stdout on /dev/full gave ``internal error: OSError``, and a closed stdout
    (``>&-``) exit 0 with the output lost."""
    log = tmp_path / "app.log"
    log.write_text(FL.format("") * 50, encoding="utf-8")
    for args in (ALL_OUTPUTS[0], ALL_OUTPUTS[1], ALL_OUTPUTS[6], ALL_OUTPUTS[-2]):
        with open("/dev/full", "wb") as full:
            p = subprocess.run(_cmd(args, log), stdout=full, stderr=subprocess.PIPE, text=True)
        assert (p.returncode, p.stderr) == (
            2,
            "logscan: error: cannot write to stdout: no space left on device\n",
        ), args
        closed = " ".join(_cmd(args, log))
        p = subprocess.run(f"exec {closed} >&-", shell=True, capture_output=True, text=True)
        assert (p.returncode, p.stderr) == (2, "logscan: error: cannot write to stdout: it is closed\n"), args
    out = tmp_path / "r.json"  # nothing to write to stdout: a closed stdout is no error
    p = subprocess.run(f"exec {' '.join(_cmd(['report', '{log}', '-o', str(out)], log))} >&-", shell=True,
                       capture_output=True, text=True)  # fmt: skip
    assert (p.returncode, p.stderr) == (0, "") and json.loads(out.read_text())["events"] == 50


def test_a_closed_stderr_crashes_nothing(tmp_path):
    """Regression: with ``2>&-`` the progress bar's look at stderr crashed the run."""
    log = tmp_path / "app.log"
    log.write_text(FL.format("") * 50, encoding="utf-8")
    p = subprocess.run(f"exec {' '.join(_cmd(['report', '{log}', '-f', 'json'], log))} 2>&-", shell=True,
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 0 and json.loads(p.stdout)["events"] == 50
    p = subprocess.run(f"exec {' '.join(_cmd(['report', '{log}', 'gone.log'], log))} 2>&-", shell=True,
                       capture_output=True, text=True)  # fmt: skip
    assert p.returncode == 2  # the error has nowhere to go; the status still says it


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_at_the_very_start_exits_130_without_traceback(sent):
    """Regression: Ctrl-C or SIGTERM in the first 0.15 s (while click, rich and polars load)
    showed a traceback or killed the run outright (exit -2 / -15)."""
    with subprocess.Popen(
        [sys.executable, "-m", "logscan", "codes"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "LOGSCAN_PAUSE_AT_START": "1"},
    ) as proc:  # fmt: skip
        assert proc.stderr.readline() == b"logscan: paused at start\n"  # the handlers are in place
        proc.send_signal(sent)
        out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out, err) == (130, b"", b"logscan: interrupted\n")


def test_a_non_blocking_stdout_gets_the_whole_output():
    """A stdout another process made non-blocking (a shared pipe or terminal) refuses a write
    when full: the write waits for room instead of failing or losing the rest."""
    import io
    import threading

    from logscan.outputs import Stdout

    read, write = os.pipe()
    os.set_blocking(write, False)
    got = bytearray()

    def drain() -> None:
        while chunk := os.read(read, 65536):
            got.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        out = io.BufferedWriter(Stdout(write))
        out.write(b"0123456789" * 200_000)  # far more than a pipe holds
        out.flush()
    finally:
        os.close(write)
        reader.join(timeout=60)
        os.close(read)
    assert bytes(got) == b"0123456789" * 200_000
