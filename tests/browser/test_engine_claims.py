"""Every statement about an engine names the measurement behind it.

* In ``wsgicors check``'s output: each string that names an engine (or an
  engine's title) is preceded by a ``# matrix: id, ...`` comment naming the
  matrix scenarios, cookie rows or engine limits (``tests/browser/scenarios.py``)
  that measure it in the real engines; ``every scenario`` / ``every cookie row``
  for sentences derived from an engine's verdict, which the matrix holds to the
  real engine in each row.
* Each measured difference of :class:`wsgicors.check.engines.Engine` names its
  scenarios or limit (or the raw-bytes test of the real engines).
* Each README paragraph that says what an engine does names a scenario.

These tests start no browser; the named rows themselves run in
``test_matrix.py`` and ``test_engine_limits.py``.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Iterator, List, Set, Tuple

import pytest

from browser.scenarios import BY_ID, COOKIES_BY_ID, DOCS, LIMITS_BY_ID
from wsgicors.check import engines

ROOT = DOCS.parents[1]
CHECK_SOURCES = sorted((ROOT / "wsgicors" / "check").glob("*.py"))
ENGINE_WORD = re.compile(r"\b(Chromium|Firefox|WebKit|Safari)\b")
MARKER = re.compile(r"#\s*matrix:\s*(.+)$")
#: Sentences derived from an engine's verdict (or cookie verdict), held to the real engine in every row.
EVERY = {"every scenario": "matrix", "every cookie row": "cookies"}
KNOWN = set(BY_ID) | set(COOKIES_BY_ID) | set(LIMITS_BY_ID)
#: How many lines above a statement its ``# matrix:`` comment may stand.
MARKER_REACH = 3


def _docstrings(tree: ast.AST) -> Set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for statement in body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                found.add(id(statement.value))  # a docstring or an attribute docstring
    return found


def _titles_only(text: str) -> bool:
    return text in {engine.title for engine in engines.ENGINES.values()}


def engine_statements() -> Iterator[Tuple[Path, int, str]]:
    """(file, line, text) of every string in check's code that names an engine or uses an engine's title."""
    for path in CHECK_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if ENGINE_WORD.search(node.value) and not _titles_only(node.value):
                    yield path, node.lineno, node.value
            elif isinstance(node, ast.JoinedStr) and any(
                    isinstance(part, ast.FormattedValue) and "title" in ast.unparse(part.value) for part in node.values):
                yield path, node.lineno, ast.unparse(node)


def marker_ids(path: Path, line: int) -> List[str]:
    """The ids of the nearest ``# matrix:`` comment on ``line`` or up to :data:`MARKER_REACH` lines above."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number in range(line, max(0, line - MARKER_REACH - 1), -1):
        found = MARKER.search(lines[number - 1])
        if found:
            text = found.group(1).split("(")[0].strip()
            return [text] if text in EVERY else [part.strip() for part in text.split(",")]
    return []


STATEMENTS = sorted(set(engine_statements()))


def test_check_makes_statements_about_engines() -> None:
    assert len(STATEMENTS) >= 10  # the scan finds them (a broken scan would pass everything below)


@pytest.mark.parametrize("path,line,text", STATEMENTS, ids=[f"{p.name}:{n}" for p, n, _ in STATEMENTS])
def test_each_engine_statement_in_check_names_its_matrix_rows(path: Path, line: int, text: str) -> None:
    ids = marker_ids(path, line)
    assert ids, f"{path.name}:{line} says {text[:80]!r} about an engine with no '# matrix: id' comment above it"
    unknown = [i for i in ids if i not in KNOWN and i not in EVERY]
    assert not unknown, f"{path.name}:{line}: no scenario, cookie row or limit is called {unknown}"


def _field_docs() -> dict:
    tree = ast.parse(Path(engines.__file__).read_text(encoding="utf-8"))
    engine_class = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Engine")
    docs = {}
    for field, doc in zip(engine_class.body, engine_class.body[1:]):
        if isinstance(field, ast.AnnAssign) and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant):
            docs[ast.unparse(field.target)] = " ".join(str(doc.value.value).split())
    return docs


MEASURED_FIELDS = [f.name for f in dataclasses.fields(engines.Engine) if f.name not in ("name", "title")]


@pytest.mark.parametrize("field", MEASURED_FIELDS)
def test_each_engine_difference_names_its_measurement(field: str) -> None:
    doc = _field_docs().get(field, "")
    named = re.findall(r"\((?:scenarios?|limit) ([a-z0-9, -]+)\)", doc)
    ids = [i.strip() for group in named for i in group.split(",")]
    assert ids or "tests/check/test_hostile_servers.py" in doc, f"Engine.{field}: {doc!r} names no measurement"
    assert set(ids) <= KNOWN, set(ids) - KNOWN


def readme_engine_paragraphs() -> List[str]:
    """README prose (no code blocks, tables or headings) that names an engine."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    readme = re.sub(r"```.*?```", "", readme, flags=re.S)
    paragraphs = re.split(r"\n\s*\n", readme)
    return [p for p in paragraphs if ENGINE_WORD.search(p) and not p.lstrip().startswith(("```", "|", "#"))]


#: README paragraphs that name an engine without saying what it does (tooling, names).
NOT_ENGINE_CLAIMS = (
    "The browser tests drive",
    "It needs the Debian packages",
    "`wsgicors demo [",
)


@pytest.mark.parametrize("paragraph", readme_engine_paragraphs(), ids=lambda p: " ".join(p.split())[:40])
def test_each_readme_paragraph_about_an_engine_names_its_scenario(paragraph: str) -> None:
    if paragraph.lstrip().startswith(NOT_ENGINE_CLAIMS):
        return
    named = set(re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", paragraph))
    tests = {t for t in re.findall(r"`(tests/browser/test_[a-z_]+\.py)`", paragraph) if (ROOT / t).is_file()}
    assert named & KNOWN or tests, f"README says what an engine does without naming a scenario: {paragraph[:200]!r}"
