"""Real gunicorn on 127.0.0.1 for the server tests: started, spoken to over a socket, always stopped.

A server is found through the port gunicorn reports for ``127.0.0.1:0`` and
stopped with TERM, then KILL of its process group after a bounded wait.
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

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
REQUEST_TIMEOUT = 15.0

WORKERS = {"sync": ["--worker-class", "sync"], "gthread": ["--worker-class", "gthread", "--threads", "4"]}
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


def private_options():
    """gunicorn 25+ opens a control socket in ~/.gunicorn shared by every server: not ours."""
    help_text = subprocess.run([sys.executable, "-m", "gunicorn", "--help"], capture_output=True, text=True,
                               timeout=60, stdin=subprocess.DEVNULL).stdout
    return ["--no-control-socket"] if "--no-control-socket" in help_text else []


class Server:
    """``gunicorn target`` with one worker of class ``worker``, run from ``chdir`` (default: examples/)."""

    def __init__(self, target, worker, log_path, options=(), chdir=EXAMPLES):
        self.log_path = log_path
        command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1",
                   *WORKERS[worker], "--chdir", str(chdir), "--timeout", "30",
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
        return request(self.port, method, path, headers)

    def stop(self):
        stop(self.process)


def request(port, method, path, headers):
    """One request to 127.0.0.1:``port`` on a fresh connection; the body is read into ``.body``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.body = response.read()
        return response
    finally:
        connection.close()


def stop(process):
    """TERM, then KILL of the process group after :data:`STOP_TIMEOUT` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)


def refused_start_up_log(tmp_path, chdir, target, options):
    """Start gunicorn on ``target`` and expect it to exit at start-up; returns its log.

    A configuration error must stop the server when the worker loads the app,
    not answer 500 on every request. The process group is killed if it is still up.
    """
    log = tmp_path / "log.txt"
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1", "--chdir", str(chdir),
               "--log-file", str(log), *options, target]
    process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert process.wait(START_TIMEOUT) != 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(STOP_TIMEOUT)
    return log.read_text(errors="replace")
