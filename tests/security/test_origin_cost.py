"""The cost of reading a hostile Origin grows linearly with its length.

Measured as a ratio within one run (time.perf_counter, the minimum of several
interleaved repeats), never as an absolute time: ten times the input may cost
at most fifteen times the time, for the worst shapes we could construct
against every kind of entry that parses the origin (wildcard, any port,
regex, callable). Inputs beyond the longest possible origin are refused before
they are read, so they cost the same at every length.
"""

import re
import time

import pytest

from wsgicors import Policy
from wsgicors.origins import MAX_HOST_LENGTH, MAX_ORIGIN_LENGTH, parse_request_origin

POLICY = Policy(origins=["https://*.example.com", "https://*.a.example.com:*", "https://app.example.org:*",
                         re.compile(r"https://[a-z0-9-]+\.example\.net"), lambda origin: False])
REPEATS = 7
CALLS = 200


def _host(shape, size):
    """A host of about ``size`` characters in one of the worst shapes found."""
    if shape == "many labels":
        return ("a." * size)[: size if size % 2 else size - 1]
    if shape == "long labels":
        return ".".join(["a" * 63] * (size // 64 + 1))[:size].rstrip(".")
    if shape == "many dots near a wildcard suffix":
        return ("a." * size)[: size - len("example.co") - 1].rstrip(".") + ".example.co"
    if shape == "near-miss suffix":
        return (("x" * 62 + ".") * (size // 63 + 1))[: size - len(".example.comm")].strip(".") + ".example.comm"
    if shape == "bad character at the end":
        return "a" * (size - 1) + "!"
    if shape == "hyphens":
        return ".".join(["a-" * 30 + "a"] * (size // 62 + 1))[:size].rstrip(".-")
    raise ValueError(shape)


def test_the_shapes_are_valid_hosts_up_to_the_longest():
    for shape in SHAPES:
        for size in (MAX_HOST_LENGTH // 10, MAX_HOST_LENGTH):
            host = _host(shape, size)
            if shape != "bad character at the end":
                assert parse_request_origin(f"https://{host}") is not None, (shape, host)


SHAPES = ["many labels", "long labels", "many dots near a wildcard suffix", "near-miss suffix",
          "bad character at the end", "hyphens"]


def _cost(origins):
    """Seconds for CALLS look-ups of fresh origins (the memo never answers)."""
    matcher = POLICY.origins
    start = time.perf_counter()
    for origin in origins:
        matcher._memo.clear()
        matcher.allows(origin)
    return time.perf_counter() - start


def _ratio(small, large):
    best_small = best_large = float("inf")
    for _ in range(REPEATS):  # interleaved, so both sizes see the same machine load
        best_small = min(best_small, _cost(small))
        best_large = min(best_large, _cost(large))
    return best_large / best_small


@pytest.mark.parametrize("sizes", [(MAX_HOST_LENGTH // 10, MAX_HOST_LENGTH), (200, 2_000), (2_000, 20_000)],
                         ids=["up to the longest host", "across the bound", "beyond the bound"])
@pytest.mark.parametrize("shape", SHAPES)
def test_ten_times_the_host_costs_at_most_fifteen_times_the_time(shape, sizes):
    small = [f"https://{_host(shape, sizes[0])}:{1000 + i}" for i in range(CALLS)]
    large = [f"https://{_host(shape, sizes[1])}:{1000 + i}" for i in range(CALLS)]
    assert _ratio(small, large) <= 15


@pytest.mark.parametrize("length", [MAX_ORIGIN_LENGTH + 1, 2048, 1_000_000])
def test_an_origin_longer_than_the_longest_possible_is_refused_unread(length):
    origin = "https://" + "a" * (length - len("https://"))
    assert parse_request_origin(origin) is None
    assert not Policy(origins=[lambda o: True]).origins.allows(origin)


def test_the_longest_possible_origin_is_read():
    host = ".".join(["a" * 63] * 3 + ["b" * 61])
    assert len(host) == MAX_HOST_LENGTH
    origin = f"chrome-extension-xxxxxxxxxxxxxxx://{host}:65535"
    assert len(origin) == MAX_ORIGIN_LENGTH
    assert parse_request_origin(origin) == ("chrome-extension-xxxxxxxxxxxxxxx", host, "65535")
