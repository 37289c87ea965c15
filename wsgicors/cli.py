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
    """One sub-command: ``module`` defines ``configure`` and ``run`` under these attribute names.

    ``help`` is the one-line summary (an imperative sentence ending in a full
    stop) shown by ``wsgicors --help`` and atop the command's own ``--help``;
    ``epilog`` (examples and exit statuses) ends the command's ``--help``.
    """

    help: str
    module: str
    configure: str
    run: str
    epilog: str = ""


#: name -> the sub-command; the one table of the CLI.
COMMANDS: Dict[str, Command] = {
    "check": Command(
        "Predict whether a browser allows a cross-origin fetch, and explain why.",
        "wsgicors.check.cli", "configure", "run",
        """examples:
  wsgicors check https://api.example.com/items --origin https://app.example.com
  wsgicors check https://api.example.com/items/1 --origin https://app.example.com -X PUT -H 'Content-Type: application/json'
  wsgicors check http://api.test/me --origin https://app.example.com --credentials --app 'myproject.wsgi:application'
  wsgicors check http://api.test/items --origin https://app.example.com --app 'myproject:create_app()' --json

exit status:
  0  the browser allows the fetch (script can read the response)
  1  the browser blocks it; the explanation names the failing check
  2  usage error, the app cannot be loaded, or a network error
"""),
    "demo": Command(
        "Serve a two-origin CORS playground and open it in your browser.",
        "wsgicors.demo", "_configure", "main",
        """examples:
  wsgicors demo                              # page on 127.0.0.1, API on localhost, free ports
  wsgicors demo --no-browser --page-port 8000 --api-port 8001

The servers answer only their own host names, and change the policy only for
JSON requests from the demo page itself. Ctrl-C (or SIGTERM) stops both.

exit status:
  0  stopped with Ctrl-C or SIGTERM
  2  the servers cannot start (a port in use, an address not available)
"""),
}

#: ``wsgicors --help`` ends with this.
EPILOG = """examples:
  wsgicors demo
  wsgicors check https://api.example.com/items --origin https://app.example.com
  wsgicors COMMAND --help

exit status:
  0  success (check: the browser allows the fetch)
  1  check: the browser blocks the fetch
  2  usage error (also: no command given), or the command could not run
"""


def _attribute(command: Command, attribute: str) -> Callable:
    return getattr(importlib.import_module(command.module), attribute)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsgicors",
        description="CORS for WSGI: check what a browser decides, or try policies in a playground.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"wsgicors {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        _attribute(command, command.configure)(sub.add_parser(
            name, help=command.help, description=command.help, epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter))
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
