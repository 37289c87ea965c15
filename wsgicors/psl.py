"""The Public Suffix List: which hosts many unrelated owners register names under.

``*.co.uk`` or ``*.github.io`` as a trusted origin pattern trusts strangers:
anyone can register ``evil.co.uk`` or publish ``evil.github.io``. The Public
Suffix List (https://publicsuffix.org, Mozilla Public License 2.0) names these
suffixes: its ICANN section the registries (``com``, ``co.uk``, ``com.pl``),
its private section hosting platforms that give customers subdomains
(``github.io``, ``azureedge.net``, ``eu.org``).

A copy of the list ships inside the package (``public_suffix_list.dat``; the
``VERSION`` line in it dates it; ``tools/update_public_suffix_list.py`` fetches
a new one). It is read only at configuration time, the first time a
configuration holds a wildcard or a regular expression, so ``import wsgicors``
and the per-request path never touch it. Browsers ship their own copy of the
same list for the same purpose (cookie scoping).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import FrozenSet, NamedTuple, Optional, Set, Tuple

__all__ = ["PUBLIC_SUFFIX_LIST", "SuffixList", "suffix_list", "public_suffix_of"]

#: The vendored list; updated by tools/update_public_suffix_list.py.
PUBLIC_SUFFIX_LIST = Path(__file__).with_name("public_suffix_list.dat")


class SuffixList(NamedTuple):
    """The parsed list: rules as sets of dotted names (no leading ``*.``/``!``)."""

    icann: FrozenSet[str]
    """Plain ICANN rules (``com``, ``co.uk``)."""
    private: FrozenSet[str]
    """Plain private rules (``github.io``)."""
    wildcards: FrozenSet[Tuple[str, str]]
    """``*.name`` rules as (name, section): every label under ``name`` is a suffix."""
    exceptions: FrozenSet[str]
    """``!name`` rules: ``name`` is registrable although a wildcard covers it."""
    version: str
    """The list's ``VERSION`` line (its date)."""


@functools.lru_cache(maxsize=1)
def suffix_list() -> SuffixList:
    """The vendored list, parsed once (about 10,000 rules, a few milliseconds)."""
    icann: Set[str] = set()
    private: Set[str] = set()
    exceptions: Set[str] = set()
    wildcards: Set[Tuple[str, str]] = set()
    section, version = "icann", ""
    with PUBLIC_SUFFIX_LIST.open(encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if line.startswith("//"):
                if "===BEGIN PRIVATE DOMAINS===" in line:
                    section = "private"
                elif line.startswith("// VERSION:"):
                    version = line.split(":", 1)[1].strip()
                continue
            if not line:
                continue
            rule = _ascii_rule(line.split()[0])
            if rule.startswith("!"):
                exceptions.add(rule[1:])
            elif rule.startswith("*."):
                wildcards.add((rule[2:], section))
            else:
                (icann if section == "icann" else private).add(rule)
    return SuffixList(frozenset(icann), frozenset(private), frozenset(wildcards), frozenset(exceptions), version)


def _ascii_rule(rule: str) -> str:
    """A rule as browsers compare it: labels in punycode.

    The list writes internationalised rules in Unicode, already mapped
    (lower-case, NFC), so UTS #46 reduces to RFC 3492 punycode per label.
    """
    if rule.isascii():
        return rule
    return ".".join(label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
                    for label in rule.split("."))


def public_suffix_of(host: str) -> Optional[Tuple[str, str]]:
    """(longest public suffix that ``host`` is or ends with, "icann" or "private"), or None.

    ``host`` is lower-case ASCII (punycode). Only rules the list names count:
    the list's implicit ``*`` rule (any unknown top-level label) is not
    applied, so ``public_suffix_of("example.test")`` is None.
    """
    psl = suffix_list()
    labels = host.split(".")
    for start in range(len(labels)):
        candidate = ".".join(labels[start:])
        if candidate in psl.exceptions:  # '!www.ck': registrable, its suffix is the rest
            parent = ".".join(labels[start + 1:])
            return (parent, "private" if (parent, "private") in psl.wildcards else "icann") if parent else None
        if candidate in psl.icann:
            return candidate, "icann"
        if candidate in psl.private:
            return candidate, "private"
        parent = ".".join(labels[start + 1:])
        if start + 1 < len(labels):
            for section in ("icann", "private"):
                if (parent, section) in psl.wildcards:
                    return candidate, section
    return None

