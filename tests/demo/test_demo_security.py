"""``wsgicors demo`` cannot be driven by another site: Origin, Content-Type and Host are checked.

Threat: while the demo runs, any page the user visits could install
``origins=https://evil.example`` with credentials on the demo API (a cross-site
``text/plain`` POST needs no preflight), or read the demo through DNS rebinding
(a name the attacker controls, resolved to 127.0.0.1, sent as ``Host``).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest

from wsgicors.demo import Demo

EVIL = "https://evil.example"
EVIL_POLICY = {"origins": EVIL, "methods": "GET", "allow_headers": "", "expose_headers": "",
               "max_age": "", "allow_credentials": "true"}


@pytest.fixture
def demo() -> Iterator[Demo]:
    with Demo() as started:
        yield started


def send(url: str, method: str = "GET", body: Optional[str] = None, **headers: str) -> Tuple[int, Dict[str, Any]]:
    """One request with exactly these headers (``Host`` defaults to the URL's); (status, JSON body or text)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        names = {name.lower().replace("_", "-"): value for name, value in headers.items()}
        connection.putrequest(method, parts.path or "/", skip_host="host" in names, skip_accept_encoding=True)
        for name, value in names.items():
            connection.putheader(name, value)
        encoded = body.encode() if body is not None else None
        if encoded is not None:
            connection.putheader("Content-Length", str(len(encoded)))
        connection.endheaders(encoded)
        response = connection.getresponse()
        data = response.read().decode()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, {"text": data}
    finally:
        connection.close()


def policy_origins(demo: Demo) -> str:
    return demo.in_force()["form"]["origins"]


def test_the_page_itself_can_change_the_policy(demo: Demo) -> None:
    status, answer = send(demo.page_url + "policy", "POST", json.dumps(dict(EVIL_POLICY, origins=demo.page_origin)),
                          content_type="application/json", origin=demo.page_origin, sec_fetch_site="same-origin")
    assert status == 200 and answer["applied"] is True


@pytest.mark.parametrize("path", ["policy", "check"])
def test_a_forged_origin_is_refused(demo: Demo, path: str) -> None:
    status, answer = send(demo.page_url + path, "POST", json.dumps(dict(EVIL_POLICY, action="get")),
                          content_type="application/json", origin=EVIL)
    assert status == 403 and "only the demo page" in answer["error"]
    assert policy_origins(demo) == demo.page_origin


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain;charset=UTF-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None])
def test_a_body_a_cross_site_page_can_send_without_preflight_is_refused(demo: Demo, content_type: Optional[str]) -> None:
    """Even with the page's own Origin: only application/json, which needs a preflight cross-site, is read."""
    headers = {"origin": demo.page_origin}
    if content_type is not None:
        headers["content_type"] = content_type
    status, answer = send(demo.page_url + "policy", "POST", json.dumps(EVIL_POLICY), **headers)
    assert status == 415 and "application/json" in answer["error"]
    assert policy_origins(demo) == demo.page_origin


def test_a_form_post_from_another_site_is_refused(demo: Demo) -> None:
    """What ``<form method=post action=http://127.0.0.1:P1/policy>`` on evil.example sends."""
    status, _ = send(demo.page_url + "policy", "POST", urllib.parse.urlencode(EVIL_POLICY),
                     content_type="application/x-www-form-urlencoded", origin=EVIL, sec_fetch_site="cross-site")
    assert status in (403, 415)
    assert policy_origins(demo) == demo.page_origin


def test_a_missing_origin_is_refused(demo: Demo) -> None:
    """Documented decision: browsers send Origin on every POST, so its absence is not the page."""
    status, answer = send(demo.page_url + "policy", "POST", json.dumps(EVIL_POLICY), content_type="application/json")
    assert status == 403 and "no Origin" in answer["error"]
    assert policy_origins(demo) == demo.page_origin


@pytest.mark.parametrize("site", ["cross-site", "same-site", "none"])
def test_sec_fetch_site_other_than_same_origin_is_refused(demo: Demo, site: str) -> None:
    status, _ = send(demo.page_url + "policy", "POST", json.dumps(EVIL_POLICY), content_type="application/json",
                     origin=demo.page_origin, sec_fetch_site=site)
    assert status == 403
    assert policy_origins(demo) == demo.page_origin


@pytest.mark.parametrize("server", ["page", "api"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "{name}:1", ""])
def test_a_foreign_host_header_is_refused_dns_rebinding(demo: Demo, server: str, host: str) -> None:
    url = demo.page_url if server == "page" else demo.api_origin + "/api/items"
    parts = urllib.parse.urlsplit(url)
    status, answer = send(url, host=host.format(port=parts.port, name=parts.hostname))
    assert status == 421 and "DNS rebinding" in answer["text"]


@pytest.mark.parametrize("server", ["page", "api"])
def test_the_servers_own_names_are_answered(demo: Demo, server: str) -> None:
    url = demo.page_url if server == "page" else demo.api_origin + "/api/items"
    parts = urllib.parse.urlsplit(url)
    assert send(url, host=f"{parts.hostname.upper()}:{parts.port}")[0] == 200
    assert send(url.replace(parts.hostname, "127.0.0.1"), host=parts.netloc)[0] == 200


def test_the_servers_bind_loopback_by_default(demo: Demo) -> None:
    assert demo.page_server.server.server_address[0] == "127.0.0.1"
    assert demo.api_server.server.server_address[0] == "127.0.0.1"
