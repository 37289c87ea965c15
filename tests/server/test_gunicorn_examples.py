"""Every example app served by real gunicorn (sync and gthread workers) on 127.0.0.1.

Each server is started once per (example, worker class), found through the
port gunicorn reports for ``127.0.0.1:0``, spoken to over a socket, and always
stopped: TERM, then KILL of its process group after a bounded wait.
"""

import http.client
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.server

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ORIGIN = "https://app.example.com"
EVIL = "https://evil.example.net"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 15.0

EXAMPLE_TARGETS = {
    "flask": ["flask_app:app"],
    "bottle": ["bottle_app:app"],
    "pyramid-ini": ["--paste", str(EXAMPLES / "pyramid.ini")],
    "paste-ini": ["--paste", str(EXAMPLES / "paste.ini")],
    "wrap": ['wsgicors:wrap("unmodified_app:app", origins=["https://app.example.com"], max_age=600)'],
    "wrap-factory": ['wsgicors:wrap("unmodified_app:create_app()", origins=["https://app.example.com"], max_age=600)'],
}
WORKERS = {"sync": ["--worker-class", "sync"], "gthread": ["--worker-class", "gthread", "--threads", "4"]}
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def private_options():
    """gunicorn 25+ opens a control socket in ~/.gunicorn shared by every server: not ours."""
    help_text = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True,
                               timeout=60, stdin=subprocess.DEVNULL).stdout
    return ["--no-control-socket"] if "--no-control-socket" in help_text else []


class Server:
    def __init__(self, target, worker, log_path, options=()):
        self.log_path = log_path
        command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1",
                   *WORKERS[worker], "--chdir", str(EXAMPLES), "--timeout", "30",
                   "--graceful-timeout", "5", "--log-file", str(log_path), *options, *target]
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.port = self._wait_for_port()

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _wait_for_port(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = LISTENING.search(self.log())
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"gunicorn did not start:\n{self.log()}")

    def request(self, method, path, headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            response.body = response.read()
            return response
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_TIMEOUT)


@pytest.fixture(scope="module")
def gunicorn_options():
    return private_options()


@pytest.fixture(scope="module", params=[(example, worker) for example in EXAMPLE_TARGETS for worker in WORKERS],
                ids=lambda param: "-".join(param))
def server(request, tmp_path_factory, gunicorn_options):
    example, worker = request.param
    running = Server(EXAMPLE_TARGETS[example], worker, tmp_path_factory.mktemp("gunicorn") / "log.txt",
                     gunicorn_options)
    try:
        yield running
    finally:
        running.stop()


def test_allowed_preflight_is_answered(server):
    response = server.request("OPTIONS", "/api/hello", {
        "Origin": ORIGIN, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"})
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert response.getheader("Access-Control-Allow-Headers") == "content-type"
    assert response.getheader("Access-Control-Max-Age") == "600"
    assert response.body == b""


def test_refused_preflight_is_403(server):
    response = server.request("OPTIONS", "/api/hello", {"Origin": EVIL, "Access-Control-Request-Method": "PUT"})
    assert response.status == 403
    assert response.getheader("Access-Control-Allow-Origin") is None


def test_actual_response_carries_cors_headers(server):
    response = server.request("GET", "/api/hello", {"Origin": ORIGIN})
    assert response.status == 200
    assert b"world" in response.body
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN
    assert response.getheader("Vary") == "Origin"


def test_error_response_carries_cors_headers(server):
    response = server.request("GET", "/api/missing", {"Origin": ORIGIN})
    assert response.status == 404
    assert response.getheader("Access-Control-Allow-Origin") == ORIGIN


def test_other_origin_gets_no_allow_origin(server):
    response = server.request("GET", "/api/hello", {"Origin": EVIL})
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") is None
    assert response.getheader("Vary") == "Origin"


def test_a_factory_named_without_calling_it_stops_gunicorn_at_start_up(tmp_path, gunicorn_options):
    """Refused when the worker boots (gunicorn exits), not with a 500 on every request."""
    log = tmp_path / "log.txt"
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1", "--chdir", str(EXAMPLES),
               "--log-file", str(log), *gunicorn_options,
               'wsgicors:wrap("unmodified_app:create_app", origins=["https://app.example.com"])']
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert process.wait(START_TIMEOUT) != 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)
    assert "if it is an app factory, call it: 'unmodified_app:create_app()'" in log.read_text(errors="replace")
