"""One ``fetch()`` from start to verdict: preflight, request, redirects (Fetch 4.1-4.9)."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Dict, List, Optional, Tuple, Union
from urllib.parse import urljoin, urlsplit

from ..fetch import ascii_lower, is_forbidden_request_header
from ..origins import _registrable_domain
from .cache import PreflightCache
from .engines import DEFAULT_ENGINE, ENGINE_NAMES, ENGINES, Engine, EngineVerdict, cookie_verdict
from .cors import _cors_check, _judge_preflight, _readable
from .report import CheckResult, Step, _q, _sentence
from .request import (
    CHROMIUM_FORBIDDEN_HEADERS, CHROMIUM_SAFELISTED_HINTS, MAX_REDIRECTS, NON_WILDCARD_REQUEST_HEADERS,
    NETWORK_ERROR, REDIRECT_STATUSES, REQUEST_BODY_HEADERS, SAFELISTED_METHODS, USER_AGENT, Header, HeadersArg,
    CheckError, FetchFailed, UsageError, WSGIApp, _check_origin, _combine, _header_items, _normal_url,
    _normalise_method, _serialise, _split_url, _url_origin, is_safelisted_request_header, unsafe_header_names,
)
from .transport import Deadline, _Response, _send_http, _send_wsgi, replay

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


class _Fetch:
    """One fetch() in progress: the mutable request state of the Fetch standard."""

    def __init__(self, url: str, origin: str, method: str, headers: List[Header], body: Optional[bytes],
                 credentials: bool, cookie: Optional[str], send: Callable[..., _Response],
                 cache: PreflightCache, result: CheckResult, engine: Engine) -> None:
        self.engine = engine
        self.url, self.origin, self.method = url, origin, method
        self.headers, self.body, self.credentials, self.cookie = headers, body, credentials, cookie
        self.send, self.cache, self.result = send, cache, result
        self.cookie_scheme, self.cookie_host, _, _ = _split_url(url)
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

    def _exchange(self, kind: str, method: str, sent: List[Header], body: Optional[bytes]) -> Optional[_Response]:
        """Send one request; None (a blocked step recorded) when the browser fails it as a network error."""
        try:
            response = self.send(method, self.url, sent, body)
        except FetchFailed as failure:
            reason = f"{failure}; fix: make the server send a well-formed HTTP response."
            self.result.steps.append(Step(kind, method, self.url, None, False, _sentence(reason), [], sent,
                                          NETWORK_ERROR))
            self._block(NETWORK_ERROR, reason)
            return None
        self.result.status = response.status
        return response

    def _sends_cookie(self) -> bool:
        """The given Cookie belongs to the first URL's host: never sent to another host or over http
        when it was given for https (a browser's jar scopes it so)."""
        if self.cookie is None or not (self.credentials or not self.cors):
            return False
        scheme, host, _, _ = _split_url(self.url)
        if host == self.cookie_host and not (self.cookie_scheme == "https" and scheme == "http"):
            return True
        note = (f"the Cookie given belongs to {self.cookie_scheme}://{self.cookie_host}; the browser does not send it "
                f"to {scheme}://{host}")
        if note not in self.result.warnings:
            self.result.warnings.append(note)
        return False

    def _preflight(self, first: bool) -> bool:
        unsafe = unsafe_header_names(self.headers, chromium=self.engine.safelists_client_hints)
        needed = self.method not in SAFELISTED_METHODS or bool(unsafe)
        if first:
            self.result.preflight_needed, self.result.unsafe_headers = needed, unsafe
        if not needed:
            return True
        if self.cache.lookup(self.serialised_origin, self.url, self.credentials, self.method, unsafe, self.engine):
            if first:
                self.result.preflight_cached = True
            return True
        sent = [("Accept", "*/*"), ("Origin", self.serialised_origin),
                ("Access-Control-Request-Method", self.method)]
        if unsafe:
            sent.append(("Access-Control-Request-Headers", ",".join(unsafe)))
        sent += [("User-Agent", USER_AGENT), ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")]
        response = self._exchange("preflight", "OPTIONS", sent, None)
        if response is None:
            return False
        outcome = _judge_preflight(response, self.serialised_origin, self.method, unsafe, self.credentials,
                                   self.result.warnings, self.engine)
        self.result.steps.append(Step("preflight", "OPTIONS", self.url, response.status, outcome.code is None,
                                      _sentence(outcome.reason),
                                      response.headers, sent, outcome.code))
        if outcome.code is not None:
            self.cache.forget(self.serialised_origin, self.url, self.engine, self.credentials)
            self._block(outcome.code, outcome.reason + (" No actual request was sent." if first else
                                                        " The redirect was not followed."))
            return False
        self.cache.store(self.serialised_origin, self.url, self.credentials, outcome.max_age, outcome.methods,
                         outcome.headers, self.engine)
        return True

    def _request(self) -> Optional[_Response]:
        sent = list(self.headers)
        if not any(ascii_lower(name) == "accept" for name, _ in sent):
            sent.insert(0, ("Accept", "*/*"))
        if self.cors or self.method not in ("GET", "HEAD"):
            sent.append(("Origin", self.serialised_origin))
        if self._sends_cookie():
            sent.append(("Cookie", str(self.cookie)))
        sent = _combine(sent + [("User-Agent", USER_AGENT), ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")])
        response = self._exchange("request", self.method, sent, self.body)
        if response is None:
            return None
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
            scheme, host, port, path = _split_url(urljoin(self.url, location.split("#", 1)[0]))
        except (UsageError, ValueError):
            code, why = _unfollowable(self.url, location)
            self._block(code, f"the {response.status} redirect points to {_q(location)} and the browser refuses to "
                              f"follow it because {why}; fix: redirect to a plain http(s) URL.")
            return False
        new_url = _serialise(scheme, host, port) + path
        current_origin = _url_origin(self.url)
        if _url_origin(new_url) != current_origin:
            if self.origin != current_origin:
                self.tainted = True
            if self.engine.drops_authorization_on_cross_origin_redirect:
                self.headers = [(n, v) for n, v in self.headers if ascii_lower(n) not in NON_WILDCARD_REQUEST_HEADERS]
        if (response.status in (301, 302) and self.method == "POST") or (
                response.status == 303 and self.method not in ("GET", "HEAD")):
            self.method, self.body = "GET", None
            if self.engine.drops_body_headers_on_redirect_to_get:
                self.headers = [(n, v) for n, v in self.headers if ascii_lower(n) not in REQUEST_BODY_HEADERS]
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



def _unfollowable(url: str, location: str) -> Tuple[str, str]:
    """(code, why) for a Location a browser does not follow (Fetch 4.4, "HTTP-redirect fetch")."""
    scheme = _SCHEME.match(location)
    if scheme is not None and ascii_lower(scheme.group(1)) not in ("http", "https"):
        return "redirect-target", "it is not an http(s) URL"
    try:
        if urlsplit(urljoin(url, location)).username is not None:
            return "redirect-credentials", "it contains credentials (user:password@)"
    except ValueError:
        pass
    return NETWORK_ERROR, "it is not a valid URL (a network error)"


def _script_headers(items: List[Header], credentials: bool, warnings: List[str],
                    engine: Engine) -> Tuple[List[Header], Optional[str]]:
    """(the headers the browser sends as the script set them, the ``Cookie`` jar or None); warns on dropped ones."""
    script_headers, cookies = [], []
    for name, value in items:
        if ascii_lower(name) == "cookie":
            cookies.append(value)
        elif is_forbidden_request_header(name, value):
            warnings.append(f"the browser never lets script set {name!r}; it was not sent")
        elif ascii_lower(name) in CHROMIUM_FORBIDDEN_HEADERS:
            # matrix: user-agent-dropped
            warnings.append(f"Chromium drops a script-set {name!r} header; Firefox and WebKit send it, so it needs "
                            "a preflight there")
            if not engine.drops_user_agent:
                script_headers.append((name, value))
        else:
            script_headers.append((name, value))
    cookie = "; ".join(cookies) if cookies else None
    if cookie is not None and not credentials:
        warnings.append("a Cookie was given but credentials are off, so the browser would not send it "
                        "cross-origin; add credentials (--credentials) to send it")
    hints = sorted({ascii_lower(n) for n, v in script_headers if ascii_lower(n) in CHROMIUM_SAFELISTED_HINTS
                    and is_safelisted_request_header(n, v)})
    if hints:
        # matrix: client-hint-dpr, client-hint-save-data, client-hint-viewport-width
        warnings.append(f"Chromium safelists {', '.join(hints)} (no preflight); Firefox and WebKit preflight them")
    return script_headers, cookie


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
    browser: str = DEFAULT_ENGINE,
) -> CheckResult:
    """Decide, as a browser would, whether a page at ``origin`` may ``fetch(url)``.

    ``headers`` are what the script sets (a dict or (name, value) pairs);
    headers a browser never lets script set are dropped with a warning, except
    ``Cookie``, which stands for the browser's cookie jar: sent only on the
    actual request, only with ``credentials=True`` and only to the first URL's
    host. A ``str`` body implies ``Content-Type: text/plain;charset=UTF-8`` as
    in ``fetch()``.

    ``browser`` (``"chromium"``, ``"firefox"`` or ``"webkit"``) is the engine
    whose run is sent and reported (steps, verdict, explanation); the other
    engines are modelled on the same answers (``result.engines``), sending
    only the requests they make differently, when ``engines`` is first read.
    ``app`` (a WSGI callable) answers in-process instead of the network.
    ``timeout`` (seconds) bounds each engine's whole run. ``cache`` (a
    :class:`PreflightCache`) keeps preflights across calls; the default is a
    fresh cache per call.

    Raises :class:`UsageError` for input a browser would reject and
    :class:`NetworkError` when the server cannot be reached in time.
    """
    if browser not in ENGINES:
        raise UsageError(f"browser {browser!r} is not one of {', '.join(ENGINE_NAMES)}")
    page_origin = _check_origin(origin)
    normal_url = _normal_url(url)
    method, items, body = _request(method, headers, body)
    cache = cache if cache is not None else PreflightCache()
    exchanges = _Exchanges(app, timeout)

    def run(engine: Engine) -> CheckResult:
        warnings: List[str] = _local_network_warnings(page_origin, normal_url)
        script_headers, cookie = _script_headers(items, bool(credentials), warnings, engine)
        result = CheckResult(url=normal_url, origin=page_origin, method=method, credentials=bool(credentials),
                             warnings=warnings, browser=engine.name)
        _Fetch(normal_url, page_origin, method, script_headers, body, bool(credentials), cookie,
               exchanges.sender(engine, warnings), cache, result, engine).run()
        result.engines_found[engine.name] = _engine_verdict(result, engine.name)
        return result

    cache.settle()  # earlier checks' other engines first: the cache must see calls in order
    result = run(ENGINES[browser])

    def other_engines() -> None:
        for name, engine in ENGINES.items():
            if name != browser:
                try:
                    result.engines_found[name] = _engine_verdict(run(engine), name)
                except CheckError as error:
                    # matrix: every scenario
                    result.engines_found[name] = EngineVerdict(name, "block", f"{engine.title}: {error}")

    cache.defer(other_engines)
    result.settle = cache.settle
    return result


def _request(method: str, headers: HeadersArg, body: Union[None, str, bytes]
             ) -> Tuple[str, List[Header], Optional[bytes]]:
    """(normalised method, header items, body bytes) as ``fetch()`` makes them; UsageError where it throws."""
    method = _normalise_method(method)
    if body is not None and method in ("GET", "HEAD"):
        raise UsageError(f"a {method} request cannot have a body; fetch() throws a TypeError")
    items = _header_items(headers)
    if isinstance(body, str):
        body = body.encode("utf-8")
        if not any(ascii_lower(name) == "content-type" for name, _ in items):
            items.append(("Content-Type", "text/plain;charset=UTF-8"))
    return method, items, body


class _Exchanges:
    """The answers received, by request and in order: each engine's run reads them again with its own
    rules; a request sent more often than by earlier runs (or never) goes to the server (or the app)."""

    def __init__(self, app: Optional[WSGIApp], timeout: float) -> None:
        self.app, self.timeout = app, timeout
        self.answers: Dict[Tuple[Any, ...], List[bytes]] = {}
        self.deadline = Deadline(timeout)  # shared: the timeout bounds the whole run, every engine included

    def sender(self, engine: Engine, warnings: List[str]) -> Callable[..., _Response]:
        # Engines modelled long after the check (``result.engines`` read later) get a timeout of their own.
        deadline = self.deadline if self.deadline.left() > 0 else Deadline(self.timeout)
        used: Dict[Tuple[Any, ...], int] = {}

        def send(method: str, url: str, headers: List[Header], body: Optional[bytes]) -> _Response:
            key = (method, url, tuple(headers), body)
            seen, index = self.answers.setdefault(key, []), used.get(key, 0)
            used[key] = index + 1
            if index < len(seen):
                return replay(seen[index], method, engine.wire)
            if self.app is not None:
                seen.append(_send_wsgi(self.app, method, url, headers, body, warnings, deadline))
                return replay(seen[-1], method, engine.wire)
            record = bytearray()
            try:
                return _send_http(method, url, headers, body, deadline, engine.wire, record)
            finally:
                seen.append(bytes(record))

        return send


def _address_space(host: str) -> str:
    """``"loopback"``, ``"private"`` or ``"public"`` for a literal address or ``localhost``; a host name
    other than ``localhost`` is ``"unknown"`` (check does not resolve names)."""
    if host == "localhost" or host.endswith(".localhost"):
        return "loopback"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "unknown"
    return "loopback" if address.is_loopback else "private" if address.is_private else "public"


def _local_network_warnings(origin: str, url: str) -> List[str]:
    """A warning when a page that may be public fetches loopback: measured, the engines stop it before
    any request (Local Network Access), which a check from the command line cannot reproduce."""
    if origin == "null" or _address_space(_split_url(url)[1]) != "loopback":
        return []
    if _address_space(_split_url(origin)[1]) in ("loopback", "private"):
        return []
    # matrix: public-page-to-loopback, private-network-loopback
    return ["if the page is served from a public address, Chromium and Firefox stop its fetch to loopback "
            "before any request (Local Network Access asks the user for permission; WebKit not measured); "
            "check cannot know the page's address and judges the CORS headers only"]


def _engine_verdict(result: CheckResult, name: str) -> EngineVerdict:
    cookies = None
    if result.allowed and result.credentials and result.steps and _cross_site(result.origin, result.url):
        set_cookies = [value for key, value in result.steps[-1].headers if ascii_lower(key) == "set-cookie"]
        cookies = [cookie_verdict(name, value) for value in set_cookies]
    return EngineVerdict(name, result.verdict, None if result.allowed else result.explanation, cookies)


def _cross_site(origin: str, url: str) -> bool:
    """Whether ``url`` is on another site than ``origin``: schemeful sites, registrable domains by the
    Public Suffix List (an IP address or a single-label host is its own site)."""
    if origin == "null":
        return True
    scheme, host, _, _ = _split_url(url)
    page_scheme, page_host, _, _ = _split_url(origin)
    return (scheme, _site(host)) != (page_scheme, _site(page_host))


def _site(host: str) -> str:
    if host.startswith("[") or _IPV4.fullmatch(host):
        return host
    return _registrable_domain(host) or host


_IPV4 = re.compile(r"[0-9.]+")
