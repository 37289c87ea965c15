"""Pure CORS decisions: request facts in, response headers out.

Nothing here knows about WSGI, frameworks or I/O, so every rule can be tested
exhaustively with plain values, and every adapter reuses the same decisions.
The per-request functions only look up what :class:`~wsgicors.Policy`
precomputed; the only strings built per request are the ones that echo the
request (the origin, a requested method or header list).
"""

from __future__ import annotations

import logging
from typing import Any, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from .fetch import (
    FORBIDDEN_RESPONSE_HEADERS, TOKEN, ascii_lower, is_forbidden_method, is_preflight, is_token,
    normalize_header_value, split_list,
)
from .origins import shown as _shown
from .policy import Policy

__all__ = [
    "Header", "PreflightAnswer", "is_preflight", "answer_preflight", "actual_headers",
    "decorate_response", "without_cors_headers", "refuse_preflight", "merge_vary", "parse_header_names", "MAX_HEADER_LIST_LENGTH",
]

logger = logging.getLogger("wsgicors")

Header = Tuple[str, str]

#: Longest ``Access-Control-Request-Headers`` value read; a browser's is far shorter.
MAX_HEADER_LIST_LENGTH = 8192
MAX_METHOD_LENGTH = 64
PREFLIGHT_VARY: Header = ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
#: A preflight's answer also depends on the private-network request header when PNA is in play.
PREFLIGHT_VARY_PRIVATE_NETWORK: Header = (
    "Vary", PREFLIGHT_VARY[1] + ", Access-Control-Request-Private-Network")
REFUSED_STATUS = "403 Forbidden"
REFUSED_BODY = b"CORS preflight refused\n"
REFUSED_HEADERS: Tuple[Header, ...] = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Length", str(len(REFUSED_BODY))),
)
EMPTY_BODY_HEADERS: Tuple[Header, ...] = (("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0"))
DEBUG_HEADER = "X-CORS-Error"


class PreflightAnswer(NamedTuple):
    """The complete response to a preflight; ``refusal`` says why it failed."""

    status: str
    headers: List[Header]
    body: bytes
    refusal: Optional[str] = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def parse_header_names(value: Optional[str]) -> Optional[Tuple[str, ...]]:
    """Lower-cased names from ``Access-Control-Request-Headers``; None if malformed.

    Split as Fetch's "get, decode, and split" does; empty elements are
    ignored, as browsers do. The length is checked before anything is split,
    so hostile input costs nothing.
    """
    if not value:
        return ()
    parts = split_list(value, MAX_HEADER_LIST_LENGTH)
    if parts is None:
        return None
    names = [name for name in parts if name]
    # Each name a token, checked before lower-casing and in one C-level pass;
    # then lower-cased in one call (a token holds no ',', so joining and
    # splitting again gives the same names).
    if not all(map(TOKEN.fullmatch, names)):  # fetch.is_token, without a Python call per name
        return None
    # dict.fromkeys de-duplicates in order in linear time (a list look-up per
    # name was quadratic: 10x the names cost 60x the time).
    return tuple(dict.fromkeys(ascii_lower(",".join(names)).split(","))) if names else ()


