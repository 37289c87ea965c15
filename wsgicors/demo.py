"""``wsgicors demo``: a two-origin CORS playground on the standard library's server.

Two servers start on ``wsgiref`` (no extra install): a *page* origin
(``http://127.0.0.1:P1``) and an *API* origin (``http://localhost:P2``, another
site) whose application is wrapped by :class:`~wsgicors.CORSMiddleware`. The
page lets you edit the policy (applied with
:meth:`~wsgicors.CORSMiddleware.reconfigure`; configuration problems are
shown), fire real cross-origin fetches, and compare your browser's verdict with
``wsgicors check``'s, which the page server runs in-process against the same
API. ``Ctrl-C`` stops both servers.

    wsgicors demo [--host 127.0.0.1] [--page-port 0] [--api-port 0] [--no-browser]

Another website open in the same browser must not be able to drive the demo
(install ``origins=https://evil.example`` with credentials, say), so:

* both servers answer only requests whose ``Host`` is one of their own names
  (``127.0.0.1:P1`` / ``localhost:P2``): a DNS-rebinding page, whose requests
  carry its own host name, gets ``421``;
* requests that change state (``POST /policy``, ``POST /check``) need
  ``Content-Type: application/json`` (a cross-site form or ``text/plain``
  ``fetch`` cannot send it without a preflight, which the page server never
  answers: ``415``) and ``Origin`` equal to the page's origin, with
  ``Sec-Fetch-Site`` (when sent) ``same-origin``: ``403`` otherwise. A request
  **without** ``Origin`` is refused too: every browser sends ``Origin`` on a
  ``POST``, same-origin ones included, so its absence means a client we cannot
  vouch for; scripts add the header themselves;
* the servers bind loopback (``127.0.0.1``) unless ``--host`` says otherwise,
  and a non-loopback ``--host`` prints a warning.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import socketserver
import sys
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, Iterable, List, Mapping, Optional, Set, Tuple
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .errors import ConfigError
from .middleware import CORSMiddleware
from .settings import policy_from_settings

__all__ = ["BackgroundServer", "Demo", "ACTIONS", "POLICY_FIELDS", "main"]

WSGIApp = Callable[..., Iterable[bytes]]
StartResponse = Callable[..., Any]

#: The policy options the page edits, as text (read like a settings file).
POLICY_FIELDS = ("origins", "methods", "allow_headers", "expose_headers", "max_age", "allow_credentials")

#: The fetches the page fires; the same definitions drive ``wsgicors check``.
ACTIONS: Dict[str, Dict[str, Any]] = {
    "get": {"label": "GET", "method": "GET", "path": "/api/items", "headers": {}, "body": None,
            "credentials": False, "note": "a simple request: no preflight"},
    "json": {"label": "JSON POST", "method": "POST", "path": "/api/items",
             "headers": {"Content-Type": "application/json"}, "body": '{"name": "demo"}',
             "credentials": False, "note": "application/json is not safelisted: preflight"},
    "put": {"label": "PUT + X-Custom", "method": "PUT", "path": "/api/items/1", "headers": {"X-Custom": "demo"},
            "body": "renamed", "credentials": False, "note": "PUT and a custom header: preflight"},
    "credentials": {"label": "GET with cookies", "method": "GET", "path": "/api/me", "headers": {}, "body": None,
                    "credentials": True, "note": "credentials: 'include'; the API sets a session cookie"},
}

SESSION_COOKIE = "demo_session"
LOG_SIZE = 200
JSON_TYPE = "application/json"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


# ------------------------------------------------------------------ servers

class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per connection (a browser opens several)."""

    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - wsgiref's signature
        pass


