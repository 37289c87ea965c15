"""Facts and parsers from the Fetch standard, each written once.

Every definition the core, the adapters, ``check`` and ``demo`` need from
https://fetch.spec.whatwg.org/ lives here, with a link to its section, and is
defined on the standard's own terms: header names and values are byte strings
(in Python, ``str`` whose code points are the bytes 0x00-0xFF, as WSGI hands
them over), "whitespace" means the standard's few bytes and "lower-case"
means ASCII lower-case. Python's ``str.strip()``, ``split()``, ``lower()``,
``isspace()`` and ``isalnum()`` must not stand in for these: they treat
VT (0x0B), FF (0x0C), 0x1C-0x1F, 0x85 and 0xA0 as whitespace and map
U+212A KELVIN SIGN to ``k``.

Nothing here depends on anything else in wsgicors: it is the bottom layer.
"""

from __future__ import annotations

import re
from typing import Callable, FrozenSet, Iterable, List, Optional, Tuple, overload

__all__ = [
    "HTTP_WHITESPACE", "HTTP_TAB_OR_SPACE", "HTTP_NEWLINE", "TOKEN", "is_token",
    "ascii_lower", "ascii_upper", "is_http_whitespace",
    "FORBIDDEN_METHODS", "NORMALISED_METHODS", "SAFELISTED_METHODS",
    "is_forbidden_method", "normalize_method",
    "FORBIDDEN_REQUEST_HEADERS", "FORBIDDEN_REQUEST_PREFIXES", "METHOD_OVERRIDE_HEADERS",
    "is_forbidden_request_header",
    "FORBIDDEN_RESPONSE_HEADERS", "is_forbidden_response_header",
    "SAFELISTED_RESPONSE_HEADERS", "SAFELISTED_CONTENT_TYPES",
    "CORS_UNSAFE_REQUEST_HEADER_BYTES", "MAX_SAFELISTED_VALUE_LENGTH", "MAX_SAFELISTED_TOTAL",
    "is_cors_safelisted_request_header", "cors_unsafe_request_header_names", "needs_preflight",
    "mime_essence", "parse_single_range",
    "DEFAULT_PORTS", "normalize_header_value", "split_list", "is_preflight",
]

Header = Tuple[str, str]

# ------------------------------------------------------------------- bytes
# https://fetch.spec.whatwg.org/#http-whitespace-byte
HTTP_WHITESPACE = "\t\n\r "
# https://fetch.spec.whatwg.org/#http-tab-or-space-byte
HTTP_TAB_OR_SPACE = "\t "
# https://fetch.spec.whatwg.org/#http-newline-byte
HTTP_NEWLINE = "\n\r"

#: https://fetch.spec.whatwg.org/#token (RFC 9110 ``token``): the whole string.
#: ``re`` ranges are ASCII-only here, so no non-ASCII letter can pass.
TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def is_token(value: str) -> bool:
    """Whether ``value`` is a non-empty run of HTTP token code points."""
    return TOKEN.fullmatch(value) is not None


def is_http_whitespace(char: str) -> bool:
    """https://fetch.spec.whatwg.org/#http-whitespace: TAB, LF, CR or SPACE only."""
    return len(char) == 1 and char in HTTP_WHITESPACE


def ascii_lower(value: str) -> str:
    """https://infra.spec.whatwg.org/#ascii-lowercase (Fetch's "byte-lowercase").

    Only A-Z change; ``str.lower()`` would also map U+212A KELVIN SIGN to
    ``k`` and U+0130 to ``i̇``. ASCII text takes ``str.lower()``'s fast path.
    """
    return value.lower() if value.isascii() else value.translate(_LOWER)


def ascii_upper(value: str) -> str:
    """https://infra.spec.whatwg.org/#ascii-uppercase (Fetch's "byte-uppercase")."""
    return value.upper() if value.isascii() else value.translate(_UPPER)


def normalize_header_value(value: str) -> str:
    """https://fetch.spec.whatwg.org/#concept-header-value-normalize

    Leading and trailing HTTP whitespace bytes removed (nothing else: a
    trailing VT stays, and then makes a value CORS-unsafe).
    """
    return value.strip(HTTP_WHITESPACE)


# ----------------------------------------------------------------- methods
#: https://fetch.spec.whatwg.org/#forbidden-method (matched byte-case-insensitively)
FORBIDDEN_METHODS: FrozenSet[str] = frozenset({"CONNECT", "TRACE", "TRACK"})
#: https://fetch.spec.whatwg.org/#concept-method-normalize: the six names
#: ``fetch()`` upper-cases; any other name is sent as written and compared
#: case-sensitively.
NORMALISED_METHODS: FrozenSet[str] = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})
#: https://fetch.spec.whatwg.org/#cors-safelisted-method
SAFELISTED_METHODS: FrozenSet[str] = frozenset({"GET", "HEAD", "POST"})


