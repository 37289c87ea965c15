"""The README's main job: examples/plain_wsgi.py on the stdlib server, over a real socket."""

import http.client
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.server


@pytest.fixture
def server():
    process = subprocess.Popen([sys.executable, str(ROOT / "examples" / "plain_wsgi.py"), "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        yield process, int(match.group(1))
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def request(port, method, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, "/api/hello", headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def test_example_answers_a_preflight_over_the_socket(server):
    _, port = server
    status, headers, body = request(port, "OPTIONS", {
        "Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    assert status == 204 and body == b""
    assert ("Access-Control-Allow-Origin", "https://app.example.com") in headers
    assert ("Access-Control-Max-Age", "600") in headers


def test_example_decorates_an_actual_request_over_the_socket(server):
    _, port = server
    status, headers, body = request(port, "GET", {"Origin": "http://localhost:5173"})
    assert status == 200 and b"hello" in body
    assert ("Access-Control-Allow-Origin", "http://localhost:5173") in headers
    assert ("Access-Control-Expose-Headers", "x-request-id") in headers


def test_example_refuses_a_foreign_preflight_over_the_socket(server):
    _, port = server
    status, headers, _ = request(port, "OPTIONS", {
        "Origin": "https://evil.example.net", "Access-Control-Request-Method": "PUT"})
    assert status == 403
    assert not [name for name, _ in headers if name.lower().startswith("access-control-allow")]


def test_example_stops_cleanly_on_ctrl_c(server):
    process, _ = server
    process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.returncode == 0
