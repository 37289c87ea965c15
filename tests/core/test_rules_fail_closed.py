"""Generic ``rules`` fail closed on paths that routers rewrite before routing.

``rules`` cannot know the application's router. Werkzeug merges slashes and
redirects, Pyramid traversal drops empty and ``.`` segments and resolves
``..``, Pyramid traversal reads a ``@@name`` segment as the view name ``name``
(``/@@internal`` runs the view ``/internal`` runs), Bottle 0.13 drops bytes
that are not UTF-8, Werkzeug replaces them: such
a path could reach a view other than the one its text matches, so it matches no
rule and gets no CORS headers at all, unless one policy covers every path.
"""

import pytest

from wsgicors import Policy
from wsgicors.middleware import Rules

ADMIN = Policy(origins=["https://admin.example.com"], allow_credentials=True)
PARTNER = Policy(origins=["https://partner.example"], allow_credentials=True)
CAFE = Policy(origins=["https://cafe.example"])
RULES = Rules([("/admin/*", ADMIN), ("/café/*", CAFE), ("/internal/*", None), ("*", PARTNER)])


def latin1(text: str) -> str:
    """PATH_INFO for a request path whose bytes are ``text`` in UTF-8 (PEP 3333)."""
    return text.encode("utf-8").decode("latin-1")


@pytest.mark.parametrize("path", [
    "//admin/data",             # Werkzeug: merged, routed to /admin/data
    "/x//admin/data",
    "/admin//data",
    "//internal/secret",        # Pyramid traversal: /internal/secret
    "/./admin/data",
    "/public/../admin/data",
    "/public/..",
    "/admin/.",
    "/admin/dat\xffa",          # %FF: Bottle 0.13 routes /admin/data
    "/\xc3",                     # a truncated UTF-8 sequence
    "/caf\xe9/x",               # latin-1 é, not UTF-8
    "/@@internal/secret",       # Pyramid traversal: '@@' selects the view 'internal' (as /internal/secret)
    "/x/@@admin",
])
def test_paths_routers_rewrite_match_no_rule(path):
    assert RULES.policy_for(path) is None


@pytest.mark.parametrize("path, expected", [
    ("/admin/data", ADMIN),
    ("/public/x", PARTNER),
    ("/internal/x", None),
    ("/admin/..data", ADMIN),   # not a dot segment
    ("/admin/.well-known", ADMIN),
    ("/admin/a@@b", ADMIN),     # '@@' inside a segment selects no view
    ("/", PARTNER),
])
def test_ordinary_paths_still_match_their_rule(path, expected):
    assert RULES.policy_for(path) is expected


def test_non_ascii_patterns_match_the_path_as_the_app_decodes_it():
    """PATH_INFO carries the UTF-8 bytes as latin-1; '/café/*' matches /caf%C3%A9/x."""
    assert RULES.policy_for(latin1("/café/menu")) is CAFE
    assert RULES.policy_for(latin1("/ünïcode/x")) is PARTNER


def test_one_policy_for_every_path_covers_rewritten_paths_too():
    single = Rules([("*", PARTNER)])
    for path in ("//admin/data", "/a/../b", "/dat\xffa"):
        assert single.policy_for(path) is PARTNER
