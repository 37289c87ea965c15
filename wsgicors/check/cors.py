"""The CORS checks a browser applies to each response: the CORS check, the preflight's
allow-lists and Max-Age, and which headers script may read; each failure as one sentence."""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from ..fetch import FORBIDDEN_RESPONSE_HEADERS, SAFELISTED_RESPONSE_HEADERS, NORMALISED_METHODS, ascii_lower, ascii_upper, is_token, split_list
from .engines import Engine
from .report import _escaped, _q
from .request import (
    DEFAULT_MAX_AGE, DEFAULT_PORTS, REDIRECT_STATUSES, SAFELISTED_METHODS,
    _headers_missing, _method_denied,
)
from .transport import _Response


def _origin_difference(value: str, origin: str) -> str:
    """Why ``value`` is not byte-for-byte ``origin``, in a few words (or '')."""
    notes = []
    candidate = value
    if candidate.endswith("/") and candidate.rstrip("/"):
        candidate = candidate.rstrip("/")
        notes.append("trailing slash")
    if candidate != origin and ascii_lower(candidate) == ascii_lower(origin):
        candidate = ascii_lower(candidate)
        notes.append("different upper/lower case")
    for scheme, port in DEFAULT_PORTS.items():
        lowered = ascii_lower(candidate)
        if lowered.startswith(scheme + "://") and lowered == f"{ascii_lower(origin)}:{port}":
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
        varies = {ascii_lower(name) for value in response.values("Vary") for name in split_list(value)}
        if "origin" in varies:
            # a CORS layer answered (it varies on Origin) and refused this origin: the error page is not the cause
            hint = "; the response varies on Origin, so a CORS layer answered it and did not allow this origin"
        elif response.status >= 400:
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
    if ascii_lower(allow) == "true" and not why:
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
        for part in split_list(value):
            if not part:
                continue
            if not is_token(part):
                return None, part
            items.append(part)
    return items, None


def _max_age(response: _Response, engine: Engine) -> int:
    """Seconds the preflight may be cached: absent means 5; not delta-seconds means 5, or 0 in Firefox."""
    value = response.get("Access-Control-Max-Age")
    if value is None:
        return DEFAULT_MAX_AGE
    if re.fullmatch(r"-?[0-9]{1,18}", value) is None:
        return DEFAULT_MAX_AGE if engine.caches_unparsable_max_age else 0
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
                     warnings: List[str], engine: Engine) -> _Preflight:
    outcome = _Preflight()
    failure = None
    if not 200 <= response.status <= 299:
        phrase = f"{response.status} {_escaped(response.phrase)}".rstrip(" ")
        if response.status in REDIRECT_STATUSES:  # 300, 304, 305, 306 are 3xx but no redirect (Fetch 4.4)
            target = response.get("Location")
            code = "preflight-redirect"
            answer = f"with a redirect, {phrase}" + (f" (to {_q(target)})" if target else "")
            need = "browsers never follow redirects for a preflight and need a 2xx status"
            fix = "request the final URL directly or let the CORS layer answer OPTIONS before anything redirects"
        else:
            debug = response.get("X-CORS-Error")
            code, answer = "preflight-status", phrase + (f" (the server says: {_escaped(debug)})" if debug else "")
            need = "the browser needs a 2xx status"
            fix = f"let the CORS layer answer OPTIONS preflights for this URL and allow {_asked(method, unsafe)}"
            if _sent_as_written(method):
                fix += (f"; note that fetch() sends {_q(method)} as written (it upper-cases only DELETE, GET, HEAD, "
                        f"OPTIONS, POST and PUT), so a server allowing {_q(ascii_upper(method))} refuses it: call "
                        f"fetch() with {_q(ascii_upper(method))}")
        failure = (code, f"the preflight (OPTIONS) was answered {answer}, but {need}; fix: {fix}.")
    failure = failure or _cors_check(response, origin, credentials, "the preflight response")
    if failure is None:
        failure = _judge_allow_lists(response, method, unsafe, credentials, outcome, warnings)
    if failure is not None:
        outcome.code, outcome.reason = failure
        return outcome
    outcome.max_age = _max_age(response, engine)
    parts = ["preflight allowed: origin matches"]
    if method not in SAFELISTED_METHODS:
        parts.append(f"method {method} allowed")
    if unsafe:
        parts.append("headers " + ", ".join(unsafe) + " allowed")
    outcome.reason = "; ".join(parts) + f"; cacheable for {max(0, min(outcome.max_age, engine.max_age_cap))} s"
    if outcome.max_age > engine.max_age_cap:
        # matrix: max-age-cap
        source = "measured" if engine.max_age_cap_measured else "its documented limit, not measured"
        outcome.reason += f" ({engine.title} caps Access-Control-Max-Age at {engine.max_age_cap} s: {source})"
    outcome.reason += "."
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
        # matrix: authorization-under-star, authorization-star-pref-off
        warnings.append(
            "Access-Control-Allow-Headers '*' covers 'Authorization' in Chromium, Firefox and WebKit today, "
            "but the Fetch standard says it does not (and Firefox blocks it when its preference "
            "network.cors_preflight.authorization_covered_by_wildcard is off); fix: list 'authorization' "
            "explicitly.")
    return None


def _asked(method: str, unsafe: List[str]) -> str:
    """What a preflight asked for, in words: the origin, the method unless safelisted, the unsafe headers."""
    parts = ["this origin"]
    if method not in SAFELISTED_METHODS:
        parts.append(f"method {_q(method)}")
    if unsafe:
        parts.append(("header " if len(unsafe) == 1 else "headers ") + ", ".join(_q(name) for name in unsafe))
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _sent_as_written(method: str) -> bool:
    """A method fetch() does not upper-case, written with lower case: servers usually list it upper-cased."""
    return method not in NORMALISED_METHODS and method != ascii_upper(method)


def _method_sentence(method: str, methods: Optional[List[str]], credentials: bool) -> str:
    if methods is None:
        return (f"the preflight response has no Access-Control-Allow-Methods header, but the browser needs it to "
                f"list {_q(method)}; fix: add {method} to the allowed methods.")
    shown = _q(", ".join(methods))
    if "*" in methods and credentials:
        return (f"the request method {_q(method)} is not in Access-Control-Allow-Methods {shown}, and with "
                f"credentials '*' means only a method literally named '*'; fix: list {_q(method)}.")
    same = [m for m in methods if ascii_upper(m) == ascii_upper(method)]
    if same and _sent_as_written(method):
        return (f"the request method {_q(method)} is not in Access-Control-Allow-Methods {shown}: fetch() sends "
                f"{_q(method)} as written (it upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT) and the "
                f"comparison is case-sensitive; fix: call fetch() with {_q(ascii_upper(method))}, or list {_q(method)}.")
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



def _readable(response: _Response, cors: bool, credentials: bool) -> List[str]:
    present = []
    for name, _ in response.headers:
        lowered = ascii_lower(name)
        if lowered not in present and lowered not in FORBIDDEN_RESPONSE_HEADERS:
            present.append(lowered)
    if not cors:
        return sorted(present)
    exposed, _ = _parse_list(response.values("Access-Control-Expose-Headers"))
    exposed_set = {ascii_lower(name) for name in exposed or []}
    if "*" in exposed_set and not credentials:
        return sorted(present)
    return sorted(name for name in present if name in SAFELISTED_RESPONSE_HEADERS or name in exposed_set)