def answer_preflight(
    policy: Policy,
    origin: str,
    request_method: str,
    request_headers: Optional[str] = None,
    private_network: Optional[str] = None,
    environ: Optional[Mapping[str, Any]] = None,
) -> PreflightAnswer:
    """Decide a preflight completely: allowed with all headers, or refused (403).

    Both answers carry one ``Vary`` naming the request headers the decision read:
    ``Origin``, ``Access-Control-Request-Method``, ``Access-Control-Request-Headers``,
    and ``Access-Control-Request-Private-Network`` when ``allow_private_network``
    is on or the preflight carried that header. ``environ`` (the request's WSGI
    environ) is handed to a callable ``origins`` entry taking two parameters.
    """
    vary = _preflight_vary(policy, private_network is not None)
    if not policy.matcher.allows(origin, environ):
        return _refuse(policy, vary, f"origin {_shown(origin)} is not allowed")
    if policy.echo_methods:
        if (len(request_method) > MAX_METHOD_LENGTH or not is_token(request_method)
                or is_forbidden_method(request_method)):
            return _refuse(policy, vary, f"method {_shown(request_method)} is not a valid method")
    elif request_method not in policy.method_set:
        return _refuse(policy, vary, f"method {_shown(request_method)} is not allowed "
                               f"(allowed: {', '.join(policy.methods)}; names are case-sensitive)")
    names = parse_header_names(request_headers)
    if names is None:
        return _refuse(policy, vary, f"Access-Control-Request-Headers {_shown(request_headers or '')} is malformed")
    if not policy.echo_headers:
        for name in names:
            if name not in policy.header_set:
                return _refuse(policy, vary, f"header {_shown(name)} is not allowed "
                                       f"(allowed: {', '.join(policy.allow_headers) or 'none'})")
    wants_private_network = (private_network is not None
                             and ascii_lower(normalize_header_value(private_network)) == "true")
    if wants_private_network and not policy.allow_private_network:
        return _refuse(policy, vary, "private network access was requested but allow_private_network is off")

    headers: List[Header] = [
        ("Access-Control-Allow-Origin", "*" if policy.any_origin else origin),
        *policy.preflight_headers,
    ]
    if policy.echo_methods:
        headers.append(("Access-Control-Allow-Methods", request_method))
    if names:
        headers.append(("Access-Control-Allow-Headers", ", ".join(names)) if policy.echo_headers
                       else policy.allow_headers_header)
    if wants_private_network:
        headers.append(("Access-Control-Allow-Private-Network", "true"))
    headers.append(vary)
    if policy.preflight_status != 204:  # only 204 goes without entity headers
        headers.extend(EMPTY_BODY_HEADERS)
    return PreflightAnswer(policy.preflight_status_line, headers, b"")


def refuse_preflight(policy: Policy, reason: str) -> PreflightAnswer:
    """A refusal (403, no ``Access-Control-Allow-*``) whatever was asked, for ``reason``.

    For adapters that cannot tell which policy covers a preflight (the route it
    would reach is ambiguous, or resolving it raised): they fail closed with
    this answer. ``policy`` supplies the ``Vary`` names and the debug switch.
    """
    return _refuse(policy, _preflight_vary(policy, False), reason)


def _preflight_vary(policy: Policy, private_network_asked: bool) -> Header:
    vary = (PREFLIGHT_VARY_PRIVATE_NETWORK if policy.allow_private_network or private_network_asked
            else PREFLIGHT_VARY)
    if policy.preflight_vary_extra:  # the vary option's names
        vary = (vary[0], vary[1] + policy.preflight_vary_extra)
    return vary


def _refuse(policy: Policy, vary: Header, reason: str) -> PreflightAnswer:
    headers = [vary, *REFUSED_HEADERS]
    if policy.debug:
        logger.info("wsgicors: preflight refused: %s", reason)
        headers.append((DEBUG_HEADER, reason))
    return PreflightAnswer(REFUSED_STATUS, headers, REFUSED_BODY, reason)


def actual_headers(policy: Policy, origin: Optional[str],
                   environ: Optional[Mapping[str, Any]] = None) -> Tuple[Header, ...]:
    """The CORS headers an in-scope actual response carries, decided before the app runs.

    With ``origins="*"`` that is ``Access-Control-Allow-Origin: *`` whether or
    not the request has an ``Origin``: a shared cache that stored the answer to
    a page load can then serve it to a later ``fetch()`` (Fetch standard, "CORS
    protocol and HTTP caches"). An empty tuple means no CORS headers (the origin
    is absent or not allowed); ``Vary: Origin`` is merged either way.
    """
    if policy.any_origin:
        return policy.any_origin_headers
    if origin is None:
        return ()
    if not policy.matcher.allows(origin, environ):
        if policy.debug:
            logger.info("wsgicors: origin %s is not allowed; no CORS headers sent", _shown(origin))
        return ()
    return (("Access-Control-Allow-Origin", origin),) + policy.allowed_extra_headers


#: (policy, header name) pairs already warned about. Holding the policy (not its
#: id, which a new policy may reuse) keeps it alive, so the set is bounded.
_warned: Set[Tuple[Policy, str]] = set()
_WARNED_LIMIT = 4096


def without_cors_headers(headers: Sequence[Header]) -> List[Header]:
    """``headers`` without any ``Access-Control-*`` header (``Vary`` and the rest kept)."""
    return [header for header in headers if not ascii_lower(header[0]).startswith("access-control-")]


