"""The request a page makes, as ``fetch()`` shapes it, and whether it needs a preflight.

Errors, the constants of the model, URL and origin serialisation, method and
header normalisation, CORS-safelisting and what a preflight covers.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Callable, Dict, Iterable, List, Mapping, Sequence, Tuple, Union
from urllib.parse import quote, unquote, urlsplit

from ..fetch import DEFAULT_PORTS as FETCH_DEFAULT_PORTS
from ..fetch import (
    MAX_SAFELISTED_VALUE_LENGTH, SAFELISTED_METHODS, ascii_lower,
    cors_unsafe_request_header_names, is_cors_safelisted_request_header, is_forbidden_method,
    is_token, needs_preflight, normalize_header_value, normalize_method,
)
from ..origins import HostError, host_to_ascii

Header = Tuple[str, str]
HeadersArg = Union[None, Mapping[str, str], Iterable[Tuple[str, str]]]
WSGIApp = Callable[..., Iterable[bytes]]

# Chromium also safelists these client-hint headers (Firefox and WebKit do not).
CHROMIUM_SAFELISTED_HINTS = frozenset({
    "device-memory", "dpr", "downlink", "ect", "rtt", "save-data", "viewport-width", "width",
})
# Chromium still treats User-Agent as forbidden and drops it silently.
CHROMIUM_FORBIDDEN_HEADERS = frozenset({"user-agent"})
REQUEST_BODY_HEADERS = ("content-encoding", "content-language", "content-location", "content-type")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NON_WILDCARD_REQUEST_HEADERS = frozenset({"authorization"})
#: The schemes ``fetch()`` can reach over HTTP, and their default ports (from the URL standard's table).
DEFAULT_PORTS = {scheme: FETCH_DEFAULT_PORTS[scheme] for scheme in ("http", "https")}

MAX_REDIRECTS = 20
DEFAULT_MAX_AGE = 5
CHROMIUM_MAX_AGE = 7200
MAX_BODY = 1 << 20
USER_AGENT = "wsgicors-check"
#: The failure code of a response or redirect a browser fails as a network error (exit status 2).
NETWORK_ERROR = "network-error"

_URL_SAFE = "!$%&'()*+,/:;=?@[]^|~"
# URL standard: leading/trailing "C0 control or space" are stripped, tab and newlines removed anywhere;
# a domain must not contain a "forbidden domain code point".
_C0_CONTROL_OR_SPACE = "".join(map(chr, range(0x21)))
_C0_TAB_NEWLINE = re.compile("[\t\n\r]")
_FORBIDDEN_DOMAIN = frozenset("".join(map(chr, range(0x21))) + "#%/:<>?@[\\]^|\x7f")
_DOUBLE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_DIGITS = re.compile(r"[0-9]+")


class CheckError(Exception):
    """The check could not be run at all (not a browser verdict)."""


class UsageError(CheckError, ValueError):
    """Bad input: a URL, origin, method or header a browser would not accept."""


class NetworkError(CheckError, OSError):
    """The server could not be reached, or did not answer within the timeout."""


class FetchFailed(Exception):
    """What a browser treats as a network error (``fetch()`` rejects): a verdict, not a CheckError.

    Raised for malformed responses (a NUL byte in the headers, no HTTP status
    line, conflicting Content-Length) and unparseable redirect targets.
    """



# --------------------------------------------------- safelisting (Fetch 2.2.2)

def _is_chromium_hint(name: str, value: str) -> bool:
    if name == "save-data":
        return ascii_lower(value) == "on"
    if name == "ect":
        return value in ("slow-2g", "2g", "3g", "4g")
    if name in ("width", "viewport-width", "rtt"):
        return _DIGITS.fullmatch(value) is not None
    return _DOUBLE.fullmatch(value) is not None


def is_safelisted_request_header(name: str, value: str, chromium: bool = True) -> bool:
    """Fetch's "CORS-safelisted request-header", plus Chromium's client hints when ``chromium``.

    ``value`` as the browser holds it (normalised); see :mod:`wsgicors.fetch`.
    """
    if is_cors_safelisted_request_header(name, value):
        return True
    lowered = ascii_lower(name)
    return (chromium and lowered in CHROMIUM_SAFELISTED_HINTS and len(value) <= MAX_SAFELISTED_VALUE_LENGTH
            and _is_chromium_hint(lowered, value))


def _chromium_safelisted(name: str, value: str) -> bool:
    return is_safelisted_request_header(name, value, True)


def unsafe_header_names(headers: HeadersArg, chromium: bool = True) -> List[str]:
    """Fetch's "CORS-unsafe request-header names": sorted, lower-case, unique.

    ``headers``: a dict or (name, value) pairs, as :func:`check` takes them.
    """
    return cors_unsafe_request_header_names(
        _pairs(headers), _chromium_safelisted if chromium else is_cors_safelisted_request_header)


def preflight_needed(method: str, headers: HeadersArg = ()) -> bool:
    """Whether a cross-origin ``fetch()`` with this (normalised) method and headers preflights (Chromium).

    ``headers``: a dict or (name, value) pairs, as :func:`check` takes them.
    """
    return needs_preflight(method, _pairs(headers), _chromium_safelisted)


def _pairs(headers: HeadersArg) -> Iterable[Header]:
    # a dict iterates over its names, which would be unpacked as (name, value): "dp" as ("d", "p")
    if headers is None:
        return ()
    return list(headers.items()) if isinstance(headers, Mapping) else headers


# ------------------------------------------------- what a cached or fresh preflight covers

def _method_denied(method: str, allowed: Iterable[str], credentials: bool) -> bool:
    allowed = set(allowed)
    if method in allowed or method in SAFELISTED_METHODS:
        return False
    return credentials or "*" not in allowed


def _headers_missing(unsafe: Sequence[str], allowed: Iterable[str], credentials: bool) -> Tuple[List[str], bool]:
    """(names not covered, whether Authorization passed only through Chromium's ``*`` leniency)."""
    allowed = {ascii_lower(name) for name in allowed}
    wildcard = "*" in allowed and not credentials
    missing, lenient = [], False
    for name in unsafe:
        if name in allowed:
            continue
        if wildcard and name in NON_WILDCARD_REQUEST_HEADERS:
            lenient = True
        elif not wildcard:
            missing.append(name)
    return missing, lenient


# ------------------------------------------------------------ URLs and origins

def _split_url(url: str) -> Tuple[str, str, int, str]:
    """(scheme, host, port, path-and-query) of an http(s) URL; UsageError otherwise."""
    try:
        parts = urlsplit(_C0_TAB_NEWLINE.sub("", url.strip(_C0_CONTROL_OR_SPACE)))
        port = parts.port
    except ValueError as error:
        raise UsageError(f"{url!r} is not a valid URL: {error}") from None
    scheme = ascii_lower(parts.scheme)
    if scheme not in DEFAULT_PORTS:
        raise UsageError(f"{url!r} is not an http:// or https:// URL")
    if not parts.hostname:
        raise UsageError(f"{url!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{url!r} contains credentials; fetch() refuses such URLs")
    host = ascii_lower(parts.hostname)
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise UsageError(f"{url!r} has an invalid IPv6 host") from None
        host = f"[{host}]"
    elif any(ch in _FORBIDDEN_DOMAIN for ch in unquote(host, "latin-1")):
        raise UsageError(f"{url!r} has a host with a character no domain may contain") from None
    elif not host.isascii():
        # As browsers map it (UTS #46, non-transitional), never Python's IDNA 2003 codec,
        # which sends faß.de to fass.de: another registrant's site.
        try:
            host = host_to_ascii(host)
        except HostError as error:
            raise UsageError(f"{url!r} has a host that is not a valid domain name ({error.reason})") from None
    # Percent-encode what a browser encodes (spaces, quotes, <>`{}, non-ASCII), keep the rest.
    path = quote(parts.path or "/", safe=_URL_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=_URL_SAFE)
    return scheme, host, port or DEFAULT_PORTS[scheme], path


def _normal_url(url: str) -> str:
    scheme, host, port, path = _split_url(url)
    return f"{_serialise(scheme, host, port)}{path}"


def _serialise(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://{host}" if port == DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"


def _url_origin(url: str) -> str:
    scheme, host, port, _ = _split_url(url)
    return _serialise(scheme, host, port)


def _check_origin(origin: str) -> str:
    if origin == "null":
        return origin
    try:
        scheme, host, port, path = _split_url(origin)
    except UsageError:
        raise UsageError(f"origin {origin!r} is not an origin like 'https://app.example.com' (or 'null')") from None
    serialised = _serialise(scheme, host, port)
    if origin != serialised:
        raise UsageError(f"origin {origin!r} is not how a browser writes it; did you mean {serialised!r}?")
    return origin


# ------------------------------------------------------------ request building

def _normalise_method(method: str) -> str:
    if not is_token(method or ""):
        raise UsageError(f"method {method!r} is not a valid HTTP method name")
    if is_forbidden_method(method):
        raise UsageError(f"method {method!r} is forbidden; fetch() throws a TypeError")
    return normalize_method(method)


def _header_items(headers: HeadersArg) -> List[Header]:
    items = list(_pairs(headers))
    result = []
    for item in items:
        try:
            name, value = item
        except (TypeError, ValueError):
            raise UsageError(f"header {item!r} is not a (name, value) pair") from None
        value = normalize_header_value(str(value))
        if not isinstance(name, str) or not is_token(name):
            raise UsageError(f"header name {name!r} is not a valid HTTP token")
        if any(ch in value for ch in "\r\n\0"):
            raise UsageError(f"header {name!r} has a CR, LF or NUL in its value")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise UsageError(f"header {name!r} has a value that is not a byte string; fetch() throws") from None
        result.append((name, value))
    return result


def _combine(headers: Iterable[Header]) -> List[Header]:
    """One header per name (first spelling kept), values joined with ', ' as a browser sends them."""
    order: List[str] = []
    names: Dict[str, str] = {}
    values: Dict[str, List[str]] = {}
    for name, value in headers:
        key = ascii_lower(name)
        if key not in values:
            order.append(key)
            names[key] = name
            values[key] = []
        values[key].append(value)
    return [(names[key], ", ".join(values[key])) for key in order]


