"""The per-request fast paths keep the exact behaviour of the slow ones."""

from __future__ import annotations

import random
import re
from collections import UserList

import pytest

from wsgicors import Policy
from wsgicors import origins as origins_module

ORIGINS = ["https://app.example.com", "https://*.tenant.example.net", "http://localhost:*",
           re.compile(r"https://preview-[0-9]+\.example\.org")]
SAMPLES = [
    "https://app.example.com", "https://a.tenant.example.net", "https://a.b.tenant.example.net",
    "https://tenant.example.net", "https://evil.example.com", "http://localhost:8080", "http://localhost",
    "https://preview-12.example.org", "https://preview-x.example.org", "null", "HTTPS://A.TENANT.EXAMPLE.NET",
    "https://a.tenant.example.net:443", "https://a.tenant.example.net.", "https://a.tenant.example.net/",
    "https://a.tenant.example.net, https://evil.com", "", "https://" + "a" * 400 + ".tenant.example.net",
]


def test_remembered_answers_equal_fresh_ones() -> None:
    policy = Policy(ORIGINS)
    rng = random.Random(7)
    for origin in [rng.choice(SAMPLES) for _ in range(500)]:
        fresh = Policy(ORIGINS).matcher.allows(origin)
        assert policy.matcher.allows(origin) is fresh, origin


def test_the_callable_is_asked_on_every_request() -> None:
    calls = []

    def predicate(origin: str) -> bool:
        calls.append(origin)
        return len(calls) % 2 == 1  # changes its mind: nothing about it may be remembered

    matcher = Policy(["https://*.example.com", predicate]).matcher
    answers = [matcher.allows("https://other.example.org") for _ in range(4)]
    assert answers == [True, False, True, False]
    assert len(calls) == 4
    assert matcher.allows("https://a.example.com") is True  # the wildcard answers without it
    assert matcher.allows("https://a.example.com") is True
    assert len(calls) == 4


def test_the_memory_is_bounded() -> None:
    matcher = Policy(["https://*.example.com"]).matcher
    for index in range(3 * origins_module.MEMO_SIZE + 7):
        assert matcher.allows(f"https://host{index}.example.com") is True
        assert matcher.allows(f"https://host{index}.example.org") is False
        assert len(matcher._memo) <= origins_module.MEMO_SIZE
    long_origin = "https://" + "a" * origins_module.MEMO_MAX_LENGTH + ".example.com"
    assert matcher.allows(long_origin) is False  # a label over 63 characters
    assert long_origin not in matcher._memo


_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def _reference_parse(value: str) -> object:
    """parse_request_origin as first written: one regex per host label."""
    if len(value) > origins_module.MAX_ORIGIN_LENGTH:
        return None
    match = re.fullmatch(r"([a-z][a-z0-9+.-]{0,31})://([A-Za-z0-9_.-]{1,253}|\[[0-9a-f:.]+\])(?::([1-9][0-9]{0,4}))?",
                         value)
    if match is None:
        return None
    scheme, host, port = match.group(1), match.group(2), match.group(3) or ""
    if scheme in ("http", "https") and host != host.lower():
        return None
    if port and (int(port) > 65535 or port == origins_module.DEFAULT_PORTS.get(scheme)):
        return None
    if host[0] != "[" and not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return None
    return scheme, host, port


def test_request_origin_parsing_equals_the_per_label_regex() -> None:
    rng = random.Random(11)
    cases = ["https://" + "a." * 1019 + "-", "https://" + ("a" * 63 + ".") * 31 + "a", "https://[::1]",
             "https://[::ffff:1.2.3.4]:8080", "https://-", "https://.", "https://a", "https://a-b.c_d.e"]
    for length in (1, 2, 62, 63, 64, 130):
        for label in ("a" * length, "-" + "a" * length, "a" * length + "-", "a" + "-" * length + "a"):
            cases += [f"https://{label}", f"https://{label}.com", f"https://x.{label}.y:8080"]
    for _ in range(50_000):
        host = "".join(rng.choice("ab-_.:[]09Z/ ") for _ in range(rng.randint(0, 24)))
        cases.append(rng.choice(["https://", "http://", "htps://", "A://", "1a://", "a+b.c-d://", ""]) + host
                     + rng.choice(["", ":8080", ":443", ":0", ":65536"]))
    for value in cases:
        assert origins_module.parse_request_origin(value) == _reference_parse(value), value