def decorate_response(policy: Policy, headers: Sequence[Header], add: Tuple[Header, ...],
                      path: Optional[str] = None) -> List[Header]:
    """The response's header list as the policy wants it: its CORS headers, one ``Vary``.

    In scope only the policy writes CORS: every ``Access-Control-*`` header the
    application or framework set is removed and ``add`` (what
    :func:`actual_headers` returned) takes its place, so a response never
    carries two of one ``Access-Control-*`` header nor grants an origin the
    policy refuses. Each (policy, header name) found is logged once as a
    WARNING on the ``wsgicors`` logger; ``path`` (``PATH_INFO``) is named in it.
    Existing ``Vary`` lines are merged into one that includes ``Origin`` unless
    the answer is a plain ``*``.
    """
    result: List[Header] = []
    removed: List[str] = []
    has_vary = False
    for header in headers:
        lowered = ascii_lower(header[0])
        if lowered.startswith("access-control-"):
            removed.append(header[0])
            continue
        if lowered == "vary":
            has_vary = True
        result.append(header)
    if removed:
        _report_removed(policy, removed, path)
    if add:
        result.extend(add)
        if policy.expose_all:
            exposed = _own_header_names(result)
            if exposed:
                result.append(("Access-Control-Expose-Headers", exposed))
    if policy.vary_header is not None:  # Origin unless plain '*', and the vary option's names
        if has_vary:
            for token in policy.vary_tokens:
                merge_vary(result, token)
        else:
            result.append(policy.vary_header)
    elif has_vary:
        merge_vary(result, None)
    return result


def _report_removed(policy: Policy, removed: Sequence[str], path: Optional[str]) -> None:
    """Warn once per (policy, header name); in debug mode say it for every response."""
    warned = False
    for name in dict.fromkeys(ascii_lower(name) for name in removed):
        key = (policy, name)
        if key in _warned:
            continue
        if len(_warned) >= _WARNED_LIMIT:
            _warned.clear()
        _warned.add(key)
        warned = True
        logger.warning(
            "wsgicors: the application set %s on a response in scope of a CORS policy (path %s); "
            "it was removed: in scope only the policy writes CORS headers. To let the application "
            "answer CORS itself on a path, exempt the path: a None rule in CORSMiddleware(rules=...), "
            "cors=False on a Bottle route, @cross_origin(enabled=False) on a Flask view, or "
            "config.add_cors_policy(path or route_name=..., enabled=False) in Pyramid",
            _shown(name), _shown(path if path is not None else ""))
    if policy.debug and not warned:
        logger.info("wsgicors: removed the application's %s (path %s); only the policy's CORS headers were sent",
                    ", ".join(_shown(name) for name in dict.fromkeys(removed)), _shown(path or ""))


def _own_header_names(headers: Sequence[Header]) -> str:
    names: List[str] = []
    seen = set()
    for name, _ in headers:
        lowered = ascii_lower(name)
        if lowered in FORBIDDEN_RESPONSE_HEADERS or lowered.startswith("access-control-") or lowered in seen:
            continue
        seen.add(lowered)
        names.append(name)
    return ", ".join(names)


def merge_vary(headers: List[Header], token: Optional[str]) -> None:
    """Make ``headers`` carry exactly one ``Vary`` that includes ``token`` (if given).

    Existing ``Vary`` lines are merged into one, tokens de-duplicated
    case-insensitively; ``Vary: *`` already varies on everything and is kept.
    """
    positions = [index for index, (name, _) in enumerate(headers) if ascii_lower(name) == "vary"]
    if not positions:
        if token:
            headers.append(("Vary", token))
        return
    tokens: List[str] = []
    seen = set()
    for index in positions:
        for part in split_list(headers[index][1]):
            lowered = ascii_lower(part)
            if part and lowered not in seen:
                seen.add(lowered)
                tokens.append(part)
    if "*" in seen:
        if len(positions) == 1:
            return  # one ``Vary: *`` already varies on everything: left as it is
        # several lines with a '*': still merged into one, '*' needs no token added
    elif token and ascii_lower(token) not in seen:
        tokens.append(token)
    headers[positions[0]] = (headers[positions[0]][0], ", ".join(tokens))
    for index in reversed(positions[1:]):
        del headers[index]
