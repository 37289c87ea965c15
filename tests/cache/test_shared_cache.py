"""Through a real shared cache (Varnish) no cached answer ever reaches the wrong origin.

Varnish stores every response (``Cache-Control: public``) and honours ``Vary``
as a CDN does. Requests from two allowed origins, a refused origin and a page
load without ``Origin`` are sent in every order; each must get exactly the
CORS answer the policy gives that requester. With ``origins="*"`` that is
``Access-Control-Allow-Origin: *`` for all four, so a page load's stored
response also serves a later ``fetch()``.
"""

import itertools
import os
import pathlib
import shutil
import socket
import subprocess
import time

import pytest

from cache_apps import ALLOWED_A, ALLOWED_B
from gunicorn_testing import Server, private_options, request, stop

pytestmark = pytest.mark.server

HERE = pathlib.Path(__file__).resolve().parent
REFUSED = "https://evil.example"
REQUESTERS = (ALLOWED_A, ALLOWED_B, REFUSED, None)
ORDERS = list(itertools.permutations(REQUESTERS))
VCL = """vcl 4.1;
backend default {{ .host = "127.0.0.1"; .port = "{port}"; }}
sub vcl_recv {{
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}}
sub vcl_deliver {{
    if (obj.hits > 0) {{
        set resp.http.X-Cache = "hit";
    }} else {{
        set resp.http.X-Cache = "miss";
    }}
}}
"""
START_TIMEOUT = 30.0


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Varnish:
    """``varnishd`` in the foreground with a VCL that caches everything cacheable."""

    def __init__(self, backend_port, workdir):
        varnishd = shutil.which("varnishd") or ("/usr/sbin/varnishd" if os.path.exists("/usr/sbin/varnishd") else None)
        if varnishd is None:
            if os.environ.get("CI") == "true":
                pytest.fail("varnishd is not installed (CI must install the varnish package)")
            pytest.skip("varnishd is not installed")
        vcl = workdir / "cache.vcl"
        vcl.write_text(VCL.format(port=backend_port))
        self.port = free_port()
        self.log = workdir / "varnish.log"
        self.process = subprocess.Popen(
            [varnishd, "-F", "-j", "none", "-n", str(workdir / "instance"), "-a", f"127.0.0.1:{self.port}",
             "-f", str(vcl), "-s", "malloc,16m", "-p", "default_grace=0"],
            stdin=subprocess.DEVNULL, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        pytest.fail("varnishd did not start:\n" + self.log.read_text(errors="replace"))

    def get(self, path, origin):
        return request(self.port, "GET", path, {"Origin": origin} if origin else {})

    def stop(self):
        stop(self.process)


@pytest.fixture(scope="module", params=["listed", "star"])
def cached(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("cache")
    backend = Server([f"cache_apps:{request.param}"], "sync", workdir / "gunicorn.log", private_options(),
                     chdir=HERE)
    try:
        varnish = Varnish(backend.port, workdir)
        try:
            yield request.param, varnish
        finally:
            varnish.stop()
    finally:
        backend.stop()


def expected_allow_origin(config, origin):
    if config == "star":
        return "*"
    return origin if origin in (ALLOWED_A, ALLOWED_B) else None


def test_no_cached_answer_reaches_the_wrong_origin_in_any_order(cached):
    config, varnish = cached
    wrong, hits = [], 0
    for number, order in enumerate(ORDERS):
        path = f"/data?order={number}"  # a fresh cache entry per order
        for origin in order + order:  # the second round is served from the cache
            response = varnish.get(path, origin)
            assert response.status == 200
            hits += response.getheader("X-Cache") == "hit"
            got = response.getheader("Access-Control-Allow-Origin")
            if got != expected_allow_origin(config, origin):
                wrong.append((order, origin, got, response.getheader("X-Cache")))
    assert wrong == []
    assert hits >= len(ORDERS) * len(REQUESTERS)  # the cache really served stored answers


def test_the_origin_dependent_answer_varies_on_origin(cached):
    config, varnish = cached
    vary = varnish.get("/vary", ALLOWED_A).getheader("Vary")
    if config == "listed":
        assert "Origin" in vary
    else:
        assert vary is None  # '*' is the same for everyone: nothing to vary on
