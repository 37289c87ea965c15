"""Policy: one validated, immutable CORS configuration.

Everything that can be decided without a request is decided here, once:
options are checked (all problems reported together, each with a hint) and
the header tuples a response will carry are built ahead of time, so that the
per-request path in :mod:`wsgicors.engine` only looks things up.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, Callable, Dict, FrozenSet, Iterable, Optional, Pattern, Tuple, Union

from . import options as _options
from .errors import ConfigError, Problems
# The FORBIDDEN_*, NORMALISED_METHODS and TOKEN names stay importable from here
# (check did until it switched to .fetch); they are defined in .fetch only.
from .fetch import (  # noqa: F401
    FORBIDDEN_METHODS, FORBIDDEN_REQUEST_HEADERS, FORBIDDEN_REQUEST_PREFIXES, FORBIDDEN_RESPONSE_HEADERS,
    NORMALISED_METHODS, TOKEN, ascii_lower,
)
from .options import ANY, DEFAULT_METHODS, MAX_AGE_LIMIT, OPTIONS  # noqa: F401
from .origins import OriginMatcher, OriginPredicate

__all__ = ["Policy", "DEFAULT_METHODS", "OriginsOption"]

OriginEntry = Union[str, Pattern[str], OriginPredicate]
OriginsOption = Union[str, Pattern[str], OriginPredicate, Iterable[OriginEntry]]
NamesOption = Union[str, Iterable[str]]


class Policy:
    """A validated CORS configuration; build once, share freely, never mutate.

    It answers the CORS protocol of the Fetch standard
    (https://fetch.spec.whatwg.org/#http-cors-protocol) for the requests it covers.

    ``Policy(origins, *, option=value, ...)``; every option is declared once in
    :mod:`wsgicors.options`, and listed here from there. Raises
    :class:`~wsgicors.ConfigError` listing every problem found (an unknown
    option name included, with the option meant).
    """

    # One slot per declared option, then the precomputed values.
    __slots__ = tuple(option.attribute or option.name for option in OPTIONS) + (
        "any_origin", "vary_on_origin", "vary_tokens", "vary_header", "preflight_vary_extra",
        "method_set", "header_set",
        "echo_methods", "echo_headers", "expose_all", "preflight_status_line",
        "preflight_headers", "allowed_extra_headers", "any_origin_headers", "allow_headers_header", "_options",
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
    vary_tokens: Tuple[str, ...]
    vary_header: Optional[Tuple[str, str]]
    preflight_vary_extra: str
    vary: Tuple[str, ...]
    echo_methods: bool
    echo_headers: bool
    method_set: FrozenSet[str]
    header_set: FrozenSet[str]
    expose_all: bool
    preflight_status_line: str
    preflight_headers: Tuple[Tuple[str, str], ...]
    allow_headers_header: Tuple[str, str]
    allowed_extra_headers: Tuple[Tuple[str, str], ...]
    any_origin_headers: Tuple[Tuple[str, str], ...]
    _options: Dict[str, Any]

    def __init__(self, origins: OriginsOption = None, **options: Any) -> None:  # type: ignore[assignment]
        # Replaced below by a function generated from the declarations, with
        # their signature (``Policy(origins, *, methods=..., ...)``), that calls _build.
        raise NotImplementedError

    def _build(self, given: Dict[str, Any], unknown: Dict[str, Any]) -> None:
        _options.raise_unknown(unknown, "Policy()")
        checked, problems = _options.validate(given)
        problems.raise_if_any()
        set_ = object.__setattr__
        set_(self, "_options", given)
        for name, value in checked.items():
            set_(self, name, value)
        self._precompute()

    def _precompute(self) -> None:
        """Build every header that does not depend on the request."""
        set_ = object.__setattr__
        credentials = self.allow_credentials
        any_origin = self.matcher.any_origin
        set_(self, "any_origin", any_origin)
        # A plain '*' answer is the same for everyone; any other depends on Origin.
        set_(self, "vary_on_origin", not any_origin)
        # The one Vary of an actual response: Origin (unless plain '*') and the vary option's names;
        # a preflight's Vary gains the names it does not already list.
        extra = tuple(name for name in self.vary if ascii_lower(name) != "origin")
        tokens = (("Origin",) if not any_origin else ()) + extra
        set_(self, "vary_tokens", tokens)
        set_(self, "vary_header", ("Vary", ", ".join(tokens)) if tokens else None)
        set_(self, "preflight_vary_extra", "".join(
            ", " + name for name in extra if not ascii_lower(name).startswith("access-control-request-")))
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
        # the listed names, joined once (not per preflight: 1,000 names are a 20 KB join)
        set_(self, "allow_headers_header", ("Access-Control-Allow-Headers", ", ".join(
            () if self.allow_headers == ANY else self.allow_headers)))
        status = self.preflight_status
        set_(self, "preflight_status_line", f"{status} {_reason_phrase(status)}")

    @property
    def origins(self) -> OriginMatcher:
        """The origin matcher (``policy.origins.allows(origin)``)."""
        return self.matcher

    # -- conveniences --------------------------------------------------------

    def replace(self, **changes: Any) -> "Policy":
        """A new policy with some options changed (validated again); raises ConfigError."""
        _options.raise_unknown(changes, "Policy.replace()")
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
        for option in OPTIONS[1:]:
            value = getattr(self, option.attribute or option.name)
            if value != option.default:
                shown.append(f"{option.name}={value!r}")
        return f"Policy({', '.join(shown)})"


def require_policy(value: Any, entry: str) -> Policy:
    """``value`` if it is a :class:`Policy`; else :class:`ConfigError` ``wsgicors.E501``.

    For every ``policy=`` keyword (``CORSMiddleware``, ``reconfigure``,
    ``wrap``, Bottle's ``CORSPlugin``, Pyramid's ``add_cors_policy``), so a
    dict of options or an origin string is refused where it was written, not
    by the first request that reads it. ``entry`` (``"CORSMiddleware()"``)
    names the call in the hint.
    """
    if isinstance(value, Policy):
        return value
    how = "Policy(**options)" if isinstance(value, dict) else "Policy(origins=[...], ...)"
    raise ConfigError(Problems.single(
        "policy", "wsgicors.E501", f"{value!r} is not a Policy",
        f"pass policy={how}, or give {entry} the options themselves as keyword arguments"))


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "OK"


def _build(policy: Policy, given: Dict[str, Any], unknown: Dict[str, Any]) -> None:
    policy._build({**_options.defaults(), **given}, unknown)


Policy.__init__ = _options.make_init(_build)  # type: ignore[method-assign]
Policy.__doc__ = (Policy.__doc__ or "") + "\n    Options:\n\n" + "\n".join(
    "    " + line if line else "" for line in _options.docstring().splitlines()) + "\n"
