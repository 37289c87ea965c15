"""docs/migrating.md: the flask-cors before/after example runs, and behaves as the guide says."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from claims.support import EVIL, ORIGIN, call, preflight, values
from wsgicors import Policy

pytestmark = pytest.mark.claims

GUIDE = (Path(__file__).resolve().parents[2] / "docs" / "migrating.md").read_text(encoding="utf-8")


def example(name: str) -> Any:
    block = GUIDE.split(f"<!-- {name}:start -->")[1].split(f"<!-- {name}:end -->")[0]
    source = block.split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {"__name__": f"migrating_{name}"}
    exec(compile(source, f"docs/migrating.md ({name})", "exec"), namespace)
    return namespace["app"]


@pytest.fixture(params=["before", "after"])
def app(request: Any) -> Any:
    return example(request.param)


def test_both_allow_the_configured_origin_with_credentials(app: Any) -> None:
    status, headers = call(app, "GET", "/api/items", {"Origin": ORIGIN})
    assert status == 200
    assert values(headers, "Access-Control-Allow-Origin") == [ORIGIN]
    assert values(headers, "Access-Control-Allow-Credentials") == ["true"]
    status, headers = preflight(app, path="/api/items", method="POST", request_headers="content-type")
    assert status in (200, 204) and values(headers, "Access-Control-Allow-Origin") == [ORIGIN]
    assert values(headers, "Access-Control-Max-Age") == ["600"]


def test_both_refuse_other_origins(app: Any) -> None:
    _, headers = call(app, "GET", "/api/items", {"Origin": EVIL})
    assert values(headers, "Access-Control-Allow-Origin") == []


def test_what_changes_a_refused_preflight_is_403_instead_of_200() -> None:
    assert preflight(example("before"), origin=EVIL, path="/api/items", method="POST")[0] == 200
    assert preflight(example("after"), origin=EVIL, path="/api/items", method="POST")[0] == 403


def test_what_changes_vary_origin_even_with_a_single_origin() -> None:
    before = call(example("before"), "GET", "/api/items", {"Origin": ORIGIN})[1]
    after = call(example("after"), "GET", "/api/items", {"Origin": ORIGIN})[1]
    assert "Origin" not in ", ".join(values(before, "Vary"))
    assert "Origin" in ", ".join(values(after, "Vary"))


def test_what_changes_a_preflight_to_a_path_without_a_route_is_answered() -> None:
    assert preflight(example("before"), path="/api/missing")[0] == 404
    status, headers = preflight(example("after"), path="/api/missing")
    assert status == 204 and values(headers, "Access-Control-Allow-Origin") == [ORIGIN]


def test_every_option_the_guide_maps_to_exists() -> None:
    ours = set(inspect.signature(Policy).parameters) | {"rules"}
    named = set()
    for table in re.findall(r"\n\| [^\n]*wsgicors[^\n]* \|\n\|---\|---\|\n((?:\|[^\n]*\n)+)", GUIDE):
        for row in table.splitlines():
            named |= set(re.findall(r"`(\w+)=", row.split(" | ")[-1]))
    assert named and named <= ours, named - ours


#: Their options whose E600 hint says something other than a single option of ours, and why.
DIRECT = {"policy": "0.7's policy named a section of settings; the hint says to write the options directly"}


def mapped_options():
    """(library section, their option, ours or None) from the guide's option tables, first row per option."""
    ours = set(inspect.signature(Policy).parameters) | {"rules"}
    rows, seen = [], set()
    for title, body in re.findall(r"\n## (From [^\n]+)\n(.*?)(?=\n## |\Z)", GUIDE, re.S):
        for line in body.splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            if len(cells) != 2 or not line.startswith("| `"):
                continue
            left = re.match(r"`(\w+)(?:=|`| = )", cells[0])
            if left is None or left.group(1) in seen or left.group(1) in ours or left.group(1) in DIRECT:
                continue
            named = [name for name in re.findall(r"`(?:\w+\.)*(\w+)", cells[1]) if name in ours]
            if named or cells[1].startswith("none"):
                seen.add(left.group(1))
                rows.append((title, left.group(1), named[0] if named else None))
    return rows


@pytest.mark.parametrize("section, theirs, ours", mapped_options())
def test_the_config_error_for_their_option_names_the_option_the_guide_maps_it_to(section, theirs, ours) -> None:
    """The guide and the E600 hints agree: a user who keeps an old option name is told what to write."""
    from wsgicors import ConfigError, CORSMiddleware

    with pytest.raises(ConfigError) as raised:  # CORSMiddleware: the guide's examples, which take rules too
        CORSMiddleware(lambda environ, start_response: [], origins=[ORIGIN], **{theirs: True})
    problem = str(raised.value.problems[0])
    assert "wsgicors.E600" in problem
    if ours is None:
        assert "no equivalent" in problem, problem
    else:
        assert f"did you mean '{ours}'" in problem, problem


def test_the_guide_maps_enough_options_to_mean_something() -> None:
    sections = {section for section, _, _ in mapped_options()}
    assert len(mapped_options()) >= 20 and len(sections) == 4


def row(option: str) -> str:
    return next(line for line in GUIDE.splitlines() if line.startswith(f"| `{option}` |"))


def test_always_send_row_says_what_a_public_policy_does_without_origin() -> None:
    assert "with or without `Origin`" in row("always_send=")
    from wsgicors import CORSMiddleware

    def plain(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    assert values(call(CORSMiddleware(plain, origins="*"), "GET", "/", {})[1], "Access-Control-Allow-Origin") == ["*"]
    assert values(call(CORSMiddleware(plain, origins=[ORIGIN]), "GET", "/", {})[1], "Access-Control-Allow-Origin") == []
