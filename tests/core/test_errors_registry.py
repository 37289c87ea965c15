"""Every error and warning code is registered once (wsgicors.errors.CODES) and listed in docs/errors.md."""

import re
from pathlib import Path

import pytest

from wsgicors.errors import CODES, markdown

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"wsgicors\.[EW][0-9]{3}")


def codes_used_in(paths):
    used = {}
    for path in paths:
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            used.setdefault(code, str(path.relative_to(ROOT)))
    return used


SOURCES = [p for p in [*(ROOT / "wsgicors").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]
           if p.name != "errors.py"]


def test_docs_errors_md_is_the_registry():
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == markdown()


@pytest.mark.parametrize("code", sorted(codes_used_in(SOURCES)))
def test_every_code_used_in_the_code_is_registered(code):
    assert code in CODES, f"{code} is used in {codes_used_in(SOURCES)[code]} but not in wsgicors.errors.CODES"


def test_every_registered_code_is_used():
    unused = set(CODES) - set(codes_used_in(SOURCES)) - {"wsgicors.E000"}
    assert not unused, f"registered but never reported: {sorted(unused)}"


def test_every_code_the_docs_and_readme_mention_is_registered():
    docs = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    assert set(codes_used_in(docs)) <= set(CODES)


def test_readme_links_to_the_full_list():
    assert "docs/errors.md" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", CODES.values(), ids=lambda c: c.code)
def test_every_code_has_a_message_and_a_hint(code):
    assert code.code.startswith("wsgicors.") and code.message and code.hint and code.concerns
