"""Logs an attacker cannot flood: request-triggered lines at WARNING and above are rate-limited.

An origin callable that raises logs one ERROR line per distinct cause (the
exception's type and the line that raised it, never request data) per
:data:`wsgicors.logs.INTERVAL` seconds, however many requests trigger it and
whatever their origins; debug mode keeps its per-request INFO lines.
"""

import ipaddress
import logging

import pytest

from wsgicors import CORSMiddleware
from wsgicors import logs
from wsgicors.logs import RateLimitedLog


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def call(wrapped, origin, method="GET"):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/", "HTTP_ORIGIN": origin}
    if method == "OPTIONS":
        environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = "PUT"
    wrapped(environ, lambda status, headers, exc_info=None: None)


def only_ips(origin):
    return ipaddress.ip_address(origin.partition("://")[2]).is_private  # raises on host names


def records_at(caplog, level):
    return [r for r in caplog.records if r.name == "wsgicors" and r.levelno >= level]


@pytest.mark.parametrize("debug", [False, True])
def test_200_requests_hitting_a_raising_callable_log_one_error(caplog, debug):
    wrapped = CORSMiddleware(app, origins=only_ips, debug=debug)
    with caplog.at_level(logging.INFO, logger="wsgicors"):
        for index in range(200):
            call(wrapped, f"https://host{index}.example", "OPTIONS" if index % 2 else "GET")
    errors = records_at(caplog, logging.WARNING)
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert "origin predicate raised" in errors[0].getMessage()
    assert "at most once per 60 s" in errors[0].getMessage()


def test_debug_mode_keeps_its_per_request_info_lines(caplog):
    wrapped = CORSMiddleware(app, origins=only_ips, debug=True)
    with caplog.at_level(logging.INFO, logger="wsgicors"):
        for index in range(20):
            call(wrapped, f"https://host{index}.example")
    info = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(info) == 20


def test_distinct_causes_are_each_logged_once(caplog):
    def two_faults(origin):
        if "db" in origin:
            raise ConnectionError("database down")
        raise KeyError(origin)

    wrapped = CORSMiddleware(app, origins=two_faults)
    with caplog.at_level(logging.INFO, logger="wsgicors"):
        for index in range(50):
            call(wrapped, f"https://db{index}.example")
            call(wrapped, f"https://other{index}.example")
    assert len(records_at(caplog, logging.WARNING)) == 2


def test_the_next_interval_logs_again_with_the_count_left_out():
    now = [0.0]
    target = logging.getLogger("wsgicors.test-limiter")
    lines = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(record.getMessage())

    handler = Collect()
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    try:
        limiter = RateLimitedLog(target, interval=60.0, clock=lambda: now[0])
        for second in range(0, 130):
            now[0] = float(second)
            limiter.log(logging.ERROR, "cause", "it failed")
    finally:
        target.removeHandler(handler)
    assert len(lines) == 3  # at 0 s, 60 s and 120 s
    assert lines[1].endswith("(and 59 more times in the last 60 s)")


def test_causes_never_grow_past_the_bound():
    limiter = RateLimitedLog(logging.getLogger("wsgicors.test-bound"))
    for index in range(logs.MAX_CAUSES * 3):
        limiter.log(logging.ERROR, ("cause", index), "x")
    assert len(limiter._seen) <= logs.MAX_CAUSES + 1
