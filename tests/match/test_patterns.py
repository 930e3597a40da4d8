"""Pattern files: every bundled sample, validation errors, and the traps of sdk-logs.md."""

from __future__ import annotations

import re

import pytest

from logscan.errors import PatternError
from logscan.match.matcher import Matcher, match_lines
from logscan.match.patterns import builtin_dir, load_file, load_patterns, run_samples

from ..conftest import invoke

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
    "recv() failed. Errno=104 error code: 104",
    "connect failed: posix error code: 61",
    "uploadFile Status Code: 404, Desc: not found",
    "Http upload failed with code 413, desc: Request Entity Too Large",
    "[2024-05-01 10:00:03.635] [error] login {errorCode: -1001, domain: 'NSURLErrorDomain'}",
    "2024-05-01 10:00:00.123456+0800 App[1:2] errorDescription: timed out, code: -1001, domain: NSURLErrorDomain",
    "getDnsListFromServer errorDescription: timeout, code: 408",
    '{"description": "The request timed out.", "code": -1001, "domain": "NSURLErrorDomain"}',
    # the HTTP status said another way before the code: "HTTP 413", "status 413", a status field,
    # an HTTP client's name, a request line (black-box findings and their variants)
    "E/ChatDemo(1): upload failed: HTTP 413 Request Entity Too Large, code: 413, error: too large",
    "E/ChatDemo(1): upload failed: http 413, code: 413, error: too large",
    "response status: 401, code: 401, error: unauthorized",
    "upload failed: status 413, code: 413, error: too large",
    "upload failed, status=413, code: 413, desc: too large",
    'upload {"status": 413, "code": 413, "description": "too large"}',
    "{status: 404, code: 404, description: 'not found'}",
    "[2024-05-01 10:00:00.123] [error] request failed {statusCode: 500, errorCode: 500}",
    "GET https://a1.easemob.com/easemob-demo/chat/users failed with code=401, desc=Unauthorized",
    "POST https://a1.easemob.com/easemob-demo/chat/token failed, code: 401, error: Unauthorized",
    "EMHttpClient: code = 500, desc = internal error",
    "2024-05-01 10:00:00.123456+0800 App[123:4567] [EMHttpRequest] error code: 404",
    "OkHttp call failed code=404 msg=Not Found",
    "I/OkHttp(1234): call failed, code: 404, error: Not Found",
    "UnityWebRequest failed with code=404, desc=Not Found",
    "UnityWebRequest failed, code: 404, desc: HTTP/1.1 404 Not Found",
    "E/ChatDemo(1): upload failed: HTTP/1.1 413, code: 413, error: Request Entity Too Large",
    "I/flutter (1): DioError: Http status error [404], code: 404, desc: not found",
    "I/flutter (1): SocketException: OS Error: Connection refused, errno = 111, code: 111 desc: refused",
    # negative codes are OS/HTTP-client errors: only the Web numbering has negative codes
    "2024-05-01 10:00:00.123456+0800 App[123:4567] OSStatus error code: -25300",
    "dns lookup failed, code: -2, desc: EAI_NONAME",
    "I/flutter (1): code: -1 desc: unknown",
    "E/ChatDemo(1): Login failed! code: -1 error: x",
    "ChatError{code=-1, description='x'}",
    'HyphenateException(-1, "x")',
    "login onError: -1",
    "addGroupMembers error.errorCode = -1",
    "error.code = -1",
    '{"code": -1, "description": "x"}',
    "DestroyThread failed, code:-1, desc:x",
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
    # a trap word after the code, in the description, is about something else (finding 3)
    ("I/flutter (1): Unhandled Exception: code: 402 desc: upload failed: http status 413", 402),
    (
        '[chat] 20241016-101530.123 ChatClient: {"code": 402, "description": "upload failed, http status 413"}',
        402,
    ),
    ("E/ChatDemo(1): login failed! code: 2 error: Network error (errno 101: Network is unreachable)", 2),
    (
        "2024-05-01 10:00:00.123456+0800 App[1:2] login error code: 2, description: Network error (NSURLErrorDomain -1009)",
        2,
    ),
    ("code: 402 desc: upload failed: HTTP 413 Request Entity Too Large", 402),
    ("code: 402 desc: upload failed: HTTP/1.1 413 Request Entity Too Large", 402),
    ("DestroyThread failed, code:402, desc:upload failed, status 413", 402),
    ("E/ChatDemo(1): Login failed! code: 2 error: Network error (OS Error: errno = 101)", 2),
    ("addGroupMembers error.errorCode = 2, error.errorDescription = EMHttpClient errno 101", 2),
    ("error.code = 2, error.errorDescription = okhttp: SocketTimeoutException", 2),
    ("2024-05-01 10:00:00.123456+0800 App[1:2] errorDescription: Network error, code: 2", 2),
    (
        "2024-05-01 10:00:00.123456+0800 App[1:2] AgoraChatError code: 2, errorDescription: NSPOSIXErrorDomain 61",
        2,
    ),
    ("D/ChatDemo(1): login onError: 2 Network error (getDnsListFromServer failed)", 2),
    ("DestroyThread failed with code 2, desc: Network error, http status 503", 2),
    ("[2021/09/27 17:03:18:466]: EMSessionManager::doLogin() login failed, code: 2 desc: HTTP 503", 2),
    # What follows the code is not looked at (regression: the shared exclude looked at the whole
    # line, and these real codes were dropped): an exclude sees the line up to the end of the match.
    ("E/ChatDemo(1): login failed! code: 2 error: Network error, errno: 101", 2),
    ("EMChatManager::uploadAttachment() failed, code: 402, desc: upload failed, status: 413", 402),
    ("E/ChatDemo(1): upload failed! code: 402 error: http error code 413", 402),
]


