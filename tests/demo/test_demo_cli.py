"""``wsgicors demo`` as a user runs it: a process that prints two URLs and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from typing import Iterator, List, Tuple

import pytest

pytestmark = pytest.mark.server

WAIT = 20.0


class DemoProcess:
    """``python -m wsgicors demo --no-browser ...`` with its output read line by line in a thread."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "wsgicors", "demo", "--no-browser", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: "queue.Queue[str]" = queue.Queue()
        self.seen: List[str] = []
        self.stderr = ""
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def read_until(self, pattern: str) -> "re.Match[str]":
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} within {WAIT} s; got {self.seen}") from None
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def urls(self) -> Tuple[str, str]:
        page = self.read_until(r"page: (http://\S+)").group(1)
        api = self.read_until(r"API: +(http://\S+)").group(1)
        return page, api

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Send ``signum``; the exit status (the process is killed if it does not exit in time)."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=WAIT)
        finally:
            self.kill()

    def kill(self) -> None:
        """Make sure the process is gone; keep what it wrote to stderr."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=WAIT)
        self._pump_thread.join(timeout=WAIT)
        if self.process.stderr is not None and not self.process.stderr.closed:
            self.stderr = self.process.stderr.read()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def start() -> Iterator:
    started: List[DemoProcess] = []

    def run(*args: str) -> DemoProcess:
        started.append(DemoProcess(*args))
        return started[-1]

    yield run
    for process in started:
        process.kill()


def get(url: str, **headers: str) -> Tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        return response.status, dict(response.headers), response.read()


def post_json(url: str, data: object) -> dict:
    """POST as the demo page does: JSON, with the page's Origin (the page server refuses anything else)."""
    origin = url.rsplit("/", 1)[0]
    request = urllib.request.Request(url, data=json.dumps(data).encode(),
                                     headers={"Content-Type": "application/json", "Origin": origin})
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        return json.loads(response.read())


def port_of(url: str) -> int:
    port = urllib.parse.urlsplit(url).port
    assert port is not None, url
    return port


def refused(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_demo_prints_urls_serves_both_origins_and_stops_cleanly(start, signum: int) -> None:
    demo = start()
    page, api = demo.urls()
    assert page.startswith("http://127.0.0.1:") and page.endswith("/")
    assert api.startswith("http://localhost:"), "the API is another site than the page"
    page_origin = page.rstrip("/")

    status, _, body = get(page)
    assert status == 200 and b"wsgicors demo" in body
    status, headers, body = get(api, Origin=page_origin)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == page_origin
    assert json.loads(body)["method"] == "GET"

    result = post_json(page + "check", {"action": "get"})
    assert result["verdict"] == "allow" and result["origin"] == page_origin
    assert post_json(page + "check", {"action": "put"})["verdict"] == "block"
    assert post_json(page + "policy", {"origins": page_origin, "methods": "GET PUT", "allow_headers": "x-custom"})[
        "applied"] is True
    assert post_json(page + "check", {"action": "put"})["verdict"] == "allow"

    assert demo.stop(signum) == 0
    demo.read_until(r"stopped")
    assert refused(port_of(page)) and refused(port_of(api)), "both servers are closed"
    assert "Traceback" not in demo.stderr


def test_demo_uses_the_ports_asked_for(start) -> None:
    with socket.socket() as a, socket.socket() as b:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", 0))
        page_port, api_port = a.getsockname()[1], b.getsockname()[1]
    demo = start("--page-port", str(page_port), "--api-port", str(api_port))
    page, api = demo.urls()
    assert (port_of(page), port_of(api)) == (page_port, api_port)
    assert demo.stop() == 0


def test_busy_port_is_a_usage_error(start) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        demo = start("--page-port", str(busy.getsockname()[1]))
        assert demo.process.wait(timeout=WAIT) == 2
        demo.kill()
        assert "cannot start" in demo.stderr
