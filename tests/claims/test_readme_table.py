"""README's comparison table: every cell about another library is the one a named claims test reproduces.

Editing a cell fails here until the cell below (and the test it names) says
the same: the README cannot drift from what the releases do.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

pytestmark = pytest.mark.claims

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

LIBRARIES = {
    "flask-cors 6.0.5": "test_flask_cors.py",
    "django-cors-headers 4.9.0": "test_django_cors_headers.py",
    "Starlette 1.10 `CORSMiddleware`": "test_starlette.py",
    "wsgicors 0.7.0": "test_wsgicors07.py",
}

#: row label -> for each library, in the table's order: (backing tests in that library's module).
BACKING: Dict[str, Tuple[List[str], List[str], List[str], List[str]]] = {
    "Regex origins must match the whole origin": (
        ["test_regex_origins_are_matched_at_the_start_only_so_a_longer_host_passes"],
        ["test_regexes_are_matched_at_the_start_only_so_a_longer_host_passes"],
        ["test_regex_origins_must_match_the_whole_origin"],
        ["test_patterns_are_fnmatch_so_star_example_com_admits_a_look_alike"]),
    "`*` + credentials": (
        ["test_star_with_credentials_reflects_any_origin_with_credentials"],
        ["test_allow_all_with_credentials_reflects_any_origin_with_credentials"],
        ["test_star_with_credentials_reflects_any_origin_with_credentials"],
        ["test_star_with_credentials_preflight_says_star_with_credentials",
         "test_star_with_credentials_reflects_any_origin_on_actual_requests"]),
    "Every configuration problem reported at once, with a hint": (
        ["test_an_origin_with_a_path_is_accepted_silently_and_never_matches"],
        ["test_system_checks_report_every_problem_with_codes_and_hints"],
        ["test_an_origin_with_a_path_is_accepted_silently_and_never_matches"],
        ["test_an_origin_with_a_path_is_accepted_silently_and_never_matches"]),
    "One merged `Vary: Origin` on every origin-dependent response": (
        ["test_vary_origin_is_a_second_header_line", "test_with_a_single_configured_origin_no_vary_origin_at_all"],
        ["test_vary_origin_is_merged_into_one_line_for_allowed_refused_and_absent_origins"],
        ["test_vary_is_merged_into_one_line_but_not_deduplicated"],
        ["test_vary_origin_is_a_second_line_and_only_for_allowed_origins"]),
    "Refused preflight": (
        ["test_a_refused_preflight_is_flasks_automatic_200_without_cors_headers"],
        ["test_a_refused_preflight_is_200_without_cors_headers"],
        ["test_a_refused_preflight_is_400"],
        ["test_every_preflight_is_204_refused_or_not"]),
    "Preflight for a path with no `OPTIONS` route": (
        ["test_a_preflight_to_a_post_only_route_gets_flasks_automatic_options_with_cors_headers",
         "test_a_preflight_where_no_route_matches_the_path_is_404"],
        ["test_a_preflight_where_no_route_exists_is_answered"],
        ["test_a_preflight_where_no_route_exists_is_answered"],
        ["test_every_preflight_is_204_refused_or_not"]),
    "Wildcard subdomains (`https://*.example.com`) never admit the apex or look-alikes": (
        ["test_star_dot_domain_is_read_as_a_regex_admitting_a_look_alike_not_subdomains"],
        ["test_wildcard_subdomains_only_through_regexes"],
        ["test_wildcard_subdomains_only_through_the_regex"],
        ["test_star_dot_domain_admits_subdomains_but_neither_the_apex_nor_look_alikes",
         "test_patterns_are_fnmatch_so_star_example_com_admits_a_look_alike"]),
    "Matching cost independent of the number of origins": (
        ["test_each_configured_origin_is_tried_in_turn"],
        ["test_every_configured_origin_is_reparsed_on_each_request", "test_each_regex_is_tried_in_turn"],
        ["test_allow_origins_is_searched_entry_by_entry"],
        ["test_only_first_seen_origins_scan_the_patterns"]),
    "Browser-faithful diagnosis (`wsgicors check`)": (
        ["test_ships_no_command"], ["test_ships_no_command"], ["test_ships_no_command"],
        ["test_has_no_runtime_dependencies_and_no_command"]),
    "Runtime dependencies": (
        ["test_runtime_dependencies_are_flask_and_werkzeug"],
        ["test_runtime_dependencies_are_django_and_asgiref"],
        ["test_runtime_dependency_is_anyio"],
        ["test_has_no_runtime_dependencies_and_no_command"]),
}

#: The cells as README states them, so a changed cell is reviewed against its tests.
CELLS: Dict[str, Tuple[str, str, str, str]] = {
    "Regex origins must match the whole origin": (
        r"no (`re.match`: `https://good\.com` admits `https://good.com.evil.net`)",
        r"no (`re.match`: `https://good\.com` admits `https://good.com.evil.net`)",
        "yes (`fullmatch`)",
        "no regexes; `fnmatch` patterns, and `*example.com` admits `https://evilexample.com`"),
    "`*` + credentials": (
        "reflects **any** origin with credentials", "reflects any origin with credentials",
        "reflects any origin with credentials",
        "`*` with credentials on preflights; any origin reflected with credentials on other requests"),
    "Every configuration problem reported at once, with a hint": (
        "no (an origin with a path is accepted and never matches)", "system checks (codes, hints)",
        "no (an origin with a path is accepted and never matches)",
        "no (an origin with a path is accepted and never matches)"),
    "One merged `Vary: Origin` on every origin-dependent response": (
        "a second `Vary` line; none with a single configured origin",
        "yes, also for refused origins and requests without `Origin`",
        "merged into one line, not de-duplicated (`Vary: Origin, Origin`)",
        "a second `Vary` line, only for allowed origins"),
    "Refused preflight": (
        "Flask's automatic `200`, no CORS headers", "`200` without CORS headers", "`400`", "always `204`"),
    "Preflight for a path with no `OPTIONS` route": (
        "Flask's automatic `OPTIONS` answers (`200`, with CORS headers) where a route has other methods; "
        "`404` where no route exists", "answered", "answered", "answered"),
    "Wildcard subdomains (`https://*.example.com`) never admit the apex or look-alikes": (
        "no wildcard syntax: `https://*.example.com` is read as a regex that admits `https://xexample.com`, "
        "not `https://a.example.com`", "via regex only", "via regex only",
        "yes for `https://*.example.com` (its `*example.com` admits look-alikes)"),
    "Matching cost independent of the number of origins": (
        "no: every configured origin tried in turn",
        "no: every configured origin re-parsed on each request, then each regex tried in turn",
        "no: `allow_origins` searched entry by entry",
        "only for origins seen before: each (origin, method) answer is cached (200 entries); "
        "a first-seen origin is tried against every pattern"),
    "Browser-faithful diagnosis (`wsgicors check`)": ("no", "no", "no", "no"),
    "Runtime dependencies": ("Flask, Werkzeug", "Django, asgiref", "anyio", "none"),
}


def table() -> Tuple[List[str], Dict[str, List[str]]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Why another CORS library\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    split = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines]
    header, rows = split[0], split[2:]
    return header, {row[0]: row[1:] for row in rows}


def test_the_table_compares_exactly_the_releases_under_test() -> None:
    header, _ = table()
    assert header[2:] == list(LIBRARIES)


def test_every_row_about_other_libraries_is_backed() -> None:
    _, rows = table()
    assert list(rows) == list(BACKING) == list(CELLS)


@pytest.mark.parametrize("row", list(CELLS))
def test_each_cell_says_what_its_tests_reproduce(row: str) -> None:
    _, rows = table()
    assert tuple(rows[row][1:]) == CELLS[row]


@pytest.mark.parametrize("row", list(BACKING))
def test_the_backing_tests_exist(row: str) -> None:
    for module, names in zip(LIBRARIES.values(), BACKING[row]):
        tree = ast.parse((HERE / module).read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert names and set(names) <= defined, (module, set(names) - defined)
