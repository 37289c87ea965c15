"""HTTP/1.1 responses read from bytes as Chromium reads them, bounded and hostile-safe.

Measured in Chromium 156 (tests/check/test_hostile_servers.py replays each case):

- a response that does not start with ``HTTP`` (case-insensitive) is an
  HTTP/0.9 answer, which Chromium refuses on non-default ports: network error;
- a NUL byte anywhere in the status line or headers: network error;
- CR alone and LF alone end a line like CRLF; a line starting with a space or
  tab continues the previous one (after the status line it is swallowed);
- the status code is the leading digits after the version (``abc`` reads as
  200, ``2000`` as 2000); a 1xx answer is skipped and the next one read;
- lines without a colon are ignored; names and values lose surrounding
  spaces and tabs;
- two different ``Content-Length`` (or ``Location``) values: network error.

The fetch resolves once the headers are in, so a short or malformed body never
changes the verdict; the body is read up to ``MAX_BODY`` bytes.
"""

from __future__ import annotations

import re
from typing import Callable, List, Optional, Tuple

from ..fetch import HTTP_TAB_OR_SPACE, ascii_lower
from .request import MAX_BODY, FetchFailed, Header

#: Chromium's limit on the size of the response headers (ERR_RESPONSE_HEADERS_TOO_BIG).
MAX_HEAD = 256 * 1024
_END_OF_HEAD = re.compile(rb"\n\r*\n")  # Chromium's LocateEndOfHeaders
_LINE_BREAK = re.compile(r"[\r\n]+")
_DIGITS = re.compile(r"[0-9]+")
_LENGTH = re.compile(r"[0-9]{1,18}")
_SINGLETONS = ("content-length", "location")


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


def read_response(wire: Wire, method: str) -> Tuple[int, str, List[Header], bytes]:
    """(status, reason phrase, headers, body) of the final response; FetchFailed when a browser fails."""
    while True:
        status, phrase, headers = parse_head(_read_head(wire))
        if not 100 <= status <= 199:
            return status, phrase, headers, read_body(wire, method, status, headers)


def _read_head(wire: Wire) -> bytes:
    while True:
        if wire.buffer[:4].lower() != b"http"[:len(wire.buffer[:4])]:  # bytes.lower(): ASCII only
            raise FetchFailed("the server's answer does not start with an HTTP status line "
                              "(the browser fails the fetch with a network error)")
        match = _END_OF_HEAD.search(wire.buffer)
        if match is not None:
            return wire.take(match.end())
        if len(wire.buffer) > MAX_HEAD:
            raise FetchFailed(f"the response headers exceed {MAX_HEAD // 1024} KiB "
                              "(the browser fails the fetch with a network error)")
        if not wire.more():
            if not wire.buffer:
                raise FetchFailed("the server closed the connection without answering "
                                  "(the browser fails the fetch with a network error)")
            raise FetchFailed("the server closed the connection in the middle of the response headers "
                              "(the browser fails the fetch with a network error)")


def parse_head(head: bytes) -> Tuple[int, str, List[Header]]:
    """Status line and header lines -> (status, phrase, headers); FetchFailed as Chromium fails."""
    if b"\0" in head:
        raise FetchFailed("the response headers contain a NUL byte (the browser fails the fetch with a "
                          "network error)")
    lines = [line for line in _LINE_BREAK.split(head.decode("latin-1")) if line]
    if not lines or ascii_lower(lines[0][:4]) != "http":
        raise FetchFailed("the server's answer does not start with an HTTP status line "
                          "(the browser fails the fetch with a network error)")
    joined: List[str] = []
    for line in lines:
        if joined and line[0] in HTTP_TAB_OR_SPACE:
            joined[-1] += " " + line.strip(HTTP_TAB_OR_SPACE)
        else:
            joined.append(line)
    status, phrase = _status(joined[0])
    headers = []
    for line in joined[1:]:
        name, colon, value = line.partition(":")
        name = name.strip(HTTP_TAB_OR_SPACE)
        if colon and name:
            headers.append((name, value.strip(HTTP_TAB_OR_SPACE)))
    _refuse_conflicting_singletons(headers)
    return status, phrase, headers


def _status(line: str) -> Tuple[int, str]:
    _, _, rest = line.partition(" ")
    rest = rest.lstrip(" ")
    digits = _DIGITS.match(rest)
    if digits is None:
        return 200, ""
    return int(digits.group()[:9]), rest[digits.end():].strip(HTTP_TAB_OR_SPACE)


def _refuse_conflicting_singletons(headers: List[Header]) -> None:
    for singleton in _SINGLETONS:
        values = {value for name, value in headers if ascii_lower(name) == singleton}
        if len(values) > 1:
            raise FetchFailed(f"the response has {len(values)} different {singleton.title()} headers "
                              "(the browser fails the fetch with a network error)")


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