class HostGuard:
    """WSGI middleware answering ``421 Misdirected Request`` unless ``Host`` is one of ``names``.

    A DNS-rebinding attack points a name the attacker controls at 127.0.0.1;
    the victim's browser then sends that name as ``Host``, which is not ours.
    ``names`` are ``host:port`` strings, compared case-insensitively; the set
    may be filled in after the server has bound its port (until then every
    request is refused).
    """

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.names: Set[str] = set()

    def allow(self, hosts: Iterable[str], port: int) -> None:
        self.names.update(f"{_bracketed(host)}:{port}".lower() for host in hosts)

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("HTTP_HOST", "").lower() in self.names:
            return self.app(environ, start_response)
        body = (f"421 Misdirected Request: this demo server answers only to "
                f"{', '.join(sorted(self.names))} (DNS rebinding protection)\n").encode()
        start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8"),
                                                   ("Content-Length", str(len(body)))])
        return [body]


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class BackgroundServer:
    """A WSGI app served by ``wsgiref`` on ``host:port`` (0 picks a free port) in a thread.

    With ``names`` (host names, as in ``Host`` without the port), only requests
    whose ``Host`` is one of them or the bound address, with the bound port,
    reach ``app``; others get ``421`` (see :class:`HostGuard`). Without
    ``names`` every ``Host`` is answered (test servers reached under
    resolver-mapped names). Use as a context manager, or call :meth:`stop`;
    stopping closes the socket.
    """

    def __init__(self, app: WSGIApp, host: str = "127.0.0.1", port: int = 0,
                 names: Optional[Iterable[str]] = None) -> None:
        self.guard: Optional[HostGuard] = None
        if names is not None:
            app = self.guard = HostGuard(app)
        self.server = make_server(host, port, app, server_class=_ThreadingWSGIServer,
                                  handler_class=_QuietHandler)
        self.host = host
        self.port: int = self.server.server_port
        if self.guard is not None and names is not None:
            self.guard.allow([*names, *([host] if host not in ("", "0.0.0.0", "::") else [])], self.port)
        self._thread: Optional[threading.Thread] = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"wsgicors-demo-{self.port}", daemon=True)
        self._thread.start()

    def url(self, host: Optional[str] = None) -> str:
        """``http://host:port`` (no trailing slash), by default with the bound host."""
        return f"http://{host or self.host}:{self.port}"

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self.server.shutdown()
        self.server.server_close()
        thread.join(timeout=5)

    def __enter__(self) -> "BackgroundServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def origin_names(host: str) -> Tuple[str, str]:
    """Host names for the page and the API: two different *sites* when on loopback.

    ``127.0.0.1`` and ``localhost`` are the same machine but different sites to
    a browser, so the demo's requests are truly cross-site; any other host
    serves both origins under its own name (they differ by port).
    """
    if host in ("127.0.0.1", "0.0.0.0", "", "::", "::1"):
        return "127.0.0.1", "localhost"
    if host == "localhost":
        return "localhost", "127.0.0.1"
    return host, host


# ------------------------------------------------------------------ the two apps

def _json(start_response: StartResponse, data: Any, status: str = "200 OK",
          extra: Iterable[Tuple[str, str]] = ()) -> List[bytes]:
    body = json.dumps(data, indent=1).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                            ("Cache-Control", "no-store"), *extra])
    return [body]


def _media_type(value: str) -> str:
    """The essence of a ``Content-Type`` value: ``type/subtype``, lower case, parameters dropped."""
    return value.split(";", 1)[0].strip(" \t").lower()


def refusal(environ: Mapping[str, Any], page_origin: str) -> Optional[Tuple[str, str]]:
    """Why a state-changing request to the page server is refused: ``(status, reason)``, or None.

    Allowed: ``Content-Type: application/json`` (a cross-site page can only send
    it after a preflight, which is never answered), ``Origin`` exactly
    ``page_origin`` (a missing ``Origin`` is refused: browsers always send it
    on ``POST``), and ``Sec-Fetch-Site``, when present, ``same-origin``.
    """
    if _media_type(environ.get("CONTENT_TYPE", "")) != JSON_TYPE:
        return "415 Unsupported Media Type", f"send the body as {JSON_TYPE}"
    origin = environ.get("HTTP_ORIGIN")
    if origin != page_origin:
        said = "no Origin" if origin is None else f"Origin {origin!r}"
        return "403 Forbidden", f"only the demo page ({page_origin}) may change the demo; this request has {said}"
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site != "same-origin":
        return "403 Forbidden", f"only the demo page may change the demo; Sec-Fetch-Site is {site!r}"
    return None


def _read_json(environ: Mapping[str, Any]) -> Any:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not 0 < length <= 65536:
        raise ValueError("expected a JSON body")
    return json.loads(environ["wsgi.input"].read(length))


_request_ids = itertools.count(1)


