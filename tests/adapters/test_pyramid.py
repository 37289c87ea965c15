"""The Pyramid include: cors.* settings, add_cors_policy, the tween, .ini files.

Behaviour every integration shares (preflights before view lookup, exception views) is in
test_every_framework.py.
"""

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError

from wsgicors import ConfigError, Policy

A = "https://app.example.com"
B = "https://partner.example.org"
EVIL = "https://evil.example.net"

SETTINGS = {
    "cors.origins": "https://app.example.com\n  https://*.example.org",
    "cors.allow_credentials": "true",
    "cors.expose_headers": "x-total",
    "cors.max_age": "600",
}


@pytest.fixture
def make_app(make_pyramid):
    """``make_app(settings=SETTINGS, configure=None)``."""
    def make(settings=None, configure=None):
        return make_pyramid(SETTINGS if settings is None else settings, configure)

    return make


@pytest.fixture
def app(make_app):
    return make_app()


def test_settings_are_read_with_their_types(app, browser):
    response = browser(app).request("/items")
    assert response.json == {"items": []}
    assert response.headers["Access-Control-Allow-Origin"] == A
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "x-total"
    assert response.headers["Vary"] == "Origin"


def test_origins_setting_is_whitespace_and_newline_separated(app, browser):
    assert browser(app, "https://x.example.org").request("/items").headers["Access-Control-Allow-Origin"] \
        == "https://x.example.org"


def test_unhandled_exception_is_reraised(app, browser):
    with pytest.raises(RuntimeError, match="boom"):
        browser(app).request("/boom")


# -- settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("setting, value", [
    ("cors.max_age", "soon"),
    ("cors.allow_credentials", "maybe"),
    ("cors.origins", "https://app.example.com/"),
    ("cors.methods", "GET TRACE"),
])
def test_bad_setting_raises_config_error_naming_it(setting, value, make_app):
    with pytest.raises(ConfigError) as raised:
        make_app({**SETTINGS, setting: value})
    assert setting in [problem.option for problem in raised.value.problems]


@pytest.mark.parametrize("other, code", [
    (("cors.max_age", "soon"), "wsgicors.E601"),
    (("cors.supports_credentials", "true"), "wsgicors.E600"),
], ids=["unreadable-value", "unknown-key"])
def test_every_setting_problem_is_reported_at_once(other, code, make_app):
    key, value = other
    with pytest.raises(ConfigError) as raised:
        make_app({"cors.origins": "https://a.com/", key: value})
    assert {(p.option, p.code) for p in raised.value.problems} == {
        (key, code), ("cors.origins", "wsgicors.E115")}


def test_misspelt_setting_gets_a_hint(make_app):
    with pytest.raises(ConfigError, match="did you mean 'cors.origins'"):
        make_app({**SETTINGS, "cors.orgins": A})


def test_missing_origins_setting_is_named(make_app):
    with pytest.raises(ConfigError) as raised:
        make_app({"cors.max_age": "5"})
    assert [problem.option for problem in raised.value.problems] == ["cors.origins"]


def test_include_without_any_policy_is_a_config_error(make_app):
    with pytest.raises(ConfigError, match="no CORS policy is configured"):
        make_app({})


@pytest.mark.parametrize("value, expected", [("600", "600"), ("0", "0")])
def test_integer_settings_are_read(browser, value, expected, make_app):
    app = make_app({**SETTINGS, "cors.max_age": value})
    assert browser(app).preflight("/items").headers["Access-Control-Max-Age"] == expected


@pytest.mark.parametrize("value", ["false", "no", "off", "0"])
def test_boolean_settings_are_read_like_asbool(browser, value, make_app):
    app = make_app({**SETTINGS, "cors.allow_credentials": value})
    assert "Access-Control-Allow-Credentials" not in browser(app).request("/items").headers


# -- add_cors_policy --------------------------------------------------------------------------


def test_directive_options_win_over_settings(browser, make_app):
    app = make_app(configure=lambda config: config.add_cors_policy(origins=[B], max_age=7))
    preflight = browser(app, B).preflight("/items")
    assert preflight.headers["Access-Control-Max-Age"] == "7"
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert browser(app, A).preflight("/items").status_int == 403


def test_directive_alone_configures_cors(browser, make_app):
    app = make_app({}, configure=lambda config: config.add_cors_policy(origins=[B]))
    assert browser(app, B).request("/items").headers["Access-Control-Allow-Origin"] == B