@pytest.mark.parametrize(("line", "code"), NEAR_TRAPS)
def test_sdk_codes_beside_the_trap_words_are_events(line, code):
    assert match_lines([line], MATCHER).select("sdk", "code").rows() == [("native", code)]


def test_every_generic_pattern_excludes_the_trap_families():
    """Each pattern that introduces its code with a generic word (code, error code, failed,
    onError, errorCode) drops HTTP, DNS-fetch and OS-error lines by its ``exclude`` (which the
    scan applies to the line up to the end of the match)."""
    generic = {
        "android-code-error", "android-onerror", "electron-errorcode", "js-error-dot-code",
        "flutter-code-desc", "ios-error-code", "ios-error-description", "ios-description-code",
        "js-code-description", "js-description-code", "unity-code-desc", "unity-with-code-desc",
        "core-manager-code", "electron-log-result",
    }  # fmt: skip
    by_name = {p.name: p for p in BUILTIN}
    assert generic <= set(by_name)
    probes = [
        "http code: 1",
        "HTTP_STATUS_CODE 1",
        "statusCode 1",
        "response code 1",
        "getDnsListFromServer code: 1",
        "errno: 1, code: 1",
        "NSURLErrorDomain code: 1",
        "NSPOSIXErrorDomain error code: 1",
        "HTTP 413 code: 1",
        "status 413, code: 1",
        "EMHttpClient: code 1",
        "OkHttp code 1",
        "GET https://x/y failed code 1",
    ]
    # The same trap words after the code, in its description, say nothing about the code.
    not_probes = [
        "code: 1 desc: x, http status 413",
        "code: 1 desc: x (errno 101: unreachable)",
        "code: 1 desc: x (NSURLErrorDomain -1009)",
        'code: 1, desc: "x, http status 413"',
        "code: 1 desc: HTTP/1.1 413",
        "code: 1 desc: getDnsListFromServer failed",
        "uploadFile(https://a1.easemob.com/x) failed, code: 402",
        "uploadFileByHttp failed, code: 402",
    ]
    for name in sorted(generic):
        exclude = by_name[name].exclude
        assert exclude, name
        assert exclude == by_name["flutter-code-desc"].exclude, f"{name}: the shared exclude differs"
        for probe in probes:
            assert re.search(exclude, probe, re.ASCII), (name, probe)
        for probe in not_probes:
            assert not re.search(exclude, probe, re.ASCII), (name, probe)


