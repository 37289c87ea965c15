"""The per-request fast paths keep the exact behaviour of the slow ones."""

from __future__ import annotations

import random
import re

from wsgicors import Policy
from wsgicors import origins as origins_module

ORIGINS = ["https://app.example.com", "https://*.tenant.example.net", "http://localhost:*",
           re.compile(r"https://preview-[0-9]+\.example\.org")]
SAMPLES = [
    "https://app.example.com", "https://a.tenant.example.net", "https://a.b.tenant.example.net",
    "https://tenant.example.net", "https://evil.example.com", "http://localhost:8080", "http://localhost",
    "https://preview-12.example.org", "https://preview-x.example.org", "null", "HTTPS://A.TENANT.EXAMPLE.NET",
    "https://a.tenant.example.net:443", "https://a.tenant.example.net.", "https://a.tenant.example.net/",
    "https://a.tenant.example.net, https://evil.com", "", "https://" + "a" * 400 + ".tenant.example.net",
]


def test_remembered_answers_equal_fresh_ones() -> None:
    policy = Policy(ORIGINS)
    rng = random.Random(7)
    for origin in [rng.choice(SAMPLES) for _ in range(500)]:
        fresh = Policy(ORIGINS).matcher.allows(origin)
        assert policy.matcher.allows(origin) is fresh, origin


def test_the_callable_is_asked_on_every_request() -> None:
    calls = []

    def predicate(origin: str) -> bool:
        calls.append(origin)
        return len(calls) % 2 == 1  # changes its mind: nothing about it may be remembered

    matcher = Policy(["https://*.example.com", predicate]).matcher
    answers = [matcher.allows("https://other.example.org") for _ in range(4)]
    assert answers == [True, False, True, False]
    assert len(calls) == 4
    assert matcher.allows("https://a.example.com") is True  # the wildcard answers without it
    assert matcher.allows("https://a.example.com") is True
    assert len(calls) == 4


def test_the_memory_is_bounded() -> None:
    matcher = Policy(["https://*.example.com"]).matcher
    for index in range(3 * origins_module.MEMO_SIZE + 7):
        assert matcher.allows(f"https://host{index}.example.com") is True
        assert matcher.allows(f"https://host{index}.example.org") is False
        assert len(matcher._memo) <= origins_module.MEMO_SIZE
    long_origin = "https://" + "a" * origins_module.MEMO_MAX_LENGTH + ".example.com"
    assert matcher.allows(long_origin) is False  # a label over 63 characters
    assert long_origin not in matcher._memo
