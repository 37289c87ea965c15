"""What each browser engine does differently, as measured in the real engines.

Every fact here is backed by a scenario of the three-engine browser matrix
(``tests/browser/scenarios.py``, named in each field's comment) or by the raw
answers of ``tests/check/test_hostile_servers.py``, run in Chromium 156,
Firefox 153 ESR and WebKitGTK 2.50 with default settings, the page and the API
on different sites. ``check`` runs the Fetch algorithm once per engine with
these differences and reports each engine's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

from ..fetch import ascii_lower
from .wire import CHROMIUM_WIRE, FIREFOX_WIRE, WEBKIT_WIRE, WireRules

__all__ = ["Engine", "ENGINES", "ENGINE_NAMES", "DEFAULT_ENGINE", "CookieVerdict", "EngineVerdict", "cookie_verdict"]


@dataclass(frozen=True)
class Engine:
    """One engine's measured differences from the Fetch standard's defaults."""

    name: str
    title: str
    safelists_client_hints: bool
    """DPR, Save-Data, Device-Memory, Viewport-Width, ... need no preflight
    (scenarios client-hint-dpr, client-hint-save-data, client-hint-viewport-width)."""
    drops_user_agent: bool
    """A script-set User-Agent is dropped instead of sent (scenario user-agent-dropped)."""
    max_age_cap: int
    """The longest ``Access-Control-Max-Age`` honoured, in seconds (limit max-age-cap)."""
    caches_unparsable_max_age: bool
    """An ``Access-Control-Max-Age`` that is not delta-seconds means the default 5 s (True) or
    no caching (False) (scenarios max-age-garbage, max-age-fraction)."""
    cache_keyed_by_credentials: bool
    """The preflight cache keeps separate entries per credentials mode (scenario
    cache-credentials-then-without); otherwise one entry per origin and URL."""
    cached_star_covers_methods: bool
    """A cached ``Access-Control-Allow-Methods: *`` covers other methods (scenario cache-star-method)."""
    drops_authorization_on_cross_origin_redirect: bool
    """Authorization is removed when a redirect leaves the origin (scenario
    authorization-cross-origin-redirect); otherwise it is kept and preflighted again."""
    drops_body_headers_on_redirect_to_get: bool
    """A 301/302/303 that turns the request into a GET also drops Content-Type (scenario json-post-301)."""
    wire: WireRules = field(default=CHROMIUM_WIRE)
    """How the engine reads a response head (tests/check/test_hostile_servers.py)."""
    max_age_cap_measured: bool = False
    """Whether :attr:`max_age_cap` was measured in the real engine with a moved clock (limit
    max-age-cap); otherwise it is the engine's documented value."""


ENGINES: Mapping[str, Engine] = {
    "chromium": Engine("chromium", "Chromium", True, True, 7200, True, False, True, True, True, CHROMIUM_WIRE,
                       max_age_cap_measured=True),
    "firefox": Engine("firefox", "Firefox", False, False, 86400, False, True, False, False, False, FIREFOX_WIRE,
                      max_age_cap_measured=True),
    "webkit": Engine("webkit", "WebKit (Safari)", False, False, 600, True, False, True, False, False, WEBKIT_WIRE,
                     max_age_cap_measured=True),
}
ENGINE_NAMES: Tuple[str, ...] = tuple(ENGINES)
DEFAULT_ENGINE = "chromium"


@dataclass(frozen=True)
class CookieVerdict:
    """Whether a ``Set-Cookie`` of a credentialed cross-site response is stored and sent on the next
    credentialed cross-site fetch to the same site, in one engine."""

    name: str
    sent: bool
    reason: str

    def to_dict(self) -> Dict[str, object]:
        return {"name": self.name, "sent": self.sent, "reason": self.reason}


@dataclass
class EngineVerdict:
    """One engine's verdict on the fetch (``check(...).engines[name]``)."""

    engine: str
    verdict: str
    """``"allow"`` or ``"block"``."""
    reason: Optional[str]
    """Why the engine blocks (one sentence), or None when it allows."""
    cookies: Optional[List[CookieVerdict]] = None
    """For an allowed credentialed cross-site fetch: one entry per ``Set-Cookie``; None otherwise."""

    @property
    def allowed(self) -> bool:
        return self.verdict == "allow"

    @property
    def explanation(self) -> Optional[str]:
        """The same as :attr:`reason`."""
        return self.reason

    def to_dict(self) -> Dict[str, object]:
        cookies = None if self.cookies is None else [c.to_dict() for c in self.cookies]
        return {"verdict": self.verdict, "reason": self.reason, "cookies": cookies}


def _attributes(set_cookie: str) -> Tuple[str, Dict[str, str]]:
    """(cookie name, lower-case attribute name -> value) of one Set-Cookie value (RFC 6265bis 5.6)."""
    pair, *attributes = set_cookie.split(";")
    name = pair.partition("=")[0].strip(" \t")
    found: Dict[str, str] = {}
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        found[ascii_lower(key.strip(" \t"))] = value.strip(" \t")
    return name, found


def cookie_verdict(engine: str, set_cookie: str) -> CookieVerdict:
    """Will ``engine`` store this cookie from a cross-site credentialed response and send it on the
    next cross-site credentialed fetch? The rules are the matrix's cookie scenarios, measured
    (tests/browser/scenarios.py, COOKIE_SCENARIOS)."""
    name, attributes = _attributes(set_cookie)
    samesite = ascii_lower(attributes.get("samesite", ""))
    secure, partitioned = "secure" in attributes, "partitioned" in attributes
    if samesite in ("lax", "strict"):
        # matrix: samesite-lax, samesite-strict
        return CookieVerdict(name, False, f"SameSite={attributes['samesite']} cookies are not sent on a "
                                          "cross-site fetch")
    if samesite == "none" and not secure:
        # matrix: samesite-none-insecure
        return CookieVerdict(name, False, "SameSite=None without Secure is rejected")
    if partitioned and not secure:
        # matrix: partitioned-not-secure
        return CookieVerdict(name, False, "Partitioned without Secure is rejected")
    if engine == "webkit":
        # matrix: samesite-unspecified, samesite-none-secure-partitioned
        return CookieVerdict(name, False, "WebKit blocks third-party cookies")
    if engine == "firefox":
        # matrix: samesite-none-secure, secure-only
        return CookieVerdict(name, True, "Firefox keeps it in the page site's partition and sends it")
    if partitioned:
        # matrix: samesite-none-secure-partitioned
        return CookieVerdict(name, True, "Chromium sends a partitioned (CHIPS) cookie")
    if secure:
        # matrix: samesite-none-secure, secure-only
        return CookieVerdict(name, False, "Chromium blocks an unpartitioned third-party cookie; add "
                                          "'Partitioned'")
    # matrix: samesite-unspecified
    return CookieVerdict(name, True, "Chromium stores and sends it")
