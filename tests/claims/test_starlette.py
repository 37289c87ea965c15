"""What README says about Starlette 1.10's ``CORSMiddleware``, reproduced on the real release (ASGI, TestClient)."""

from __future__ import annotations

import importlib.metadata
from typing import Any, List

import pytest

from claims.support import EVIL, ORIGIN, runtime_requirements

pytestmark = [pytest.mark.claims, pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")]


def client(**options: Any) -> Any:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    def api(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"Vary": "Origin"})

    app = Starlette(routes=[Route("/api", api, methods=["GET", "POST"])],
                    middleware=[Middleware(CORSMiddleware, **options)])
    return TestClient(app)


def vary(response: Any) -> List[str]:
    return response.headers.get_list("vary")


def test_the_release_under_test_is_1_10() -> None:
    assert importlib.metadata.version("starlette").startswith("1.10.")


def test_regex_origins_must_match_the_whole_origin() -> None:
    with client(allow_origin_regex=r"https://good\.com") as http:
        assert "access-control-allow-origin" not in http.get("/api", headers={"Origin": "https://good.com.evil.net"}).headers
        assert http.get("/api", headers={"Origin": "https://good.com"}).headers["access-control-allow-origin"] == \
            "https://good.com"


def test_star_with_credentials_reflects_any_origin_with_credentials() -> None:
    with client(allow_origins=["*"], allow_credentials=True) as http:
        response = http.get("/api", headers={"Origin": EVIL})
    assert response.headers["access-control-allow-origin"] == EVIL
    assert response.headers["access-control-allow-credentials"] == "true"


def test_an_origin_with_a_path_is_accepted_silently_and_never_matches() -> None:
    with client(allow_origins=[ORIGIN + "/"]) as http:  # no error, no warning
        assert "access-control-allow-origin" not in http.get("/api", headers={"Origin": ORIGIN}).headers


@pytest.mark.parametrize("origin", [ORIGIN, EVIL, None])
def test_vary_is_merged_into_one_line_but_not_deduplicated(origin: Any) -> None:
    with client(allow_origins=[ORIGIN]) as http:
        response = http.get("/api", headers={"Origin": origin} if origin else {})
    assert vary(response) == ["Origin, Origin"]


def test_a_refused_preflight_is_400() -> None:
    with client(allow_origins=[ORIGIN], allow_methods=["PUT"]) as http:
        response = http.options("/api", headers={"Origin": EVIL, "Access-Control-Request-Method": "PUT"})
    assert response.status_code == 400


def test_a_preflight_where_no_route_exists_is_answered() -> None:
    with client(allow_origins=[ORIGIN], allow_methods=["PUT"]) as http:
        response = http.options("/nowhere", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == ORIGIN


def test_wildcard_subdomains_only_through_the_regex() -> None:
    with client(allow_origins=["https://*.example.com"]) as http:
        assert "access-control-allow-origin" not in http.get("/api", headers={"Origin": "https://a.example.com"}).headers
    with client(allow_origin_regex=r"https://[a-z]+\.example\.com") as http:
        assert http.get("/api", headers={"Origin": "https://a.example.com"}).headers["access-control-allow-origin"]


def test_allow_origins_is_searched_entry_by_entry() -> None:
    compared = []

    class Entry(str):
        def __eq__(self, other: object) -> bool:
            compared.append(self)
            return str.__eq__(self, other)

        __hash__ = str.__hash__

    origins = [Entry(f"https://site{n}.example") for n in range(100)]
    with client(allow_origins=origins) as http:
        compared.clear()
        http.get("/api", headers={"Origin": EVIL})
    assert len(compared) == len(origins)


def test_runtime_dependency_is_anyio() -> None:
    assert runtime_requirements("starlette") - {"typing-extensions"} == {"anyio"}


def test_ships_no_command() -> None:
    entry_points = importlib.metadata.distribution("starlette").entry_points
    assert [ep for ep in entry_points if ep.group == "console_scripts"] == []
