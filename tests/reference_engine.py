"""A straightforward reference implementation of the middleware, for differential tests.

It is written for obviousness, not speed: it reads the policy's *options*
(``policy.options()``-level attributes such as ``methods`` and
``allow_headers``), never the precomputed tuples, sets and memories the real
request path uses, and it recomputes everything on every request. The
differential test (``tests/core/test_differential.py``) runs the real
``CORSMiddleware`` and this reference on generated configurations, requests
and application responses and requires byte-identical output.

Origin *matching* is the one decision taken from the library
(``policy.matcher.allows``): it is the origin module's job and is tested
against its own references there. Everything else (rules, preflight,
actual-response headers, the Vary merge, refusals and their debug text) is
re-implemented here.

**When the middleware's behaviour changes on purpose, change this file in the
same commit**: it states the behaviour, the real engine is an optimisation of it.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

Header = Tuple[str, str]
ANY = "*"
TOKEN_CHARACTERS = frozenset("!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")
FORBIDDEN_METHODS = ("CONNECT", "TRACE", "TRACK")
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
REFUSED_BODY = b"CORS preflight refused\n"
MAX_HEADER_LIST_LENGTH = 8192
MAX_METHOD_LENGTH = 64


def is_token(text: str) -> bool:
    return text != "" and all(character in TOKEN_CHARACTERS for character in text)


def shown(value: str, limit: int = 80) -> str:
    text = ascii(value[:limit])
    return text + "..." if len(value) > limit else text


# -- which policy covers a path -------------------------------------------------

def glob_matches(pattern: str, path: str) -> bool:
    """``*`` is any run of characters, ``/`` included; no ``*`` means the exact path."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, path, re.DOTALL) is not None


def has_dot_segment(path: str) -> bool:
    segments = path.split("/")
    return any(segment in (".", "..") for segment in segments[1:])


def rewritten_by_routers(path: str) -> bool:
    """An empty, '.' or '..' segment, or bytes that are not UTF-8: routers route it elsewhere."""
    segments = path.split("/")[1:]
    if any(segment in ("", ".", "..") for segment in segments[:-1]) or has_dot_segment(path):
        return True
    try:
        path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return True
    return False


def policy_for(rules: Sequence[Tuple[str, Any]], path: str) -> Any:
    if len(rules) == 1 and rules[0][0] == "*":
        return rules[0][1]
    if rewritten_by_routers(path):
        return None
    try:
        path = path.encode("latin-1").decode("utf-8")  # patterns match the path as the app decodes it
    except UnicodeError:
        return None
    def first(path: str) -> int:
        return next((i for i, (pattern, _) in enumerate(rules) if glob_matches(pattern, path)), len(rules))

    def policy(index: int) -> Any:
        return rules[index][1] if index < len(rules) else None

    best = first(path)
    if not path.endswith("/") and (best == len(rules) or "*" in rules[best][0]):
        # the trailing-slash twin, which routers serve for it: an earlier rule must not govern it otherwise
        twin = first(path + "/")
        if twin < best and policy(twin) is not policy(best):
            return None
    return policy(best)


# -- preflight --------------------------------------------------------------------

def requested_header_names(value: Optional[str]) -> Optional[List[str]]:
    """Lower-cased, de-duplicated names in order; None when the list is malformed."""
    if value is None or value == "":
        return []
    if len(value) > MAX_HEADER_LIST_LENGTH:
        return None
    names: List[str] = []
    for part in value.split(","):
        name = part.strip(" \t")
        if name == "":
            continue
        if not is_token(name):
            return None
        if name.lower() not in names:
            names.append(name.lower())
    return names


def refused(policy: Any, vary: str, reason: str) -> Tuple[str, List[Header], bytes]:
    headers = [("Vary", vary), ("Content-Type", "text/plain; charset=utf-8"),
               ("Content-Length", str(len(REFUSED_BODY)))]
    if policy.debug:
        headers.append(("X-CORS-Error", reason))
    return "403 Forbidden", headers, REFUSED_BODY


