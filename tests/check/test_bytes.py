"""Every byte 0x00-0xFF in header names and values, as the Fetch standard defines them, in ``check``.

The oracles below are written from the standard's definitions, not from Python's string methods:
HTTP whitespace is TAB, LF, CR and SPACE only (a vertical tab, form feed, 0x1C-0x1F, 0x85 and 0xA0 are
not), token code points are ASCII, and lower-casing touches A-Z only. Responses are read as Chromium
reads them (CR or LF alone ends a line, a NUL byte fails the fetch).
"""

from __future__ import annotations

import pytest

from wsgicors.check import UsageError, check

ORIGIN = "https://app.example"
URL = "https://api.example/data"
BYTES = [chr(byte) for byte in range(0x100)]
IDS = [f"0x{byte:02x}" for byte in range(0x100)]

HTTP_WHITESPACE = "\t\n\r "
HTTP_TAB_OR_SPACE = "\t "
TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
CORS_UNSAFE = set('"():<>?@[\\]{}\x7f') | {chr(c) for c in range(0x20) if c != 0x09}
LANGUAGE_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")


def serve(preflight=(), actual=(("Access-Control-Allow-Origin", "*"),)):
    """A WSGI app answering OPTIONS with ``preflight`` headers (204) and the rest with ``actual`` (200)."""
    def app(environ, start_response):
        if environ["REQUEST_METHOD"] == "OPTIONS":
            start_response("204 No Content", list(preflight))
        else:
            start_response("200 OK", list(actual))
        return [b""]
    return app


ALLOW_ALL = serve(preflight=[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "*"),
                             ("Access-Control-Allow-Headers", "*")],
                  actual=[("Access-Control-Allow-Origin", "*")])


def run(**kwargs):
    return check(URL, ORIGIN, app=kwargs.pop("app", ALLOW_ALL), **kwargs)


# --- safelisting: Content-Type (the Web Platform Tests' "text/plain\x0b" case among them)

@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_content_type_with_a_trailing_byte(char):
    value = "text/plain" + char
    if char == "\0":
        with pytest.raises(UsageError):
            run(method="POST", headers={"Content-Type": value}, body="x")
        return
    # Normalisation strips only HTTP whitespace; ";" ends the essence; anything else spoils it.
    simple = char in HTTP_WHITESPACE or char == ";"
    assert run(method="POST", headers={"Content-Type": value}, body="x").preflight_needed is not simple


@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_content_type_with_a_leading_byte(char):
    value = char + "text/plain"
    if char == "\0":
        with pytest.raises(UsageError):
            run(method="POST", headers={"Content-Type": value}, body="x")
        return
    assert run(method="POST", headers={"Content-Type": value}, body="x").preflight_needed is (
        char not in HTTP_WHITESPACE)


def test_vertical_tab_after_text_plain_is_preflighted():
    result = run(method="POST", headers={"Content-Type": "text/plain\x0b"}, body="x")
    assert result.preflight_needed and result.unsafe_headers == ["content-type"]


# --- safelisting: Accept and Accept-Language

@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_accept_with_a_byte_inside(char):
    if char == "\0":
        with pytest.raises(UsageError):
            run(headers={"Accept": "a" + char + "b"})
        return
    unsafe = char in CORS_UNSAFE and char not in "\n\r"  # CR/LF inside a value: fetch() throws
    if char in "\n\r":
        with pytest.raises(UsageError):
            run(headers={"Accept": "a" + char + "b"})
        return
    assert run(headers={"Accept": "a" + char + "b"}).preflight_needed is unsafe


@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_accept_language_with_a_byte_inside(char):
    if char in "\0\n\r":
        with pytest.raises(UsageError):
            run(headers={"Accept-Language": "en" + char + "gb"})
        return
    assert run(headers={"Accept-Language": "en" + char + "gb"}).preflight_needed is (char not in LANGUAGE_CHARS)


# --- header names: tokens, and ASCII lower-case in Access-Control-Request-Headers

@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_request_header_name_with_a_byte(char):
    name = "X-A" + char
    if char not in TOKEN_CHARS:
        with pytest.raises(UsageError):
            run(headers={name: "1"})
        return
    result = run(headers={name: "1"})
    expected = "x-a" + (chr(ord(char) + 32) if "A" <= char <= "Z" else char)
    assert result.unsafe_headers == [expected]
    sent = dict(result.steps[0].request_headers)
    assert sent["Access-Control-Request-Headers"] == expected


# --- value normalisation: only HTTP whitespace is removed from the ends

@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_request_header_value_normalisation(char):
    value = char + "v" + char
    if char == "\0":
        with pytest.raises(UsageError):
            run(headers={"X-A": value})
        return
    result = run(headers={"X-A": value})
    sent = dict(result.steps[-1].request_headers)
    assert sent["X-A"] == ("v" if char in HTTP_WHITESPACE else value)


# --- list parsing: Access-Control-Allow-Headers with a byte after the name

@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_allow_headers_list_with_a_trailing_byte(char):
    app = serve(preflight=[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "x-a" + char)],
                actual=[("Access-Control-Allow-Origin", "*")])
    result = run(app=app, headers={"X-A": "1"})
    if char == "\0":
        expected = ("block", "network-error")
    elif char in HTTP_WHITESPACE or char == ",":  # trimmed, a line break, or an empty element
        expected = ("allow", None)
    elif char in TOKEN_CHARS:
        expected = ("block", "header-not-allowed")  # another name: "x-a" + char
    else:
        expected = ("block", "acah-malformed")
    assert (result.verdict, result.code) == expected, result.explanation


# --- origin comparison: byte for byte after the header line is read

@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_allow_origin_with_a_trailing_byte(char):
    result = run(app=serve(actual=[("Access-Control-Allow-Origin", ORIGIN + char)]))
    if char == "\0":
        assert (result.verdict, result.code) == ("block", "network-error")
    else:
        assert result.allowed is (char in HTTP_WHITESPACE), result.explanation


@pytest.mark.parametrize("char", BYTES, ids=IDS)
def test_allow_origin_with_a_leading_byte(char):
    result = run(app=serve(actual=[("Access-Control-Allow-Origin", char + ORIGIN)]))
    if char == "\0":
        assert (result.verdict, result.code) == ("block", "network-error")
    else:
        # Leading CR or LF end the line, leaving Access-Control-Allow-Origin empty.
        assert result.allowed is (char in HTTP_TAB_OR_SPACE), result.explanation