def is_forbidden_method(method: str) -> bool:
    """https://fetch.spec.whatwg.org/#forbidden-method"""
    return ascii_upper(method) in FORBIDDEN_METHODS


def normalize_method(method: str) -> str:
    """https://fetch.spec.whatwg.org/#concept-method-normalize

    ``"patch"`` stays ``"patch"``; ``"delete"`` becomes ``"DELETE"``.
    """
    upper = ascii_upper(method)
    return upper if upper in NORMALISED_METHODS else method


# ----------------------------------------------------------------- headers
#: https://fetch.spec.whatwg.org/#forbidden-request-header (lower-case), plus
#: ``access-control-request-private-network``, which Chromium also keeps from scripts.
FORBIDDEN_REQUEST_HEADERS: FrozenSet[str] = frozenset({
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "access-control-request-private-network",
    "connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect",
    "host", "keep-alive", "origin", "referer", "set-cookie", "te", "trailer",
    "transfer-encoding", "upgrade", "via",
})
FORBIDDEN_REQUEST_PREFIXES: Tuple[str, ...] = ("proxy-", "sec-")
#: Forbidden only when a value names a forbidden method (step 3 of the definition).
METHOD_OVERRIDE_HEADERS: FrozenSet[str] = frozenset({"x-http-method", "x-http-method-override", "x-method-override"})
#: https://fetch.spec.whatwg.org/#forbidden-response-header-name
FORBIDDEN_RESPONSE_HEADERS: FrozenSet[str] = frozenset({"set-cookie", "set-cookie2"})
#: https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name
SAFELISTED_RESPONSE_HEADERS: FrozenSet[str] = frozenset({
    "cache-control", "content-language", "content-length", "content-type",
    "expires", "last-modified", "pragma",
})


def is_forbidden_request_header(name: str, value: Optional[str] = None) -> bool:
    """https://fetch.spec.whatwg.org/#forbidden-request-header

    Without ``value`` only the name is judged (the method-override headers
    are then allowed: they are forbidden only for some values).
    """
    lowered = ascii_lower(name)
    if lowered in FORBIDDEN_REQUEST_HEADERS or lowered.startswith(FORBIDDEN_REQUEST_PREFIXES):
        return True
    if value is not None and lowered in METHOD_OVERRIDE_HEADERS:
        return any(is_forbidden_method(method) for method in split_list(value))
    return False


def is_forbidden_response_header(name: str) -> bool:
    """https://fetch.spec.whatwg.org/#forbidden-response-header-name"""
    return ascii_lower(name) in FORBIDDEN_RESPONSE_HEADERS


# ----------------------------------------------------- CORS-safelisting
#: https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
CORS_UNSAFE_REQUEST_HEADER_BYTES: FrozenSet[str] = frozenset(
    '"():<>?@[\\]{}\x7f' + "".join(chr(byte) for byte in range(0x20) if byte != 0x09))
