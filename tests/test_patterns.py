"""Pattern files: every bundled sample, validation errors, and the traps of sdk-logs.md."""

from __future__ import annotations

import re

import pytest

from logscan.errors import PatternError
from logscan.patterns import builtin_dir, load_file, load_patterns, run_samples
from logscan.scan import Matcher, match_lines

BUILTIN = load_patterns()
MATCHER = Matcher.build(BUILTIN)


def test_one_file_per_log_shape_family():
    names = sorted(p.stem for p in builtin_dir().glob("*.toml"))
    assert names == ["android", "core", "electron", "flutter", "ios", "react-native", "unity", "web"]


@pytest.mark.parametrize("pattern", BUILTIN.patterns, ids=lambda p: p.name)
def test_bundled_pattern_samples(pattern):
    assert pattern.samples, "every bundled pattern carries samples"
    assert pattern.counter_samples, "every bundled pattern carries counter-samples"
    assert run_samples(type(BUILTIN)([pattern])) == []


# sdk-logs.md §4: things a naive `code:\s*\d+` would take for SDK errors.
TRAPS = [
    "[2017/3/1 9:59:52:664]: getDnsListFromServer code: 408 response:",
    "[2017/3/1 19:30:28:214]: log: level: 2, area: 2, recv(): recv() failed. errno: 110: Connection timed out",
    "[2017/3/1 19:30:28:215]: onDisConnect(): 1",
    "[2021/09/27 17:03:18:070]: server response: status : { error_code : 0 }",
    "2024-05-01 10:00:00.123456+0800 App[123:4567] upload finished resultCode=0",
    "I/OkHttp(2211): <-- 500 Internal Server Error https://a1.easemob.com/token (120ms) httpCode=500",
    "I/OkHttp(2211): HTTP/1.1 404 Not Found",
    "[chat] 20241016-101530.123 ChatClient: fetch token statusCode: 401",
    "\tat com.hyphenate.chat.EMClient.login(EMClient.java:412)",
    "#0      ChatClient.login (package:agora_chat_sdk/src/chat_client.dart:212:7)",
    "(Filename: ./Runtime/Export/Debug/Debug.bindings.h Line: 35)",
    "E/EMClient(27486): hyphenate SDK is initialized with version : 3.8.3",
    "D/ONE SDK (27486): [2021/09/27 17:03:18:054]: [EMClient] emchat manager login in process:27486 threadName:pool-11-thread-2 ID:7132",
    "2019-09-02 10:50:35.972 5446-5475/? D/ONE SDK: [2019/09/02 10:50:35:971]: [EMPushHelper] isSupportPush: FCM - false",
    "[2021/09/27 17:03:18:054]: EMSessionManager::login(): is autoLogin? 1, id: fd2fc5d75f60a203fa4ea8df30ec6a51",
    "[2021/09/27 17:03:19:100]: connect to 47.92.1.1:6717 msgId: 1086474927425505532",
    '{"error":"auth_bad_access_token","timestamp":1542350943210,"duration":0,"exception":"x","error_description":"y"}',
    "createGroup fail!errorDescription:group name too long",
    "14:03:07:5 IM SDK [debug]: websocket onClose",
    "14:03:08:12 IM SDK [debug]: recv msg {type: 'txt', msg: 'hi', id: '1086474927425505532'}",
    "09-02 10:50:35.972  5446  5475 I chatty  : uid=10086(com.example) identical 3 lines",
    "EaseMob | V | init: {appKey: easemob-demo#flutter, autoLogin: true, debugMode: true}",
    '{"code":401,"message":"unauthorized"}',
    "[2021/09/27 17:04:22:539]: EMChatManager::uploadFile(): http code: 413, error: Request Entity Too Large",
    "2024-05-01 10:00:00.123456+0800 App[123:4567] [HTTP] request error code: 404",
    # code 0 is success in both numberings: a result, not an error
    "[2024-05-01 10:00:00.123] [info] login result {code: 0, description: ''}",
    '[2024-05-01 10:00:00.123] [info] login result {"errorCode":0,"errorDescription":""}',
]

