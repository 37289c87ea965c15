"""HTTP/1.1 responses read from bytes as each browser engine reads them, bounded and hostile-safe.

Measured in Chromium 156, Firefox 153 ESR and WebKitGTK 2.50 with the raw answers of
tests/check/test_hostile_servers.py (which replays them in each engine). Common to all three:

- an answer that does not start with ``HTTP`` is refused (HTTP/0.9 on a non-default port);
- a line starting with a space or tab continues the previous one (after the status line it is
  swallowed); lines without a colon are ignored; names and values lose surrounding spaces and tabs;
- a 1xx answer is skipped and the next one read (only a 1xx is a network error).

Where they differ (:class:`WireRules`): the status line's case and code, where a NUL byte fails the
fetch, whether CR alone ends a line, and what a bad or doubled ``Content-Length`` does.

The fetch resolves once the headers are in, so a short or malformed body never
changes the verdict; the body is read up to ``MAX_BODY`` bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from ..fetch import HTTP_TAB_OR_SPACE, ascii_lower
from .request import MAX_BODY, FetchFailed, Header

#: Chromium's limit on the size of the response headers (ERR_RESPONSE_HEADERS_TOO_BIG).
MAX_HEAD = 256 * 1024
_END_OF_HEAD = re.compile(rb"\n\r*\n")  # Chromium's LocateEndOfHeaders
_LINE_BREAK = re.compile(r"[\r\n]+")
_DIGITS = re.compile(r"[0-9]+")
_LENGTH = re.compile(r"[0-9]{1,18}")
_THREE_DIGITS = re.compile(r"[0-9]{3}")
_BARE_CR = re.compile(rb"\r(?!\n)")
_NETWORK_ERROR = " (the browser fails the fetch with a network error)"


@dataclass(frozen=True)
class WireRules:
    """How one engine reads a response head (measured; see the module docstring)."""

    http_case_insensitive: bool
    """``http/1.1 200`` is read (Chromium) or refused (Firefox, WebKit)."""
    status_code: str
    """``"digits"``: the leading digits, ``abc`` reads as 200 (Chromium); ``"three-or-none"``: three
    digits or no code at all (Firefox); ``"three"``: exactly three digits (WebKit)."""
    nul_fails_anywhere: bool
    """A NUL byte anywhere in the head fails the fetch (Chromium, WebKit); else only in a value (Firefox)."""
    bare_cr_ends_line: bool
    """CR alone ends a line (Chromium); otherwise it fails the fetch (Firefox, WebKit)."""
    bad_content_length_fails: bool
    """``Content-Length: abc`` fails the fetch (WebKit); otherwise it is ignored."""
    conflicting_content_length_fails: bool
    """Two different ``Content-Length`` values fail the fetch (Chromium, Firefox), not in WebKit."""


CHROMIUM_WIRE = WireRules(True, "digits", True, True, False, True)
FIREFOX_WIRE = WireRules(False, "three-or-none", False, False, False, True)
WEBKIT_WIRE = WireRules(False, "three", True, False, True, False)


class Wire:
    """A byte stream with a buffer; ``recv(n)`` returns b"" at the end of the stream."""

    def __init__(self, recv: Callable[[int], bytes]) -> None:
        self.recv = recv
        self.buffer = bytearray()
        self.eof = False

    def more(self) -> bool:
        """Read one more chunk into the buffer; False at the end of the stream."""
        if self.eof:
            return False
        chunk = self.recv(65536)
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data


def read_response(wire: Wire, method: str, rules: WireRules = CHROMIUM_WIRE) -> Tuple[int, str, List[Header], bytes]:
    """(status, reason phrase, headers, body) of the final response; FetchFailed when the engine fails."""
    while True:
        status, phrase, headers = parse_head(_read_head(wire), rules)
        if not 100 <= status <= 199:
            return status, phrase, headers, read_body(wire, method, status, headers)


def _read_head(wire: Wire) -> bytes:
    while True:
        if wire.buffer[:4].lower() != b"http"[:len(wire.buffer[:4])]:  # bytes.lower(): ASCII only
            raise FetchFailed("the server's answer does not start with an HTTP status line" + _NETWORK_ERROR)
        match = _END_OF_HEAD.search(wire.buffer)
        if match is not None:
            return wire.take(match.end())
        if len(wire.buffer) > MAX_HEAD:
            raise FetchFailed(f"the response headers exceed {MAX_HEAD // 1024} KiB" + _NETWORK_ERROR)
        if not wire.more():
            if not wire.buffer:
                raise FetchFailed("the server closed the connection without answering" + _NETWORK_ERROR)
            raise FetchFailed("the server closed the connection in the middle of the response headers"
                              + _NETWORK_ERROR)


def parse_head(head: bytes, rules: WireRules = CHROMIUM_WIRE) -> Tuple[int, str, List[Header]]:
    """Status line and header lines -> (status, phrase, headers); FetchFailed where the engine fails."""
    if rules.nul_fails_anywhere and b"\0" in head:
        raise FetchFailed("the response headers contain a NUL byte" + _NETWORK_ERROR)
    if not rules.bare_cr_ends_line and _BARE_CR.search(head.rstrip(b"\r\n")):
        raise FetchFailed("a response header line contains a CR not followed by LF" + _NETWORK_ERROR)
    lines = [line for line in _LINE_BREAK.split(head.decode("latin-1")) if line]
    version = lines[0][:5] if lines else ""
    if not (ascii_lower(version[:4]) == "http" if rules.http_case_insensitive else version == "HTTP/"):
        raise FetchFailed("the server's answer does not start with an HTTP status line" + _NETWORK_ERROR)
    joined: List[str] = []
    for line in lines:
        if joined and line[0] in HTTP_TAB_OR_SPACE:
            joined[-1] += " " + line.strip(HTTP_TAB_OR_SPACE)
        else:
            joined.append(line)
    status, phrase = _status(joined[0], rules)
    headers = []
    for line in joined[1:]:
        name, colon, value = line.partition(":")
        name = name.strip(HTTP_TAB_OR_SPACE)
        if colon and name:
            headers.append((name, value.strip(HTTP_TAB_OR_SPACE)))
    _check_headers(headers, rules)
    return status, phrase, headers


def _status(line: str, rules: WireRules) -> Tuple[int, str]:
    _, _, rest = line.partition(" ")
    rest = rest.lstrip(" ")
    code, _, phrase = rest.partition(" ")
    if rules.status_code == "digits":
        digits = _DIGITS.match(rest)
        if digits is None:
            return 200, ""
        return int(digits.group()[:9]), rest[digits.end():].strip(HTTP_TAB_OR_SPACE)
    if not code and rules.status_code == "three-or-none":
        return 200, ""
    if not _THREE_DIGITS.fullmatch(code):
        raise FetchFailed("the status line has no three-digit status code" + _NETWORK_ERROR)
    return int(code), phrase.strip(HTTP_TAB_OR_SPACE)


def _check_headers(headers: List[Header], rules: WireRules) -> None:
    if any("\0" in value for _, value in headers):
        raise FetchFailed("a response header value contains a NUL byte" + _NETWORK_ERROR)
    lengths = {value for name, value in headers if ascii_lower(name) == "content-length"}
    if rules.conflicting_content_length_fails and len(lengths) > 1:
        raise FetchFailed(f"the response has {len(lengths)} different Content-Length headers" + _NETWORK_ERROR)
    if rules.bad_content_length_fails and any(not _LENGTH.fullmatch(value) for value in lengths):
        raise FetchFailed("the response's Content-Length is not a number" + _NETWORK_ERROR)


def _header(headers: List[Header], name: str) -> Optional[str]:
    for key, value in headers:
        if ascii_lower(key) == name:
            return value
    return None


def read_body(wire: Wire, method: str, status: int, headers: List[Header]) -> bytes:
    """The body, at most MAX_BODY bytes; a short or malformed body ends it (the fetch has resolved)."""
    if method == "HEAD" or status in (204, 304):
        return b""
    encoding = _header(headers, "transfer-encoding")
    if encoding is not None and ascii_lower(encoding).endswith("chunked"):
        return _read_chunked(wire)
    length = _header(headers, "content-length")
    limit = int(length) if length is not None and _LENGTH.fullmatch(length) else MAX_BODY
    limit = min(limit, MAX_BODY)
    while len(wire.buffer) < limit and wire.more():
        pass
    return wire.take(limit)


def _read_chunked(wire: Wire) -> bytes:
    body = bytearray()
    while len(body) < MAX_BODY:
        while b"\n" not in wire.buffer[:1024] and len(wire.buffer) <= 1024 and wire.more():
            pass
        newline = wire.buffer.find(b"\n")
        if newline < 0:
            break
        size_text = wire.take(newline + 1).split(b";", 1)[0].strip(b" \t\r\n")
        if not re.fullmatch(rb"[0-9A-Fa-f]{1,8}", size_text) or int(size_text, 16) == 0:
            break
        size = int(size_text, 16)
        while len(wire.buffer) < size + 2 and wire.more():
            pass
        body += wire.take(size)
        wire.take(2)
    return bytes(body[:MAX_BODY])
