#!/usr/bin/env python3
"""Replace wsgicors/public_suffix_list.dat with the current Public Suffix List.

    python tools/update_public_suffix_list.py [--from FILE]

Downloads https://publicsuffix.org/list/public_suffix_list.dat (the only URL
the list's maintainers support), or reads FILE, checks that it parses and still
holds the rules wsgicors's tests rely on, and writes it in place. Run it before
a release and commit the file with its new ``VERSION`` line; do not run it more
than once a day (the maintainers' request).
"""

from __future__ import annotations

import argparse
import sys
import urllib.request
from pathlib import Path

URL = "https://publicsuffix.org/list/public_suffix_list.dat"
TARGET = Path(__file__).resolve().parents[1] / "wsgicors" / "public_suffix_list.dat"
MUST_HOLD = ("com", "co.uk", "co.il", "com.pl", "com.es", "eu.org", "azureedge.net", "github.io")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", help="read this file instead of downloading")
    args = parser.parse_args()
    if args.source:
        text = Path(args.source).read_text(encoding="utf-8")
    else:
        with urllib.request.urlopen(URL, timeout=60) as response:  # noqa: S310 - a fixed https URL
            text = response.read().decode("utf-8")
    if "===BEGIN ICANN DOMAINS===" not in text or "===BEGIN PRIVATE DOMAINS===" not in text:
        print("not a Public Suffix List: no ICANN/PRIVATE sections", file=sys.stderr)
        return 1
    rules = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("//")}
    missing = [rule for rule in MUST_HOLD if rule not in rules]
    if missing:
        print(f"refusing the new list: it lacks {missing}", file=sys.stderr)
        return 1
    TARGET.write_text(text, encoding="utf-8")
    version = next((line for line in text.splitlines() if line.startswith("// VERSION:")), "(no VERSION line)")
    print(f"wrote {TARGET} ({len(rules)} rules) {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
