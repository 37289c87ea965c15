"""docs/design.md matches the code: imports follow its layers, and no document outside the repository is cited."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESIGN = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
LAYERS = re.search(r"```layers\n(.*?)```", DESIGN, re.S).group(1).split()
CORE = ROOT / "wsgicors"
PUBLIC_FOR_ADAPTERS = {"__init__", "fetch", "options", "settings", "middleware", "engine", "errors", "policy", "fastpath"}


def unit_of(path: Path) -> str:
    """The layer a source file belongs to (the check package is one unit)."""
    relative = path.relative_to(CORE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_units(path: Path) -> set:
    """Core modules a file imports (relative imports, or absolute ``wsgicors.x``), anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(ROOT).parent.parts  # ('wsgicors',) or ('wsgicors', 'check')
    units = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                if base[:1] != ("wsgicors",):  # an adapter's own module (pyramid_wsgicors._speedups)
                    continue
                parts = list(base) + (node.module.split(".") if node.module else [])
                if not node.module:  # from . import x, y: submodules, or names from __init__
                    units.update((a.name if a.name in LAYERS else "__init__") if len(parts) == 1 else parts[1]
                                 for a in node.names)
                    continue
            else:
                parts = (node.module or "").split(".")
            if parts[0] == "wsgicors":
                units.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "wsgicors":
                    units.add(parts[1] if len(parts) > 1 else "__init__")
    return units


CORE_FILES = sorted(p for p in CORE.rglob("*.py"))


def test_every_core_module_is_in_a_layer():
    """Python modules, and C ones (``_speedups.c``, which imports nothing of ours)."""
    assert {unit_of(path) for path in [*CORE_FILES, *CORE.glob("*.c")]} == set(LAYERS)


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_only_go_down_the_layers(path):
    unit = unit_of(path)
    upward = {other for other in imported_units(path) - {unit}
              if LAYERS.index(other) > LAYERS.index(unit)}
    assert not upward, f"{unit} imports {sorted(upward)}, listed after it in docs/design.md"


@pytest.mark.parametrize("path", sorted((ROOT / "adapters").rglob("*.py")), ids=lambda p: p.parent.name)
def test_adapters_import_only_the_public_core(path):
    assert imported_units(path) <= PUBLIC_FOR_ADAPTERS


def test_no_document_outside_the_repository_is_cited():
    cited = []
    for path in [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md"), *(ROOT / "tests").rglob("*.py"),
                 *CORE.rglob("*.py"), *(ROOT / "adapters").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if path.name != "test_design.py" and ("DESIGN §" in text or "CORS-NOTES" in text or "DESIGN.md" in text):
            cited.append(str(path.relative_to(ROOT)))
    assert cited == []


@pytest.mark.parametrize("section", sorted(set(re.findall(r"docs/design\.md §([0-9.]+[0-9])", "".join(
    p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))))))
def test_cited_design_sections_exist(section):
    heading = f"## {section}." if "." not in section else f"### {section} "
    assert heading in DESIGN
