"""``OriginMatcher.decide``: the one-frame answer for a fresh origin equals the general path's.

``decide`` answers ``scheme://label.host`` (http or https, a '*.' entry's host,
the default port) with ``str`` methods and no regular expression for the
commonest labels, and leaves everything else to :func:`parse_request_origin`.
These properties compare it, on generated and hostile origins, with the
general path (:meth:`OriginMatcher.allows` of a fresh matcher) and with a
straightforward reference written here, and check that an actual request's
remembered answer is stored once (in the policy state, not the matcher too).
"""

from __future__ import annotations

import re
import warnings
from typing import Optional, Tuple

from hypothesis import given, settings
from hypothesis import strategies as st

from wsgicors import CORSMiddleware, Policy, engine
from wsgicors.origins import MAX_ORIGIN_LENGTH

#: a host of 248 characters: one more label of up to 3 characters fits in 253
LONG_HOST = ".".join(["x" * 62] * 3 + ["y" * 59])
EXACT = ("https://app.example.com", "http://localhost:8080")
#: (scheme, host, port) of each '*.' entry; port "" is the default
WILDCARDS = (("https", "tenant7.example.net", ""), ("http", "tenant7.example.net", ""), ("https", LONG_HOST, ""),
             ("https", "t.example.net", "8443"), ("https", "a-b_c.example.org", ""), ("http", "0.example", ""))
ENTRIES = list(EXACT) + [f"{scheme}://*.{host}" + (f":{port}" if port else "") for scheme, host, port in WILDCARDS]
DEFAULT_PORTS = {"http": "80", "https": "443"}
LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def policy(**options: object) -> Policy:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # wildcards over http: warned about, allowed
        return Policy(ENTRIES, allow_insecure_origins=True, **options)


def reference_allows(origin: str) -> bool:
    """The configuration's answer, written out: exact, or a valid http(s) origin under a '*.' entry."""
    if origin in EXACT:
        return True
    if len(origin) > MAX_ORIGIN_LENGTH:
        return False
    scheme, sep, rest = origin.partition("://")
    if not sep or scheme not in DEFAULT_PORTS:
        return False
    host, colon, port = rest.partition(":")
    if colon and not (port.isascii() and port.isdigit() and 1 <= len(port) <= 5 and port[0] != "0"
                      and int(port) <= 65535 and port != DEFAULT_PORTS[scheme]):
        return False
    if not 1 <= len(host) <= 253 or not all(LABEL.fullmatch(label) for label in host.split(".")):
        return False
    return any(scheme == entry_scheme and port == entry_port and host.endswith("." + entry_host)
               for entry_scheme, entry_host, entry_port in WILDCARDS)


SCHEMES = ["https", "http", "HTTPS", "Https", "httpx", "ws", "", "https:", "http+s", "xhttps", "https.a"]
SEPARATORS = ["://", ":/", "//", ":///", "://user@", "://a:b@", ""]
LABEL_CHARS = "abz019_-.AZ@/: \t\n%\u00e9\u212a\u0131\u0661"
HOSTS = ["tenant7.example.net", "TENANT7.example.net", "tenant7.example.net.", "example.net", "tenant7.example.netx",
         "t.example.net", "a-b_c.example.org", "0.example", LONG_HOST, "x" + LONG_HOST[1:], "tenant7.example.net/x"]
PORTS = ["", ":443", ":80", ":0", ":00", ":1", ":65535", ":65536", ":8443", ":08443", ":", ":1a", ":\u0661",
         ":123456", ":8443/"]
TAILS = ["", "/", " ", "\n", ".", "?x", "#", ",https://x.tenant7.example.net"]
SPECIAL_LABELS = ["a" * 63, "a" * 64, "a" * 62 + "-", "-" + "a" * 62, "0", "00", "_", "__", "a_", "_a", "a-b", "a--b",
                  "A", "aB", "a.b", "a..b", "a.-b", "a-.b", ".a", "a.", "-", "", "\u00e9", "xn--fa-hia", "a" * 3,
                  "a" * 4, "a" * 5, "[::1]", "127.0.0.1", "1", "u1"]


@st.composite
def hostile_origins(draw: st.DrawFn) -> str:
    label = draw(st.one_of(st.sampled_from(SPECIAL_LABELS), st.text(alphabet=LABEL_CHARS, max_size=70)))
    host = draw(st.one_of(st.sampled_from(HOSTS), st.text(alphabet=LABEL_CHARS, max_size=30)))
    dot = draw(st.sampled_from([".", ".", "..", "-.", ".-", ""]))
    return (draw(st.sampled_from(SCHEMES)) + draw(st.sampled_from(SEPARATORS)) + label + dot + host
            + draw(st.sampled_from(PORTS)) + draw(st.sampled_from(TAILS)))