@pytest.mark.parametrize(
    ("pattern", "sample"),
    [(p, s) for p in BUILTIN.patterns for s in p.samples],
    ids=lambda v: v.name if hasattr(v, "name") else str(v.code),
)
def test_every_sample_is_won_by_its_family_when_all_patterns_run(pattern, sample):
    """A sample passes alone (above) but must also win among all the patterns, where the match
    that starts leftmost wins: another family's pattern that starts further left would give the
    line its platform (and, across sdks, its numbering)."""
    rows = match_lines([sample.line], MATCHER).select("sdk", "platform", "pattern", "code").rows()
    assert len(rows) == 1, rows
    sdk, platform, name, code = rows[0]
    assert (sdk, code) == (pattern.sdk, sample.code)
    assert name == pattern.name or platform == pattern.platform, (name, platform)


# sdk-logs.md §4: each platform's shapes, with the platform they come from. When all patterns
# run, none may be taken by another family's pattern whose match starts further left.
PLATFORM_SHAPES = [
    ("2024-05-01 10:00:00: login failed, code: 204, desc: User not found", "flutter", 204),
    (
        "I/flutter (13077): 2024-05-01 10:02:06: fetchHistoryMessages failed, code: 300, desc: x",
        "flutter",
        300,
    ),
    ("Unhandled Exception: code: 204 desc: User not found", "flutter", 204),
    (
        '[chat] 20241016-101530.123 ChatClient: ChatError {"code": 1, "description": "SDK not initialized"}',
        "react-native",
        1,
    ),
    (
        '[chat] 20241016-101530.123 ChatClient: ChatError {code: 1, description: "SDK not initialized"}',
        "react-native",
        1,
    ),
    ("login fail { code: 202, description: 'User authentication failed' }", "react-native", 202),
    (
        'login fail {"name":"ChatError","code":202,"description":"User authentication failed"}',
        "react-native",
        202,
    ),
    # Electron's results are {code, description} objects too: electron on an electron-log line,
    # else the JS-host family
    ("[2024-05-01 10:00:07.297] [info] registerUser result: {code: 208, description: 'x'}", "electron", 208),
    ("registerUser result: {code: 208, description: 'x'}", "react-native", 208),
    ("E/LoginViewModel( 9431): login failed: code=202, msg=User authentication failed", "android", 202),
    ("2024-05-01 10:00:00.123 E/App: join group failed code=602 errorMsg=not in group", "android", 602),
    ("E/ChatDemo(1234): send failed with code=500, error=message invalid", "android", 500),
    ("ChatError{code=201, description='User is not logged in'}", "android", 201),
    ("FetchHistoryMessages failed with code=300,desc=Server is not reachable", "unity", 300),
    ("DestroyThread failed, code:1400, desc:thread not exist", "unity", 1400),
    ("LeaveGroup failed: code=700", "unity", 700),
    (
        "[2021/09/27 17:03:18:466]: EMSessionManager::doLogin() login failed, code: 108 desc: Token expired",
        "core",
        108,
    ),
    (
        "[2021/09/27 17:04:26:427]: EMGroupManager::fetchGroupSpecification() code: 605 desc: Group does not exist",
        "core",
        605,
    ),
    (
        "[2024/05/01 10:11:52:819]: EMGroupManager::fetchGroupMembers() failed, code: 302, desc: Server is busy",
        "core",
        302,
    ),
    ("2024-05-01 10:00:01.000001+0800 App[123:4567] login error code: 202, description: x", "ios", 202),
    ("addGroupMembers error.errorCode = 603", "electron", 603),
]


@pytest.mark.parametrize(("line", "platform", "code"), PLATFORM_SHAPES)
def test_each_platforms_shapes_keep_their_platform_among_all_patterns(line, platform, code):
    assert match_lines([line], MATCHER).select("platform", "code").rows() == [(platform, code)]


# sdk-logs.md §3: Web errors are objects {type: N, message: "...", data: ...}, in any key order;
# an errorCode nested in its data is not a native code.
WEB_OBJECTS = [
    ("onError {type: 16}", 16),
    ("Object { type: 16 }", 16),
    ("login error {data: {}, type: 28, message: 'token expired'}", 28),
    ("login error {data: '', message: 'x', type: 28}", 28),
    ('login error {"data":"{\\"error\\":\\"x\\"}","type":28,"message":"token expired"}', 28),
    ("login error {type: 28, data: {error: 'x'}}", 28),
    ("login error { type : 206 , message : 'login another device' }", 206),
    ('onError {data: {errorCode: 1, reason: "x"}, type: 604}', 604),
    ("{data: {errorCode: 1, errorDescription: 'x'}, type: 604, message: 'load msg error'}", 604),
    ("{message: 'x', data: {code: 1, description: 'y'}, type: 17}", 17),
    ("Uncaught (in promise) {type: -2, message: 'unknown'}", -2),
]


