"""docs/design.md §3.4: one merged Vary whenever the answer depends on the origin."""

import pytest

from cors_testing import ALLOWED, OTHER, RecordingApp, client, header_values
from wsgicors.engine import merge_vary


@pytest.mark.parametrize("origin", [ALLOWED, OTHER, None])
def test_origin_dependent_policy_varies_on_origin_with_or_without_origin(app, origin):
    headers = {"Origin": origin} if origin else {}
    response = client(app, origins=[ALLOWED]).get("/", headers=headers)
    assert header_values(response, "Vary") == ["Origin"]


def test_plain_star_policy_adds_no_vary(app):
    response = client(app, origins="*").get("/", headers={"Origin": OTHER})
    assert header_values(response, "Vary") == []


def test_existing_vary_is_merged_into_one_header():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Vary", "Accept-Encoding"), ("Vary", "Cookie")])
    response = client(app, origins=[ALLOWED]).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Vary") == ["Accept-Encoding, Cookie, Origin"]


def test_existing_origin_in_vary_is_not_repeated():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("vary", "origin, Accept")])
    response = client(app, origins=[ALLOWED]).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Vary") == ["origin, Accept"]


def test_vary_star_is_left_alone():
    app = RecordingApp(headers=[("Content-Type", "text/plain"), ("Vary", "*")])
    response = client(app, origins=[ALLOWED]).get("/", headers={"Origin": ALLOWED})
    assert header_values(response, "Vary") == ["*"]


@pytest.mark.parametrize("before, after", [
    ([], [("Vary", "Origin")]),
    ([("Vary", "Accept")], [("Vary", "Accept, Origin")]),
    ([("Vary", "Accept"), ("X", "1"), ("VARY", "Cookie, accept")], [("Vary", "Accept, Cookie, Origin"), ("X", "1")]),
    ([("Vary", " , Accept,,")], [("Vary", "Accept, Origin")]),
    ([("Vary", "ORIGIN")], [("Vary", "ORIGIN")]),
    ([("Vary", "Accept, *")], [("Vary", "Accept, *")]),
])
def test_merge_vary_table(before, after):
    headers = list(before)
    merge_vary(headers, "Origin")
    assert headers == after