# HTTP statuses ("http"/"HTTP"/"status"/"response" before the code), the DNS fetch's
# HTTP status, and OS error codes (NSURLErrorDomain & co, errno): not SDK codes, whatever
# the spacing, casing or SDK shape around them (black-box findings and their variants).
HTTP_AND_OS_TRAPS = [
    "EMChatManager::uploadFile(): http code: 413, desc: Request Entity Too Large",
    "[2021/09/27 17:04:22:539]: EMChatManager::uploadFile(): HTTP Code=413 desc=Request Entity Too Large",
    "EMChatManager::uploadFile(): Http code : 413 , Desc : Request Entity Too Large",
    "EMChatManager::uploadFile(): httpCode: 413, desc: Request Entity Too Large",
    "EMChatManager::uploadFile(): http_code=413, description=too large",
    "[2024/05/01 09:41:29:705]: [EMARHttpAPI] httpExecute code: 413, error: Request Entity Too Large",
    "uploadFile http status code: 413, description: too large",
    "uploadFile HTTP Status Code: 413, description: too large",
    "uploadFile status code: 413, desc: too large",
    "uploadFile STATUS_CODE=413 error=too large",
    "uploadFile: [HTTP] request failed code: 413 desc: too large",
    "D/ONE SDK (27486): [2021/09/27 17:03:18:054]: HTTP request error, code: 500, error: internal",
    "EMHttpClient: response code = 500, desc = internal error",
    "Request failed: HTTP/1.1 404 Not Found, code: 404, desc: Not Found",
    "E/Unity: Upload failed with HTTP code 413, desc: Request Entity Too Large",
    "UploadFile failed, http code:413, desc:Request Entity Too Large",
    "http code: 404, errorDescription: not found",
    "HTTP Code=404 errorDescription=not found",
    "http status code: 404, errorDescription: not found",
    "status code: 404, errorDescription: not found",
    "errorDescription: not found, http code: 404",
    '[chat] 20241016-101530.123 ChatClient: {"httpCode": 401, "description": "unauthorized"}',
    "[chat] 20241016-101530.123 ChatClient: http status code: 401 description: unauthorized",
    "I/flutter (12345): http error code: 502, description: Bad Gateway",
    "[2024-05-01 10:00:03.635] [error] upload http error.code = 413",
    "[2024-05-01 10:00:03.635] [error] upload httpErrorCode = 413",
    "[2024-05-01 10:00:03.635] [error] upload {httpStatus: 413, errorCode: 413, errorDescription: 'too large'}",
    "D/Upload(1234): http onError: 413 Request Entity Too Large",
    "E/Upload(1234): http code: 413 error: Request Entity Too Large",
    "getDnsListFromServer code: 408 desc: timeout",
    "getDnsListFromServer failed, code: 408",
    "getDnsListFromServer failed with code=408, desc=timeout",
    "[2017/3/1 9:59:52:664]: getDnsListFromServer code:408 error: timeout",
    "getDNSListFromServer Code = 408, desc = timeout",
    "getDnsListFromServer error code: 408",
    "getDnsListFromServer onError: 408",
    "[2017/3/1 9:59:52:664]: GetDnsListFromServer FAILED WITH CODE 408, DESC: timeout",
    "2024-05-01 10:00:00.123456+0800 App[1:2] NSURLErrorDomain error code: -1001",
    "2024-05-01 10:00:00.123456+0800 App[1:2] NSPOSIXErrorDomain error code: 61",
    "2024-05-01 10:00:00.123456+0800 App[1:2] nsurlerrordomain ERROR CODE=-1009 description: offline",
    "2024-05-01 10:00:00.123456+0800 App[1:2] upload failed, NSURLErrorDomain code: -1001, desc: The request timed out.",
    "2024-05-01 10:00:00.123456+0800 App[1:2] domain: NSURLErrorDomain, code: -1001, errorDescription: timed out",
    "2024-05-01 10:00:00.123456+0800 App[1:2] error code: -1001, domain: NSURLErrorDomain",
    "2024-05-01 10:00:00.123456+0800 App[1:2] kCFErrorDomainCFNetwork error code: -1001",
    "2024-05-01 10:00:00.123456+0800 App[1:2] NSURLErrorTimedOut error code: -1001",
    '2024-05-01 10:00:00.123456+0800 App[1:2] Error Domain=NSURLErrorDomain Code=-1001 "The request timed out."',
    '2024-05-01 10:00:00.123456+0800 App[1:2] Error Domain=NSPOSIXErrorDomain Code=61 "Connection refused"',
    "connect failed, errno code: 111, desc: Connection refused",
    "connect failed with code=111 (errno), desc=refused",
    "recv() failed. Errno=104 error code: 104",
    "socket failed, code: 104, error: Connection reset by peer (ERRNO)",
    "[2024-05-01 10:00:03.635] [error] socket error.code = 104, errno = 104",
    "connect failed: posix error code: 61",
    "uploadFile Status Code: 404, Desc: not found",
    "Http upload failed with code 413, desc: Request Entity Too Large",
    "[2024-05-01 10:00:03.635] [error] login {errorCode: -1001, domain: 'NSURLErrorDomain'}",
    "2024-05-01 10:00:00.123456+0800 App[1:2] errorDescription: timed out, code: -1001, domain: NSURLErrorDomain",
    "getDnsListFromServer errorDescription: timeout, code: 408",
    '{"description": "The request timed out.", "code": -1001, "domain": "NSURLErrorDomain"}',
    '{"description": "Request Entity Too Large", "code": 413, "httpStatus": 413}',
]