_LANGUAGE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
#: https://fetch.spec.whatwg.org/#cors-safelisted-request-header (Content-Type essences)
SAFELISTED_CONTENT_TYPES: FrozenSet[str] = frozenset({
    "application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
MAX_SAFELISTED_VALUE_LENGTH = 128
#: https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names: safelisted
#: values longer than this in total make every one of them unsafe.
MAX_SAFELISTED_TOTAL = 1024
_DIGITS = re.compile(r"[0-9]*")


def _has_unsafe_byte(value: str) -> bool:
    # A code point above 0xFF is no byte at all: no browser sends it as written.
    return any(char in CORS_UNSAFE_REQUEST_HEADER_BYTES or char > "\xff" for char in value)


def mime_essence(value: str) -> Optional[str]:
    """``type/subtype`` of https://mimesniff.spec.whatwg.org/#parse-a-mime-type, or None on failure."""
    text = value.strip(HTTP_WHITESPACE)
    slash = text.find("/")
    if slash <= 0:
        return None
    kind = text[:slash]
    subtype = text[slash + 1:].split(";", 1)[0].rstrip(HTTP_WHITESPACE)
    if not is_token(kind) or not is_token(subtype):
        return None
    return ascii_lower(f"{kind}/{subtype}")


def parse_single_range(value: str) -> Optional[Tuple[Optional[int], Optional[int]]]:
    """https://fetch.spec.whatwg.org/#simple-range-header-value (``allowWhitespace`` false)."""
    unit, equals, rest = value.partition("=")
    if not equals or ascii_lower(unit) != "bytes":
        return None
    start, dash, end = rest.partition("-")
    if not dash or not _DIGITS.fullmatch(start) or not _DIGITS.fullmatch(end) or not (start or end):
        return None
    first, last = (int(start) if start else None), (int(end) if end else None)
    if first is not None and last is not None and first > last:
        return None
    return first, last


def is_cors_safelisted_request_header(name: str, value: str) -> bool:
    """https://fetch.spec.whatwg.org/#cors-safelisted-request-header

    ``value`` as the browser holds it (already normalised).
    """
    if len(value) > MAX_SAFELISTED_VALUE_LENGTH:
        return False
    name = ascii_lower(name)
    if name == "accept":
        return not _has_unsafe_byte(value)
    if name in ("accept-language", "content-language"):
        return all(char in _LANGUAGE_CHARS for char in value)
    if name == "content-type":
        return not _has_unsafe_byte(value) and mime_essence(value) in SAFELISTED_CONTENT_TYPES
    if name == "range":
        parsed = parse_single_range(value)
        return parsed is not None and parsed[0] is not None
    return False


def cors_unsafe_request_header_names(
    headers: Iterable[Header],
    safelisted: Callable[[str, str], bool] = is_cors_safelisted_request_header,
) -> List[str]:
    """https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names: sorted, lower-case, unique.

    ``safelisted`` may widen the standard's predicate for one engine (Chromium's client hints).
    """
    unsafe, maybe, total = set(), set(), 0
    for name, value in headers:
        if safelisted(name, value):
            maybe.add(ascii_lower(name))
            total += len(value)
        else:
            unsafe.add(ascii_lower(name))
    if total > MAX_SAFELISTED_TOTAL:
        unsafe |= maybe
    return sorted(unsafe)


def needs_preflight(
    method: str,
    headers: Iterable[Header] = (),
    safelisted: Callable[[str, str], bool] = is_cors_safelisted_request_header,
) -> bool:
    """https://fetch.spec.whatwg.org/#cors-preflight-fetch (step 1 of the condition in "HTTP fetch")

    Whether a cross-origin request with this (normalised) method and these
    headers is preceded by a preflight.
    """
    return method not in SAFELISTED_METHODS or bool(cors_unsafe_request_header_names(headers, safelisted))


# ------------------------------------------------------------- origins
#: https://url.spec.whatwg.org/#default-port of the special schemes that have one.
DEFAULT_PORTS = {"ftp": 21, "http": 80, "https": 443, "ws": 80, "wss": 443}


# ---------------------------------------------------------- list headers

@overload
def split_list(value: str) -> List[str]: ...


@overload
def split_list(value: str, limit: int) -> Optional[List[str]]: ...


def split_list(value: str, limit: Optional[int] = None) -> Optional[List[str]]:
    """https://fetch.spec.whatwg.org/#header-value-get-decode-and-split

    The comma-separated elements of a header value, each stripped of HTTP
    tab or space; commas inside a quoted string do not split. Empty elements
    are kept (callers that ignore them filter them out). Linear in the length
    of ``value``; with ``limit`` a longer value is refused (None) unread.
    """
    if limit is not None and len(value) > limit:
        return None
    if '"' not in value:  # the common case, done by str.split at C speed
        return [part.strip(HTTP_TAB_OR_SPACE) for part in value.split(",")]
    values: List[str] = []
    start = position = 0
    end = len(value)
    while True:
        # Up to the next comma outside quotes; a quoted string is skipped whole.
        while position < end and value[position] != ",":
            if value[position] == '"':
                position += 1
                while position < end and value[position] != '"':
                    position += 2 if value[position] == "\\" else 1
                position = min(position + 1, end)
            else:
                position += 1
        values.append(value[start:position].strip(HTTP_TAB_OR_SPACE))
        if position >= end:
            return values
        position += 1
        start = position


# ------------------------------------------------------------- requests

def is_preflight(method: Optional[str], origin: Optional[str], request_method: Optional[str]) -> bool:
    """https://fetch.spec.whatwg.org/#cors-preflight-request

    An ``OPTIONS`` request carrying ``Origin`` and ``Access-Control-Request-Method``
    (whatever their values: a malformed preflight is still a preflight, and refused).
    """
    return method == "OPTIONS" and origin is not None and request_method is not None
