"""check warns when a page that may be public fetches loopback (measured: limit public-page-to-loopback)."""

from __future__ import annotations

import pytest

from wsgicors.check import check


def allow_all(environ, start_response):
    start_response("200 OK", [("Access-Control-Allow-Origin", "*"), ("Content-Length", "0")])
    return [b""]


@pytest.mark.parametrize("origin,url,warned", [
    ("https://app.example.com", "http://localhost:8000/api", True),
    ("https://app.example.com", "http://127.0.0.1:8000/api", True),
    ("https://app.example.com", "http://[::1]:8000/api", True),
    ("http://93.184.215.14", "http://api.localhost:8000/api", True),
    ("http://127.0.0.1:5000", "http://localhost:8000/api", False),
    ("http://localhost:5000", "http://127.0.0.1:8000/api", False),
    ("http://192.168.1.5", "http://127.0.0.1:8000/api", False),
    ("https://app.example.com", "https://api.example.com/api", False),
    ("https://app.example.com", "http://192.168.1.5/api", False),
    ("null", "http://localhost:8000/api", False),
])
def test_public_page_fetching_loopback_is_warned_about_in_every_engine(origin: str, url: str, warned: bool) -> None:
    result = check(url, origin, app=allow_all)
    for name, engine in result.engines.items():
        found = check(url, origin, app=allow_all, browser=name)
        assert any("Local Network Access" in w for w in found.warnings) is warned, (name, found.warnings)
    assert result.allowed  # the CORS headers alone allow it: the warning says what check cannot see
