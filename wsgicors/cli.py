"""The ``wsgicors`` command (also ``python -m wsgicors``).

Every sub-command is listed once, in :data:`COMMANDS`: its name, help text and
the module holding its ``configure(parser)`` and ``run(args) -> int``. The
modules are imported only when the CLI runs (so ``import wsgicors`` stays
light) and never import this module back (no import cycles).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Callable, Dict, List, NamedTuple, Optional

from . import __version__

__all__ = ["main", "COMMANDS", "Command"]


class Command(NamedTuple):
    """One sub-command: ``module`` defines ``configure`` and ``run`` under these attribute names."""

    help: str
    module: str
    configure: str
    run: str


#: name -> the sub-command; the one table of the CLI.
COMMANDS: Dict[str, Command] = {
    "check": Command("Run a browser's CORS algorithm against a URL or WSGI app and explain the verdict.",
                     "wsgicors.check.cli", "configure", "run"),
    "demo": Command("a two-origin CORS playground in your browser (stdlib server, Ctrl-C stops)",
                    "wsgicors.demo", "_configure", "main"),
}


def _attribute(command: Command, attribute: str) -> Callable:
    return getattr(importlib.import_module(command.module), attribute)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsgicors",
        description="CORS for WSGI: middleware, browser-faithful checks and a playground.",
    )
    parser.add_argument("--version", action="version", version=f"wsgicors {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        _attribute(command, command.configure)(sub.add_parser(name, help=command.help, description=command.help))
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    command = COMMANDS[args.command]
    status: int = _attribute(command, command.run)(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
