"""Usage errors are one line on stderr with the nearest name and where the help is; exit 2."""

from __future__ import annotations

import pytest

from tests.conftest import invoke


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["report", "--fromat", "json", "x.log"], "no such option --fromat; did you mean --format? (see logscan report --help)"),
        (["reprot", "x.log"], "no such command 'reprot'; did you mean report? (see logscan --help)"),
        (["patterns", "lst"], "no such command 'lst'; did you mean list? (see logscan patterns --help)"),
        (["report", "-f", "xml", "x.log"], "-f/--format: 'xml' is not one of table, json, markdown, csv, parquet, html (see logscan report --help)"),
        (["report", "-f", "jsno", "x.log"], "-f/--format: 'jsno' is not one of table, json, markdown, csv, parquet, html; did you mean json? (see logscan report --help)"),
        (["report"], "missing argument PATHS... (see logscan report --help)"),
        (["explain"], "missing argument QUERY... (see logscan explain --help)"),
        (["report", "x.log", "-o"], "option '-o' requires an argument (see logscan report --help)"),
        (["--debug", "events", "x.log", "--format"], "option '--format' requires an argument (see logscan events --help)"),
        (["report", "x.log", "--bucket", "5m5"], "--bucket: '5m5': use a number and a unit: 30s, 1m, 5m, 1h, 1d, 1w (see logscan report --help)"),
        (["events", "x.log", "-j", "0"], "-j/--workers: 0 is not in the range 1<=x<=64 (see logscan events --help)"),
        (["codes", "--sdk", "wbe"], "--sdk: 'wbe' is not one of native, web; did you mean web? (see logscan codes --help)"),
    ],
)  # fmt: skip
def test_a_usage_error_is_one_line_with_the_nearest_name(args, line):
    r = invoke(*args)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"logscan: error: {line}\n")