WEB_ORIGIN_EDGES = [
    f"{scheme}://{host}{port}"
    for scheme in ("http", "https", "HTTP", "httpx", "http+s")
    for host in ("a", "_", "a_b", "a-b", "a--b", "-a", "a-", ".a", "a.", "a..b", "a.-b", "a-.b", "a._b", "A.b", "a.B",
                 "a" * 63, "a" * 64, "x." + "a" * 63, "x." + "a" * 64 + ".y", ("a" * 62 + ".") * 4 + "a",
                 ("a" * 62 + ".") * 4 + "ab", ("a" * 62 + ".") * 4 + "abc", "1.2.3.4", "[::1]", "[::1", "",
                 "a b", "a/b", "caf\u00e9", "a\u212a", "a\n")
    for port in ("", ":1", ":80", ":443", ":8080", ":65535", ":65536", ":99999", ":0", ":01", ":", ":1a",
                 ":\u0661", ":123456", ":8080/")
]


@pytest.mark.parametrize("value", WEB_ORIGIN_EDGES)
def test_the_one_regex_path_for_web_origins_parses_like_the_per_label_regex(value: str) -> None:
    """``http(s)://host[:port]`` takes a single compiled regex; every edge of it answers as before."""
    assert origins_module.parse_request_origin(value) == _reference_parse(value)


