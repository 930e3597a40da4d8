"""The bundled catalogue: vendor page complete, errata handled, both SDK families."""

from __future__ import annotations

import re

import polars as pl
import pytest

from logscan.decode.catalogue import CATEGORIES, KINDS, enrich, load_catalogue, load_file
from logscan.decode.links import publicized
from logscan.errors import CatalogueError

from ..conftest import DATA, invoke

CAT = load_catalogue()


def vendor_rows() -> dict[int, list[str]]:
    """Rows of the vendor page's table: code -> cells (irregular rows as they are)."""
    rows = {}
    for line in (DATA / "agora-chat-error-codes.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|", line)
        if m:
            cells = [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]
            rows[int(m.group(1))] = cells
    return rows


VENDOR = vendor_rows()
# sdk-logs.md §2: native codes found in SDK sources beyond the vendor page.
SOURCE_ONLY = [3, 5, 6, 7, 8, 103, 105, 106, 107, 108, 109, 110, 111, 112, 211, 212, 218, 219, 220,
               306, 307, 308, 309, 350, 351, 352, 353, 354, 406, 407, 408, 409, 501, 503, 508, 509,
               510, 511, 512, 513, 606, 607, 608, 609, 610, 611, 612, 613, 706, 707,
               *range(800, 828), 1101, 1200, 1299]  # fmt: skip
# sdk-logs.md §2, version-dependent meanings: values one platform's headers give a code
# that has another number elsewhere (iOS NotSupportPush is 1403, not 1500).
PLATFORM_VALUES = [1403]
# sdk-logs.md §3: the Web SDK's numbering.
WEB = [-1, -2, -3, -4, 0, 1, 2, 12, 16, 17, 27, 28, 31, 32, 33, 34, 39, 40, 50, 51, 52, 53, 54,
       101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 216, 217, 219, 221, 500, 501, 502,
       503, 504, 505, 506, 507, 508, 509, 510, 511, 512, 601, 602, 603, 604, 605, 606, 607, 608,
       609, 700, 702, 704, 705, 800, 999, 1100, 1101, 1102, 1103, 1200, 1201, 1204, 1300, 1301,
       1302, 1303, 1304, 1400]  # fmt: skip


def test_vendor_page_has_77_codes_all_in_catalogue():
    assert len(VENDOR) == 77
    vendor = [e for e in CAT.entries if e.source == "vendor-page"]
    assert sorted(e.code for e in vendor) == sorted(VENDOR)
    assert all(e.sdk == "native" for e in vendor)


@pytest.mark.parametrize("code", sorted(VENDOR))
def test_vendor_fields_match_the_page(code):
    cells = VENDOR[code]
    entry = CAT.get("native", code)
    assert entry is not None
    if code == 403:
        assert cells[1] == "FILE_UPLOAD_FAILED"
        assert entry.name == "FILE_DOWNLOAD_FAILED"
        assert "FILE_UPLOAD_FAILED" in entry.aliases
        assert entry.notes
    else:
        assert entry.name == cells[1]
    if len(cells) == 3:  # 900 and 1301: a cell is missing; the text is the description
        assert code in (900, 1301)
        assert entry.description == cells[2]
        assert entry.cause and entry.cause_source == "logscan"
    elif code >= 901:  # Chinese message in the description column, English in the last one
        assert entry.message_zh == cells[2]
        assert re.search(r"[\u4e00-\u9fff]", entry.message_zh)
        assert entry.description == cells[3]
        assert entry.cause_source == "logscan"
    else:
        assert entry.description == cells[2]
        # The page's text, its links made public (101: the internal wiki's "valid user ID"
        # becomes the public registration page; 208's relative link likewise).
        assert entry.cause == publicized(cells[3])
        assert entry.message_zh == ""


def test_names_that_differ_between_sdks_are_aliases():
    assert "USER_UPDATEINFO_FAILED" in CAT.get("native", 209).aliases
    assert "USER_NOT_ON_ROSTER" in CAT.get("native", 221).aliases


def test_version_dependent_meanings_are_noted():
    assert "606" in CAT.get("native", 605).notes or "swap" in CAT.get("native", 605).notes.lower()
    assert CAT.get("native", 606).notes
    assert "1403" in CAT.get("native", 1500).notes
    for code in (903, 904, 905):
        assert CAT.get("native", code).deprecated


@pytest.mark.parametrize("code", SOURCE_ONLY)
def test_sdk_source_codes_present(code):
    entry = CAT.get("native", code)
    assert entry is not None and entry.source == "sdk-source"


def test_ios_not_support_push_is_1403():
    """sdk-logs.md §2: iOS headers leave NotSupportPush without a value after 1402, so iOS
    reports the push error as 1403; Android and the core as 1500."""
    ios, other = CAT.get("native", 1403), CAT.get("native", 1500)
    assert ios is not None and ios.source == "sdk-source"
    assert (ios.name, ios.category, ios.kind) == (other.name, other.category, other.kind) == (
        "PUSH_NOT_SUPPORT", "push", "configuration",
    )  # fmt: skip
    assert "iOS" in ios.notes and "1500" in ios.notes and "NotSupportPush" in ios.notes
    assert CAT.get("web", 1403) is None
    assert [e.code for e in CAT.search("PUSH_NOT_SUPPORT")] == [1403, 1500]
    assert [e.code for e in CAT.search("NotSupportPush")] == [1403, 1500]


