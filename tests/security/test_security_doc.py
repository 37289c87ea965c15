"""SECURITY.md matches the code: every linked test exists, every code is real."""

import ast
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DOC = open(os.path.join(ROOT, "SECURITY.md"), encoding="utf-8").read()
SOURCES = "".join(open(os.path.join(ROOT, "wsgicors", name), encoding="utf-8").read()
                  for name in os.listdir(os.path.join(ROOT, "wsgicors")) if name.endswith(".py"))


def functions_in(module):
    tree = ast.parse(open(os.path.join(HERE, module), encoding="utf-8").read())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_linked_regression_test_exists():
    links = re.findall(r"\[(?:(test_\w+\.py))?::(test_\w+)\]\(tests/security/(test_\w+\.py)\)", DOC)
    assert len(links) >= 20
    for named_module, function, target in links:
        assert not named_module or named_module == target
        assert function in functions_in(target), f"SECURITY.md links {target}::{function}, which does not exist"
    for module in re.findall(r"\(tests/security/(\w+\.py)\)", DOC):
        assert os.path.exists(os.path.join(HERE, module)), module


def test_every_code_in_the_doc_exists_in_the_code():
    codes = set(re.findall(r"\b([EW]\d{3})\b", DOC))
    assert {"E104", "E107", "E108", "E129", "W101", "W102"} <= codes
    for code in codes:
        assert f"wsgicors.{code}" in SOURCES, code


def test_documented_bounds_are_the_real_bounds():
    from wsgicors.engine import MAX_HEADER_LIST_LENGTH, MAX_METHOD_LENGTH
    from wsgicors.origins import MAX_ORIGIN_LENGTH

    assert (MAX_ORIGIN_LENGTH, MAX_HEADER_LIST_LENGTH, MAX_METHOD_LENGTH) == (294, 8192, 64)
    assert "over 294 characters" in DOC and "up to 8 KiB" in DOC and "at most 64 characters" in DOC