def _serve(middleware, environ):  # type: ignore[no-untyped-def]
    seen = {}

    def start_response(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
        seen["status"], seen["headers"] = status, headers

    b"".join(middleware(dict(environ), start_response))
    return seen["status"], seen["headers"]


def _app(environ, start_response):  # type: ignore[no-untyped-def]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


PREFLIGHT = {"REQUEST_METHOD": "OPTIONS", "PATH_INFO": "/", "HTTP_ORIGIN": "https://other.example.org",
             "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"}
ACTUAL = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": "https://other.example.org"}


def test_a_callable_origin_entry_is_asked_on_every_preflight_and_request() -> None:
    from wsgicors import CORSMiddleware
    calls = []

    def predicate(origin: str) -> bool:
        calls.append(origin)
        return len(calls) % 2 == 1  # changes its mind: no answer may be remembered

    middleware = CORSMiddleware(_app, origins=["https://app.example.com", predicate])
    statuses = [_serve(middleware, PREFLIGHT)[0][:3] for _ in range(4)]
    assert statuses == ["204", "403", "204", "403"]
    granted = [any(name == "Access-Control-Allow-Origin" for name, _ in _serve(middleware, ACTUAL)[1])
               for _ in range(4)]
    assert granted == [True, False, True, False]


def test_remembered_answers_are_bounded() -> None:
    from wsgicors import CORSMiddleware, fastpath
    middleware = CORSMiddleware(_app, origins=["https://*.example.org"])
    state = middleware.rules.single_state
    for index in range(2 * fastpath.MEMO_SIZE + 3):
        origin = f"https://h{index}.example.org"
        _serve(middleware, dict(PREFLIGHT, HTTP_ORIGIN=origin))
        _serve(middleware, dict(ACTUAL, HTTP_ORIGIN=origin))
        assert len(state.preflights) <= fastpath.MEMO_SIZE and len(state.actuals) <= fastpath.MEMO_SIZE
        assert len(state.refused) <= fastpath.MEMO_SIZE and state.indexed <= fastpath.MEMO_SIZE
        assert state.indexed == sum(len(by_method) for by_headers in state.by_origin.values()
                                    for by_method in by_headers.values())
    long_list = ",".join(f"x-h{i}" for i in range(200))
    _serve(middleware, dict(PREFLIGHT, HTTP_ACCESS_CONTROL_REQUEST_HEADERS=long_list))
    assert not any(key[2] == long_list for key in state.preflights)


def test_a_refused_origin_is_remembered_once_and_answered_alike_whatever_it_asks() -> None:
    from wsgicors import CORSMiddleware, engine
    policy = Policy(["https://app.example.com"], allow_headers=["x-a"])
    middleware = CORSMiddleware(_app, policy=policy)
    asks = [{}, {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "BAD METHOD"},
            {"HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-b, ,"},
            {"HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK": "true"}, {}]  # private network: its own Vary
    for ask in asks:
        environ = dict(PREFLIGHT, **ask)
        expected = engine.answer_preflight(policy, environ["HTTP_ORIGIN"], environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"],
                                           environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                                           environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"))
        assert _serve(middleware, environ) == (expected.status, expected.headers), ask
    state = middleware.rules.single_state
    assert list(state.refused) == ["https://other.example.org"] and not state.by_origin


def test_debug_mode_logs_every_refusal_not_just_the_first(caplog) -> None:  # type: ignore[no-untyped-def]
    from wsgicors import CORSMiddleware
    middleware = CORSMiddleware(_app, origins=["https://app.example.com"], debug=True)
    with caplog.at_level("INFO", logger="wsgicors"):
        for _ in range(3):
            assert _serve(middleware, PREFLIGHT)[0].startswith("403")
    assert sum("preflight refused" in record.getMessage() for record in caplog.records) == 3


def test_reconfigure_forgets_the_old_answers() -> None:
    from wsgicors import CORSMiddleware
    middleware = CORSMiddleware(_app, origins=["https://other.example.org"])
    assert _serve(middleware, PREFLIGHT)[0].startswith("204")
    middleware.reconfigure(origins=["https://app.example.com"])
    assert _serve(middleware, PREFLIGHT)[0].startswith("403")
    assert all(name != "Access-Control-Allow-Origin" for name, _ in _serve(middleware, ACTUAL)[1])


def test_combined_regex_entries_answer_like_each_regex_alone() -> None:
    regexes = [re.compile(r"https://r[0-9]+\.example\.org"), re.compile(r"https://(a|b)\.example\.org"),
               re.compile(r"https://(?P<n>x)\.example\.org"), re.compile(r"https://(y)\1\.example\.org"),
               re.compile(r"https://CAPS\.example\.org", re.IGNORECASE), re.compile(r"https://z\.example\.org|http://z")]
    matcher = Policy(regexes, allow_insecure_origins=True).matcher
    assert len(matcher._pattern_scan) < len(regexes)  # combined where that keeps the meaning
    rng = random.Random(5)
    hosts = ["r1", "r22", "a", "b", "c", "x", "yy", "y", "caps", "z", "ab", "r", ""]
    samples = [f"{scheme}://{host}.example.org{port}" for scheme in ("https", "http") for host in hosts
               for port in ("", ":8080")] + ["http://z", "https://z.example.org|http://z"]
    for origin in samples + [rng.choice(samples) + rng.choice(["", "x", "."]) for _ in range(200)]:
        expected = origins_module.parse_request_origin(origin) is not None and any(
            r.fullmatch(origin) for r in regexes)
        assert matcher.allows(origin) is expected, origin


def test_remembered_rule_choices_are_bounded_and_equal_fresh_dispatch() -> None:
    from wsgicors import Rules
    from wsgicors import middleware as middleware_module
    first, second = Policy(["https://a.example.com"]), Policy(["https://b.example.com"])
    rules = Rules([("/a/*", first), ("/a/exempt", None), ("/b/*/c", second), ("*", second)])
    fresh = Rules([("/a/*", first), ("/a/exempt", None), ("/b/*/c", second), ("*", second)])
    paths = [f"/a/{i}" for i in range(middleware_module.PATH_MEMO_SIZE * 2)] + ["/a/exempt", "/b/x/c", "/x/../a/1",
                                                                                  "/" + "a" * 300]
    for path in paths * 2:
        chosen = rules.state_for(path)
        expected = fresh.policy_for(path)
        assert (chosen.policy if chosen is not None else None) is (
            None if expected is None else expected), path
        assert len(rules._path_memo) <= middleware_module.PATH_MEMO_SIZE
    assert "/" + "a" * 300 not in rules._path_memo


ACTUAL_ALLOWED = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": "https://app.example.com"}


@pytest.mark.parametrize("length", [0, 1, 2, 8, 9, 10, 30, 60])
@pytest.mark.parametrize("special", [None, "Vary", "vary", "Access-Control-Allow-Origin", "ACCESS-CONTROL-X"])
@pytest.mark.parametrize("position", [0, -1])
def test_short_and_long_header_lists_are_decorated_like_the_reference(length: int, special, position: int) -> None:
    """Every length answers like the reference, whether a Vary or Access-Control-* name is first or
    last (the request path's inlined fast_tail loop)."""
    import reference_engine as reference
    from wsgicors import CORSMiddleware

    headers = [(f"X-Filler-{index}", "value") for index in range(length)]
    if special is not None:
        headers.insert(len(headers) if position == -1 else 0, (special, "Accept-Encoding"))

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", list(headers))
        return [b"ok"]

    policy = Policy(["https://app.example.com"])
    middleware = CORSMiddleware(app, policy=policy)
    for _ in range(3):  # first sight of the names, then the remembered plain names
        expected = _serve(lambda env, sr: reference.handle([("*", policy)], app, env, sr), ACTUAL_ALLOWED)
        assert _serve(middleware, ACTUAL_ALLOWED) == expected


class _HeaderList(list):  # type: ignore[type-arg]
    pass


class _KeepsItsType(list):  # type: ignore[type-arg]
    """A list whose + answers its own type: the server must still get a list."""

    def __add__(self, other):  # type: ignore[no-untyped-def]
        return _KeepsItsType(list.__add__(self, other))


class _IteratesOtherwise(list):  # type: ignore[type-arg]
    """A list that iterates its pairs with str values: a reader must iterate it, not copy its storage."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return ((name, str(value)) for name, value in list.__iter__(self))


CONTAINERS = {
    "list": list, "tuple": tuple, "list-subclass": _HeaderList, "list-of-lists": lambda pairs: [list(p) for p in pairs],
    "UserList": UserList, "add-keeps-type": _KeepsItsType, "iterates-otherwise": _IteratesOtherwise,
    "generator": lambda pairs: (pair for pair in pairs),
}


@pytest.mark.parametrize("container", CONTAINERS.values(), ids=CONTAINERS.keys())
@pytest.mark.parametrize("expose", ["*", ()], ids=["expose-all", "no-expose"])
@pytest.mark.parametrize("names", [["Content-Type", "Content-Length"], ["Content-Type", "vary"], []])
def test_the_bound_start_response_decorates_any_header_container_like_the_reference(
        container, expose, names) -> None:  # type: ignore[no-untyped-def]
    """fastpath.actual_start_response appends the remembered tail only to a list of plain names;
    anything else (a tuple, a list subclass, a generator, a list of lists) or an expose-all policy
    (no tail) goes to the engine: the server gets a list, the reference's, every time (first sight
    of the names, then the remembered ones)."""
    import reference_engine as reference
    from wsgicors import CORSMiddleware

    pairs = [(name, 7 if container is _IteratesOtherwise else "value") for name in names]

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", container(pairs))
        return [b"ok"]

    policy = Policy(["https://app.example.com"], expose_headers=expose)
    middleware = CORSMiddleware(app, policy=policy)
    for _ in range(3):
        expected = _serve(lambda env, sr: reference.handle([("*", policy)], app, env, sr), ACTUAL_ALLOWED)
        status, headers = _serve(middleware, ACTUAL_ALLOWED)
        assert type(headers) is list
        # (a pair may stay the list the application gave; the reference makes every pair a tuple)
        assert (status, [tuple(header) for header in headers]) == (expected[0], [tuple(h) for h in expected[1]])


@pytest.mark.parametrize("headers", [
    [("Content-Type", "text/plain")] * 12, [("Content-Type", "text/plain")] * 3,
    [["Content-Type", "text/plain"]] * 12, ["Content-Type"] * 12, [()] * 12, [()], [{"a": 1}] * 12, [1] * 3,
    [("Content-Type", "text/plain")] * 11 + [("Vary", "x")], [("Unseen-Name-Q", "x")] * 12,
    tuple([("Content-Type", "text/plain")] * 3), _KeepsItsType([("Content-Type", "text/plain")]), None, 5,
])
def test_fast_tail_never_raises_and_appends_only_to_lists_of_names_seen_plain(headers) -> None:  # type: ignore[no-untyped-def]
    from wsgicors import fastpath
    fastpath._learn([("Content-Type", "x")])
    tail = (("Vary", "Origin"),)
    plain = type(headers) is list and all(
        isinstance(h, (tuple, list, str)) and len(h) > 0 and h[0] in fastpath._plain for h in headers)
    result = fastpath.fast_tail(headers, tail)
    assert result == ([*headers, *tail] if plain else None)
    assert result is None or type(result) is list


class _CasePreserving(str):
    """A header name whose lower() keeps its case: no ASCII lowering sees Access-Control- in it."""

    def lower(self):  # type: ignore[no-untyped-def]
        return str(self)


@pytest.mark.parametrize("name", ["Access-Control-Allow-Origin", "Vary"])
def test_a_str_subclass_name_is_never_learned_plain_for_every_app(name: str) -> None:
    """The plain names are shared by every app in the process: one app's odd str subclass must not
    make another app's own Access-Control-* header or Vary pass unseen."""
    import reference_engine as reference
    from wsgicors import CORSMiddleware, fastpath

    def odd(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [(_CasePreserving(name), "*")])
        return [b"a"]

    def legacy(environ, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Type", "text/plain"), (name, "*")])
        return [b"b"]

    _serve(CORSMiddleware(odd, origins="*"), ACTUAL_ALLOWED)
    assert name not in fastpath._plain
    policy = Policy(["https://app.example.com"])
    refused = dict(ACTUAL_ALLOWED, HTTP_ORIGIN="https://evil.example")
    expected = _serve(lambda env, sr: reference.handle([("*", policy)], legacy, env, sr), refused)
    assert _serve(CORSMiddleware(legacy, policy=policy), refused) == expected


WILDCARDS = ["https://*.example.com", "https://*.a.example.com:8443", "http://*.example.net:*", "http://*.b.c.d.example.org",
             "https://*.x.io:*", "http://*.x.io"]


def _reference_wildcard_admits(origin: str) -> bool:
    """A '*.' entry admits an origin whose host ends with '.' + its host, same scheme, same port (or ':*')."""
    parsed = origins_module.parse_request_origin(origin)
    if parsed is None:
        return False
    scheme, host, port = parsed
    for entry in WILDCARDS:
        entry_scheme, _, rest = entry.partition("://*.")
        entry_host, _, entry_port = rest.partition(":")
        if scheme == entry_scheme and host.endswith("." + entry_host) and entry_port in ("*", port):
            return True
    return False


def test_wildcard_entries_are_one_slice_and_look_up_per_length_and_admit_like_suffix_matching() -> None:
    matcher = Policy(WILDCARDS, allow_insecure_origins=True).matcher
    rng = random.Random(3)
    hosts = ["example.com", "a.example.com", "x.a.example.com", "example.net", "q.example.net", "b.c.d.example.org",
             "z.b.c.d.example.org", "c.d.example.org", "x.io", "y.x.io", "xexample.com", "a-example.com", "[::1]"]
    samples = [f"{scheme}://{prefix}{host}{port}" for scheme in ("http", "https", "ftp") for host in hosts
               for prefix in ("", "w.", "w.v.", ".", "-.", "w")
               for port in ("", ":8443", ":8080", ":443", ":80", ":")]
    for origin in samples + [rng.choice(samples)[: rng.randint(0, 40)] for _ in range(300)]:
        assert matcher.allows(origin) is _reference_wildcard_admits(origin), origin
