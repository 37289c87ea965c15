"""``wsgicors check``: what a browser would decide about one cross-origin fetch.

The simulator follows the Fetch standard's CORS protocol
(https://fetch.spec.whatwg.org/#http-cors-protocol) and, where browsers
differ, Chromium's behaviour (noted in a warning):

1. normalise the request like ``fetch()`` (method case, forbidden headers,
   the ``Content-Type`` a string body implies);
2. decide whether a preflight is needed (method not GET/HEAD/POST, or a
   header that is not CORS-safelisted) and whether a cached one covers it;
3. send the preflight exactly as a browser does (``OPTIONS``, ``Origin``,
   ``Access-Control-Request-Method``, ``Access-Control-Request-Headers``, no
   cookies) and apply every check to its answer;
4. send the actual request and apply the CORS check to every response,
   following redirects like ``fetch()`` (origin becomes ``null`` after a
   cross-origin redirect, at most 20 hops);
5. report which response headers script can read.

Requests go over real HTTP(S) (``http.client``) or, with ``app=``, straight
into a WSGI callable with no server. Everything blocked comes with one plain
sentence: the header, what it was, what the browser needed, the fix.

>>> from wsgicors.check import check, PreflightCache
>>> result = check("http://localhost:8000/api", "http://127.0.0.1:5000",
...                method="PUT", headers={"X-Token": "1"})  # doctest: +SKIP
>>> result.verdict, result.explanation  # doctest: +SKIP

The module itself is callable, so ``import wsgicors; wsgicors.check(url,
origin)`` works while ``from wsgicors.check import check`` keeps working;
``wsgicors.check_cors`` is the same function under an unambiguous name.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import socket
import ssl
import sys
import threading
import time
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import quote, unquote, urljoin, urlsplit

from .policy import (
    FORBIDDEN_METHODS, FORBIDDEN_REQUEST_HEADERS, FORBIDDEN_REQUEST_PREFIXES,
    FORBIDDEN_RESPONSE_HEADERS, NORMALISED_METHODS, TOKEN,
)

__all__ = [
    "check", "CheckResult", "Step", "PreflightCache", "CheckError", "UsageError", "NetworkError",
    "is_safelisted_request_header", "unsafe_header_names", "preflight_needed",
    "SAFELISTED_METHODS", "SAFELISTED_RESPONSE_HEADERS",
]

Header = Tuple[str, str]
HeadersArg = Union[None, Mapping[str, str], Iterable[Tuple[str, str]]]
WSGIApp = Callable[..., Iterable[bytes]]

SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
SAFELISTED_RESPONSE_HEADERS = frozenset({
    "cache-control", "content-language", "content-length", "content-type",
    "expires", "last-modified", "pragma",
})
SAFELISTED_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
# Chromium also safelists these client-hint headers (Firefox and WebKit do not).
CHROMIUM_SAFELISTED_HINTS = frozenset({
    "device-memory", "dpr", "downlink", "ect", "rtt", "save-data", "viewport-width", "width",
})
# Chromium still treats User-Agent as forbidden and drops it silently.
CHROMIUM_FORBIDDEN_HEADERS = frozenset({"user-agent"})
METHOD_OVERRIDE_HEADERS = frozenset({"x-http-method", "x-http-method-override", "x-method-override"})
REQUEST_BODY_HEADERS = ("content-encoding", "content-language", "content-location", "content-type")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NON_WILDCARD_REQUEST_HEADERS = frozenset({"authorization"})
DEFAULT_PORTS = {"http": 80, "https": 443}

MAX_VALUE_BYTES = 128
MAX_SAFELISTED_TOTAL = 1024
MAX_REDIRECTS = 20
DEFAULT_MAX_AGE = 5
CHROMIUM_MAX_AGE = 7200
MAX_BODY = 1 << 20
USER_AGENT = "wsgicors-check"

# CORS-unsafe request-header bytes: controls except tab, and "():<>?@[\]{} and DEL.
_UNSAFE_BYTES = frozenset(b'"():<>?@[\\]{}\x7f') | (frozenset(range(0x20)) - {0x09})
_LANGUAGE_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;=")
_HTTP_WS = " \t"
_URL_SAFE = "!$%&'()*+,/:;=?@[]^|~"
_DOUBLE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_RANGE = re.compile(r"([0-9]*)-([0-9]*)")


class CheckError(Exception):
    """The check could not be run at all (not a browser verdict)."""


class UsageError(CheckError, ValueError):
    """Bad input: a URL, origin, method or header a browser would not accept."""


class NetworkError(CheckError, OSError):
    """The server could not be reached or did not speak HTTP."""


# --------------------------------------------------------------------- results

@dataclass
class Step:
    """One request sent (a preflight or a hop of the actual request) and its verdict."""

    kind: str
    """``"preflight"`` or ``"request"`` (each redirect hop is its own request step)."""
    method: str
    url: str
    status: Optional[int]
    ok: bool
    reason: str
    """One plain sentence: why it passed, or why the browser blocks."""
    headers: List[Header] = field(default_factory=list)
    """Response headers as received (name case and order kept)."""
    request_headers: List[Header] = field(default_factory=list)
    """Headers sent, as a browser would send them (``Host`` aside)."""
    code: Optional[str] = None
    """A stable identifier of the failure (``"acao-mismatch"``, ...); None when ok."""

    def to_dict(self) -> Dict[str, Any]:
        return {
            "kind": self.kind, "method": self.method, "url": self.url, "status": self.status,
            "ok": self.ok, "reason": self.reason, "code": self.code,
            "request_headers": [list(h) for h in self.request_headers],
            "headers": [list(h) for h in self.headers],
        }


@dataclass
class CheckResult:
    """What a browser decides about one fetch; see :func:`check`."""

    url: str
    origin: str
    method: str
    credentials: bool
    verdict: str = "block"
    """``"allow"`` (the fetch resolves, script can read the response) or ``"block"``."""
    steps: List[Step] = field(default_factory=list)
    readable_headers: List[str] = field(default_factory=list)
    """Lower-case names of the final response's headers script can read."""
    warnings: List[str] = field(default_factory=list)
    explanation: str = ""
    """The first blocking reason, or a one-line success summary."""
    code: Optional[str] = None
    """The failure code of the blocking step; None when allowed."""
    preflight_needed: bool = False
    """Whether the (first) request needs a preflight at all."""
    preflight_cached: bool = False
    """Whether a cached preflight made sending one unnecessary."""
    unsafe_headers: List[str] = field(default_factory=list)
    """Request header names that are not CORS-safelisted (sorted, lower-case)."""
    status: Optional[int] = None
    """Status of the last response received (None if nothing was sent)."""
    body: bytes = b""
    """Body of the final response when allowed (at most 1 MiB)."""

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready dict; keys are stable."""
        return {
            "verdict": self.verdict,
            "allowed": self.allowed,
            "explanation": self.explanation,
            "code": self.code,
            "url": self.url,
            "origin": self.origin,
            "method": self.method,
            "credentials": self.credentials,
            "preflight_needed": self.preflight_needed,
            "preflight_cached": self.preflight_cached,
            "unsafe_headers": list(self.unsafe_headers),
            "status": self.status,
            "steps": [step.to_dict() for step in self.steps],
            "readable_headers": list(self.readable_headers),
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def _verdict_line(self) -> str:
        if self.allowed:
            return f"Verdict: ALLOWED - {self.explanation}"
        last = self.steps[-1] if self.steps else None
        if last is not None and not last.ok:
            where = "the preflight" if last.kind == "preflight" else "the response"
            tail = "; no actual request was sent." if last.kind == "preflight" else "."
            return f"Verdict: BLOCKED by {where} (step {len(self.steps)}){tail}"
        return f"Verdict: BLOCKED - {self.explanation}"

    def render(self) -> str:
        """The human report ``wsgicors check`` prints."""
        mode = "with credentials" if self.credentials else "without credentials"
        lines = [f"CORS check: {self.method} {self.url}", f"  from origin {self.origin}, {mode}"]
        if self.preflight_needed:
            why = _preflight_why(self.method, self.unsafe_headers)
            how = "answered from the preflight cache" if self.preflight_cached else "sent"
            lines.append(f"  preflight: needed ({why}); {how}")
        else:
            lines.append("  preflight: not needed (a simple request)")
        for number, step in enumerate(self.steps, 1):
            status = "no response" if step.status is None else str(step.status)
            label = "PASS   " if step.ok else "BLOCKED"
            lines.append(f"{number}. {label} {step.kind} {step.method} {step.url} -> {status}")
            lines.append(f"           {step.reason}")
        lines.append(self._verdict_line())
        if self.allowed:
            lines.append("Readable response headers: " + (", ".join(self.readable_headers) or "(none)"))
        lines.extend(f"Warning: {warning}" for warning in self.warnings)
        return "\n".join(lines)


def _preflight_why(method: str, unsafe: Sequence[str]) -> str:
    reasons = []
    if method not in SAFELISTED_METHODS:
        reasons.append(f"method {method} is not GET/HEAD/POST")
    if unsafe:
        noun = "header" if len(unsafe) == 1 else "headers"
        reasons.append(f"{noun} {', '.join(unsafe)} not CORS-safelisted")
    return "; ".join(reasons) or "forced"


# --------------------------------------------------- safelisting (Fetch 2.2.2)

def _is_unsafe_byte_free(value: bytes) -> bool:
    return not any(byte in _UNSAFE_BYTES for byte in value)


def _mime_essence(value: str) -> Optional[str]:
    """``type/subtype`` of a MIME type (WHATWG parse, lower-cased) or None."""
    text = value.strip(" \t\r\n")
    slash = text.find("/")
    if slash <= 0:
        return None
    kind = text[:slash]
    subtype = text[slash + 1:].split(";", 1)[0].rstrip(" \t\r\n")
    if not TOKEN.fullmatch(kind) or not subtype or not TOKEN.fullmatch(subtype):
        return None
    return f"{kind}/{subtype}".lower()


def _is_simple_range(value: str) -> bool:
    """A single ``bytes=start-[end]`` range (suffix ranges are not safelisted)."""
    unit, equals, rest = value.partition("=")
    if not equals or unit.lower() != "bytes":
        return False
    match = _RANGE.fullmatch(rest)
    if match is None or not match.group(1):
        return False
    return not match.group(2) or int(match.group(1)) <= int(match.group(2))


def _is_chromium_hint(name: str, value: str) -> bool:
    if name == "save-data":
        return value.lower() == "on"
    if name == "ect":
        return value in ("slow-2g", "2g", "3g", "4g")
    if name in ("width", "viewport-width", "rtt"):
        return value.isdigit()
    return _DOUBLE.fullmatch(value) is not None


def is_safelisted_request_header(name: str, value: str, chromium: bool = True) -> bool:
    """Fetch's "CORS-safelisted request-header" (plus Chromium's client hints)."""
    raw = value.encode("latin-1", "replace")
    if len(raw) > MAX_VALUE_BYTES:
        return False
    name = name.lower()
    if name == "accept":
        return _is_unsafe_byte_free(raw)
    if name in ("accept-language", "content-language"):
        return all(byte in _LANGUAGE_BYTES for byte in raw)
    if name == "content-type":
        return _is_unsafe_byte_free(raw) and _mime_essence(value) in SAFELISTED_CONTENT_TYPES
    if name == "range":
        return _is_simple_range(value)
    if chromium and name in CHROMIUM_SAFELISTED_HINTS:
        return _is_chromium_hint(name, value)
    return False


def unsafe_header_names(headers: Iterable[Header], chromium: bool = True) -> List[str]:
    """Fetch's "CORS-unsafe request-header names": sorted, lower-case, unique."""
    unsafe, maybe, total = set(), set(), 0
    for name, value in headers:
        if is_safelisted_request_header(name, value, chromium):
            maybe.add(name.lower())
            total += len(value.encode("latin-1", "replace"))
        else:
            unsafe.add(name.lower())
    if total > MAX_SAFELISTED_TOTAL:
        unsafe |= maybe
    return sorted(unsafe)