def test_path_policy_applies_to_its_paths_only(browser, make_app):
    app = make_app(configure=lambda config: config.add_cors_policy(
        "/teapot", origins="*", allow_credentials=False))
    assert browser(app, EVIL).request("/teapot").headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in browser(app, EVIL).request("/items").headers


def test_path_policy_can_exempt_paths(browser, make_app):
    app = make_app(configure=lambda config: config.add_cors_policy("/items", enabled=False))
    response = browser(app).request("/items")
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Vary" not in response.headers
    assert browser(app).request("/forbidden").headers["Access-Control-Allow-Origin"] == A


def test_directive_takes_a_ready_policy(browser, make_app):
    app = make_app({}, configure=lambda config: config.add_cors_policy(policy=Policy(origins=[B])))
    assert browser(app, B).request("/items").headers["Access-Control-Allow-Origin"] == B


def test_bad_directive_options_raise_config_error_at_once(make_app):
    with pytest.raises(ConfigError) as raised:
        make_app(configure=lambda config: config.add_cors_policy(origins="*"))
    assert "origins" in [problem.option for problem in raised.value.problems]


def test_same_path_twice_is_a_configuration_conflict(make_app):
    def configure(config):
        config.add_cors_policy("/items", origins=[A])
        config.add_cors_policy("/items", origins=[B])

    with pytest.raises(ConfigurationConflictError):
        make_app(configure=configure)


def test_add_cors_policy_needs_the_include():
    config = Configurator(settings={})
    with pytest.raises(AttributeError):
        config.add_cors_policy(origins=[A])


# -- PasteDeploy ------------------------------------------------------------------------------


