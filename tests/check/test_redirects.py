"""Redirects of the actual request, followed as fetch() does."""

from __future__ import annotations

from wsgicors.check import check

ORIGIN = "https://app.example"
API = "https://api.example"


def router(routes, seen):
    """routes: url -> (status, headers); records (method, url, origin, environ)."""

    def app(environ, start_response):
        url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
        seen.append((environ["REQUEST_METHOD"], url, environ.get("HTTP_ORIGIN"), environ))
        status, headers = routes.get(url, ("404 Not Found", []))
        if environ["REQUEST_METHOD"] == "OPTIONS":  # preflights are answered in place, never redirected
            status, headers = "204 No Content", [h for h in headers if h[0] != "Location"]
        start_response(status, list(headers))
        return [b""]

    return app


def acao(value):
    return ("Access-Control-Allow-Origin", value)


def test_same_origin_redirect_keeps_the_origin():
    seen = []
    app = router({API + "/a": ("302 Found", [acao(ORIGIN), ("Location", "/b")]),
                  API + "/b": ("200 OK", [acao(ORIGIN)])}, seen)
    result = check(API + "/a", ORIGIN, app=app)
    assert result.allowed and [s[2] for s in seen] == [ORIGIN, ORIGIN]
    assert [step.url for step in result.steps] == [API + "/a", API + "/b"]


def test_cross_origin_redirect_makes_the_origin_null():
    seen = []
    app = router({API + "/a": ("302 Found", [acao(ORIGIN), ("Location", "https://cdn.example/b")]),
                  "https://cdn.example/b": ("200 OK", [acao(ORIGIN)])}, seen)
    result = check(API + "/a", ORIGIN, app=app)
    assert seen[1][2] == "null"
    assert result.code == "acao-mismatch" and "'null'" in result.explanation


def test_cross_origin_redirect_target_allowing_null_passes():
    seen = []
    app = router({API + "/a": ("302 Found", [acao(ORIGIN), ("Location", "https://cdn.example/b")]),
                  "https://cdn.example/b": ("200 OK", [acao("*")])}, seen)
    assert check(API + "/a", ORIGIN, app=app).allowed


def test_redirect_without_cors_headers_blocks():
    seen = []
    app = router({API + "/a": ("301 Moved Permanently", [("Location", "/b")]),
                  API + "/b": ("200 OK", [acao(ORIGIN)])}, seen)
    result = check(API + "/a", ORIGIN, app=app)
    assert result.code == "acao-missing" and "301 redirect response" in result.explanation
    assert len(seen) == 1


def test_redirect_loop_stops_after_twenty_hops():
    seen = []
    app = router({API + "/a": ("302 Found", [acao(ORIGIN), ("Location", "/a")])}, seen)
    result = check(API + "/a", ORIGIN, app=app)
    assert result.code == "too-many-redirects" and len(seen) == 21


def test_post_redirected_by_303_becomes_get_without_body():
    seen = []
    app = router({API + "/a": ("303 See Other", [acao(ORIGIN), ("Location", "/b")]),
                  API + "/b": ("200 OK", [acao(ORIGIN)])}, seen)
    result = check(API + "/a", ORIGIN, method="POST", body="x", app=app)
    assert result.allowed and [s[0] for s in seen] == ["POST", "GET"]
    assert "CONTENT_TYPE" not in seen[1][3]


def test_307_keeps_method_and_body():
    seen = []
    app = router({API + "/a": ("307 Temporary Redirect", [acao(ORIGIN), ("Location", "/b")]),
                  API + "/b": ("200 OK", [acao(ORIGIN)])}, seen)
    check(API + "/a", ORIGIN, method="POST", body="x", app=app)
    assert [s[0] for s in seen] == ["POST", "POST"] and seen[1][3]["CONTENT_TYPE"].startswith("text/plain")


def test_redirect_needing_preflight_preflights_the_new_url():
    seen = []
    allow = [acao(ORIGIN), ("Access-Control-Allow-Methods", "PUT")]
    app = router({API + "/a": ("307 Temporary Redirect", allow + [("Location", "/b")]),
                  API + "/b": ("200 OK", allow)}, seen)
    result = check(API + "/a", ORIGIN, method="PUT", app=app)
    assert [(s[0], s[1]) for s in seen] == [("OPTIONS", API + "/a"), ("PUT", API + "/a"),
                                            ("OPTIONS", API + "/b"), ("PUT", API + "/b")]
    assert result.allowed


def test_cross_origin_redirect_drops_authorization():
    seen = []
    allow = [acao("*"), ("Access-Control-Allow-Headers", "authorization")]
    app = router({API + "/a": ("307 Temporary Redirect", allow + [("Location", "https://cdn.example/b")]),
                  "https://cdn.example/b": ("200 OK", allow)}, seen)
    check(API + "/a", ORIGIN, headers={"Authorization": "Bearer t"}, app=app)
    assert "HTTP_AUTHORIZATION" in seen[1][3] and "HTTP_AUTHORIZATION" not in seen[-1][3]


def test_redirect_to_non_http_scheme_blocks():
    seen = []
    app = router({API + "/a": ("302 Found", [acao(ORIGIN), ("Location", "ftp://files.example/x")])}, seen)
    assert check(API + "/a", ORIGIN, app=app).code == "redirect-target"


def test_redirect_to_url_with_credentials_blocks():
    seen = []
    app = router({API + "/a": ("302 Found", [acao(ORIGIN), ("Location", "https://u:p@cdn.example/x")])}, seen)
    assert check(API + "/a", ORIGIN, app=app).code == "redirect-credentials"


def test_redirect_status_without_location_is_the_final_response():
    seen = []
    app = router({API + "/a": ("302 Found", [acao(ORIGIN)])}, seen)
    result = check(API + "/a", ORIGIN, app=app)
    assert result.allowed and result.status == 302


def test_refused_preflight_after_a_redirect_stops_there():
    seen = []
    app = router({API + "/a": ("307 Temporary Redirect", [acao(ORIGIN), ("Access-Control-Allow-Methods", "PUT"),
                                                          ("Location", "/b")]),
                  API + "/b": ("200 OK", [acao(ORIGIN)])}, seen)
    result = check(API + "/a", ORIGIN, method="PUT", app=app)
    assert [(s[0], s[1]) for s in seen] == [("OPTIONS", API + "/a"), ("PUT", API + "/a"), ("OPTIONS", API + "/b")]
    assert result.code == "method-not-allowed" and result.explanation.endswith("The redirect was not followed.")