def preflight_needed(method: str, headers: Iterable[Header] = ()) -> bool:
    """Whether a cross-origin ``fetch()`` with this (normalised) method and headers preflights."""
    return method not in SAFELISTED_METHODS or bool(unsafe_header_names(headers))


# ------------------------------------------------------------- preflight cache

@dataclass
class _CacheEntry:
    expires: float
    credentials: bool
    methods: frozenset
    headers: frozenset


class PreflightCache:
    """The browser's CORS-preflight cache, shareable across :func:`check` calls.

    Works as Chromium's does: one entry per origin + URL, replaced by each new
    preflight; it records the credentials mode, serves a request only if it
    covers its method and every unsafe header, and an entry made without
    credentials never serves a request with credentials (the Fetch standard
    keys entries by credentials mode instead; verdicts are the same).
    ``Access-Control-Max-Age`` defaults to 5 s and is capped at ``limit``
    (Chromium: 7200 s); ``0`` (or a negative value) disables caching.
    ``clock`` is injectable for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = CHROMIUM_MAX_AGE,
                 max_entries: int = 1024) -> None:
        self.clock = clock
        self.limit = limit
        self.max_entries = max_entries
        self._entries: Dict[Tuple[str, str], _CacheEntry] = {}
        self._lock = threading.Lock()  # a demo server may share one cache between threads

    def __len__(self) -> int:
        now = self.clock()
        with self._lock:
            return sum(1 for entry in self._entries.values() if entry.expires > now)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def lookup(self, origin: str, url: str, credentials: bool, method: str, unsafe: Sequence[str]) -> bool:
        """True when a live entry covers this method and these unsafe header names."""
        with self._lock:
            entry = self._entries.get((origin, url))
            if entry is not None and entry.expires <= self.clock():
                del self._entries[(origin, url)]
                entry = None
        if entry is None:
            return False
        if credentials and not entry.credentials:
            return False
        if _method_denied(method, entry.methods, entry.credentials):
            return False
        missing, _ = _headers_missing(unsafe, entry.headers, entry.credentials)
        return not missing

    def store(self, origin: str, url: str, credentials: bool, max_age: int,
              methods: Iterable[str], headers: Iterable[str]) -> None:
        """Record a successful preflight (replacing the entry for origin + URL)."""
        self.forget(origin, url)
        max_age = min(max_age, self.limit)
        if max_age <= 0:
            return
        entry = _CacheEntry(self.clock() + max_age, credentials, frozenset(methods),
                            frozenset(h.lower() for h in headers))
        with self._lock:
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[(origin, url)] = entry

    def forget(self, origin: str, url: str) -> None:
        with self._lock:
            self._entries.pop((origin, url), None)


def _method_denied(method: str, allowed: Iterable[str], credentials: bool) -> bool:
    allowed = set(allowed)
    if method in allowed or method in SAFELISTED_METHODS:
        return False
    return credentials or "*" not in allowed


def _headers_missing(unsafe: Sequence[str], allowed: Iterable[str], credentials: bool) -> Tuple[List[str], bool]:
    """(names not covered, whether Authorization passed only through Chromium's ``*`` leniency)."""
    allowed = {name.lower() for name in allowed}
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
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UsageError(f"{url!r} is not a valid URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UsageError(f"{url!r} is not an http:// or https:// URL")
    if not parts.hostname:
        raise UsageError(f"{url!r} has no host")
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{url!r} contains credentials; fetch() refuses such URLs")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    elif not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise UsageError(f"{url!r} has a host that is not a valid domain name") from None
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
    if not TOKEN.fullmatch(method or ""):
        raise UsageError(f"method {method!r} is not a valid HTTP method name")
    if method.upper() in FORBIDDEN_METHODS:
        raise UsageError(f"method {method!r} is forbidden; fetch() throws a TypeError")
    return method.upper() if method.upper() in NORMALISED_METHODS else method


def _header_items(headers: HeadersArg) -> List[Header]:
    if headers is None:
        return []
    items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    result = []
    for item in items:
        try:
            name, value = item
        except (TypeError, ValueError):
            raise UsageError(f"header {item!r} is not a (name, value) pair") from None
        value = str(value).strip(" \t\r\n")
        if not isinstance(name, str) or not TOKEN.fullmatch(name):
            raise UsageError(f"header name {name!r} is not a valid HTTP token")
        if any(ch in value for ch in "\r\n\0"):
            raise UsageError(f"header {name!r} has a CR, LF or NUL in its value")
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise UsageError(f"header {name!r} has a value that is not a byte string; fetch() throws") from None
        result.append((name, value))
    return result


def _is_forbidden_request_header(name: str, value: str) -> bool:
    lowered = name.lower()
    if lowered in FORBIDDEN_REQUEST_HEADERS or lowered.startswith(FORBIDDEN_REQUEST_PREFIXES):
        return True
    if lowered in METHOD_OVERRIDE_HEADERS:
        return any(part.strip(_HTTP_WS).upper() in FORBIDDEN_METHODS for part in value.split(","))
    return False


def _combine(headers: Iterable[Header]) -> List[Header]:
    """One header per name (first spelling kept), values joined with ', ' as a browser sends them."""
    order: List[str] = []
    names: Dict[str, str] = {}
    values: Dict[str, List[str]] = {}
    for name, value in headers:
        key = name.lower()
        if key not in values:
            order.append(key)
            names[key] = name
            values[key] = []
        values[key].append(value)
    return [(names[key], ", ".join(values[key])) for key in order]


# ------------------------------------------------------------------ transports

@dataclass
class _Response:
    status: int
    headers: List[Header]
    body: bytes
    phrase: str = ""

    def values(self, name: str) -> List[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    def get(self, name: str) -> Optional[str]:
        """Fetch's "get": all values joined with ', ', or None when absent."""
        values = self.values(name)
        return ", ".join(values) if values else None


def _clean_headers(pairs: Iterable[Tuple[Any, Any]]) -> List[Header]:
    return [(str(name), " ".join(str(value).split("\r\n")).strip(_HTTP_WS)) for name, value in pairs]


def _send_http(method: str, url: str, headers: List[Header], body: Optional[bytes], timeout: float) -> _Response:
    scheme, host, port, path = _split_url(url)
    hostname = host.strip("[]")
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            hostname, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(hostname, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read(MAX_BODY) if method != "HEAD" else b""
        return _Response(response.status, _clean_headers(response.getheaders()), data, response.reason)
    except ConnectionRefusedError:
        raise NetworkError(f"connection refused by {host}:{port} ({method} {url}); is the server running?") from None
    except socket.timeout:
        raise NetworkError(f"no answer from {host}:{port} within {timeout:g} s ({method} {url})") from None
    except (OSError, http.client.HTTPException) as error:
        raise NetworkError(f"{method} {url} failed: {error.__class__.__name__}: {error}") from None
    finally:
        conn.close()


def _environ(method: str, url: str, headers: List[Header], body: Optional[bytes]) -> Dict[str, Any]:
    scheme, host, port, target = _split_url(url)
    path, _, query = target.partition("?")
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path, "latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": host.strip("[]"),
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body or b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body is not None:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        elif key != "HOST":
            environ["HTTP_" + key] = value
    return environ


def _send_wsgi(app: WSGIApp, method: str, url: str, headers: List[Header], body: Optional[bytes],
               warnings: List[str]) -> _Response:
    """Call ``app`` as a WSGI server would; an exception becomes a 500 (and a warning)."""
    state: Dict[str, Any] = {}
    chunks: List[bytes] = []

    def start_response(status: str, response_headers: List[Header], exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None and chunks:
            raise exc_info[1].with_traceback(exc_info[2])
        state["status"], state["headers"] = status, list(response_headers)
        return write

    def write(data: bytes) -> None:
        chunks.append(bytes(data))

    result = None
    try:
        result = app(_environ(method, url, headers, body), start_response)
        size = sum(len(chunk) for chunk in chunks)
        for chunk in result:
            chunks.append(bytes(chunk))
            size += len(chunk)
            if size >= MAX_BODY:
                break
        status_line = str(state["status"])
        status = int(status_line[:3])
        phrase = status_line[4:]
        response_headers = _clean_headers(state["headers"])
    except Exception as error:  # a crashing app is a 500 from the server, as a browser sees it
        warnings.append(f"the application raised {error.__class__.__name__}: {error} "
                        f"while answering {method} {url}; a server would answer 500")
        return _Response(500, [("Content-Type", "text/plain")], b"Internal Server Error", "Internal Server Error")
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    data = b"".join(chunks)[:MAX_BODY] if method != "HEAD" else b""
    return _Response(status, response_headers, data, phrase)


# --------------------------------------------------------------- the CORS check

def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _q(value: Optional[str]) -> str:
    """A response value shown in a sentence: quoted, escaped, bounded."""
    if value is None:
        return "absent"
    return "'" + _escaped(value).replace("'", "\\'") + "'"


def _escaped(value: str) -> str:
    """A response value made safe to print: bounded, controls and non-ASCII escaped."""
    text = value if len(value) <= 120 else value[:117] + "..."
    return text.encode("unicode_escape").decode("ascii")


def _origin_difference(value: str, origin: str) -> str:
    """Why ``value`` is not byte-for-byte ``origin``, in a few words (or '')."""
    notes = []
    candidate = value
    if candidate.endswith("/") and candidate.rstrip("/"):
        candidate = candidate.rstrip("/")
        notes.append("trailing slash")
    if candidate != origin and candidate.lower() == origin.lower():
        candidate = candidate.lower()
        notes.append("different upper/lower case")
    for scheme, port in DEFAULT_PORTS.items():
        if candidate.lower().startswith(scheme + "://") and candidate.lower() == f"{origin.lower()}:{port}":
            candidate = origin
            notes.append(f"explicit default port :{port}, which browsers never send")
    if candidate == origin:
        return " (" + ", ".join(notes) + ")"
    if value.startswith(origin + "/"):
        return " (an origin has no path)"
    if value == "null":
        return " ('null' only matches opaque origins such as sandboxed iframes)"
    if "://" in value and value.split("://", 1)[1] == origin.split("://", 1)[-1]:
        return " (different scheme)"
    return ""


def _cors_check(response: _Response, origin: str, credentials: bool, what: str) -> Optional[Tuple[str, str]]:
    """Fetch's CORS check on ``response``: None on success, else (code, sentence)."""
    values = response.values("Access-Control-Allow-Origin")
    if not values:
        hint = ""
        if response.status >= 400:
            hint = (f"; a {response.status} page without CORS headers usually means the error was "
                    "produced outside the CORS layer")
        return ("acao-missing",
                f"{what} has no Access-Control-Allow-Origin header, but the browser needs one equal to "
                f"{_q(origin)}; fix: allow that origin in the server's CORS configuration{hint}.")
    if len(values) > 1:
        return ("acao-multiple",
                f"{what} has {len(values)} Access-Control-Allow-Origin headers "
                f"({', '.join(_q(v) for v in values)}), but the browser needs exactly one, equal to {_q(origin)}; "
                "fix: set the header in one place only (the app or the middleware, not both).")
    value = values[0]
    if value == "*":
        if not credentials:
            return None
        return ("acao-wildcard-credentials",
                f"{what} has Access-Control-Allow-Origin '*', but a request with credentials needs the exact "
                f"origin {_q(origin)}; fix: echo the request's origin instead of '*' (and send "
                "Access-Control-Allow-Credentials: true).")
    if value != origin:
        if "," in value or " " in value:
            return ("acao-list",
                    f"{what} has Access-Control-Allow-Origin {_q(value)}, a list, but the browser needs exactly "
                    f"one origin, {_q(origin)}; fix: echo only the request's origin when it is allowed.")
        return ("acao-mismatch",
                f"Access-Control-Allow-Origin is {_q(value)} but the page origin is {_q(origin)}"
                f"{_origin_difference(value, origin)}; the browser needs them byte-for-byte equal; fix: send "
                f"'Access-Control-Allow-Origin: {origin}'.")
    if not credentials:
        return None
    allow = response.get("Access-Control-Allow-Credentials")
    if allow == "true":
        return None
    if allow is None:
        return ("acac-missing",
                f"{what} has no Access-Control-Allow-Credentials header, but a request with credentials needs "
                "'Access-Control-Allow-Credentials: true'; fix: enable credentials (allow_credentials=True).")
    why = " (sent more than once)" if len(response.values("Access-Control-Allow-Credentials")) > 1 else ""
    if allow.lower() == "true" and not why:
        why = " (the value is case-sensitive)"
    return ("acac-invalid",
            f"Access-Control-Allow-Credentials is {_q(allow)}{why}, but the browser needs exactly 'true'; "
            "fix: send 'Access-Control-Allow-Credentials: true'.")


def _parse_list(values: List[str]) -> Tuple[Optional[List[str]], Optional[str]]:
    """A ``#token`` list header: (items or None if absent, the first malformed element)."""
    if not values:
        return None, None
    items = []
    for value in values:
        for part in value.split(","):
            part = part.strip(_HTTP_WS)
            if not part:
                continue
            if not TOKEN.fullmatch(part):
                return None, part
            items.append(part)
    return items, None


def _max_age(response: _Response) -> int:
    value = response.get("Access-Control-Max-Age")
    if value is None or re.fullmatch(r"-?[0-9]{1,18}", value) is None:
        return DEFAULT_MAX_AGE
    return int(value)


class _Preflight:
    """Outcome of one preflight: ok flag, code, sentence, what to cache."""

    def __init__(self) -> None:
        self.code: Optional[str] = None
        self.reason = ""
        self.methods: List[str] = []
        self.headers: List[str] = []
        self.max_age = DEFAULT_MAX_AGE


def _judge_preflight(response: _Response, origin: str, method: str, unsafe: List[str], credentials: bool,
                     warnings: List[str]) -> _Preflight:
    outcome = _Preflight()
    failure = None
    if not 200 <= response.status <= 299:
        phrase = f"{response.status} {response.phrase}".strip()
        if 300 <= response.status <= 399:
            target = response.get("Location")
            code = "preflight-redirect"
            answer = f"with a redirect, {phrase}" + (f" (to {_q(target)})" if target else "")
            need = "browsers never follow redirects for a preflight and need a 2xx status"
            fix = "request the final URL directly or let the CORS layer answer OPTIONS before anything redirects"
        else:
            debug = response.get("X-CORS-Error")
            code, answer = "preflight-status", phrase + (f" (the server says: {_escaped(debug)})" if debug else "")
            need = "the browser needs a 2xx status"
            fix = ("let the CORS layer answer OPTIONS preflights for this URL and allow this origin, method and "
                   "these headers")
        failure = (code, f"the preflight (OPTIONS) was answered {answer}, but {need}; fix: {fix}.")
    failure = failure or _cors_check(response, origin, credentials, "the preflight response")
    if failure is None:
        failure = _judge_allow_lists(response, method, unsafe, credentials, outcome, warnings)
    if failure is not None:
        outcome.code, outcome.reason = failure
        return outcome
    outcome.max_age = _max_age(response)
    parts = ["preflight allowed: origin matches"]
    if method not in SAFELISTED_METHODS:
        parts.append(f"method {method} allowed")
    if unsafe:
        parts.append("headers " + ", ".join(unsafe) + " allowed")
    outcome.reason = "; ".join(parts) + f"; cacheable for {max(0, min(outcome.max_age, CHROMIUM_MAX_AGE))} s."
    return outcome


def _judge_allow_lists(response: _Response, method: str, unsafe: List[str], credentials: bool,
                       outcome: _Preflight, warnings: List[str]) -> Optional[Tuple[str, str]]:
    methods, bad_method = _parse_list(response.values("Access-Control-Allow-Methods"))
    headers, bad_header = _parse_list(response.values("Access-Control-Allow-Headers"))
    if bad_method is not None:
        return ("acam-malformed",
                f"Access-Control-Allow-Methods is {_q(response.get('Access-Control-Allow-Methods'))} and "
                f"{_q(bad_method)} is not a method name, so the browser rejects the whole preflight; fix: send a "
                "comma-separated list such as 'GET, POST, PUT'.")
    if bad_header is not None:
        return ("acah-malformed",
                f"Access-Control-Allow-Headers is {_q(response.get('Access-Control-Allow-Headers'))} and "
                f"{_q(bad_header)} is not a header name, so the browser rejects the whole preflight; fix: send a "
                "comma-separated list such as 'content-type, x-token'.")
    outcome.methods, outcome.headers = methods or [], headers or []
    if _method_denied(method, outcome.methods, credentials):
        return "method-not-allowed", _method_sentence(method, methods, credentials)
    missing, lenient = _headers_missing(unsafe, outcome.headers, credentials)
    if missing:
        return "header-not-allowed", _header_sentence(missing, headers, credentials)
    if lenient:
        warnings.append(
            "Access-Control-Allow-Headers '*' does not cover 'Authorization' per the Fetch standard: Chromium "
            "allows it with a deprecation warning, but Firefox and Safari block this request; fix: list "
            "'authorization' explicitly.")
    return None


def _method_sentence(method: str, methods: Optional[List[str]], credentials: bool) -> str:
    if methods is None:
        return (f"the preflight response has no Access-Control-Allow-Methods header, but the browser needs it to "
                f"list {_q(method)}; fix: add {method} to the allowed methods.")
    shown = _q(", ".join(methods))
    if "*" in methods and credentials:
        return (f"the request method {_q(method)} is not in Access-Control-Allow-Methods {shown}, and with "
                f"credentials '*' means only a method literally named '*'; fix: list {_q(method)}.")
    same = [m for m in methods if m.upper() == method.upper()]
    if same and method not in NORMALISED_METHODS and method != method.upper():
        return (f"the request method {_q(method)} is not in Access-Control-Allow-Methods {shown}: fetch() sends "
                f"{_q(method)} as written (it upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT) and the "
                f"comparison is case-sensitive; fix: call fetch() with {_q(method.upper())}, or list {_q(method)}.")
    if same:
        return (f"the request method {_q(method)} is not in Access-Control-Allow-Methods {shown}; the comparison "
                f"is case-sensitive, so {_q(same[0])} does not cover {_q(method)}; fix: send {_q(method)}.")
    return (f"the request method {_q(method)} is not in Access-Control-Allow-Methods {shown}; fix: add "
            f"{_q(method)} to the allowed methods.")


def _header_sentence(missing: List[str], headers: Optional[List[str]], credentials: bool) -> str:
    names = ", ".join(_q(name) for name in missing)
    noun = "header" if len(missing) == 1 else "headers"
    if headers is None:
        return (f"the request {noun} {names} needs Access-Control-Allow-Headers, but the preflight response has "
                f"none; fix: add {names} to the allowed headers.")
    why = ""
    if "*" in headers and credentials:
        why = "; with credentials '*' means only a header literally named '*'"
    return (f"the request {noun} {names} not listed in Access-Control-Allow-Headers {_q(', '.join(headers))}{why}; "
            f"fix: add {names} to the allowed headers.")


# ------------------------------------------------------------------- the fetch

class _Fetch:
    """One fetch() in progress: the mutable request state of the Fetch standard."""

    def __init__(self, url: str, origin: str, method: str, headers: List[Header], body: Optional[bytes],
                 credentials: bool, cookie: Optional[str], send: Callable[..., _Response],
                 cache: PreflightCache, result: CheckResult) -> None:
        self.url, self.origin, self.method = url, origin, method
        self.headers, self.body, self.credentials, self.cookie = headers, body, credentials, cookie
        self.send, self.cache, self.result = send, cache, result
        self.tainted = False  # after a cross-origin redirect the origin serialises as "null"
        self.cors = False     # response tainting "cors" once any hop is cross-origin

    @property
    def serialised_origin(self) -> str:
        return "null" if self.tainted else self.origin

    def run(self) -> None:
        for hop in range(MAX_REDIRECTS + 1):
            if not self.cors and (self.origin == "null" or _url_origin(self.url) != self.origin):
                self.cors = True
            if self.cors and not self._preflight(first=hop == 0):
                return
            response = self._request()
            if response is None:
                return
            location = response.get("Location") if response.status in REDIRECT_STATUSES else None
            if location is None:
                self._finish(response)
                return
            if hop == MAX_REDIRECTS:
                self._block("too-many-redirects", f"more than {MAX_REDIRECTS} redirects; the browser gives up "
                                                  "with a network error; fix: remove the redirect loop.")
                return
            if not self._redirect(response, location):
                return

    def _block(self, code: str, reason: str) -> None:
        self.result.verdict, self.result.code, self.result.explanation = "block", code, _sentence(reason)

    def _preflight(self, first: bool) -> bool:
        unsafe = unsafe_header_names(self.headers)
        needed = self.method not in SAFELISTED_METHODS or bool(unsafe)
        if first:
            self.result.preflight_needed, self.result.unsafe_headers = needed, unsafe
        if not needed:
            return True
        if self.cache.lookup(self.serialised_origin, self.url, self.credentials, self.method, unsafe):
            if first:
                self.result.preflight_cached = True
            return True
        sent = [("Accept", "*/*"), ("Origin", self.serialised_origin),
                ("Access-Control-Request-Method", self.method)]
        if unsafe:
            sent.append(("Access-Control-Request-Headers", ",".join(unsafe)))
        sent += [("User-Agent", USER_AGENT), ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")]
        response = self.send("OPTIONS", self.url, sent, None)
        self.result.status = response.status
        outcome = _judge_preflight(response, self.serialised_origin, self.method, unsafe, self.credentials,
                                   self.result.warnings)
        self.result.steps.append(Step("preflight", "OPTIONS", self.url, response.status, outcome.code is None,
                                      _sentence(outcome.reason),
                                      response.headers, sent, outcome.code))
        if outcome.code is not None:
            self.cache.forget(self.serialised_origin, self.url)
            self._block(outcome.code, outcome.reason + (" No actual request was sent." if first else
                                                        " The redirect was not followed."))
            return False
        self.cache.store(self.serialised_origin, self.url, self.credentials, outcome.max_age, outcome.methods,
                         outcome.headers)
        return True

    def _request(self) -> Optional[_Response]:
        sent = list(self.headers)
        if not any(name.lower() == "accept" for name, _ in sent):
            sent.insert(0, ("Accept", "*/*"))
        if self.cors or self.method not in ("GET", "HEAD"):
            sent.append(("Origin", self.serialised_origin))
        if self.cookie is not None and (self.credentials or not self.cors):
            sent.append(("Cookie", self.cookie))
        sent = _combine(sent + [("User-Agent", USER_AGENT), ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")])
        response = self.send(self.method, self.url, sent, self.body)
        self.result.status = response.status
        redirect = response.status in REDIRECT_STATUSES and response.get("Location") is not None
        failure = None
        if self.cors:
            what = f"the {response.status} redirect response" if redirect else "the response"
            failure = _cors_check(response, self.serialised_origin, self.credentials, what)
        if failure is not None:
            code, reason = failure
            if redirect:
                reason += " Every redirect hop of a CORS request needs these headers."
            self.result.steps.append(Step("request", self.method, self.url, response.status, False,
                                          _sentence(reason), response.headers, sent, code))
            self._block(code, reason)
            return None
        if not self.cors:
            why = "same-origin request: no CORS check applies"
        elif redirect:
            why = f"redirect passes the CORS check; following it to {_q(response.get('Location'))}"
        else:
            allowed_origin = _q(response.get("Access-Control-Allow-Origin"))
            why = f"the CORS check passes: Access-Control-Allow-Origin {allowed_origin}"
            why += " matches" + (" and Access-Control-Allow-Credentials is 'true'" if self.credentials else "")
        self.result.steps.append(Step("request", self.method, self.url, response.status, True, _sentence(why) + ".",
                                      response.headers, sent))
        return response

    def _redirect(self, response: _Response, location: str) -> bool:
        try:
            target = urljoin(self.url, location.split("#", 1)[0])
            scheme, host, port, path = _split_url(target)
        except UsageError:
            if urlsplit(urljoin(self.url, location)).username is not None:
                code, why = "redirect-credentials", "it contains credentials (user:password@)"
            else:
                code, why = "redirect-target", "it is not an http(s) URL"
            self._block(code, f"the {response.status} redirect points to {_q(location)} and the browser refuses to "
                              f"follow it because {why}; fix: redirect to a plain http(s) URL.")
            return False
        new_url = _serialise(scheme, host, port) + path
        current_origin = _url_origin(self.url)
        if _url_origin(new_url) != current_origin:
            if self.origin != current_origin:
                self.tainted = True
            self.headers = [(n, v) for n, v in self.headers if n.lower() not in NON_WILDCARD_REQUEST_HEADERS]
        if (response.status in (301, 302) and self.method == "POST") or (
                response.status == 303 and self.method not in ("GET", "HEAD")):
            self.method, self.body = "GET", None
            self.headers = [(n, v) for n, v in self.headers if n.lower() not in REQUEST_BODY_HEADERS]
        self.url = new_url
        return True

    def _finish(self, response: _Response) -> None:
        self.result.verdict, self.result.code = "allow", None
        self.result.body = response.body
        self.result.readable_headers = _readable(response, self.cors, self.credentials)
        status = response.status
        note = "" if 200 <= status <= 299 else f" (the server answered {status}; the fetch still resolves)"
        self.result.explanation = (f"A page at {self.origin} can read the response to "
                                   f"{self.result.method} {self.result.url}{note}.")


def _readable(response: _Response, cors: bool, credentials: bool) -> List[str]:
    present = []
    for name, _ in response.headers:
        lowered = name.lower()
        if lowered not in present and lowered not in FORBIDDEN_RESPONSE_HEADERS:
            present.append(lowered)
    if not cors:
        return sorted(present)
    exposed, _ = _parse_list(response.values("Access-Control-Expose-Headers"))
    exposed_set = {name.lower() for name in exposed or []}
    if "*" in exposed_set and not credentials:
        return sorted(present)
    return sorted(name for name in present if name in SAFELISTED_RESPONSE_HEADERS or name in exposed_set)


# ----------------------------------------------------------------------- check

def check(
    url: str,
    origin: str,
    *,
    method: str = "GET",
    headers: HeadersArg = None,
    credentials: bool = False,
    app: Optional[WSGIApp] = None,
    timeout: float = 10.0,
    cache: Optional[PreflightCache] = None,
    body: Union[None, str, bytes] = None,
) -> CheckResult:
    """Decide, as a browser would, whether a page at ``origin`` may ``fetch(url)``.

    ``headers`` are what the script sets (a dict or (name, value) pairs);
    headers a browser never lets script set are dropped with a warning, except
    ``Cookie``, which stands for the browser's cookie jar: sent only on the
    actual request, and only with ``credentials=True``. A ``str`` body implies
    ``Content-Type: text/plain;charset=UTF-8`` as in ``fetch()``.

    ``app`` (a WSGI callable) answers in-process instead of the network.
    ``cache`` (a :class:`PreflightCache`) keeps preflights across calls; the
    default is a fresh cache per call.

    Raises :class:`UsageError` for input a browser would reject and
    :class:`NetworkError` when the server cannot be reached.
    """
    page_origin = _check_origin(origin)
    normal_url = _normal_url(url)
    method = _normalise_method(method)
    if body is not None and method in ("GET", "HEAD"):
        raise UsageError(f"a {method} request cannot have a body; fetch() throws a TypeError")
    warnings: List[str] = []
    items = _header_items(headers)
    if isinstance(body, str):
        body = body.encode("utf-8")
        if not any(name.lower() == "content-type" for name, _ in items):
            items.append(("Content-Type", "text/plain;charset=UTF-8"))
    script_headers, cookies = [], []
    for name, value in items:
        if name.lower() == "cookie":
            cookies.append(value)
        elif _is_forbidden_request_header(name, value):
            warnings.append(f"the browser never lets script set {name!r}; it was not sent")
        elif name.lower() in CHROMIUM_FORBIDDEN_HEADERS:
            warnings.append(f"Chromium drops a script-set {name!r} header (Firefox sends it and preflights)")
        else:
            script_headers.append((name, value))
    cookie = "; ".join(cookies) if cookies else None
    if cookie is not None and not credentials:
        warnings.append("a Cookie was given but credentials are off, so the browser would not send it "
                        "cross-origin; add credentials (--credentials) to send it")
    hints = sorted({n.lower() for n, v in script_headers if n.lower() in CHROMIUM_SAFELISTED_HINTS
                    and is_safelisted_request_header(n, v)})
    if hints:
        warnings.append(f"Chromium safelists {', '.join(hints)} (no preflight); Firefox and Safari preflight them")

    result = CheckResult(url=normal_url, origin=page_origin, method=method, credentials=bool(credentials),
                         warnings=warnings)

    def send(m: str, u: str, h: List[Header], b: Optional[bytes]) -> _Response:
        if app is not None:
            return _send_wsgi(app, m, u, h, b, warnings)
        return _send_http(m, u, h, b, timeout)

    fetch = _Fetch(normal_url, page_origin, method, script_headers, body, bool(credentials), cookie, send,
                   cache if cache is not None else PreflightCache(), result)
    fetch.run()
    return result


# ------------------------------------------------------------------------ CLI

def load_app(spec: str) -> WSGIApp:
    """``module:attr`` (attr may be dotted; default ``application``), importable from the current
    directory -> the WSGI callable; UsageError when it cannot be found."""
    import os

    from .wrapper import load_app as load

    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return load(spec)
    except ImportError as error:
        raise UsageError(f"--app {spec!r}: cannot import it: {error}") from None
    except (ValueError, TypeError) as error:
        raise UsageError(f"--app {spec!r}: {error}") from None


def _parse_header_option(text: str) -> Header:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise UsageError(f"--header {text!r} is not 'Name: value'")
    return name.strip(), value.strip()


def _configure(parser: Any) -> None:
    parser.add_argument("url", help="the URL the page fetches (http:// or https://)")
    parser.add_argument("--origin", required=True, help="the page's origin, e.g. https://app.example.com")
    parser.add_argument("--method", "-X", default="GET", help="request method as passed to fetch() (default GET)")
    parser.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
                        help="a request header set by script; repeatable ('Cookie: ...' = the cookie jar)")
    parser.add_argument("--credentials", action="store_true", help="fetch with credentials: 'include'")
    parser.add_argument("--data", "-d", default=None, metavar="BODY", help="request body (a string, as in fetch)")
    parser.add_argument("--app", default=None, metavar="MODULE:ATTR", help="check an in-process WSGI app")
    parser.add_argument("--timeout", type=float, default=10.0, help="network timeout in seconds (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def _run(args: Any) -> int:
    try:
        headers = [_parse_header_option(text) for text in args.header]
        app = load_app(args.app) if args.app else None
        result = check(args.url, args.origin, method=args.method, headers=headers, credentials=args.credentials,
                       app=app, timeout=args.timeout, body=args.data)
    except CheckError as error:
        print(f"wsgicors check: error: {error}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else result.render())
    return 0 if result.allowed else 1


def _register() -> None:
    from .cli import command

    command("check", "Run a browser's CORS algorithm against a URL or WSGI app and explain the verdict.",
            _configure)(_run)


_register()


class _CallableModule(types.ModuleType):
    """Lets ``wsgicors.check(url, origin, ...)`` call :func:`check` while staying a module."""

    def __call__(self, *args: Any, **kwargs: Any) -> CheckResult:
        return check(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
