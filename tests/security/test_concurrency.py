"""``reconfigure`` under load: every response is one policy's answer, never a mix.

Threads send requests while another thread swaps policies (valid and invalid
ones); then the same under a real gunicorn with the gthread worker, where the
swap is an admin request handled by the same worker's threads.
"""

import http.client
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import reconfigure_app
from reconfigure_app import POLICIES, PROBES, cors_view, expected_views, probe_environ, rules
from security_support import call
from wsgicors import ConfigError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


@pytest.fixture
def fast_switching():
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible to provoke races
    yield
    sys.setswitchinterval(previous)


def test_reconfigure_under_load_from_threads(fast_switching):
    views = expected_views()
    middleware = reconfigure_app.app
    middleware.reconfigure(rules=rules("a"))
    stop = threading.Event()
    swaps = {"valid": 0, "refused": 0}

    def swapper():
        deadline = time.monotonic() + 20
        while not stop.is_set() and time.monotonic() < deadline and swaps["valid"] < 100_000:
            name = "ab"[swaps["valid"] % 2]
            if swaps["valid"] % 3:
                middleware.reconfigure(rules=rules(name))
            else:  # one policy everywhere, then changed option by option
                middleware.reconfigure(policy=POLICIES["b" if name == "a" else "a"])
                middleware.reconfigure(**POLICIES[name].options())
            swaps["valid"] += 1
            try:
                middleware.reconfigure(origins="*", allow_credentials=True)
            except ConfigError:
                swaps["refused"] += 1

    def client(worker):
        seen = {"a": 0, "b": 0}
        for count in range(1500):
            index = (worker + count) % len(PROBES)
            result = call(middleware, probe_environ(index))
            view = cors_view(result.status, result.headers)
            matches = [name for name in views if views[name][index] == view]
            assert matches, f"probe {PROBES[index]} got a mixed answer: {view}"
            seen[matches[0]] += 1
        return seen

    thread = threading.Thread(target=swapper, daemon=True)
    thread.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(client, range(8)))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert swaps["valid"] > 10 and swaps["refused"] == swaps["valid"]
    assert sum(r["a"] for r in results) and sum(r["b"] for r in results), results


def test_reconfigure_inside_a_request_does_not_change_that_response():
    """The policy is read once per request: the app swapping it mid-request gets the old answer."""
    views = expected_views()
    middleware = reconfigure_app.app
    middleware.reconfigure(rules=rules("a"))
    seen = []

    def backend(env, start_response):
        middleware.reconfigure(rules=rules("b" if env["HTTP_X_TURN"] == "a" else "a"))
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-From-A", "1"), ("X-From-B", "1")])
        return [b"data"]

    middleware.app, original = backend, middleware.app
    try:
        for turn in "abab":
            result = call(middleware, dict(probe_environ(0), HTTP_X_TURN=turn))
            seen.append(cors_view(result.status, result.headers))
    finally:
        middleware.app = original
        middleware.reconfigure(rules=rules("a"))
    assert seen == [views["a"][0], views["b"][0]] * 2


# --------------------------------------------------------------------------
# A real server: gunicorn, gthread worker, loopback only
# --------------------------------------------------------------------------


class Gunicorn:
    """gunicorn on 127.0.0.1 and a free port; always shut down."""

    def __init__(self, module, threads=8):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([HERE, ROOT, os.environ.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--threads", str(threads),
             "--workers", "1", "--bind", "127.0.0.1:0", "--graceful-timeout", "3", "--timeout", "30",
             "--chdir", HERE, module],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log = []
        self.port = None
        deadline = time.monotonic() + 30
        while self.port is None and time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            self.log.append(line)
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found.group(1))
        booted = self.port is not None
        while booted and time.monotonic() < deadline and not any("Booting worker" in entry for entry in self.log):
            self.log.append(self.process.stderr.readline())
        if not booted:
            self.stop()
            raise RuntimeError("gunicorn did not start:\n" + "".join(self.log))
        # Keep draining stderr so the server never blocks on a full pipe.
        self._drain = threading.Thread(target=lambda: [self.log.append(x) for x in self.process.stderr], daemon=True)
        self._drain.start()

    def request(self, method, path, headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            return f"{response.status} {response.reason}", response.getheaders(), body
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.mark.server
def test_reconfigure_under_load_in_gunicorn_gthread():
    views = expected_views()
    server = Gunicorn("reconfigure_app:app")
    try:
        assert server.request("GET", "/admin/swap?a", {})[2] == b"swapped"

        def client(worker):
            seen = {"a": 0, "b": 0}
            for count in range(60):
                index = (worker + count) % len(PROBES)
                method, path, headers = PROBES[index]
                status, response_headers, _ = server.request(method, path, headers)
                view = cors_view(status, response_headers)
                matches = [name for name in views if views[name][index] == view]
                assert matches, f"probe {PROBES[index]} got a mixed answer: {view}"
                seen[matches[0]] += 1
            return seen

        def swapper():
            for count in range(60):
                assert server.request("GET", "/admin/swap?" + "ba"[count % 2], {})[2] == b"swapped"

        with ThreadPoolExecutor(max_workers=7) as pool:
            swapping = pool.submit(swapper)
            results = list(pool.map(client, range(6)))
            swapping.result(timeout=60)
        assert sum(r["a"] + r["b"] for r in results) == 360
        assert sum(r["a"] for r in results) and sum(r["b"] for r in results), results
        assert server.process.poll() is None, "".join(server.log)
    finally:
        server.stop()
    assert server.process.returncode is not None
    assert not any("Traceback" in line for line in server.log), "".join(server.log)