@pytest.mark.parametrize("line", HTTP_AND_OS_TRAPS)
def test_http_statuses_and_os_errors_are_not_events(line):
    assert match_lines([line], MATCHER).height == 0


# The same shapes with an SDK code: still events, with their code (the excludes are no wider).
NEAR_TRAPS = [
    ("EMChatManager::uploadFile(): code: 402, desc: File upload failed", 402),
    ("uploadFile(https://a1.easemob.com/org/app/chatfiles/x) failed, code: 402, desc: upload", 402),
    ("downloadFile https://a1.easemob.com/x error code: 403", 403),
    ("uploadFileByHttp failed, code: 402, desc: File upload failed", 402),
    ("fetch status: done, login error code: 202, description: User authentication failed", 202),
    ("iOS error code: 208", 208),
    ("login failed, code: 204, desc: User not found", 204),
    ("bind push error code: 1403", 1403),
    ("[2024/05/01 09:50:05:151]: [global listener] onDisconnected: 2", 2),
    ("2024-05-01 10:00:00.123456+0800 App[1:2] AgoraChatErrorDomain error code: 300", 300),
]


@pytest.mark.parametrize(("line", "code"), NEAR_TRAPS)
def test_sdk_codes_beside_the_trap_words_are_events(line, code):
    assert match_lines([line], MATCHER).select("sdk", "code").rows() == [("native", code)]


def test_every_generic_pattern_excludes_the_trap_families():
    """Each pattern that introduces its code with a generic word (code, error code, failed,
    onError, errorCode) drops HTTP, DNS-fetch and OS-error lines by its ``exclude``."""
    generic = {
        "android-code-error", "android-onerror", "electron-errorcode", "js-error-dot-code",
        "flutter-code-desc", "ios-error-code", "ios-error-description", "ios-description-code",
        "js-code-description", "js-description-code", "unity-code-desc", "unity-with-code-desc",
    }  # fmt: skip
    by_name = {p.name: p for p in BUILTIN}
    assert generic <= set(by_name)
    probes = [
        "http code: 1",
        "HTTP_STATUS_CODE 1",
        "statusCode 1",
        "response code 1",
        "getDnsListFromServer",
        "errno: 1",
        "NSURLErrorDomain",
        "NSPOSIXErrorDomain",
    ]
    for name in sorted(generic):
        exclude = by_name[name].exclude
        assert exclude, name
        for probe in probes:
            assert re.search(exclude, probe, re.ASCII), (name, probe)


@pytest.mark.parametrize("line", TRAPS)
def test_traps_are_not_events(line):
    assert match_lines([line], MATCHER).height == 0


GLUED_AND_APP_SHAPES = [
    ("[2017/3/1 19:30:28:216]: [global listener] onDisconnect303", "native", 303),
    ("[2017/3/1 20:0:26:618]: [smart ping]  onDisconnected ...206", "native", 206),
    ("E/ChatDemo(1234): Login failed! code: 204 error: User not found", "native", 204),
    ("ChatError{code=201, description='User is not logged in'}", "native", 201),
    ('sendMessage: {"code": 500, "description": "message invalid"}', "native", 500),
    ("login error code: 202, description: User authentication failed", "native", 202),
    ('HyphenateException(205, "illegal user name")', "native", 205),
    ("2024-05-01 10:00:00: login failed, code: 204, desc: User not found", "native", 204),
    ("Unhandled Exception: code: 204 desc: User not found", "native", 204),
    ("FetchHistoryMessages failed with code=300,desc=Server unreachable", "native", 300),
    ("DestroyThread failed, code:1400, desc:thread not exist", "native", 1400),
    ("addGroupMembers error.errorCode = 603", "native", 603),
    ('14:03:07:5 IM SDK [error]: {type: 16, message: "disconnected", data: {}}', "web", 16),
    ("onError: WEBIM_CONNCTION_DISCONNECTED type=16", "web", 16),
    ('{type: -1, message: "request timeout"}', "web", -1),
]


