"""Headless Chromium and live servers for the real-browser tests.

Chromium is Debian's ``/usr/bin/chromium`` driven by the ``playwright`` Python
package (its own browser download is never used). Pages are served on
``http://127.0.0.1:P1``; APIs on ``http://localhost:P2``, which is another
*site*, so every fetch is a real cross-site CORS request.
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence
from urllib.parse import parse_qs

from wsgicors.demo import BackgroundServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: A page host Chromium maps to the page server, so its origin has the default port.
DEFAULT_PORT_HOST = "page.test"
FETCH_TIMEOUT_MS = 10_000

WSGIApp = Callable[..., Iterable[bytes]]


def launch_chromium(playwright: Any, extra_args: Sequence[str] = ()) -> Any:
    """Start headless Chromium; fail loudly (never skip) when it is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} not found: the browser tests need Chromium "
                           "(apt-get install -y chromium); they are part of the default pytest run")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + list(extra_args),
                                      headless=True, timeout=60_000)


# ``runFetches(specs)`` makes the fetches one after the other and reports, for each,
# the browser's verdict: "allow" when the promise resolves, "block" on TypeError.
RUNNER_JS = r"""
async function runFetches(specs) {
  const results = [];
  for (const spec of specs) {
    const init = {method: spec.method, headers: spec.headers, credentials: spec.credentials ? "include" : "same-origin",
                  signal: AbortSignal.timeout(spec.timeout)};
    if (spec.body !== null) init.body = spec.body;
    try {
      const response = await fetch(spec.url, init);
      const names = [];
      response.headers.forEach((value, name) => names.push(name));
      results.push({verdict: "allow", status: response.status, headers: names, body: await response.text()});
    } catch (error) {
      results.push({verdict: "block", error: String(error)});
    }
  }
  return results;
}

// The same fetches from a sandboxed frame, whose origin is opaque (Origin: null).
function runSandboxed(specs) {
  return new Promise((resolve, reject) => {
    const frame = document.createElement("iframe");
    frame.sandbox = "allow-scripts";
    const timer = setTimeout(() => reject(new Error("sandboxed frame did not answer")), specs[0].timeout * (specs.length + 1));
    const done = (event) => {
      if (event.source !== frame.contentWindow) return;
      clearTimeout(timer);
      window.removeEventListener("message", done);
      frame.remove();
      resolve(event.data);
    };
    window.addEventListener("message", done);
    frame.srcdoc = "<script>" + runFetches.toString() +
      "\nrunFetches(" + JSON.stringify(specs) + ").then((r) => parent.postMessage(r, '*'));<\/script>";
    document.body.appendChild(frame);
  });
}

async function login(url) {
  const response = await fetch(url, {credentials: "include", signal: AbortSignal.timeout(10000)});
  return response.status;
}
"""

PAGE_HTML = ("<!doctype html><meta charset=utf-8><title>wsgicors browser matrix</title>"
             f"<body><script>{RUNNER_JS}</script></body>").encode()


def page_app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The page origin: one blank page that defines the fetch runners.

    ``/public`` (``Access-Control-Allow-Origin: *``) and ``/private`` (no CORS
    headers) are targets for redirects from the API back to the page's origin.
    """
    path = environ.get("PATH_INFO", "")
    if path in ("/public", "/private"):
        headers = [("Content-Type", "text/plain"), ("Content-Length", "3")]
        if path == "/public":
            headers.append(("Access-Control-Allow-Origin", "*"))
        start_response("200 OK", headers)
        return [b"ok\n"]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE_HTML))),
                              ("Cache-Control", "no-store")])
    return [PAGE_HTML]


class ApiServer:
    """The API origin: ``/s/<id>/...`` goes to scenario ``id``'s app; every request is recorded.

    ``/login?sid=V`` sets the session cookie the credentialed scenarios expect:
    ``SameSite=None; Secure; Partitioned`` (Chromium blocks unpartitioned
    third-party cookies; ``Secure`` is allowed on ``http://localhost``).
    """

    def __init__(self) -> None:
        self.apps: Dict[str, WSGIApp] = {}
        self.requests: Dict[str, List[Dict[str, Optional[str]]]] = defaultdict(list)
        self._lock = threading.Lock()

    def mount(self, key: str, app: WSGIApp) -> None:
        with self._lock:
            self.apps[key] = app
            self.requests.pop(key, None)

    def take(self, key: str) -> List[Dict[str, Optional[str]]]:
        """The requests scenario ``key`` received since the last call."""
        with self._lock:
            return self.requests.pop(key, [])

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/login":
            return self._login(environ, start_response)
        _, prefix, key, rest = (path.split("/", 3) + ["", "", ""])[:4]
        app = self.apps.get(key) if prefix == "s" else None
        if app is None:
            start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "10")])
            return [b"not found\n"]
        with self._lock:
            self.requests[key].append({
                "method": environ["REQUEST_METHOD"], "path": "/" + rest, "host": environ.get("HTTP_HOST"),
                "origin": environ.get("HTTP_ORIGIN"), "cookie": environ.get("HTTP_COOKIE"),
                "acrm": environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
                "acrh": environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            })
        environ = dict(environ, SCRIPT_NAME=f"/s/{key}", PATH_INFO="/" + rest)
        return app(environ, start_response)

    @staticmethod
    def _login(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        sid = parse_qs(environ.get("QUERY_STRING", "")).get("sid", ["x"])[0]
        start_response("200 OK", [
            ("Content-Type", "text/plain"), ("Content-Length", "3"),
            ("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "null")),
            ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin"),
            ("Set-Cookie", f"sid={sid}; Path=/; SameSite=None; Secure; Partitioned"),
        ])
        return [b"in\n"]


class Servers:
    """A page server and an API server on 127.0.0.1, stopped together."""

    def __init__(self) -> None:
        self.page = BackgroundServer(page_app)
        try:
            self.api_app = ApiServer()
            self.api = BackgroundServer(self.api_app)
        except BaseException:
            self.page.stop()
            raise
        self.page_origin = f"http://127.0.0.1:{self.page.port}"
        self.api_origin = f"http://localhost:{self.api.port}"
        self.other_api_origin = f"http://127.0.0.1:{self.api.port}"

    def chromium_args(self) -> List[str]:
        """Map the default-port page host onto the page server."""
        return [f"--host-resolver-rules=MAP {DEFAULT_PORT_HOST} 127.0.0.1:{self.page.port}"]

    def stop(self) -> None:
        self.api.stop()
        self.page.stop()