def test_explain_and_decode_1403():
    r = invoke("explain", "1403", "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert [(e["sdk"], e["code"], e["name"]) for e in r.json()] == [("native", 1403, "PUSH_NOT_SUPPORT")]
    r = invoke("patterns", "test", "-f", "json", "bind push error code: 1403")
    assert r.exit_code == 0, r.stderr
    assert "PUSH_NOT_SUPPORT" in r.stdout
    frame = enrich(pl.DataFrame({"sdk": ["native"], "code": [1403]}), CAT)
    assert frame.select("name", "category").rows() == [("PUSH_NOT_SUPPORT", "push")]


def test_web_family_complete_and_separate():
    web = sorted(e.code for e in CAT.entries if e.sdk == "web")
    assert web == sorted(WEB)
    assert CAT.get("web", 16).name == "WEBIM_CONNCTION_DISCONNECTED"
    assert CAT.get("native", 503).name == "MESSAGE_ENCRYPTION_ERROR"
    assert CAT.get("web", 503).name == "SERVER_UNKNOWN_ERROR"


def test_every_entry_is_complete_and_valid():
    keys = {(e.sdk, e.code) for e in CAT.entries}
    assert len(keys) == len(CAT.entries) == 77 + len(SOURCE_ONLY) + len(PLATFORM_VALUES) + len(WEB)
    for e in CAT.entries:
        assert e.category in CATEGORIES and e.kind in KINDS, e
        assert e.name and e.description and e.cause, e


def test_search_by_code_name_and_words():
    assert [(e.sdk, e.code) for e in CAT.search("503")] == [("native", 503), ("web", 503)]
    assert [(e.sdk, e.code) for e in CAT.search("web/503")] == [("web", 503)]
    assert [e.code for e in CAT.search("user_removed")] == [207]
    assert [e.code for e in CAT.search("FILE_UPLOAD_FAILED")] == [402, 403]
    assert 108 in [e.code for e in CAT.search("token expired")]
    assert CAT.search("no such words anywhere") == []


def test_enrich_keeps_unknown_codes():
    frame = pl.DataFrame({"sdk": ["native", "web", "native"], "code": [208, 16, 4242]})
    out = enrich(frame, CAT)
    assert out["name"].to_list() == ["USER_REG_FAILED", "WEBIM_CONNCTION_DISCONNECTED", None]
    assert out["category"].to_list() == ["user", "connection", "unknown"]
    assert "support@agora.io" in out["cause"][2]


def test_user_catalogue_overrides_and_adds(tmp_path):
    extra = tmp_path / "mine.toml"
    extra.write_text(
        '[[entry]]\nsdk = "native"\ncode = 208\nname = "USER_REG_FAILED"\ncategory = "user"\n'
        'kind = "client-bug"\ndescription = "Registration failed"\ncause = "Our own fix text"\n\n'
        '[[entry]]\nsdk = "native"\ncode = 90001\nname = "MYAPP_QUOTA"\ncategory = "general"\n'
        'kind = "limit"\ndescription = "App quota"\ncause = "Buy more"\n',
        encoding="utf-8",
    )
    cat = load_catalogue([extra])
    assert cat.get("native", 208).cause == "Our own fix text"
    assert cat.get("native", 208).origin == str(extra)
    assert cat.overridden[("native", 208)] == "builtin"
    assert cat.get("native", 90001).name == "MYAPP_QUOTA"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[entry]]\nsdk = "native"\ncode = 1\n', "mine.toml:1: entry #1: missing required key 'name'"),
        (
            '[[entry]]\nsdk = "ios"\ncode = 1\nname = "X"\ncategory = "user"\nkind = "ok"\n'
            'description = "d"\ncause = "c"\n',
            "mine.toml:1: entry #1: 'sdk' must be one of native, web (got 'ios')",
        ),
        (
            '\n[[entry]]\nsdk = "web"\ncode = 1\nname = "X"\ncategory = "nope"\nkind = "ok"\n'
            'description = "d"\ncause = "c"\n',
            "mine.toml:2: entry #1: unknown category 'nope'",
        ),
        ("[[entry]\n", "mine.toml: invalid TOML"),
    ],
)
def test_bad_catalogue_files_are_located(tmp_path, body, message):
    path = tmp_path / "mine.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_file(path)
    assert str(info.value).startswith(
        str(tmp_path / message.split(":", 1)[0]) + ":" + message.split(":", 1)[1]
    )


def test_duplicate_codes_in_one_file(tmp_path):
    entry = ('[[entry]]\nsdk = "web"\ncode = 7\nname = "X"\ncategory = "general"\nkind = "ok"\n'
             'description = "d"\ncause = "c"\n')  # fmt: skip
    path = tmp_path / "dup.toml"
    path.write_text(entry + "\n" + entry, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"dup.toml:10: duplicate entry web/7 \(first at line 1\)"):
        load_file(path)


def test_json_and_csv_carry_only_public_links(tmp_path):
    """Regression: the report's JSON and CSV (and explain -f json) kept the vendor text's
    internal wiki link; a reader gets the public page it means, in every output."""
    from ..conftest import invoke

    log = tmp_path / "l.log"
    log.write_text("E/x(1): Login failed! code: 101 error: bad\n", encoding="utf-8")
    public = "[valid user ID](https://docs.agora.io/en/agora-chat/restful-api/user-system-registration)"
    r = invoke("report", log, "-f", "json")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.json()["codes"][0]["cause"].endswith(f"Use a {public}.")
    for args in (["report", log, "-f", "csv"], ["explain", "101", "-f", "json"]):
        out = invoke(*args)
        assert out.exit_code == 0 and "confluence" not in out.stdout and public in out.stdout
