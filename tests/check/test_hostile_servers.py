"""``check`` against hostile and broken servers: raw bytes on a socket, each case one row.

Verdicts are Chromium 156's, measured with the same bytes (``test_chromium_reads_raw_answers_as_check_does``
replays the table in the real browser). A response a browser fails as a network error is the verdict
``block`` with code ``network-error``, and the command exits 2 with one line on stderr; nothing a server
sends reaches the terminal unescaped; ``--timeout`` bounds the whole run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from check.rawserver import trickle
from wsgicors.check import check
from wsgicors.cli import main

ORIGIN = "http://127.0.0.1:1"
ACAO_STAR = b"Access-Control-Allow-Origin: *\r\n"


def answer(status_line: bytes, headers: bytes = ACAO_STAR, body: bytes = b"ok") -> bytes:
    return status_line + b"\r\n" + headers + b"Content-Length: %d\r\n\r\n" % len(body) + body


# id, raw answer to GET /, Chromium's verdict, code (None when allowed), where Firefox / WebKit differ
RAW_ANSWERS = [
    ("well-formed", answer(b"HTTP/1.1 200 OK"), "allow", None, {}),
    ("no-reason-phrase", answer(b"HTTP/1.1 200"), "allow", None, {}),
    ("status-not-digits-reads-as-200", answer(b"HTTP/1.1 abc OK"), "allow", None, {"firefox": "block", "webkit": "block"}),
    ("status-only-version", answer(b"HTTP/1.1"), "allow", None, {"webkit": "block"}),
    ("status-four-digits", answer(b"HTTP/1.1 2000 OK"), "allow", None, {"firefox": "block", "webkit": "block"}),
    ("lower-case-http", answer(b"http/1.1 200 OK"), "allow", None, {"firefox": "block", "webkit": "block"}),
    ("not-http-at-all", b"garbage\r\n\r\n", "block", "network-error", {}),
    ("xttp-status-line", answer(b"XTTP/1.1 200 OK"), "block", "network-error", {}),
    ("empty-answer", b"", "block", "network-error", {}),
    ("nul-in-reason-phrase", answer(b"HTTP/1.1 200 O\x00K"), "block", "network-error", {"firefox": "allow"}),
    ("nul-in-unrelated-header-value", answer(b"HTTP/1.1 200 OK", ACAO_STAR + b"X-Other: a\x00b\r\n"),
     "block", "network-error", {}),
    ("nul-in-header-name", answer(b"HTTP/1.1 200 OK", ACAO_STAR + b"X-Oth\x00er: ab\r\n"), "block", "network-error", {"firefox": "allow"}),
    ("escape-in-reason-phrase", answer(b"HTTP/1.1 200 O\x1b[2JK"), "allow", None, {}),
    ("bare-cr-ends-a-line", b"HTTP/1.1 200 OK\r\nX-Foo: 1\rAccess-Control-Allow-Origin: *\r\nContent-Length: 2\r\n\r\nok",
     "allow", None, {"firefox": "block", "webkit": "block"}),
    ("lf-only-lines", b"HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: *\nContent-Length: 2\n\nok", "allow", None, {}),
    ("folded-unrelated-header", answer(b"HTTP/1.1 200 OK", ACAO_STAR + b"X-Other: a\r\n b\r\n"), "allow", None, {}),
    ("header-folded-into-status-line", b"HTTP/1.1 200 OK\r\n Access-Control-Allow-Origin: *\r\nContent-Length: 2\r\n\r\nok",
     "block", "acao-missing", {}),
    ("vertical-tab-after-star", answer(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin: *\x0b\r\n"),
     "block", "acao-mismatch", {}),
    ("high-byte-in-unrelated-header", answer(b"HTTP/1.1 200 OK", ACAO_STAR + b"X-Other: a\xffb\r\n"), "allow", None, {}),
    ("content-length-not-a-number", b"HTTP/1.1 200 OK\r\n" + ACAO_STAR + b"Content-Length: abc\r\n\r\nok",
     "allow", None, {"webkit": "block"}),
    ("two-different-content-lengths",
     b"HTTP/1.1 200 OK\r\n" + ACAO_STAR + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\nok!", "block", "network-error", {"webkit": "allow"}),
    ("informational-only", answer(b"HTTP/1.1 150 Wait"), "block", "network-error", {}),
    ("unparseable-redirect-target",
     b"HTTP/1.1 302 Found\r\n" + ACAO_STAR + b"Location: http://[::1\r\nContent-Length: 0\r\n\r\n",
     "block", "network-error", {}),
    ("control-character-in-redirect-host",
     b"HTTP/1.1 302 Found\r\n" + ACAO_STAR + b"Location: http://a\x01b.test/\r\nContent-Length: 0\r\n\r\n",
     "block", "network-error", {}),
]


@pytest.mark.parametrize("raw, verdict, code", [row[1:4] for row in RAW_ANSWERS], ids=[row[0] for row in RAW_ANSWERS])
def test_raw_answer_verdict(raw_server, raw, verdict, code):
    server = raw_server({"/": raw})
    result = check(server.url("/", "localhost"), ORIGIN, timeout=5)
    assert (result.verdict, result.code) == (verdict, code), result.render()


@pytest.mark.parametrize("engine", ["chromium", "firefox", "webkit"])
@pytest.mark.parametrize("raw, verdict, differs", [(row[1], row[2], row[4]) for row in RAW_ANSWERS],
                         ids=[row[0] for row in RAW_ANSWERS])
def test_raw_answer_verdict_per_engine(raw_server, engine, raw, verdict, differs):
    server = raw_server({"/": raw})
    expected = differs.get(engine, verdict)
    result = check(server.url("/", "localhost"), ORIGIN, timeout=5, browser=engine)
    assert result.verdict == expected, result.render()
    assert {name: found.verdict for name, found in result.engines.items()} == {
        name: differs.get(name, verdict) for name in ("chromium", "firefox", "webkit")}


@pytest.mark.parametrize("raw", [row[1] for row in RAW_ANSWERS if row[3] == "network-error"],
                         ids=[row[0] for row in RAW_ANSWERS if row[3] == "network-error"])
def test_network_error_exits_2_with_one_line_and_no_traceback(raw_server, raw):
    server = raw_server({"/": raw})
    completed = run_cli(server.url("/", "localhost"), "--json")
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and completed.stderr.startswith("wsgicors check: error: network error:")
    assert "Traceback" not in completed.stderr
    assert json.loads(completed.stdout)["code"] == "network-error"


# --- nothing a server sends reaches the terminal raw

HOSTILE_TEXT = [
    ("ansi-clear-screen", b"\x1b[2J\x1b[H"),
    ("terminal-title", b"\x1b]0;owned\x07"),
    ("fake-verdict-after-carriage-return", b"x\rVerdict: ALLOWED"),
    ("bidi-override", "\u202edewolla".encode("utf-8")),
    ("bidi-isolate", "\u2066x\u2069".encode("utf-8")),
    ("c1-control", "\u009b31m".encode("utf-8")),
    ("backspaces", b"ALLOWED\x08\x08\x08\x08\x08\x08\x08"),
]
FORBIDDEN_ON_TERMINAL = [chr(c) for c in range(0x20) if c != 0x0A] + [chr(c) for c in range(0x7F, 0xA0)] + [
    chr(c) for c in list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))]


def assert_terminal_safe(text):
    shown = [ch for ch in text if ch in FORBIDDEN_ON_TERMINAL]
    assert not shown, repr(text)


@pytest.mark.parametrize("text", [row[1] for row in HOSTILE_TEXT], ids=[row[0] for row in HOSTILE_TEXT])
@pytest.mark.parametrize("where", ["reason-403-preflight", "reason-302-preflight", "acao-value", "location",
                                   "debug-header", "header-name"])
def test_server_text_is_escaped_on_the_terminal(raw_server, capsys, where, text):
    preflight = {
        "reason-403-preflight": b"HTTP/1.1 403 " + text + b"\r\nContent-Length: 0\r\n\r\n",
        "reason-302-preflight": b"HTTP/1.1 302 " + text + b"\r\nLocation: /x" + text + b"\r\nContent-Length: 0\r\n\r\n",
        "debug-header": b"HTTP/1.1 403 Forbidden\r\nX-CORS-Error: " + text + b"\r\nContent-Length: 0\r\n\r\n",
    }.get(where)
    actual = {
        "acao-value": answer(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin: " + text + b"\r\n"),
        "location": answer(b"HTTP/1.1 302 Found", ACAO_STAR + b"Location: ftp://" + text + b"\r\n"),
        "header-name": answer(b"HTTP/1.1 200 OK", ACAO_STAR + b"Access-Control-Expose-Headers: *\r\nX" + text
                              + b": 1\r\n"),
    }.get(where, answer(b"HTTP/1.1 200 OK"))
    server = raw_server({"OPTIONS /": preflight or answer(b"HTTP/1.1 204 No Content"), "/": actual})
    method = ["--method", "PUT"] if preflight else []
    status = main(["check", server.url("/", "localhost"), "--origin", ORIGIN, "--timeout", "5", *method])
    out, err = capsys.readouterr()
    assert status in (0, 1, 2)
    assert_terminal_safe(out)
    assert_terminal_safe(err)
    assert "Verdict: ALLOWED" not in out or status == 0


def test_error_messages_are_escaped_too(capsys):
    status = main(["check", "http://a\x1b[2J.test/", "--origin", ORIGIN])
    out, err = capsys.readouterr()
    assert status == 2 and "\x1b" not in err and err.count("\n") == 1


# --- the timeout bounds the whole run

def test_timeout_bounds_a_server_trickling_one_byte_every_half_second(raw_server):
    # Untimed, the answer would take 50 s. The bound is the 2 s timeout plus this machine's
    # start-up of the same command (measured here, against a refused connection), so a loaded
    # machine's slow interpreter start is not mistaken for a timeout that does not bound the run.
    server = raw_server({"/": trickle(answer(b"HTTP/1.1 200 OK", ACAO_STAR, b"x" * 100), 0.5)})
    started = time.monotonic()
    run_cli("http://127.0.0.1:9/", "--timeout", "2")
    start_up = time.monotonic() - started
    started = time.monotonic()
    completed = run_cli(server.url("/", "localhost"), "--timeout", "2")
    elapsed = time.monotonic() - started
    assert completed.returncode == 2 and "within 2 s" in completed.stderr
    assert elapsed < 2 + 2 * start_up + 1, (elapsed, start_up)


def test_timeout_is_shared_by_the_preflight_and_the_request(raw_server):
    slow = trickle(answer(b"HTTP/1.1 204 No Content", ACAO_STAR + b"Access-Control-Allow-Methods: PUT\r\n", b""), 0.05)
    server = raw_server({"OPTIONS /": slow, "/": trickle(answer(b"HTTP/1.1 200 OK"), 0.05)})
    started = time.monotonic()
    with pytest.raises(Exception, match="within 1.5 s"):
        check(server.url("/", "localhost"), ORIGIN, method="PUT", timeout=1.5)
    assert time.monotonic() - started < 2.5


def test_timeout_also_bounds_the_other_engines_requests(raw_server):
    # Chromium safelists DPR (no preflight); Firefox and WebKit preflight, and the preflight trickles.
    server = raw_server({"OPTIONS /": trickle(answer(b"HTTP/1.1 204 No Content", ACAO_STAR, b""), 0.2),
                         "/": answer(b"HTTP/1.1 200 OK")})
    started = time.monotonic()
    result = check(server.url("/", "localhost"), ORIGIN, headers={"DPR": "2"}, timeout=1.5)
    engines = result.engines
    assert time.monotonic() - started < 2.5
    assert engines["chromium"].allowed and not engines["firefox"].allowed
    assert "within 1.5 s" in engines["firefox"].reason


# --- output to a closed pipe

def test_json_into_a_closed_pipe_exits_quietly(raw_server):
    server = raw_server({"/": answer(b"HTTP/1.1 200 OK")})
    command = (f"{sys.executable} -m wsgicors check {server.url('/', 'localhost')} --origin {ORIGIN} --json "
               "| head -1")
    completed = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert completed.stdout == "{\n" and completed.stderr == ""


# --- credentials on every hop

def redirect_to(url: str) -> bytes:
    return answer(b"HTTP/1.1 307 Temporary Redirect",
                  b"Access-Control-Allow-Origin: http://127.0.0.1:1\r\nAccess-Control-Allow-Credentials: true\r\n"
                  b"Location: " + url.encode() + b"\r\n", b"")


CREDENTIALED_OK = answer(b"HTTP/1.1 200 OK", b"Access-Control-Allow-Origin: null\r\n"
                                             b"Access-Control-Allow-Credentials: true\r\n")


def test_cookie_is_not_sent_after_a_redirect_to_another_host(raw_server):
    target = raw_server({"/": CREDENTIALED_OK})
    first = raw_server({"/": redirect_to(target.url("/", "127.0.0.1"))})
    result = check(first.url("/", "localhost"), ORIGIN, headers={"Cookie": "session=1"}, credentials=True)
    assert first.cookies() == ["session=1"] and target.cookies() == [""]
    assert result.allowed and any("does not send it" in warning for warning in result.warnings)


def test_cookie_follows_a_redirect_to_the_same_host_on_another_port(raw_server):
    target = raw_server({"/": CREDENTIALED_OK})
    first = raw_server({"/": redirect_to(target.url("/", "localhost"))})
    check(first.url("/", "localhost"), ORIGIN, headers={"Cookie": "session=1"}, credentials=True)
    assert target.cookies() == ["session=1"]


def test_cookie_given_for_https_is_not_sent_over_http_after_a_downgrade():
    seen = []

    def app(environ, start_response):
        seen.append((environ["wsgi.url_scheme"], environ.get("HTTP_COOKIE", "")))
        headers = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true")]
        if environ["wsgi.url_scheme"] == "https":
            headers.append(("Location", "http://api.example/next"))
            start_response("307 Temporary Redirect", headers)
        else:
            start_response("200 OK", headers)
        return [b""]

    check("https://api.example/", ORIGIN, headers={"Cookie": "session=1"}, credentials=True, app=app)
    assert seen == [("https", "session=1"), ("http", "")]


def test_authorization_is_dropped_on_a_cross_origin_redirect(raw_server):
    target = raw_server({"/": answer(b"HTTP/1.1 200 OK")})
    first = raw_server({
        "OPTIONS /": answer(b"HTTP/1.1 204 No Content", ACAO_STAR + b"Access-Control-Allow-Headers: authorization\r\n",
                            b""),
        "/": answer(b"HTTP/1.1 307 Temporary Redirect", ACAO_STAR + b"Location: " + target.url("/").encode() + b"\r\n",
                    b"")})
    result = check(first.url("/", "localhost"), ORIGIN, headers={"Authorization": "Bearer secret"})
    assert result.allowed
    assert b"authorization" in first.requests[-1].lower()
    assert all(b"authorization" not in request.lower() for request in target.requests)


def run_cli(url, *args):
    return subprocess.run([sys.executable, "-m", "wsgicors", "check", url, "--origin", ORIGIN, *args],
                          capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))


# --- the table's verdicts are the real engines': each raw answer replayed in Chromium, Firefox and WebKit

@pytest.fixture(scope="module")
def real_verdicts():
    """engine -> {row id: "allow" | "block"}, each engine launched once (skipped, or failed under CI=true,
    when it is missing, as in the browser matrix)."""
    from browser.harness import FETCH_TIMEOUT_MS, EngineMissing, Servers, launch

    from check.rawserver import RawServer

    servers = Servers()
    raw = {row[0]: RawServer({"/": row[1]}) for row in RAW_ANSWERS}
    found, missing = {}, {}

    def verdicts(engine):
        if engine in missing:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"{engine} is required under CI=true: {missing[engine]}", pytrace=False)
            pytest.skip(f"{engine} not available: {missing[engine]}")
        if engine not in found:
            try:
                browser = launch(engine, servers)
            except EngineMissing as error:
                missing[engine] = str(error)
                return verdicts(engine)
            try:
                specs = [{"url": server.url("/", "localhost"), "method": "GET", "headers": {}, "body": None,
                          "credentials": False, "timeout": FETCH_TIMEOUT_MS, "delay": 0} for server in raw.values()]
                results = browser.call(servers.page_origin + "/", "runFetches", specs)
            finally:
                browser.close()
            found[engine] = {name: result["verdict"] for name, result in zip(raw, results)}
        return found[engine]

    try:
        yield verdicts
    finally:
        for server in raw.values():
            server.stop()
        servers.stop()


@pytest.mark.browser
@pytest.mark.parametrize("engine", ["chromium", "firefox", "webkit"])
@pytest.mark.parametrize("row_id, verdict, differs", [(row[0], row[2], row[4]) for row in RAW_ANSWERS],
                         ids=[row[0] for row in RAW_ANSWERS])
def test_real_engines_read_raw_answers_as_the_table_says(real_verdicts, engine, row_id, verdict, differs):
    assert real_verdicts(engine)[row_id] == differs.get(engine, verdict)


# --- the timeout bounds an in-process application (--app) too

def _sleeping_app(environ, start_response):
    time.sleep(30)
    start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
    return [b"late"]


def _endless_empty_body_app(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
    while True:
        yield b""


@pytest.mark.parametrize("app", [_sleeping_app, _endless_empty_body_app], ids=["sleeps", "endless empty chunks"])
def test_timeout_bounds_an_in_process_application(app):
    started = time.monotonic()
    with pytest.raises(Exception, match="within 1 s"):
        check("http://api.example/", ORIGIN, app=app, timeout=1)
    assert time.monotonic() - started < 10