def preflight(policy: Any, origin: str, method: str, requested: Optional[str],
              private_network: Optional[str]) -> Tuple[str, List[Header], bytes]:
    # The answer depends on Access-Control-Request-Private-Network when PNA is in play.
    vary = PREFLIGHT_VARY
    if policy.allow_private_network or private_network is not None:
        vary += ", Access-Control-Request-Private-Network"
    if not policy.matcher.allows(origin):
        return refused(policy, vary, f"origin {shown(origin)} is not allowed")
    if policy.methods == ANY:
        if len(method) > MAX_METHOD_LENGTH or not is_token(method) or method.upper() in FORBIDDEN_METHODS:
            return refused(policy, vary, f"method {shown(method)} is not a valid method")
    elif method not in policy.methods:
        return refused(policy, vary, f"method {shown(method)} is not allowed "
                               f"(allowed: {', '.join(policy.methods)}; names are case-sensitive)")
    names = requested_header_names(requested)
    if names is None:
        return refused(policy, vary, f"Access-Control-Request-Headers {shown(requested or '')} is malformed")
    if policy.allow_headers != ANY:
        for name in names:
            if name not in policy.allow_headers:
                return refused(policy, vary, f"header {shown(name)} is not allowed "
                                       f"(allowed: {', '.join(policy.allow_headers) or 'none'})")
    wants_private_network = private_network is not None and private_network.strip().lower() == "true"
    if wants_private_network and not policy.allow_private_network:
        return refused(policy, vary, "private network access was requested but allow_private_network is off")

    any_origin = policy.matcher.any_origin
    headers: List[Header] = [("Access-Control-Allow-Origin", ANY if any_origin else origin)]
    if policy.allow_credentials:
        headers.append(("Access-Control-Allow-Credentials", "true"))
    if policy.methods != ANY:
        headers.append(("Access-Control-Allow-Methods", ", ".join(policy.methods)))
    if policy.max_age is not None:
        headers.append(("Access-Control-Max-Age", str(policy.max_age)))
    if policy.methods == ANY:
        headers.append(("Access-Control-Allow-Methods", method))
    if names:
        allowed = names if policy.allow_headers == ANY else list(policy.allow_headers)
        headers.append(("Access-Control-Allow-Headers", ", ".join(allowed)))
    if wants_private_network:
        headers.append(("Access-Control-Allow-Private-Network", "true"))
    headers.append(("Vary", vary))
    if policy.preflight_status != 204:
        headers += [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")]
    return status_line(policy.preflight_status), headers, b""


def status_line(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} OK"


# -- actual requests ---------------------------------------------------------------

def merged_vary(headers: List[Header], add_origin: bool = True) -> List[Header]:
    """``headers`` with at most one Vary, naming Origin if asked (``Vary: *`` alone is kept)."""
    lines = [index for index, (name, _) in enumerate(headers) if name.lower() == "vary"]
    if not lines:
        return headers + [("Vary", "Origin")] if add_origin else headers
    tokens: List[str] = []
    for index in lines:
        for part in headers[index][1].split(","):
            part = part.strip(" \t")
            if part and part.lower() not in [token.lower() for token in tokens]:
                tokens.append(part)
    lowered = [token.lower() for token in tokens]
    if "*" in lowered and len(lines) == 1:
        return headers
    if add_origin and "*" not in lowered and "origin" not in lowered:
        tokens.append("Origin")
    result = list(headers)
    result[lines[0]] = (headers[lines[0]][0], ", ".join(tokens))
    return [header for index, header in enumerate(result) if index not in lines[1:]]


def exposed_names(headers: List[Header]) -> str:
    names: List[str] = []
    for name, _ in headers:
        lowered = name.lower()
        if lowered in ("set-cookie", "set-cookie2") or lowered.startswith("access-control-"):
            continue
        if lowered not in [n.lower() for n in names]:
            names.append(name)
    return ", ".join(names)


def cors_headers(policy: Any, origin: Optional[str]) -> List[Header]:
    """The CORS headers an in-scope actual response carries (with ``*``: with or without Origin)."""
    any_origin = policy.matcher.any_origin
    expose = policy.expose_headers
    expose_all = expose == ANY and policy.allow_credentials
    exposed: List[Header] = []
    if expose and not expose_all:
        exposed = [("Access-Control-Expose-Headers", ANY if expose == ANY else ", ".join(expose))]
    if any_origin:
        return [("Access-Control-Allow-Origin", ANY)] + exposed
    if origin is None or not policy.matcher.allows(origin):
        return []
    credentials = [("Access-Control-Allow-Credentials", "true")] if policy.allow_credentials else []
    return [("Access-Control-Allow-Origin", origin)] + credentials + exposed


def decorated(policy: Any, headers: List[Header], add: List[Header]) -> List[Header]:
    """In scope only the policy writes CORS: the app's Access-Control-* headers are dropped."""
    result = [(name, value) for name, value in headers if not name.lower().startswith("access-control-")]
    if add:
        result += add
        if policy.expose_headers == ANY and policy.allow_credentials:
            names = exposed_names(result)
            if names:
                result.append(("Access-Control-Expose-Headers", names))
    return merged_vary(result, add_origin=not policy.matcher.any_origin)


# -- the WSGI call --------------------------------------------------------------------

def handle(rules: Sequence[Tuple[str, Any]], app: Callable[..., Iterable[bytes]], environ: Dict[str, Any],
           start_response: Callable[..., Any]) -> Iterable[bytes]:
    """What ``CORSMiddleware(app, rules=rules)`` does with one request."""
    policy = policy_for(rules, environ.get("PATH_INFO", ""))
    if policy is None:
        return app(environ, start_response)
    origin = environ.get("HTTP_ORIGIN")
    request_method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    if environ.get("REQUEST_METHOD") == "OPTIONS" and origin is not None and request_method is not None:
        status, headers, body = preflight(policy, origin, request_method,
                                          environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                                          environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"))
        start_response(status, headers)
        return [body]
    add = cors_headers(policy, origin)

    def cors_start_response(status: str, headers: List[Header], exc_info: Any = None) -> Any:
        if exc_info is None:
            return start_response(status, decorated(policy, headers, add))
        return start_response(status, decorated(policy, headers, add), exc_info)

    return app(environ, cors_start_response)
