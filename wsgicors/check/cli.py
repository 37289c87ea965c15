"""``wsgicors check`` on the command line: arguments, exit status 0/1/2."""

from __future__ import annotations

import os
import sys
from typing import Any, Optional, TextIO

from ..fetch import HTTP_WHITESPACE, normalize_header_value
from .engines import DEFAULT_ENGINE, ENGINE_NAMES
from .report import terminal_safe
from .request import NETWORK_ERROR, CheckError, Header, UsageError
from .simulate import check
from .transport import load_app


def _parse_header_option(text: str) -> Header:
    name, colon, value = text.partition(":")
    name = name.strip(HTTP_WHITESPACE)
    if not colon or not name:
        raise UsageError(f"--header {text!r} is not 'Name: value'")
    return name, normalize_header_value(value)


def configure(parser: Any) -> None:
    parser.add_argument("url", help="the URL the page fetches (http:// or https://)")
    parser.add_argument("--origin", required=True, help="the page's origin, e.g. https://app.example.com")
    parser.add_argument("--method", "-X", default="GET", help="request method as passed to fetch() (default GET)")
    parser.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
                        help="a request header set by script; repeatable ('Cookie: ...' = the cookie jar)")
    parser.add_argument("--credentials", action="store_true", help="fetch with credentials: 'include'")
    parser.add_argument("--data", "-d", default=None, metavar="BODY", help="request body (a string, as in fetch)")
    parser.add_argument("--app", default=None, metavar="MODULE:ATTR", help="check an in-process WSGI app")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds the whole run may take: connects, preflight, every redirect hop and every read (default 10)")
    parser.add_argument("--browser", choices=ENGINE_NAMES, default=DEFAULT_ENGINE,
                        help="the engine whose verdict is reported and sets the exit status (default chromium); "
                             "the other engines' verdicts are shown where they differ")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def run(args: Any) -> int:
    """Exit status: 0 allowed, 1 blocked by CORS, 2 usage error or network error (one line on stderr)."""
    try:
        headers = [_parse_header_option(text) for text in args.header]
        app = load_app(args.app) if args.app else None
        result = check(args.url, args.origin, method=args.method, headers=headers, credentials=args.credentials,
                       app=app, timeout=args.timeout, body=args.data, browser=args.browser)
    except CheckError as error:
        _error(str(error))
        return 2
    status = 0 if result.allowed else 1
    if result.code == NETWORK_ERROR:
        _error(f"network error: {result.explanation}")
        status = 2
    _print(result.to_json() if args.json else result.render())
    return status


def _error(message: str) -> None:
    """One line on stderr, escaped: messages can quote what a server sent."""
    _print(terminal_safe(f"wsgicors check: error: {message}").replace("\n", " "), sys.stderr)


def _print(text: str, stream: Optional[TextIO] = None) -> None:
    """Print; a reader that went away (``| head -1``) ends the output quietly."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream)
        stream.flush()
    except BrokenPipeError:
        # Point the stream at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
