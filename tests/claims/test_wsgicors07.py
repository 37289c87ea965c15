"""What README says about wsgicors 0.7.0 (the package index's ``wsgicors``), reproduced on its real sdist."""

from __future__ import annotations

import fnmatch
from types import ModuleType
from typing import Any

import pytest

from claims.support import EVIL, ORIGIN, call, plain_app, preflight, values

pytestmark = pytest.mark.claims


def wrapped(wsgicors07: ModuleType, **options: str) -> Any:
    return wsgicors07.CORS(plain_app([("Vary", "Accept-Encoding")]), **options)


def allowed(app: Any, origin: str) -> bool:
    return values(call(app, "GET", "/api", {"Origin": origin})[1], "Access-Control-Allow-Origin") == [origin]


def test_the_release_under_test_is_0_7_0(wsgicors07: ModuleType) -> None:
    assert "version='0.7.0'" in wsgicors07.SETUP_PY.replace('"', "'").replace(" ", "")


def test_patterns_are_fnmatch_so_star_example_com_admits_a_look_alike(wsgicors07: ModuleType) -> None:
    app = wrapped(wsgicors07, origin="*example.com", methods="GET")
    assert allowed(app, "https://evilexample.com")


def test_star_dot_domain_admits_subdomains_but_neither_the_apex_nor_look_alikes(wsgicors07: ModuleType) -> None:
    app = wrapped(wsgicors07, origin="https://*.example.com", methods="GET")
    verdicts = {origin: allowed(app, origin) for origin in
                ("https://a.example.com", "https://a.b.example.com", "https://example.com",
                 "https://evilexample.com", "https://example.com.evil.net")}
    assert verdicts == {"https://a.example.com": True, "https://a.b.example.com": True, "https://example.com": False,
                        "https://evilexample.com": False, "https://example.com.evil.net": False}


def test_star_with_credentials_preflight_says_star_with_credentials(wsgicors07: ModuleType) -> None:
    app = wrapped(wsgicors07, origin="*", methods="GET, PUT", credentials="true")
    _, headers = preflight(app, origin=EVIL)
    assert values(headers, "Access-Control-Allow-Origin") == ["*"]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]


def test_star_with_credentials_reflects_any_origin_on_actual_requests(wsgicors07: ModuleType) -> None:
    app = wrapped(wsgicors07, origin="*", methods="GET", credentials="true")
    _, headers = call(app, "GET", "/api", {"Origin": EVIL})
    assert values(headers, "Access-Control-Allow-Origin") == [EVIL]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]


def test_an_origin_with_a_path_is_accepted_silently_and_never_matches(wsgicors07: ModuleType) -> None:
    app = wrapped(wsgicors07, origin=ORIGIN + "/", methods="GET")
    assert not allowed(app, ORIGIN)


def test_vary_origin_is_a_second_line_and_only_for_allowed_origins(wsgicors07: ModuleType) -> None:
    app = wrapped(wsgicors07, origin=ORIGIN, methods="GET")
    assert values(call(app, "GET", "/api", {"Origin": ORIGIN})[1], "Vary") == ["Accept-Encoding", "Origin"]
    assert values(call(app, "GET", "/api", {"Origin": EVIL})[1], "Vary") == ["Accept-Encoding"]


@pytest.mark.parametrize("origin", [ORIGIN, EVIL])
def test_every_preflight_is_204_refused_or_not(wsgicors07: ModuleType, origin: str) -> None:
    app = wrapped(wsgicors07, origin=ORIGIN, methods="GET")
    status, headers = preflight(app, origin=origin, path="/no-route-needed")
    assert status == 204
    assert bool(values(headers, "Access-Control-Allow-Origin")) is (origin == ORIGIN)


def test_only_first_seen_origins_scan_the_patterns(wsgicors07: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    patterns = " ".join(f"https://*.site{n}.example" for n in range(100))
    app = wrapped(wsgicors07, origin=patterns, methods="GET")
    scanned = []
    real = fnmatch.fnmatch
    monkeypatch.setattr(fnmatch, "fnmatch", lambda name, pattern: scanned.append(pattern) or real(name, pattern))
    call(app, "GET", "/api", {"Origin": EVIL})
    first = len(scanned)
    call(app, "GET", "/api", {"Origin": EVIL})
    again = len(scanned) - first
    call(app, "GET", "/api", {"Origin": "https://other.example"})
    assert (first, again, len(scanned) - first - again) == (100, 0, 100)
    assert wsgicors07.CORS.selectPolicy.cache_info().maxsize == 200


def test_has_no_runtime_dependencies_and_no_command(wsgicors07: ModuleType) -> None:
    setup_py = wsgicors07.SETUP_PY
    assert "install_requires=[]" in setup_py.replace(" ", "")
    assert "console_scripts" not in setup_py