@pytest.mark.parametrize(("line", "sdk", "code"), GLUED_AND_APP_SHAPES)
def test_shapes_of_sdk_logs_are_events(line, sdk, code):
    events = match_lines([line], MATCHER)
    assert events.select("sdk", "code").rows() == [(sdk, code)]


@pytest.mark.parametrize(
    ("line", "description"),
    [
        ("{ code: 2, description: 'Network error' }", "Network error"),
        ("{code: 1, desc: General error}", "General error"),
        ('sendMessage: {"code": 500, "description": "message invalid"}', "message invalid"),
        ("x code: 5 desc: thread (a) missing", "thread (a) missing"),
        ("onDisconnect303", None),
    ],
)
def test_descriptions_lose_the_punctuation_of_the_object_around_them(line, description):
    assert match_lines([line], MATCHER)["description"].to_list() == [description]


def test_a_line_with_two_shapes_is_one_event():
    line = "Login failed! code: 204 error: User not found; ChatError{code=204, description='x'}"
    assert match_lines([line], MATCHER).height == 1


def write(tmp_path, body, name="mine.toml"):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD = """
[[pattern]]
name = "myapp"
sdk = "native"
platform = "android"
regex = '''\\[MyApp\\] chat error (?P<code>\\d+) \\((?P<description>[A-Z_]+)\\)'''
samples = [{ line = "[MyApp] chat error 208 (USER_REG_FAILED)", code = 208 }]
counter_samples = ["[MyApp] chat ok"]
"""


def test_user_pattern_file_loads_and_extends_builtins(tmp_path):
    path = write(tmp_path, GOOD)
    patterns = load_patterns([path])
    assert len(patterns) == len(BUILTIN) + 1
    assert patterns.patterns[-1].has_description
    only = load_patterns([path], builtin=False)
    events = match_lines(["x [MyApp] chat error 208 (USER_REG_FAILED)"], Matcher.build(only))
    assert events.select("pattern", "code", "description").rows() == [("myapp", 208, "USER_REG_FAILED")]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('sdk = "native"', 'sdk = "ios"'), "mine.toml:3: pattern 'myapp': 'sdk' must be one of native, web (got 'ios')"),
        (lambda s: s.replace("(?P<code>\\d+)", "(\\d+)"), "mine.toml:3: pattern 'myapp': the regex has no named group 'code'"),
        (lambda s: s.replace("\\[MyApp\\]", "(?<=x)\\[MyApp\\]"), "mine.toml:3: pattern 'myapp': regex does not compile: look-around, including look-ahead and look-behind, is not supported at column 1"),
        (lambda s: s.replace("\\((?P<desc", "((?P<desc"), "mine.toml:3: pattern 'myapp': regex does not compile: unclosed group"),
        (lambda s: s + "[[pattern\n", "mine.toml: invalid TOML"),
        (lambda s: s.replace('name = "myapp"', 'name = ""'), "mine.toml:3: pattern #1: 'name' must be a non-empty string"),
    ],
)  # fmt: skip
def test_invalid_pattern_files_name_file_line_pattern_and_problem(tmp_path, edit, message):
    path = write(tmp_path, edit(GOOD))
    with pytest.raises(PatternError) as info:
        load_file(path)
    assert str(info.value).startswith(str(tmp_path) + "/" + message), str(info.value)


def test_samples_are_checked(tmp_path):
    bad = GOOD.replace("code = 208", "code = 209").replace(
        '["[MyApp] chat ok"]', '["[MyApp] chat error 1 (X)"]'
    )
    path = write(tmp_path, bad)
    failures = run_samples(load_patterns([path], builtin=False, check_samples=False))
    assert [f.problem for f in failures] == [
        "sample matches with code 208, expected 209",
        "counter-sample matches (code 1)",
    ]
    with pytest.raises(
        PatternError, match=re.escape("mine.toml:3: pattern 'myapp': sample matches with code 208")
    ):
        load_patterns([path], builtin=False, check_samples=True)


def test_duplicate_pattern_names_are_refused(tmp_path):
    path = write(tmp_path, GOOD.replace('"myapp"', '"core-disconnect"'))
    with pytest.raises(PatternError, match="name already used in"):
        load_patterns([path])