@pytest.mark.parametrize(("line", "code"), WEB_OBJECTS)
def test_web_error_objects_in_any_key_order(line, code):
    assert match_lines([line], MATCHER).select("sdk", "code").rows() == [("web", code)]


@pytest.mark.parametrize(
    ("line", "description"),
    [
        ("{data: {}, type: 28, message: 'token expired'}", "token expired"),
        ("{data: '', message: 'token expired', type: 28}", "token expired"),
        ('{message: "token expired", type: 28, data: null}', "token expired"),
        ("{type: 16}", None),
    ],
)
def test_web_error_objects_keep_their_message(line, description):
    assert match_lines([line], MATCHER)["description"].to_list() == [description]


def test_only_the_web_numbering_has_negative_codes():
    """Native patterns take no minus sign: a negative number there is an OS or HTTP-client error."""
    from logscan.decode.catalogue import load_catalogue

    negative = {(e.sdk, e.code) for e in load_catalogue().entries if e.code < 0}
    assert negative and {sdk for sdk, _ in negative} == {"web"}
    for pattern in BUILTIN:
        if pattern.sdk == "native":
            assert "(?P<code>-" not in pattern.regex, pattern.name


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


def test_thousands_of_user_patterns_load_with_their_samples_checked(tmp_path):
    """Thousands of patterns: their samples run in one pass (one by one, 5,000 patterns took
    ~40 s, on top of 310 s of literal analysis: bench/load_patterns.py times it), and a
    failing sample among them is still named at its line."""
    rules = [
        f"[[pattern]]\nname = 'app-{i}'\nsdk = 'native'\nregex = '''\\[Mod{i}x\\] op failed, err (?P<code>\\d+)'''\n"
        f"samples = [{{ line = '[Mod{i}x] op failed, err 208', code = {208 if i != 1234 else 209} }}]\n"
        f"counter_samples = ['[Mod{i}x] op ok']\n"
        for i in range(2000)
    ]
    path = tmp_path / "many.toml"
    path.write_text("\n".join(rules), encoding="utf-8")
    with pytest.raises(PatternError) as caught:
        load_patterns([path])
    assert str(caught.value) == (
        f"{path}:{2 + 1234 * 7}: pattern 'app-1234': sample matches with code 208, expected 209: "
        "'[Mod1234x] op failed, err 208'"
    )


@pytest.mark.parametrize(
    ("regex", "line", "code"),
    [
        (r"errcode[[:space:]]*=[[:space:]]*(?P<code>[[:digit:]]+)", "errcode = 208", 208),
        (r"(?x) errcode [\s=]+ (?P<code>\d+)", "errcode = 208", 208),
        (r"dir=C:\\(?P<code>\d+)", "dir=C:\\208", 208),
        (r"err,{1, 3}code=(?P<code>\d+)", "err,,code=207", 207),
    ],
)
def test_patterns_rust_reads_differently_from_python_still_match(tmp_path, regex, line, code):
    pattern_file = tmp_path / "p.toml"
    pattern_file.write_text(
        f"[[pattern]]\nname = \"x\"\nsdk = \"native\"\nregex = '''{regex}'''\n", encoding="utf-8"
    )
    log = tmp_path / "a.log"
    log.write_text(line + "\n", encoding="utf-8")
    r = invoke("report", log, "--patterns", pattern_file, "--no-builtin-patterns", "-f", "json")
    assert r.exit_code == 0 and r.stderr == "", r.stderr
    assert [(c["code"], c["count"]) for c in r.json()["codes"]] == [(code, 1)]


def test_escaped_parenthesis_is_not_a_group():
    m = Matcher.build(load_patterns())
    assert match_lines([r"onDisconnect303 \(?P<code>x)"], m)["code"].to_list() == [303]
