"""The ``wsgicors`` command (also ``python -m wsgicors``).

Sub-commands register themselves in :data:`COMMANDS`; each gets its own
argparse sub-parser and returns the process exit status.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Dict, List, Optional, Tuple

from . import __version__

__all__ = ["main", "COMMANDS"]

Configure = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]

#: name -> (help text, add arguments, run)
COMMANDS: Dict[str, Tuple[str, Configure, Run]] = {}


def command(name: str, help_text: str, configure: Configure) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        COMMANDS[name] = (help_text, configure, run)
        return run
    return register


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsgicors",
        description="CORS for WSGI: middleware, browser-faithful checks and a playground.",
    )
    parser.add_argument("--version", action="version", version=f"wsgicors {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, configure, _) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text, description=help_text))
    return parser


#: Modules whose import registers sub-commands; imported only when the CLI runs,
#: so ``import wsgicors`` stays light.
COMMAND_MODULES: Tuple[str, ...] = ("wsgicors.check", "wsgicors.demo")


def _load_commands() -> None:
    import importlib

    for module in COMMAND_MODULES:
        importlib.import_module(module)


def main(argv: Optional[List[str]] = None) -> int:
    _load_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    return COMMANDS[args.command][2](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
