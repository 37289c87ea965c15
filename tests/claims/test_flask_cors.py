"""What README says about flask-cors 6.0.5, reproduced on the real release."""

from __future__ import annotations

import importlib.metadata
import re
from typing import Any

import pytest
from flask import Flask

from claims.support import EVIL, ORIGIN, call, preflight, runtime_requirements, values

pytestmark = pytest.mark.claims


def flask_app(route_methods: tuple = ("GET", "POST"), **options: Any) -> Flask:
    import flask_cors

    app = Flask("claims_flask")

    @app.route("/api", methods=list(route_methods))
    def api() -> Any:
        return "ok", 200, {"Vary": "Accept-Encoding"}

    flask_cors.CORS(app, **options)
    return app


def test_the_release_under_test_is_6_0_5() -> None:
    assert importlib.metadata.version("flask-cors") == "6.0.5"


def test_regex_origins_are_matched_at_the_start_only_so_a_longer_host_passes() -> None:
    app = flask_app(origins=[re.compile(r"https://good\.com")])
    _, headers = call(app, "GET", "/api", {"Origin": "https://good.com.evil.net"})
    assert values(headers, "Access-Control-Allow-Origin") == ["https://good.com.evil.net"]


def test_star_with_credentials_reflects_any_origin_with_credentials() -> None:
    app = flask_app(origins="*", supports_credentials=True)
    _, headers = call(app, "GET", "/api", {"Origin": EVIL})
    assert values(headers, "Access-Control-Allow-Origin") == [EVIL]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]


def test_an_origin_with_a_path_is_accepted_silently_and_never_matches() -> None:
    app = flask_app(origins=[ORIGIN + "/"])  # no error, no warning
    _, headers = call(app, "GET", "/api", {"Origin": ORIGIN})
    assert values(headers, "Access-Control-Allow-Origin") == []


def test_vary_origin_is_a_second_header_line() -> None:
    app = flask_app(origins=[ORIGIN, "https://b.example"])
    _, headers = call(app, "GET", "/api", {"Origin": ORIGIN})
    assert values(headers, "Vary") == ["Accept-Encoding", "Origin"]


def test_with_a_single_configured_origin_no_vary_origin_at_all() -> None:
    app = flask_app(origins=[ORIGIN])
    _, headers = call(app, "GET", "/api", {"Origin": ORIGIN})
    assert values(headers, "Access-Control-Allow-Origin") == [ORIGIN]
    assert "Origin" not in ", ".join(values(headers, "Vary"))


def test_a_refused_preflight_is_flasks_automatic_200_without_cors_headers() -> None:
    app = flask_app(origins=[ORIGIN])
    status, headers = preflight(app, origin=EVIL, method="POST")
    assert status == 200
    assert not [name for name, _ in headers if name.lower().startswith("access-control-")]


def test_a_preflight_to_a_post_only_route_gets_flasks_automatic_options_with_cors_headers() -> None:
    app = flask_app(route_methods=("POST",), origins=[ORIGIN], methods=["POST", "PUT"])
    status, headers = preflight(app, method="PUT")
    assert status == 200
    assert values(headers, "Access-Control-Allow-Origin") == [ORIGIN]


def test_a_preflight_where_no_route_matches_the_path_is_404() -> None:
    app = flask_app(origins=[ORIGIN])
    status, _ = preflight(app, path="/nowhere")
    assert status == 404


def test_star_dot_domain_is_read_as_a_regex_admitting_a_look_alike_not_subdomains() -> None:
    app = flask_app(origins=["https://*.example.com"])
    admitted = {origin: values(call(app, "GET", "/api", {"Origin": origin})[1], "Access-Control-Allow-Origin")
                for origin in ("https://a.example.com", "https://xexample.com")}
    assert admitted == {"https://a.example.com": [], "https://xexample.com": ["https://xexample.com"]}


def test_each_configured_origin_is_tried_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    import flask_cors.core

    origins = [f"https://site{n}.example" for n in range(100)]
    app = flask_app(origins=origins)
    tried = []
    real = flask_cors.core.try_match_pattern
    monkeypatch.setattr(flask_cors.core, "try_match_pattern", lambda *args, **kw: tried.append(1) or real(*args, **kw))
    call(app, "GET", "/api", {"Origin": EVIL})
    assert len(tried) == len(origins)


def test_runtime_dependencies_are_flask_and_werkzeug() -> None:
    assert runtime_requirements("flask-cors") == {"flask", "werkzeug"}


def test_ships_no_command() -> None:
    entry_points = importlib.metadata.distribution("flask-cors").entry_points
    assert [ep for ep in entry_points if ep.group == "console_scripts"] == []
