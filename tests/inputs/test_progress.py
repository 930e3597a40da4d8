"""The progress bar: compressed files advance it by their compressed bytes."""

from __future__ import annotations

ONE = "E/ChatDemo(1): Login failed! code: 204 error: User not found\n"


def test_progress_of_a_compressed_file_is_its_compressed_bytes(tmp_path):
    """The bar's total is the files' size on disk: a .gz or .tar.gz advances it by compressed
    bytes (it used to count decompressed bytes, so it had no total at all)."""
    import gzip
    import io
    import tarfile

    from logscan.aggregate.report import ReportOptions
    from logscan.decode.catalogue import load_catalogue
    from logscan.fleet.dispatch import report_paths
    from logscan.match.matcher import Matcher
    from logscan.match.samples import load_patterns

    plain = tmp_path / "plain.log"
    plain.write_text(ONE * 300, encoding="utf-8")
    gz = tmp_path / "a.log.gz"
    gz.write_bytes(gzip.compress((ONE * 20000).encode(), mtime=0))
    tgz = tmp_path / "b.tar.gz"
    with tarfile.open(tgz, "w:gz") as tar:
        for i in range(3):
            data = (ONE * 5000).encode()
            info = tarfile.TarInfo(f"m{i}.log")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    matcher, catalogue = Matcher.build(load_patterns()), load_catalogue()
    for path in (plain, gz, tgz):
        done: list[int] = []
        report = report_paths(ReportOptions([str(path)], workers=1), matcher, catalogue, progress=done.append)
        assert report.events == {plain: 300, gz: 20000, tgz: 15000}[path]
        assert sum(done) == path.stat().st_size, path.name
