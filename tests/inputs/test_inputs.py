"""Inputs: paths, folders, globs, stdin, compression, archives, encodings."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import tarfile
import zipfile

import pytest
import zstandard

from logscan.inputs import Source, Unreadable, iter_blocks, iter_sources

from ..conftest import invoke

TEXT = b"line one\nE/ChatDemo(1): Login failed! code: 208 error: x\nlast line\n"


def read_all(items):
    """(name, text) of each source, or (name, 'UNREADABLE: reason')."""
    out = []
    for item in items:
        if isinstance(item, Unreadable):
            out.append((item.name, f"UNREADABLE: {item.reason}"))
        else:
            with item.open() as fh:
                out.append((item.name, b"".join(iter_blocks(fh, 16))))
    return out


@pytest.mark.parametrize(
    ("name", "pack"),
    [
        ("a.log.gz", gzip.compress),
        ("a.log.bz2", bz2.compress),
        ("a.log.xz", lzma.compress),
        ("a.log.zst", lambda b: zstandard.ZstdCompressor().compress(b)),
        ("misnamed.log", gzip.compress),  # sniffed by magic bytes, not by name
    ],
)
def test_compressed_files(tmp_path, name, pack):
    path = tmp_path / name
    path.write_bytes(pack(TEXT))
    assert read_all(iter_sources([path])) == [(str(path), TEXT)]


def test_zip_members_are_named_after_the_archive(tmp_path):
    path = tmp_path / "logs.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sdkdata/easemobLog/easemob.log", TEXT)
        zf.writestr("sdkdata/", b"")
        zf.writestr("b.log.gz", gzip.compress(b"inner\n"))
    assert read_all(iter_sources([path])) == [
        (f"{path}:b.log.gz", b"inner\n"),
        (f"{path}:sdkdata/easemobLog/easemob.log", TEXT),
    ]


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_members(tmp_path, mode):
    path = tmp_path / "logs.tar"
    with tarfile.open(path, mode) as tf:
        for member, data in (("x/easemob.log", TEXT), ("x/other.log", b"other\n")):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    assert read_all(iter_sources([path])) == [
        (f"{path}:x/easemob.log", TEXT),
        (f"{path}:x/other.log", b"other\n"),
    ]


def test_boms_and_utf16(tmp_path):
    (tmp_path / "a8.log").write_bytes(b"\xef\xbb\xbf" + TEXT)
    (tmp_path / "b16le.log").write_bytes(b"\xff\xfe" + TEXT.decode().encode("utf-16-le"))
    (tmp_path / "c16be.log").write_bytes(b"\xfe\xff" + TEXT.decode().encode("utf-16-be"))
    got = read_all(iter_sources([tmp_path]))
    assert [text for _, text in got] == [TEXT, TEXT, TEXT]


def test_folders_are_recursive_and_sorted_globs_expand(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.log").write_bytes(b"z\n")
    (tmp_path / "a.log").write_bytes(b"a\n")
    (tmp_path / "c.txt").write_bytes(b"c\n")
    names = [n for n, _ in read_all(iter_sources([tmp_path]))]
    assert names == [str(tmp_path / "a.log"), str(tmp_path / "b" / "z.log"), str(tmp_path / "c.txt")]
    names = [n for n, _ in read_all(iter_sources([str(tmp_path / "**" / "*.log")]))]
    assert names == [str(tmp_path / "a.log"), str(tmp_path / "b" / "z.log")]


def test_stdin_plain_and_compressed():
    assert read_all(iter_sources(["-"], stdin=io.BufferedReader(io.BytesIO(TEXT)))) == [("<stdin>", TEXT)]
    packed = io.BufferedReader(io.BytesIO(gzip.compress(TEXT)))
    assert read_all(iter_sources(["-"], stdin=packed)) == [("<stdin>", TEXT)]


def test_bad_paths_are_reported_not_raised(tmp_path):
    got = read_all(iter_sources([tmp_path / "missing.log", str(tmp_path / "*.nomatch")]))
    assert got == [
        (str(tmp_path / "missing.log"), "UNREADABLE: no such file or directory"),
        (str(tmp_path / "*.nomatch"), "UNREADABLE: no file matches this pattern"),
    ]


def test_corrupt_zip_is_unreadable(tmp_path):
    path = tmp_path / "bad.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    [(name, text)] = read_all(iter_sources([path]))
    assert name == str(path) and text.startswith("UNREADABLE: ")


def test_plain_sources_carry_their_path(tmp_path):
    path = tmp_path / "a.log"
    path.write_bytes(TEXT)
    [source] = list(iter_sources([path]))
    assert isinstance(source, Source) and source.path == path and source.size == len(TEXT)


def test_iter_blocks_end_at_newlines():
    blocks = list(iter_blocks(io.BytesIO(b"aaa\nbbbbbbbbbbbb\ncc"), 5))
    assert b"".join(blocks) == b"aaa\nbbbbbbbbbbbb\ncc"
    assert all(b.endswith(b"\n") for b in blocks[:-1])


def test_a_truncated_gzip_gives_what_it_holds_then_fails(tmp_path):
    import random

    from logscan.inputs import READ_ERRORS

    rng = random.Random(3)
    text = b"".join(b"line %d %d\n" % (i, rng.randrange(10**9)) for i in range(20000))
    packed = gzip.compress(text)
    path = tmp_path / "cut.log.gz"
    path.write_bytes(packed[: len(packed) // 2])
    [source] = list(iter_sources([path]))
    got = []
    with source.open() as fh, pytest.raises(READ_ERRORS):
        for block in iter_blocks(fh, 4096):
            got.append(block)
    data = b"".join(got)
    assert len(data) > len(text) // 3 and text.startswith(data)


def test_concatenated_gzip_members(tmp_path):
    path = tmp_path / "two.gz"
    path.write_bytes(gzip.compress(b"one\n") + gzip.compress(b"two\n"))
    assert read_all(iter_sources([path])) == [(str(path), b"one\ntwo\n")]


@pytest.mark.parametrize("block", [7, 16, 1 << 16])
def test_cr_line_ends_are_read_as_lf_across_reads(tmp_path, block):
    """A file with CR line ends (no LF in its first 64 KiB) reads as LF lines, a CR LF later on
    as one line end, whether or not a read ends between the CR and the LF."""
    path = tmp_path / "mac.log"
    path.write_bytes(b"line\r" * 20_000 + b"crlf\r\n" + b"x\r" * 3 + b"end\r")
    [source] = list(iter_sources([path]))
    assert source.path is None  # read as a stream, not by offset
    with source.open() as fh:
        got = b"".join(iter_blocks(fh, block))
    assert got == b"line\n" * 20_000 + b"crlf\n" + b"x\n" * 3 + b"end\n"


def test_sniffing_leaves_plain_files_on_the_fast_path(tmp_path):
    """UTF-8 text with LF (or CRLF) line ends, and UTF-16 with a BOM, stay sources read by offset."""
    for name, data in (
        ("a.log", TEXT),
        ("b.log", TEXT.replace(b"\n", b"\r\n")),
        ("c.log", b"\xff\xfe" + TEXT.decode().encode("utf-16-le")),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        [source] = list(iter_sources([path]))
        assert (source.path, source.warning) == (path, None), name


def test_the_progress_total_is_decided_by_content_not_by_name(tmp_path):
    """The progress bar's total: the sizes on disk of the files, walked as the scan walks
    them (a compressed file's progress is its compressed bytes read); a zip, whose members
    are read out of order, means no total, even one named .log."""
    import gzip
    import zipfile

    from logscan.inputs import plain_total

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.log").write_bytes(b"x" * 100)
    (tmp_path / "text.gz").write_bytes(b"plain text, not gzip\n")
    assert plain_total([str(tmp_path / "d"), str(tmp_path / "text.gz"), str(tmp_path / "gone")]) == 121
    packed = gzip.compress(b"code: 208\n")
    (tmp_path / "d" / "b.log").write_bytes(packed)
    assert plain_total([str(tmp_path / "d")]) == 100 + len(packed)
    with zipfile.ZipFile(tmp_path / "d" / "c.log", "w") as zf:
        zf.writestr("m.log", "code: 208\n")
    assert plain_total([str(tmp_path / "d")]) is None
    assert plain_total([str(tmp_path / "d" / "a.log")]) == 100


ERR = "E/ChatDemo(1): Login failed! code: {} error: x\n"


def test_a_corrupt_zip_member_is_unreadable_and_the_others_are_read(tmp_path):
    path = tmp_path / "logs.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.log", ERR.format(201) * 50)
        zf.writestr("b.log", ERR.format(202) * 400)
        zf.writestr("c.log", ERR.format(203) * 50)
    data = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("b.log")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 2] = b"\xff\xff"
    path.write_bytes(bytes(data))
    r = invoke("report", path, "-f", "json", "--keep-going")
    assert r.exit_code == 0 and "Traceback" not in r.stderr
    report = r.json()
    assert {c["code"] for c in report["codes"]} == {201, 203}
    assert [u["name"] for u in report["inputs"]["unreadable"]] == [f"{path}:b.log"]


def test_a_symlinked_folder_already_scanned_is_not_an_error_and_files_count_once(tmp_path):
    real = tmp_path / "d" / "real"
    real.mkdir(parents=True)
    (real / "a.log").write_text(ERR.format(204), encoding="utf-8")
    (tmp_path / "d" / "current").symlink_to("real")
    r = invoke("report", tmp_path / "d", "-f", "json")
    assert r.exit_code == 0 and r.stderr == ""
    assert r.json()["events"] == 1
    r = invoke("report", real / "a.log", real / "a.log", "-f", "json")
    assert r.json()["events"] == 1


def test_a_fifo_is_read_as_a_stream(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)

    def feed():
        with fifo.open("w") as fh:
            fh.write(ERR.format(205) * 3)

    writer = threading.Thread(target=feed)
    writer.start()
    r = invoke("report", fifo, "-f", "json")
    writer.join()
    assert r.exit_code == 0 and r.json()["events"] == 3


def test_pipes_devices_and_sockets_in_a_folder_are_skipped(tmp_path):
    """Regression: a named pipe inside a scanned folder was opened and waited on for ever."""
    import socket
    import subprocess
    import sys

    (tmp_path / "app.log").write_text(ERR.format(205) * 2, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock"))
    try:
        r = subprocess.run(
            [sys.executable, "-m", "logscan", "report", str(tmp_path), "-f", "json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.close()
    assert (r.returncode, r.stderr) == (0, "")
    data = json.loads(r.stdout)
    assert data["events"] == 2 and data["inputs"]["files"] == 1 and data["inputs"]["unreadable"] == []
