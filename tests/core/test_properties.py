"""Hypothesis properties: invariants that hold for every policy and request."""

import re
from typing import List, Tuple

from hypothesis import given, settings
from hypothesis import strategies as st

from wsgicors import CORSMiddleware, Policy
from wsgicors.origins import shared_suffix

EXAMPLES = 200  # per property; the long run lives in tests/security (pytest -m fuzz)
LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
HOST = st.lists(LABEL, min_size=2, max_size=4).map(".".join)
PORT = st.one_of(st.just(""), st.integers(1024, 65535).map(lambda p: f":{p}"))
ORIGIN = st.builds(lambda s, h, p: f"{s}://{h}{p}", st.sampled_from(["http", "https"]), HOST, PORT)
LATIN1 = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=60)
TOKEN = st.builds(str.__add__, st.sampled_from("xXaB"), st.text(alphabet="abcXYZ019-", max_size=10))


@st.composite
def policies(draw):
    exact = draw(st.lists(ORIGIN, max_size=4))
    # '*.' over a public suffix (co.uk, 0.np) is refused: only registrable domains here.
    wildcards = draw(st.lists(HOST.filter(lambda host: shared_suffix(host) is None), max_size=2))
    entries = exact + [f"https://*.{host}" for host in wildcards]
    if draw(st.booleans()):
        entries.append("null")
    star = not entries or draw(st.integers(0, 5)) == 0
    credentials = False if star else draw(st.booleans())
    options = dict(
        origins="*" if star else entries,
        allow_credentials=credentials,
        allow_insecure_origins=True,
        methods=draw(st.one_of(st.just("*"), st.lists(st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "POST"]),
                                                      min_size=1, unique=True))),
        allow_headers=draw(st.one_of(st.just("*"), st.lists(TOKEN, max_size=3))),
        expose_headers=draw(st.one_of(st.just("*"), st.lists(TOKEN, max_size=3))),
        max_age=draw(st.one_of(st.none(), st.integers(0, 86400))),
    )
    return options, exact, wildcards


def reference_allows(options, exact, wildcards, origin: str) -> bool:
    """A deliberately naive model of which origins the policy admits."""
    if options["origins"] == "*":
        return True
    if origin in exact or (origin == "null" and "null" in options["origins"]):
        return True
    for host in wildcards:
        if origin.startswith("https://") and origin.endswith("." + host):
            subdomain = origin[len("https://"):-len(host) - 1]
            if re.fullmatch(r"[a-z0-9]+(\.[a-z0-9]+)*", subdomain):
                return True
    return False


def request_origins(exact, wildcards):
    return st.one_of(
        LATIN1,
        ORIGIN,
        st.just("null"),
        st.sampled_from(exact or ["https://a.com"]),
        st.sampled_from(exact or ["https://a.com"]).flatmap(
            lambda o: st.sampled_from([o + "/", o.upper(), o + ".", o + ".evil.net", "x" + o, o + ":443", o + " "])),
        st.sampled_from(wildcards or ["a.com"]).flatmap(
            lambda h: st.sampled_from([f"https://x.{h}", f"https://{h}", f"https://evil{h}", f"http://x.{h}",
                                       f"https://x.{h}.evil.net", f"https://X.{h}", f"https://x..{h}"])),
    )


class Recorder:
    def __init__(self):
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        start_response("201 Created", [("Content-Type", "application/json"), ("X-Thing", "1")])
        return [b'{"ok": true}']


def run(middleware, environ) -> Tuple[str, List[Tuple[str, str]], bytes]:
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, headers

    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "x", "SERVER_PORT": "80",
            "wsgi.url_scheme": "http"}
    body = b"".join(middleware(dict(base, **environ), start_response))
    return captured["status"], captured["headers"], body


def allow_origin(headers):
    return [v for k, v in headers if k.lower() == "access-control-allow-origin"]


@st.composite
def scenarios(draw):
    options, exact, wildcards = draw(policies())
    origin = draw(st.one_of(st.none(), request_origins(exact, wildcards)))
    method = draw(st.sampled_from(["GET", "POST", "PUT", "OPTIONS", "DELETE"]))
    environ = {"REQUEST_METHOD": method}
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    if method == "OPTIONS" and draw(st.booleans()):
        environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = draw(st.one_of(st.sampled_from(["PUT", "put", "PATCH"]), LATIN1))
        if draw(st.booleans()):
            environ["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = draw(st.one_of(LATIN1, st.lists(TOKEN).map(",".join)))
    return options, exact, wildcards, environ


@settings(max_examples=EXAMPLES, deadline=None)
@given(scenarios())
def test_no_allow_origin_for_an_origin_the_policy_does_not_allow(scenario):
    options, exact, wildcards, environ = scenario
    status, headers, body = run(CORSMiddleware(Recorder(), **options), environ)
    origin = environ.get("HTTP_ORIGIN")
    if options["origins"] == "*" and not status.startswith("403"):
        assert allow_origin(headers) == ["*"]  # with or without Origin: cache-safe
    elif origin is None or not reference_allows(options, exact, wildcards, origin):
        assert allow_origin(headers) == []
    elif not status.startswith("403"):  # a refused preflight answers no origin at all
        assert allow_origin(headers) in (["*"], [origin])


@settings(max_examples=EXAMPLES, deadline=None)
@given(scenarios())
def test_never_credentials_together_with_star(scenario):
    options, _, _, environ = scenario
    _, headers, _ = run(CORSMiddleware(Recorder(), **options), environ)
    credentials = [v for k, v in headers if k.lower() == "access-control-allow-credentials"]
    if credentials:
        assert allow_origin(headers) != ["*"]
        assert all(v != "*" for k, v in headers if k.lower() in (
            "access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(scenarios())
def test_no_control_characters_in_any_emitted_header(scenario):
    options, _, _, environ = scenario
    _, headers, _ = run(CORSMiddleware(Recorder(), **options), environ)
    for name, value in headers:
        assert not any(c in name + value for c in "\r\n\0")
        value.encode("latin-1")


@settings(max_examples=EXAMPLES, deadline=None)
@given(scenarios())
def test_app_runs_exactly_when_the_request_is_not_a_preflight(scenario):
    options, _, _, environ = scenario
    app = Recorder()
    status, _, body = run(CORSMiddleware(app, **options), environ)
    preflight = (environ["REQUEST_METHOD"] == "OPTIONS" and "HTTP_ORIGIN" in environ
                 and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ)
    assert app.calls == (0 if preflight else 1)
    if not preflight:
        assert (status, body) == ("201 Created", b'{"ok": true}')
    else:
        assert status in ("204 No Content", "403 Forbidden")


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(policies(), LATIN1)
def test_header_list_parsing_never_raises(policy_spec, requested):
    options, exact, _ = policy_spec
    origin = exact[0] if exact else "https://a.com"
    run(CORSMiddleware(Recorder(), **options), {
        "REQUEST_METHOD": "OPTIONS", "HTTP_ORIGIN": origin,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT", "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": requested})


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(st.lists(ORIGIN, min_size=1, max_size=5), st.data())
def test_every_configured_exact_origin_is_admitted(origins, data):
    origin = data.draw(st.sampled_from(origins))
    assert Policy(origins=origins, allow_insecure_origins=True).origins.allows(origin)