@st.composite
def plausible_origins(draw: st.DrawFn) -> str:
    """Mostly what a browser sends under a configured wildcard, sometimes one part off."""
    valid_label = st.from_regex(LABEL, fullmatch=True)
    labels = draw(st.lists(st.one_of(valid_label, valid_label, st.sampled_from(SPECIAL_LABELS)), min_size=1,
                           max_size=3))
    host = draw(st.sampled_from([host for _, host, _ in WILDCARDS] + HOSTS))
    port = draw(st.one_of(st.just(""), st.just(""), st.sampled_from(PORTS)))
    return f"{draw(st.sampled_from(['https', 'http', 'https', 'HTTP']))}://{'.'.join(labels)}.{host}{port}"


ANY_ORIGIN = st.one_of(plausible_origins(), hostile_origins(), st.sampled_from(list(EXACT)), st.text(max_size=40))


@settings(max_examples=3000, deadline=None)
@given(ANY_ORIGIN)
def test_decide_equals_the_general_path_and_the_reference(origin: str) -> None:
    matcher = policy().matcher
    decided = matcher.decide(origin)
    assert decided is policy().matcher.allows(origin), origin
    assert decided is reference_allows(origin), origin
    assert not matcher._memo  # decide neither reads nor fills the matcher's memory


def edge_origins() -> list:
    values = []
    for scheme in ("https", "http", "HTTPS", "httpx"):
        for label in SPECIAL_LABELS:
            for host in HOSTS:
                for port in ("", ":443", ":80", ":8443", ":0", ":65536", ":08443"):
                    values.append(f"{scheme}://{label}.{host}{port}")
    for length in range(1, 8):  # around 253 characters of host
        values += [f"https://{'a' * length}.{LONG_HOST}", f"http://{'a' * length}.{LONG_HOST}"]
    return values


def test_decide_on_every_edge_combination() -> None:
    matcher = policy().matcher
    for origin in edge_origins():
        assert matcher.decide(origin) is reference_allows(origin) is policy().matcher.allows(origin), origin


def test_the_fast_check_admits_what_a_browser_sends() -> None:
    matcher = policy().matcher
    for origin in ("https://u1.tenant7.example.net", "https://acme-corp.tenant7.example.net",
                   "https://_x.tenant7.example.net", "https://123.tenant7.example.net", "http://a.0.example",
                   "https://a.b.tenant7.example.net", f"https://abc.{LONG_HOST}", "https://q.a-b_c.example.org",
                   "https://a.t.example.net:8443", "https://app.example.com"):
        assert matcher.decide(origin) is True, origin
    for origin in (f"https://abcdef.{LONG_HOST}", "https://tenant7.example.net", "https://U1.tenant7.example.net",
                   "https://u1.tenant7.example.net:443", "https://a.t.example.net", "ws://u1.tenant7.example.net"):
        assert matcher.decide(origin) is False, origin


def entry(state_policy: Policy, origin: Optional[str]) -> Tuple[tuple, Optional[tuple]]:
    add = engine.actual_headers(state_policy, origin)
    vary = (state_policy.vary_header,) if state_policy.vary_header is not None else ()
    return add, ((*add, *vary) if not state_policy.expose_all else None)


POLICIES = [dict(), dict(allow_credentials=True), dict(expose_headers=["x-a"]), dict(expose_headers="*"),
            dict(vary=["Accept"])]


@settings(max_examples=600, deadline=None)
@given(ANY_ORIGIN, st.sampled_from(POLICIES))
def test_an_actual_requests_answer_is_the_engines_and_stored_once(origin: str, options: dict) -> None:
    from wsgicors.fastpath import PolicyState
    state_policy = policy(**options)
    state = PolicyState(state_policy)
    assert state.actual(origin) == entry(policy(**options), origin), origin  # the engine on another policy
    assert not state_policy.matcher._memo  # one decision, one memory: the state's
    assert (origin in state.actuals) is (len(origin) <= 300)


def test_every_allowed_origin_is_short_enough_to_remember() -> None:
    from wsgicors import fastpath
    assert fastpath.MEMO_MAX_ORIGIN_LENGTH >= MAX_ORIGIN_LENGTH  # PolicyState.actual stores an allowed one unchecked


def test_fresh_origins_through_the_middleware_fill_only_the_states_memory() -> None:
    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    middleware = CORSMiddleware(app, origins=["https://app.example.com", "https://*.tenant7.example.net"])
    state = middleware.rules.single_state
    for index in range(300):
        origin = f"https://u{index}.tenant7.example.net"
        seen = {}

        def start_response(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            seen["headers"] = headers

        middleware({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": origin}, start_response)
        assert seen["headers"] == [("Content-Type", "text/plain"), ("Access-Control-Allow-Origin", origin),
                                   ("Vary", "Origin")]
    assert not state.policy.matcher._memo and 0 < len(state.actuals) <= 128


def test_decide_checks_in_the_order_allows_does() -> None:
    from wsgicors.origins import OriginMatcher
    long_exact = "https://" + "a" * MAX_ORIGIN_LENGTH  # only a matcher built by hand can hold it
    matcher = OriginMatcher(exact=frozenset({long_exact}), subdomains=frozenset({("https", "example.com", "")}))
    assert matcher.decide(long_exact) is matcher.allows(long_exact) is False
    assert OriginMatcher(any_origin=True).decide("x" * 1000) is True
