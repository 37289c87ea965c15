"""Shared by the adapter tests: a client that sends what a browser sends."""

from typing import Dict, Optional

import pytest
import webtest

ORIGIN = "https://app.example.com"


class Browser:
    """Requests as a page on ``origin`` would send them, through WebTest (errors allowed)."""

    def __init__(self, app, origin: str = ORIGIN) -> None:
        self.app = app if isinstance(app, webtest.TestApp) else webtest.TestApp(app)
        self.origin = origin

    def preflight(self, path: str, method: str = "PUT", headers: Optional[str] = None,
                  origin: Optional[str] = None) -> webtest.TestResponse:
        sent: Dict[str, str] = {"Origin": origin or self.origin, "Access-Control-Request-Method": method}
        if headers is not None:
            sent["Access-Control-Request-Headers"] = headers
        return self.app.options(path, headers=sent, expect_errors=True)

    def request(self, path: str, method: str = "GET", origin: Optional[str] = None,
                **headers: str) -> webtest.TestResponse:
        sent = {"Origin": origin or self.origin} if origin != "" else {}
        sent.update(headers)
        return self.app.request(path, method=method, headers=sent, expect_errors=True)


@pytest.fixture
def browser():
    """``browser(wsgi_app, origin=...)`` -> a :class:`Browser`."""
    return Browser
