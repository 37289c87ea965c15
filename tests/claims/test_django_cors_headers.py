"""What README says about django-cors-headers 4.9.0, reproduced on the real release (Django's WSGI handler)."""

from __future__ import annotations

import importlib.metadata
import re
from typing import Any, Iterator

import pytest

from claims.support import EVIL, ORIGIN, call, preflight, runtime_requirements, values

pytestmark = pytest.mark.claims


@pytest.fixture(scope="module")
def django_app() -> Any:
    from claims.django_project import configure

    return configure()


@pytest.fixture
def cors_settings() -> Iterator[Any]:
    """``cors_settings(**settings)`` applies CORS settings for this test only."""
    from django.test import override_settings

    applied = []

    def apply(**settings: Any) -> None:
        override = override_settings(**settings)
        override.enable()
        applied.append(override)

    yield apply
    for override in reversed(applied):
        override.disable()


def test_the_release_under_test_is_4_9_0() -> None:
    assert importlib.metadata.version("django-cors-headers") == "4.9.0"


def test_regexes_are_matched_at_the_start_only_so_a_longer_host_passes(django_app: Any, cors_settings: Any) -> None:
    cors_settings(CORS_ALLOWED_ORIGIN_REGEXES=[r"https://good\.com"])
    _, headers = call(django_app, "GET", "/api", {"Origin": "https://good.com.evil.net"})
    assert values(headers, "Access-Control-Allow-Origin") == ["https://good.com.evil.net"]


def test_allow_all_with_credentials_reflects_any_origin_with_credentials(django_app: Any, cors_settings: Any) -> None:
    cors_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True)
    _, headers = call(django_app, "GET", "/api", {"Origin": EVIL})
    assert values(headers, "Access-Control-Allow-Origin") == [EVIL]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]


def test_system_checks_report_every_problem_with_codes_and_hints(django_app: Any, cors_settings: Any) -> None:
    from django.core.checks import run_checks

    cors_settings(CORS_ALLOWED_ORIGINS=[ORIGIN + "/path", "app.example.com"])
    problems = [message for message in run_checks() if message.id.startswith("corsheaders.")]
    assert sorted(message.id for message in problems) == ["corsheaders.E013", "corsheaders.E014"]
    assert any(message.hint for message in problems)


@pytest.mark.parametrize("origin", [ORIGIN, EVIL, None])
def test_vary_origin_is_merged_into_one_line_for_allowed_refused_and_absent_origins(
        django_app: Any, cors_settings: Any, origin: Any) -> None:
    cors_settings(CORS_ALLOWED_ORIGINS=[ORIGIN])
    _, headers = call(django_app, "GET", "/api", {"Origin": origin} if origin else {})
    assert values(headers, "Vary") == ["Accept-Encoding, origin"]


def test_a_refused_preflight_is_200_without_cors_headers(django_app: Any, cors_settings: Any) -> None:
    cors_settings(CORS_ALLOWED_ORIGINS=[ORIGIN])
    status, headers = preflight(django_app, origin=EVIL)
    assert status == 200
    assert not [name for name, _ in headers if name.lower().startswith("access-control-")]


def test_a_preflight_where_no_route_exists_is_answered(django_app: Any, cors_settings: Any) -> None:
    cors_settings(CORS_ALLOWED_ORIGINS=[ORIGIN])
    status, headers = preflight(django_app, path="/nowhere")
    assert status == 200 and values(headers, "Access-Control-Allow-Origin") == [ORIGIN]


def test_wildcard_subdomains_only_through_regexes(django_app: Any, cors_settings: Any) -> None:
    cors_settings(CORS_ALLOWED_ORIGINS=["https://*.example.com"])
    _, headers = call(django_app, "GET", "/api", {"Origin": "https://a.example.com"})
    assert values(headers, "Access-Control-Allow-Origin") == []
    cors_settings(CORS_ALLOWED_ORIGINS=[], CORS_ALLOWED_ORIGIN_REGEXES=[r"https://[a-z]+\.example\.com"])
    _, headers = call(django_app, "GET", "/api", {"Origin": "https://a.example.com"})
    assert values(headers, "Access-Control-Allow-Origin") == ["https://a.example.com"]


def test_every_configured_origin_is_reparsed_on_each_request(django_app: Any, cors_settings: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import corsheaders.middleware

    origins = [f"https://site{n}.example" for n in range(100)]
    cors_settings(CORS_ALLOWED_ORIGINS=origins)
    split = []
    real = corsheaders.middleware.urlsplit
    monkeypatch.setattr(corsheaders.middleware, "urlsplit", lambda url: split.append(url) or real(url))
    for _ in range(2):
        call(django_app, "GET", "/api", {"Origin": EVIL})
    assert split.count(origins[-1]) == 2 and len(split) >= 2 * len(origins)


def test_each_regex_is_tried_in_turn(django_app: Any, cors_settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import corsheaders.middleware

    patterns = [rf"https://[a-z]+\.site{n}\.example" for n in range(50)]
    cors_settings(CORS_ALLOWED_ORIGIN_REGEXES=patterns)
    tried = []

    class CountingRe:
        def __getattr__(self, name: str) -> Any:
            return getattr(re, name)

        @staticmethod
        def match(pattern: Any, string: str, flags: int = 0) -> Any:
            tried.append(pattern)
            return re.match(pattern, string, flags)

    monkeypatch.setattr(corsheaders.middleware, "re", CountingRe())
    call(django_app, "GET", "/api", {"Origin": EVIL})
    assert [pattern for pattern in tried if pattern in patterns] == patterns


def test_runtime_dependencies_are_django_and_asgiref() -> None:
    assert runtime_requirements("django-cors-headers") == {"django", "asgiref"}


def test_ships_no_command() -> None:
    entry_points = importlib.metadata.distribution("django-cors-headers").entry_points
    assert [ep for ep in entry_points if ep.group == "console_scripts"] == []