def test_app_from_an_ini_with_pyramid_includes(tmp_path, monkeypatch, browser):
    from paste.deploy import loadapp

    module = tmp_path / "ini_views.py"
    module.write_text(
        "from pyramid.config import Configurator\n"
        "def hello(request):\n    return {'hello': 'world'}\n"
        "def main(global_config, **settings):\n"
        "    with Configurator(settings=settings) as config:\n"
        "        config.add_route('hello', '/hello')\n"
        "        config.add_view(hello, route_name='hello', renderer='json', request_method='GET')\n"
        "        return config.make_wsgi_app()\n")
    ini = tmp_path / "app.ini"
    ini.write_text(
        "[app:main]\n"
        "use = call:ini_views:main\n"
        "pyramid.includes = pyramid_wsgicors\n"
        "cors.origins =\n    https://app.example.com\n    https://*.example.org\n"
        "cors.allow_credentials = true\n"
        "cors.max_age = 60\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = loadapp(f"config:{ini}")
    preflight = browser(app, "https://x.example.org").preflight("/hello")
    assert preflight.status_int == 204
    assert preflight.headers["Access-Control-Max-Age"] == "60"
    actual = browser(app).request("/hello")
    assert actual.json == {"hello": "world"}
    assert actual.headers["Access-Control-Allow-Credentials"] == "true"


def test_including_twice_keeps_the_policy_declared_in_between(browser):
    with Configurator(settings={"pyramid.includes": "pyramid_wsgicors"}) as config:
        config.add_cors_policy(origins=[B])
        config.include("pyramid_wsgicors")
        config.add_route("x", "/x")
        config.add_view(lambda request: {}, route_name="x", renderer="json")
        app = config.make_wsgi_app()
    assert browser(app, B).request("/x").headers.getall("Access-Control-Allow-Origin") == [B]


VIEW_HEADERS = {
    "plain": [("X-Request-Id", "7")],
    "vary": [("Vary", "Accept-Encoding")],
    "own-cors": [("Access-Control-Allow-Origin", "*"), ("Access-Control-Max-Age", "5")],
    "lower-vary": [("vary", "Cookie")],
}


def _pyramid_views(include: bool):  # type: ignore[no-untyped-def]
    from pyramid.response import Response

    config = Configurator(settings={"cors.origins": "https://app.example.com"} if include else {})
    if include:
        config.include("pyramid_wsgicors")
    for name, headers in VIEW_HEADERS.items():
        config.add_route(name, "/" + name)
        config.add_view(lambda request, headers=headers: Response(b"ok", headerlist=[
            ("Content-Type", "text/plain"), *headers]), route_name=name)
    return config.make_wsgi_app()


@pytest.mark.parametrize("path", VIEW_HEADERS)
@pytest.mark.parametrize("origin", ["https://app.example.com", "https://evil.example", None])
def test_the_one_policy_tween_gives_each_response_what_the_middleware_gives_it(path, origin) -> None:
    """The tween's inlined fast path (remembered plain names, the tail appended to the Response's own
    list) and its engine path answer like CORSMiddleware around the same app, every time."""
    from webtest import TestApp

    from wsgicors import CORSMiddleware

    tween = TestApp(_pyramid_views(include=True))
    middleware = TestApp(CORSMiddleware(_pyramid_views(include=False), origins=["https://app.example.com"]))
    headers = {"Origin": origin} if origin else {}
    for _ in range(3):  # first sight of the names, then remembered
        expected = middleware.get("/" + path, headers=headers).headerlist
        got = tween.get("/" + path, headers=headers).headerlist
        assert got == expected


SHARED_HEADERS = [("Content-Type", "application/json")]


def _shared_list_app(include: bool):  # type: ignore[no-untyped-def]
    from pyramid.response import Response

    config = Configurator(settings={"cors.origins": "https://app.example.com", "cors.allow_credentials": "true"}
                          if include else {})
    if include:
        config.include("pyramid_wsgicors")
    config.add_route("account", "/account")
    config.add_view(lambda request: Response(app_iter=[b"{}"], headerlist=SHARED_HEADERS), route_name="account")
    return config.make_wsgi_app()


def test_a_header_list_the_application_keeps_is_never_changed() -> None:
    """Response(headerlist=CONSTANT) keeps the application's list: the tween sets a new one, so another
    app (here one without CORS) using the same list never sends this policy's grant."""
    from webtest import TestApp

    before = list(SHARED_HEADERS)
    with_cors, without = TestApp(_shared_list_app(include=True)), TestApp(_shared_list_app(include=False))
    for _ in range(3):
        granted = with_cors.get("/account", headers={"Origin": "https://app.example.com"})
        assert granted.headers.getall("Access-Control-Allow-Origin") == ["https://app.example.com"]
        assert SHARED_HEADERS == before
        assert "Access-Control-Allow-Origin" not in without.get("/account").headers


def test_a_computed_headerlist_gets_the_cors_headers_every_time() -> None:
    """A Response whose headerlist property returns a copy: the headers are set, not appended to the copy."""
    from pyramid.response import Response
    from webtest import TestApp

    class DictHeaders(Response):  # type: ignore[misc]
        """Keeps its headers in a dict once built; headerlist is computed from it."""

        def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(**kwargs)
            self._kept = dict(self._headerlist)

        headerlist = property(lambda self: list(self._kept.items()),
                              lambda self, value: setattr(self, "_kept", dict(value)))

        def _abs_headerlist(self, environ):  # type: ignore[no-untyped-def]
            return list(self._kept.items())

    config = Configurator(settings={"cors.origins": "https://app.example.com"})
    config.include("pyramid_wsgicors")
    config.add_route("x", "/x")
    config.add_view(lambda request: DictHeaders(app_iter=[b"x"], headerlist=[("Content-Type", "text/plain")]),
                    route_name="x")
    app = TestApp(config.make_wsgi_app())
    for _ in range(3):  # first sight of the names (the engine), then remembered (the inlined check)
        response = app.get("/x", headers={"Origin": "https://app.example.com"})
        assert response.headers.getall("Access-Control-Allow-Origin") == ["https://app.example.com"]
        assert response.headers.getall("Vary") == ["Origin"]


def _host_origins(origin, environ):  # type: ignore[no-untyped-def]
    return origin == "https://" + environ.get("HTTP_HOST", "").replace("api.", "app.", 1)


@pytest.mark.parametrize("path_policy", [False, True], ids=["one policy", "path policies"])
def test_a_callable_origin_taking_the_environ_gets_the_requests_environ(path_policy: bool) -> None:
    """A two-parameter origins callable is handed the request's WSGI environ in preflights and actual
    requests alike (it was handed {} through preflight_answer and response_decorator)."""
    from pyramid.response import Response
    from webtest import TestApp

    config = Configurator()
    config.include("pyramid_wsgicors")
    if path_policy:
        config.add_cors_policy("/x", origins=[_host_origins])
        config.add_cors_policy("/other", origins=["https://elsewhere.example"])
    else:
        config.add_cors_policy(origins=[_host_origins])
    config.add_route("x", "/x")
    config.add_view(lambda request: Response(b"x"), route_name="x", request_method=("GET", "PUT"))
    app = TestApp(config.make_wsgi_app())
    host = {"Host": "api.tenant.example", "Origin": "https://app.tenant.example"}
    preflight = app.options("/x", headers={**host, "Access-Control-Request-Method": "PUT"}, expect_errors=True)
    assert preflight.status_int == 204
    assert app.get("/x", headers=host).headers.getall("Access-Control-Allow-Origin") == ["https://app.tenant.example"]
