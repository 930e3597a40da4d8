"""patterns list and patterns check: bundled files named bundled:NAME, plurals."""

from __future__ import annotations

from ..conftest import invoke

# ---------------------------------------------------------------- small things


def test_patterns_list_shows_bundled_files_as_bundled(tmp_path):
    from logscan.match.patterns import builtin_dir

    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[pattern]]\nname = "mine"\nsdk = "native"\nplatform = "x"\nregex = "zz(?P<code>\\\\d+)"\n'
        'samples = [{ line = "zz12", code = 12 }]\n',
        encoding="utf-8",
    )
    r = invoke("patterns", "list", "--patterns", mine, "-f", "json")
    assert r.exit_code == 0
    rows = {row["name"]: row for row in r.json()}
    assert rows["android-code-error"]["source"] == "bundled:android.toml"
    assert rows["android-code-error"]["path"] == str(builtin_dir() / "android.toml")
    assert rows["mine"]["source"] == rows["mine"]["path"] == str(mine)
    listed = invoke("patterns", "list", "--patterns", mine).stdout.splitlines()
    assert (
        listed[2] == "android-code-error    native android           10              12 bundled:android.toml"
    )
    assert listed[-1] == f"mine                  native x                  1               0 {mine}"


def test_plurals_say_one_entry_and_one_sample(tmp_path):
    from logscan.render.text import plural

    assert [plural(1, "entry", "entries"), plural(2, "entry", "entries"), plural(1, "file")] == [
        "1 entry",
        "2 entries",
        "1 file",
    ]
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[pattern]]\nname = "mine"\nsdk = "native"\nplatform = "x"\nregex = "zz(?P<code>\\\\d+)"\n'
        'samples = [{ line = "zz12", code = 12 }]\ncounter_samples = ["zz"]\n',
        encoding="utf-8",
    )
    r = invoke("patterns", "check", mine)
    assert r.exit_code == 0
    assert r.stdout == "ok   mine: 1 sample, 1 counter-sample\npatterns check: 1 of 1 patterns pass\n"