def api(environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The API behind the middleware: echoes what it received.

    ``/api/me`` is the credentialed endpoint: it reports whether the session
    cookie arrived and sets it if not (``SameSite=None; Secure; Partitioned``,
    which browsers keep for a cross-site ``http://localhost`` API).
    """
    length = int(environ.get("CONTENT_LENGTH") or 0)
    received = environ["wsgi.input"].read(min(length, 65536)).decode("utf-8", "replace") if length else ""
    cookies = environ.get("HTTP_COOKIE", "")
    has_session = any(part.strip().startswith(SESSION_COOKIE + "=") for part in cookies.split(";"))
    data: Dict[str, Any] = {"method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO", "")}
    if received:
        data["received"] = received
    headers = [("X-Request-Id", str(next(_request_ids))), ("X-Secret", "not exposed")]
    if environ.get("PATH_INFO") == "/api/me":
        data["session_cookie_received"] = has_session
        if not has_session:
            headers.append(("Set-Cookie", f"{SESSION_COOKIE}=hello; Path=/; HttpOnly; SameSite=None; Secure; Partitioned"))
            data["note"] = "no session cookie yet: one was set; fire this request again"
    return _json(start_response, data, extra=headers)


class RequestLog:
    """What the API received, newest last, for the page's log panel."""

    def __init__(self, app: WSGIApp, size: int = LOG_SIZE, page_origin: Optional[str] = None) -> None:
        self.app = app
        self.page_origin = page_origin
        self.entries: Deque[Dict[str, Any]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        entry = {
            "method": environ["REQUEST_METHOD"], "path": environ.get("PATH_INFO", ""),
            "origin": environ.get("HTTP_ORIGIN"),
            "preflight": environ["REQUEST_METHOD"] == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ,
            "cookie": bool(environ.get("HTTP_COOKIE")),
            "client": self.client(environ),
        }
        status: List[str] = []

        def recording_start_response(line: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            status.append(line)
            return start_response(line, headers) if exc_info is None else start_response(line, headers, exc_info)

        result = self.app(environ, recording_start_response)
        entry["status"] = status[-1][:3] if status else "?"
        with self._lock:
            entry["id"] = next(self._ids)
            self.entries.append(entry)
        return result

    def client(self, environ: Mapping[str, Any]) -> str:
        """Who sent a request, as far as the request tells: ``check``, ``page`` or ``other``.

        ``check`` sends ``User-Agent: wsgicors-check``; the page's fetches carry
        its ``Origin`` and ``Sec-Fetch-Mode`` (a header only browsers set); any
        other request (curl, another tab, a script) is ``other``. Headers can be
        forged by non-browser clients, so this labels, it does not authenticate.
        """
        if environ.get("HTTP_USER_AGENT", "").startswith("wsgicors-check"):
            return "check"
        if self.page_origin is not None and environ.get("HTTP_ORIGIN") == self.page_origin \
                and "HTTP_SEC_FETCH_MODE" in environ:
            return "page"
        return "other"

    def after(self, last: int) -> List[Dict[str, Any]]:
        with self._lock:
            return [entry for entry in self.entries if entry["id"] > last]


class Demo:
    """The playground: a page server and an API server; :meth:`stop` closes both."""

    def __init__(self, host: str = "127.0.0.1", page_port: int = 0, api_port: int = 0) -> None:
        page_host, api_host = origin_names(host)
        self.page_server = BackgroundServer(self.page_app, host, page_port, names=[page_host])
        try:
            self.page_origin = self.page_server.url(page_host)
            self.form = self.initial_form(self.page_origin)
            self.version = 1
            """Counts applied policies: result cards say which one produced them."""
            self._lock = threading.Lock()
            self.policy = self.policy_from_form(self.form)
            self.middleware = CORSMiddleware(api, policy=self.policy)
            self.log = RequestLog(self.middleware, page_origin=self.page_origin)
            self.api_server = BackgroundServer(self.log, host, api_port, names=[api_host])
        except BaseException:
            self.page_server.stop()
            raise
        self.api_origin = self.api_server.url(api_host)
        from .check import PreflightCache

        # check keeps preflights across clicks, as the browser's cache does.
        self.cache = PreflightCache()

    @staticmethod
    def initial_form(page_origin: str) -> Dict[str, str]:
        """A policy that allows some of the page's requests and not others."""
        return {"origins": page_origin, "methods": "GET, POST", "allow_headers": "content-type",
                "expose_headers": "x-request-id", "max_age": "0", "allow_credentials": "false"}

    @staticmethod
    def policy_from_form(form: Mapping[str, Any]) -> Any:
        """A Policy from the page's text fields; ConfigError names the fields."""
        settings = {name: str(form.get(name, "")) for name in POLICY_FIELDS}
        return policy_from_settings(settings, debug=True)

    def in_force(self) -> Dict[str, Any]:
        """The policy the API runs now: its form fields, number and repr."""
        return {"form": dict(self.form), "version": self.version, "policy": repr(self.policy)}

    def reconfigure(self, form: Mapping[str, Any]) -> Dict[str, Any]:
        """Apply the page's fields; the answer always carries the policy in force afterwards.

        ``{"applied": bool, "problems": [...], "form": {...}, "version": int, "policy": str}``:
        when refused, ``form`` is the unchanged policy still in force, not the refused fields.
        """
        try:
            policy = self.policy_from_form(form)
        except ConfigError as error:
            with self._lock:
                return {"applied": False, "problems": [
                    {"option": p.option, "message": p.message, "hint": p.hint, "code": p.code}
                    for p in error.problems], **self.in_force()}
        with self._lock:
            self.middleware.reconfigure(policy=policy)
            self.policy = policy
            self.form = {name: str(form.get(name, "")) for name in POLICY_FIELDS}
            self.version += 1
            return {"applied": True, "problems": [], **self.in_force()}

    def run_check(self, name: str) -> Dict[str, Any]:
        from .check import CheckError, check

        action = ACTIONS[name]
        headers = dict(action["headers"])
        if action["credentials"]:
            headers["Cookie"] = f"{SESSION_COOKIE}=hello"  # stands for the browser's cookie jar
        version = self.version
        try:
            result = check(self.api_origin + action["path"], self.page_origin, method=action["method"],
                           headers=headers, credentials=action["credentials"], body=action["body"],
                           cache=self.cache, timeout=5.0)
        except CheckError as error:
            return {"verdict": "error", "explanation": str(error), "steps": [], "warnings": [],
                    "policy_version": version}
        data = result.to_dict()
        data["report"] = result.render()
        data["policy_version"] = version if version == self.version else None
        return data

    # -- the page origin -------------------------------------------------------

    def page_app(self, environ: Dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            if path == "/" and method in ("GET", "HEAD"):
                body = self.page_html().encode()
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
                return [body]
            if path == "/favicon.ico" and method in ("GET", "HEAD"):
                start_response("204 No Content", [("Cache-Control", "max-age=86400")])
                return []
            if path in ("/policy", "/check") and method == "POST":
                refused = refusal(environ, self.page_origin)
                if refused is not None:
                    return _json(start_response, {"error": refused[1]}, refused[0])
            if path == "/policy" and method == "GET":
                return _json(start_response, self.in_force())
            if path == "/policy" and method == "POST":
                return _json(start_response, self.reconfigure(_read_json(environ)))
            if path == "/check" and method == "POST":
                name = _read_json(environ).get("action")
                if name not in ACTIONS:
                    return _json(start_response, {"error": f"unknown action {name!r}"}, "400 Bad Request")
                return _json(start_response, self.run_check(name))
            if path == "/log" and method == "GET":
                query = parse_qs(environ.get("QUERY_STRING", ""))
                after = int((query.get("after") or ["0"])[0] or 0)
                return _json(start_response, self.log.after(after))
        except (ValueError, AttributeError) as error:
            return _json(start_response, {"error": str(error)}, "400 Bad Request")
        return _json(start_response, {"error": "not found"}, "404 Not Found")

    def page_html(self) -> str:
        config = {"page": self.page_origin, "api": self.api_origin, "actions": ACTIONS,
                  "fields": POLICY_FIELDS, **self.in_force()}
        blob = json.dumps(config).replace("</", "<\\/")
        return PAGE.replace("__CONFIG__", blob)

    @property
    def page_url(self) -> str:
        return self.page_origin + "/"

    def stop(self) -> None:
        self.api_server.stop()
        self.page_server.stop()

    def __enter__(self) -> "Demo":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# ------------------------------------------------------------------ command line

def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address both servers bind (default 127.0.0.1: the page is served as "
                             "127.0.0.1, the API as localhost, two different sites)")
    parser.add_argument("--page-port", type=int, default=0, metavar="PORT", help="page port (default: any free)")
    parser.add_argument("--api-port", type=int, default=0, metavar="PORT", help="API port (default: any free)")
    parser.add_argument("--no-browser", action="store_true", help="do not open the page in a web browser")


def _open_browser(url: str) -> None:
    # Without a display, webbrowser may pick a text browser that takes over the terminal.
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return
    import webbrowser

    try:
        webbrowser.open(url)
    except Exception:  # opening a browser is a convenience, never a reason to fail
        pass


def main(args: argparse.Namespace) -> int:
    try:
        demo = Demo(args.host, args.page_port, args.api_port)
    except OSError as error:
        print(f"wsgicors demo: cannot start the servers: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    previous = {}
    for name in ("SIGINT", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None:
            try:
                previous[signum] = signal.signal(signum, lambda *_: stop.set())
            except ValueError:  # not the main thread: rely on KeyboardInterrupt
                pass
    try:
        print("wsgicors demo: a page and an API on two origins, the API behind CORSMiddleware", flush=True)
        print(f"  page: {demo.page_url}", flush=True)
        print(f"  API:  {demo.api_origin}/api/items", flush=True)
        if args.host not in LOOPBACK:
            print(f"warning: --host {args.host} is not a loopback address: other machines can reach "
                  "both servers (they answer only to the names above)", file=sys.stderr, flush=True)
        print("Open the page, edit the policy, fire requests. Ctrl-C stops.", flush=True)
        if not args.no_browser:
            _open_browser(demo.page_url)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        demo.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("wsgicors demo: stopped", flush=True)
    return 0


# ------------------------------------------------------------------ the page

PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wsgicors demo</title>
<link rel="icon" href="data:,">
<style>
  :root { --ok: #1a7f37; --bad: #c0362c; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
  header { padding: 14px 24px; background: #24292f; color: #fff; }
  header h1 { margin: 0; font-size: 20px; }
  header p { margin: 4px 0 0; color: #d0d7de; }
  code, pre, input[type=text] { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
  main { display: grid; grid-template-columns: minmax(300px, 360px) 1fr; gap: 20px; padding: 20px 24px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
  h2 { font-size: 16px; margin: 0 0 10px; }
  label { display: block; margin: 8px 0 2px; font-weight: 600; font-size: 13px; }
  label.inline { display: flex; gap: 8px; align-items: center; font-weight: 600; }
  input[type=text] { width: 100%; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
  .hint { color: var(--muted); font-size: 12px; margin: 2px 0 0; }
  button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #1f6feb; background: #1f6feb; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1f6feb; }
  #policy-status { margin-top: 10px; font-size: 13px; }
  #policy-status.applied { color: var(--ok); }
  #problems { color: var(--bad); padding-left: 18px; margin: 6px 0 0; }
  #problems li { margin-bottom: 4px; }
  .action { border-top: 1px solid var(--line); padding: 12px 0; }
  .action:first-of-type { border-top: 0; padding-top: 0; }
  .action-head { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
  .action-head code { color: var(--muted); }
  .verdicts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-top: 8px; }
  .verdict { background: var(--bg); border-radius: 6px; padding: 8px 10px; min-height: 42px; }
  .verdict h3 { margin: 0 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
  .badge { display: inline-block; font-weight: 700; padding: 0 8px; border-radius: 10px; color: #fff; background: var(--muted); }
  .badge.allow { background: var(--ok); }
  .badge.block { background: var(--bad); }
  .agreement { font-size: 13px; font-weight: 600; }
  .agreement.agree { color: var(--ok); }
  .agreement.disagree { color: var(--bad); }
  .detail { font-size: 13px; margin-top: 4px; word-break: break-word; }
  .steps { margin: 4px 0 0; padding-left: 18px; font-size: 13px; }
  .steps li.fail { color: var(--bad); }
  table.engines { margin-top: 2px; }
  table.engines td { padding: 2px 6px 2px 0; vertical-align: top; border: 0; }
  details pre { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); padding: 6px; border-radius: 6px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); }
  #log-section { grid-column: 1 / -1; }
  #log-body td.check { color: #8250df; }
  #log-body td.other { color: var(--bad); }
  .policy-used { font-size: 12px; color: var(--muted); margin-top: 6px; }
  .action.stale .verdicts { opacity: .45; }
  .action.stale .policy-used { color: var(--bad); font-weight: 600; }
  #try-section ol { margin: 0; padding-left: 20px; font-size: 14px; }
  #try-section li { margin-bottom: 4px; }
</style>
</head>
<body>
<header>
  <h1>wsgicors demo</h1>
  <p>This page is <code id="page-origin"></code>; the API is <code id="api-origin"></code>, another site, behind
     <code>CORSMiddleware</code>. Your browser decides; <code>wsgicors check</code> explains.</p>
</header>
<main>
  <section id="policy-section">
    <h2>Policy on the API</h2>
    <form id="policy-form">
      <label for="origins">origins</label>
      <input type="text" id="origins" name="origins" spellcheck="false">
      <p class="hint">exact origins, <code>https://*.example.com</code>, or <code>*</code></p>
      <label for="methods">methods</label>
      <input type="text" id="methods" name="methods" spellcheck="false">
      <label for="allow_headers">allow_headers</label>
      <input type="text" id="allow_headers" name="allow_headers" spellcheck="false">
      <label for="expose_headers">expose_headers</label>
      <input type="text" id="expose_headers" name="expose_headers" spellcheck="false">
      <label for="max_age">max_age (seconds; empty: browser default 5 s)</label>
      <input type="text" id="max_age" name="max_age" spellcheck="false">
      <label class="inline"><input type="checkbox" id="allow_credentials" name="allow_credentials"> allow_credentials</label>
      <p><button type="submit" id="apply">Apply policy</button></p>
    </form>
    <div id="policy-status" role="status"></div>
    <ul id="problems"></ul>
  </section>
  <section id="actions-section">
    <h2>Requests from this page <button type="button" class="secondary" id="run-all">Run all</button></h2>
    <div id="actions"></div>
  </section>
  <section id="try-section">
    <h2>Things to try</h2>
    <ol>
      <li><em>Run all</em>: the <code>PUT</code> is blocked (its preflight asks for <code>PUT</code> and
          <code>x-custom</code>), and so is the request with cookies (no <code>allow_credentials</code>).</li>
      <li>Add <code>PUT</code> to <code>methods</code> and <code>x-custom</code> to <code>allow_headers</code>, apply,
          run the <code>PUT</code> again.</li>
      <li>Tick <code>allow_credentials</code>: the request with cookies passes; fire it twice to see the cookie come back.</li>
      <li>Add a trailing slash to <code>origins</code>, or set it to <code>*</code> with credentials: the policy is
          refused, the form shows the policy still in force, and the problems say why.</li>
      <li>Set <code>max_age</code> to <code>600</code> and fire the <code>PUT</code> twice: the log shows one preflight
          from each client; the second time both answer from their cache.</li>
      <li>From a terminal, <code>curl -i -H 'Origin: https://evil.example' <span class="api-url"></span>/api/items</code>:
          the log lists it as <em>other</em>, and the answer has no <code>Access-Control-Allow-Origin</code>.</li>
    </ol>
  </section>
  <section id="log-section">
    <h2>What the API received</h2>
    <p class="hint">from: <b>page</b> = this page's fetches (its <code>Origin</code> and a browser's
    <code>Sec-Fetch-Mode</code>), <b>check</b> = <code>wsgicors check</code> (its <code>User-Agent</code>),
    <b>other</b> = anything else (curl, another tab).</p>
    <table><thead><tr><th>#</th><th>from</th><th>request</th><th>Origin</th><th>cookie</th><th>status</th></tr></thead>
    <tbody id="log-body"></tbody></table>
  </section>
</main>
<script type="application/json" id="config">__CONFIG__</script>
<script>
"use strict";
const CONFIG = JSON.parse(document.getElementById("config").textContent);
let lastLog = 0;
let policyVersion = CONFIG.version;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function fetchText(action) {
  const init = [];
  if (action.method !== "GET") init.push(`method: "${action.method}"`);
  const names = Object.keys(action.headers);
  if (names.length) init.push("headers: {" + names.map((n) => `"${n}": "${action.headers[n]}"`).join(", ") + "}");
  if (action.body !== null) init.push("body: " + JSON.stringify(action.body));
  if (action.credentials) init.push('credentials: "include"');
  return `fetch("${CONFIG.api}${action.path}"` + (init.length ? ", {" + init.join(", ") + "}" : "") + ")";
}

function fillForm(form) {
  for (const name of CONFIG.fields) {
    const input = document.getElementById(name);
    if (input.type === "checkbox") input.checked = form[name] === "true"; else input.value = form[name];
  }
}

function readForm() {
  const form = {};
  for (const name of CONFIG.fields) {
    const input = document.getElementById(name);
    form[name] = input.type === "checkbox" ? String(input.checked) : input.value;
  }
  return form;
}

async function applyPolicy(event) {
  if (event) event.preventDefault();
  const status = document.getElementById("policy-status");
  const problems = document.getElementById("problems");
  const response = await fetch("/policy", {method: "POST", headers: {"Content-Type": "application/json"},
                                           body: JSON.stringify(readForm())});
  const result = await response.json();
  problems.replaceChildren();
  if (!response.ok) {
    status.className = "refused";
    status.textContent = "Not applied: " + result.error;
    return result;
  }
  // The form always shows the policy in force: after a refusal, the previous one.
  fillForm(result.form);
  policyChanged(result.version);
  if (result.applied) {
    status.className = "applied";
    status.textContent = `Applied policy #${result.version}: ${result.policy}`;
  } else {
    status.className = "refused";
    status.textContent = `Not applied: ${result.problems.length} problem(s); policy #${result.version} ` +
      "stays in force (shown above).";
    for (const p of result.problems) {
      problems.append(el("li", {"class": "problem"}, el("code", {}, p.option), ": " + p.message +
                         (p.hint ? "; " + p.hint : "") + ` [${p.code}]`));
    }
  }
  return result;
}

function policyChanged(version) {
  if (version === policyVersion) return;
  policyVersion = version;
  for (const card of document.querySelectorAll(".action")) {
    if (card.dataset.state !== "done") continue;
    card.classList.add("stale");
    card.dataset.state = "stale";
    card.querySelector(".policy-used").textContent += ` — stale: policy #${version} is in force now; run again`;
  }
}

async function browserFetch(action) {
  const init = {method: action.method, headers: action.headers,
                credentials: action.credentials ? "include" : "same-origin"};
  if (action.body !== null) init.body = action.body;
  try {
    const response = await fetch(CONFIG.api + action.path, init);
    const names = [];
    response.headers.forEach((value, name) => names.push(name));
    return {verdict: "allow", status: response.status, headers: names.sort(), body: await response.text()};
  } catch (error) {
    return {verdict: "block", error: String(error)};
  }
}

async function runCheck(name) {
  const response = await fetch("/check", {method: "POST", headers: {"Content-Type": "application/json"},
                                          body: JSON.stringify({action: name})});
  return await response.json();
}

function badge(verdict) {
  const text = verdict === "allow" ? "ALLOWED" : verdict === "block" ? "BLOCKED" : verdict.toUpperCase();
  return el("span", {"class": "badge " + verdict}, text);
}

function showBrowser(box, result) {
  box.replaceChildren(el("h3", {}, "Your browser"), badge(result.verdict));
  if (result.verdict === "allow") {
    box.append(el("div", {"class": "detail"}, `status ${result.status}; script can read: ${result.headers.join(", ") || "(none)"}`),
               el("div", {"class": "detail body"}, el("code", {}, result.body.slice(0, 300))));
  } else {
    box.append(el("div", {"class": "detail"}, result.error +
      " (the browser hides why from script; the console says more)"));
  }
}

// The engine of the browser showing this page, from its user agent: which of check's predictions to compare.
const ENGINE = /Firefox\//.test(navigator.userAgent) ? "firefox" :
  /Chrom(e|ium)\//.test(navigator.userAgent) ? "chromium" :
  /AppleWebKit\//.test(navigator.userAgent) ? "webkit" : null;
const ENGINE_TITLES = {chromium: "Chromium", firefox: "Firefox", webkit: "WebKit"};

function predicted(result) {
  // check's verdict for this browser's engine, else its top-level (Chromium) verdict.
  return result.engines && ENGINE && result.engines[ENGINE] ? result.engines[ENGINE].verdict : result.verdict;
}

function showEngines(box, result) {
  if (!result.engines) return;
  const table = el("table", {"class": "engines"});
  for (const [name, found] of Object.entries(result.engines)) {
    const title = (ENGINE_TITLES[name] || name) + (name === ENGINE ? " (yours)" : "");
    table.append(el("tr", {"class": "engine", "data-engine": name, "data-verdict": found.verdict},
      el("td", {}, title), el("td", {}, badge(found.verdict)),
      // The top-level explanation is Chromium's; repeat only a reason that differs from it.
      el("td", {}, !found.reason ? "" : found.reason === result.explanation ? "the reason above" : found.reason)));
  }
  box.append(el("div", {"class": "detail"}, "Predicted per engine:"), table);
}

function showCheck(box, result) {
  box.replaceChildren(el("h3", {}, "wsgicors check"), badge(result.verdict));
  box.append(el("div", {"class": "detail explanation"}, result.explanation));
  showEngines(box, result);
  if (result.verdict !== "error") {
    box.append(el("div", {"class": "detail preflight"}, !result.preflight_needed ? "No preflight needed." :
      result.preflight_cached ? "Preflight answered from the preflight cache (nothing sent)." : "Preflight sent."));
  }
  const steps = el("ol", {"class": "steps"});
  for (const step of result.steps) {
    const line = `${step.ok ? "PASS" : "BLOCKED"} ${step.kind} ${step.method} -> ${step.status === null ? "no response" : step.status}`;
    // A failing step's sentence is the explanation above; passing steps say what they checked.
    steps.append(el("li", {"class": step.ok ? "pass" : "fail"}, step.ok ? `${line}: ${step.reason}` : line));
  }
  if (result.steps.length) box.append(steps);
  for (const warning of result.warnings) box.append(el("div", {"class": "detail warning"}, "Warning: " + warning));
  if (result.report) box.append(el("details", {}, el("summary", {}, "full report"), el("pre", {}, result.report)));
}

async function runAction(name) {
  const action = CONFIG.actions[name];
  const card = document.getElementById("action-" + name);
  const agreement = card.querySelector(".agreement");
  agreement.textContent = "running...";
  agreement.className = "agreement";
  card.dataset.state = "running";
  card.classList.remove("stale");
  card.querySelector(".policy-used").textContent = "";
  const browser = await browserFetch(action);
  showBrowser(card.querySelector(".browser"), browser);
  const checked = await runCheck(name);
  showCheck(card.querySelector(".check"), checked);
  const agree = browser.verdict === predicted(checked);
  agreement.textContent = agree ? "browser and check agree" : "browser and check DISAGREE";
  agreement.className = "agreement " + (agree ? "agree" : "disagree");
  card.dataset.browser = browser.verdict;
  card.dataset.check = checked.verdict;
  card.dataset.policy = String(checked.policy_version);
  card.querySelector(".policy-used").textContent = checked.policy_version === null ?
    "the policy changed while this ran: run again" : `results under policy #${checked.policy_version}`;
  card.dataset.state = "done";
  if (checked.policy_version !== null && checked.policy_version !== policyVersion) {
    // Changed elsewhere (another tab): show the policy in force.
    const now = await (await fetch("/policy")).json();
    fillForm(now.form);
    policyChanged(now.version);
  }
  await refreshLog();
}

async function runAll() {
  for (const name of Object.keys(CONFIG.actions)) await runAction(name);
}

async function refreshLog() {
  const entries = await (await fetch("/log?after=" + lastLog)).json();
  const body = document.getElementById("log-body");
  for (const e of entries) {
    lastLog = Math.max(lastLog, e.id);
    const request = (e.preflight ? "preflight " : "") + e.method + " " + e.path;
    body.prepend(el("tr", {}, el("td", {}, String(e.id)), el("td", {"class": e.client}, e.client),
                    el("td", {}, request), el("td", {}, e.origin || "-"), el("td", {}, e.cookie ? "yes" : "no"),
                    el("td", {}, e.status)));
  }
}

function build() {
  document.getElementById("page-origin").textContent = CONFIG.page;
  document.getElementById("api-origin").textContent = CONFIG.api;
  fillForm(CONFIG.form);
  for (const node of document.querySelectorAll(".api-url")) node.textContent = CONFIG.api;
  const list = document.getElementById("actions");
  for (const [name, action] of Object.entries(CONFIG.actions)) {
    const button = el("button", {"type": "button", "id": "run-" + name}, action.label);
    button.addEventListener("click", () => runAction(name));
    list.append(el("div", {"class": "action", "id": "action-" + name, "data-state": "idle"},
      el("div", {"class": "action-head"}, button, el("code", {}, fetchText(action)),
         el("span", {"class": "hint"}, action.note), el("span", {"class": "agreement"})),
      el("div", {"class": "verdicts"}, el("div", {"class": "verdict browser"}, el("h3", {}, "Your browser"), "-"),
         el("div", {"class": "verdict check"}, el("h3", {}, "wsgicors check"), "-")),
      el("div", {"class": "policy-used"})));
  }
  document.getElementById("policy-form").addEventListener("submit", applyPolicy);
  document.getElementById("run-all").addEventListener("click", runAll);
}

build();
</script>
</body>
</html>
"""
