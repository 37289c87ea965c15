"""Policy: one validated, immutable CORS configuration.

Everything that can be decided without a request is decided here, once:
options are checked (all problems reported together, each with a hint) and
the header tuples a response will carry are built ahead of time, so that the
per-request path in :mod:`wsgicors.engine` only looks things up.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable, Dict, FrozenSet, Iterable, Optional, Pattern, Tuple, Union

from .errors import Problems
# The FORBIDDEN_*, NORMALISED_METHODS and TOKEN names stay importable from here
# (check did until it switched to .fetch); they are defined in .fetch only.
from .fetch import (  # noqa: F401
    FORBIDDEN_METHODS, FORBIDDEN_REQUEST_HEADERS, FORBIDDEN_REQUEST_PREFIXES, FORBIDDEN_RESPONSE_HEADERS,
    NORMALISED_METHODS, TOKEN, ascii_lower, is_forbidden_method, is_forbidden_request_header,
    is_forbidden_response_header, is_token, normalize_method,
)
from .origins import OriginMatcher, OriginPredicate, _split_words, build_matcher

__all__ = ["Policy", "DEFAULT_METHODS", "OriginsOption"]

OriginEntry = Union[str, Pattern[str], OriginPredicate]
OriginsOption = Union[str, Pattern[str], OriginPredicate, Iterable[OriginEntry]]
NamesOption = Union[str, Iterable[str]]

DEFAULT_METHODS: Tuple[str, ...] = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
MAX_AGE_LIMIT = 86400

ANY = "*"

_OPTION_NAMES = (
    "origins", "methods", "allow_headers", "expose_headers", "allow_credentials",
    "max_age", "allow_private_network", "preflight_status", "allow_insecure_origins", "debug",
)


class Policy:
    """A validated CORS configuration; build once, share freely, never mutate.

    Raises :class:`~wsgicors.ConfigError` listing every problem found.
    """

    __slots__ = (
        "methods", "allow_headers", "expose_headers", "allow_credentials",
        "max_age", "allow_private_network", "preflight_status", "allow_insecure_origins",
        "debug", "matcher", "any_origin", "vary_on_origin", "method_set", "header_set",
        "echo_methods", "echo_headers", "expose_all", "preflight_status_line",
        "preflight_headers", "allowed_extra_headers", "any_origin_headers", "_options",
    )

    # The options, validated and normalised.
    matcher: OriginMatcher
    methods: Union[str, Tuple[str, ...]]
    allow_headers: Union[str, Tuple[str, ...]]
    expose_headers: Union[str, Tuple[str, ...]]
    allow_credentials: bool
    max_age: Optional[int]
    allow_private_network: bool
    preflight_status: int
    allow_insecure_origins: bool
    debug: bool
    # Precomputed for the per-request path (see _precompute).
    any_origin: bool
    vary_on_origin: bool
    echo_methods: bool
    echo_headers: bool
    method_set: FrozenSet[str]
    header_set: FrozenSet[str]
    expose_all: bool
    preflight_status_line: str
    preflight_headers: Tuple[Tuple[str, str], ...]
    allowed_extra_headers: Tuple[Tuple[str, str], ...]
    any_origin_headers: Tuple[Tuple[str, str], ...]
    _options: Dict[str, Any]

    def __init__(
        self,
        origins: OriginsOption = None,  # type: ignore[assignment]  # required: None is reported
        *,
        methods: NamesOption = DEFAULT_METHODS,
        allow_headers: NamesOption = ANY,
        expose_headers: NamesOption = (),
        allow_credentials: bool = False,
        max_age: Optional[int] = None,
        allow_private_network: bool = False,
        preflight_status: int = 204,
        allow_insecure_origins: bool = False,
        debug: bool = False,
    ) -> None:
        options: Dict[str, Any] = {
            "origins": origins, "methods": methods, "allow_headers": allow_headers,
            "expose_headers": expose_headers, "allow_credentials": allow_credentials,
            "max_age": max_age, "allow_private_network": allow_private_network,
            "preflight_status": preflight_status, "allow_insecure_origins": allow_insecure_origins,
            "debug": debug,
        }
        problems = Problems()
        for flag in ("allow_credentials", "allow_private_network", "allow_insecure_origins", "debug"):
            if not isinstance(options[flag], bool):
                problems.add(flag, "wsgicors.E200", f"{options[flag]!r} is not True or False",
                             f"pass a bool, e.g. {flag}={bool(options[flag])!r}")
        credentials = allow_credentials is True
        matcher = build_matcher(origins, problems, allow_credentials=credentials,
                                allow_insecure_origins=allow_insecure_origins is True)
        methods_t = _check_methods(methods, problems)
        allow_t = _check_header_names("allow_headers", allow_headers, problems, _request_header_problem)
        expose_t = _check_header_names("expose_headers", expose_headers, problems, _response_header_problem)
        _check_int("max_age", max_age, 0, MAX_AGE_LIMIT, problems, allow_none=True,
                   hint="browsers cap it anyway (Chromium 7200, Firefox 86400, Safari 600); 0 disables caching")
        _check_int("preflight_status", preflight_status, 200, 299, problems,
                   hint="a preflight succeeds only with a 2xx status; use 204 or 200")
        problems.raise_if_any()

        set_ = object.__setattr__
        set_(self, "_options", options)
        set_(self, "matcher", matcher)
        set_(self, "methods", methods_t)
        set_(self, "allow_headers", allow_t)
        set_(self, "expose_headers", expose_t)
        set_(self, "allow_credentials", credentials)
        set_(self, "max_age", max_age)
        set_(self, "allow_private_network", allow_private_network)
        set_(self, "preflight_status", preflight_status)
        set_(self, "allow_insecure_origins", allow_insecure_origins)
        set_(self, "debug", debug)
        self._precompute()

    def _precompute(self) -> None:
        """Build every header that does not depend on the request."""
        set_ = object.__setattr__
        credentials = self.allow_credentials
        any_origin = self.matcher.any_origin
        set_(self, "any_origin", any_origin)
        # A plain '*' answer is the same for everyone; any other depends on Origin.
        set_(self, "vary_on_origin", not any_origin)
        set_(self, "echo_methods", self.methods == ANY)
        set_(self, "echo_headers", self.allow_headers == ANY)
        set_(self, "method_set", frozenset(() if self.methods == ANY else self.methods))
        set_(self, "header_set", frozenset(() if self.allow_headers == ANY else self.allow_headers))
        set_(self, "expose_all", self.expose_headers == ANY and credentials)

        common: Tuple[Tuple[str, str], ...] = ()
        if credentials:
            common += (("Access-Control-Allow-Credentials", "true"),)
        exposed: Tuple[Tuple[str, str], ...] = ()
        if self.expose_headers and not self.expose_all:
            exposed = (("Access-Control-Expose-Headers", ", ".join(self.expose_headers)
                        if self.expose_headers != ANY else ANY),)
        set_(self, "allowed_extra_headers", common + exposed)
        set_(self, "any_origin_headers", (("Access-Control-Allow-Origin", ANY),) + exposed)

        preflight = common
        if not self.echo_methods:
            preflight += (("Access-Control-Allow-Methods", ", ".join(self.methods)),)
        if self.max_age is not None:
            preflight += (("Access-Control-Max-Age", str(self.max_age)),)
        set_(self, "preflight_headers", preflight)
        status = self.preflight_status
        set_(self, "preflight_status_line", f"{status} {_reason_phrase(status)}")

    @property
    def origins(self) -> OriginMatcher:
        """The origin matcher (``policy.origins.allows(origin)``)."""
        return self.matcher

    # -- conveniences --------------------------------------------------------

    def replace(self, **changes: Any) -> "Policy":
        """A new policy with some options changed (validated again)."""
        options = dict(self._options)
        options.update(changes)
        return Policy(**options)

    def options(self) -> Dict[str, Any]:
        """The options this policy was built from, as given."""
        return dict(self._options)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Policy is immutable; use policy.replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Policy is immutable")

    def __repr__(self) -> str:
        shown = [f"origins={self.matcher.describe()}"]
        for name in _OPTION_NAMES[1:]:
            value = getattr(self, name)
            if value != Policy.__init__.__kwdefaults__.get(name):  # type: ignore[union-attr]
                shown.append(f"{name}={value!r}")
        return f"Policy({', '.join(shown)})"


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "OK"


def _as_names(value: Any) -> Optional[Tuple[Any, ...]]:
    """A list option as a tuple: strings split on commas and whitespace."""
    if isinstance(value, str):
        return tuple(_split_words(value))
    try:
        return tuple(value)
    except TypeError:
        return None


def _check_methods(value: Any, problems: Problems) -> Union[str, Tuple[str, ...]]:
    names = _as_names(value)
    if names is None:
        problems.add("methods", "wsgicors.E300", f"{value!r} is not a list of method names",
                     "pass e.g. ['GET', 'POST'] or '*'")
        return ()
    if names == (ANY,):
        return ANY
    if not names:
        problems.add("methods", "wsgicors.E301", "the list of methods is empty",
                     "list the methods cross-origin scripts may use, e.g. ['GET', 'POST']")
        return ()
    result = []
    for name in names:
        if name == ANY:
            problems.add("methods", "wsgicors.E302", "'*' must be the only method: it already allows every method",
                         "use methods='*' alone")
        elif not isinstance(name, str) or not is_token(name):
            problems.add("methods", "wsgicors.E303", f"{name!r} is not a valid method name",
                         "method names are HTTP tokens such as 'GET' or 'PATCH'")
        elif is_forbidden_method(name):
            problems.add("methods", "wsgicors.E304", f"{name!r} can never be sent by a browser",
                         "remove it (CONNECT, TRACE and TRACK are forbidden methods)")
        else:
            # fetch() upper-cases only six names; everything else is sent as written,
            # and browsers compare methods case-sensitively.
            normal = normalize_method(name)
            if normal not in result:
                result.append(normal)
    return tuple(result)


def _request_header_problem(name: str) -> Optional[Tuple[str, str, str]]:
    if is_forbidden_request_header(name):
        return ("wsgicors.E311", f"{name!r} is set by the browser and never by a script",
                "remove it; browsers refuse to let scripts set it, so allowing it has no effect")
    return None


def _response_header_problem(name: str) -> Optional[Tuple[str, str, str]]:
    if is_forbidden_response_header(name):
        return ("wsgicors.E312", f"{name!r} can never be exposed to script",
                "remove it; browsers hide Set-Cookie from every cross-origin script")
    return None


def _check_header_names(
    option: str,
    value: Any,
    problems: Problems,
    forbidden: Callable[[str], Optional[Tuple[str, str, str]]],
) -> Union[str, Tuple[str, ...]]:
    names = _as_names(value)
    if names is None:
        problems.add(option, "wsgicors.E300", f"{value!r} is not a list of header names",
                     "pass e.g. ['content-type', 'x-requested-with'] or '*'")
        return ()
    if names == (ANY,):
        return ANY
    result = []
    for name in names:
        if name == ANY:
            problems.add(option, "wsgicors.E302", "'*' must be the only header name: it already covers every name",
                         f"use {option}='*' alone")
        elif not isinstance(name, str) or not is_token(name):
            problems.add(option, "wsgicors.E310", f"{name!r} is not a valid header name",
                         "header names are HTTP tokens such as 'content-type'")
        else:
            lowered = ascii_lower(name)
            problem = forbidden(lowered)
            if problem:
                problems.add(option, *problem)
            elif lowered not in result:
                result.append(lowered)
    return tuple(result)


def _check_int(option: str, value: Any, low: int, high: int, problems: Problems, *,
               hint: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(option, "wsgicors.E400", f"{value!r} is not a whole number", hint)
    elif not low <= value <= high:
        problems.add(option, "wsgicors.E401", f"{value} is outside {low}..{high}", hint)
