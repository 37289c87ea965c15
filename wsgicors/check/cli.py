"""``wsgicors check`` on the command line: arguments, exit status 0/1/2."""

from __future__ import annotations

import sys
from typing import Any

from .request import CheckError, Header, UsageError
from .simulate import check
from .transport import load_app


def _parse_header_option(text: str) -> Header:
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise UsageError(f"--header {text!r} is not 'Name: value'")
    return name.strip(), value.strip()


def configure(parser: Any) -> None:
    parser.add_argument("url", help="the URL the page fetches (http:// or https://)")
    parser.add_argument("--origin", required=True, help="the page's origin, e.g. https://app.example.com")
    parser.add_argument("--method", "-X", default="GET", help="request method as passed to fetch() (default GET)")
    parser.add_argument("--header", "-H", action="append", default=[], metavar="'NAME: VALUE'",
                        help="a request header set by script; repeatable ('Cookie: ...' = the cookie jar)")
    parser.add_argument("--credentials", action="store_true", help="fetch with credentials: 'include'")
    parser.add_argument("--data", "-d", default=None, metavar="BODY", help="request body (a string, as in fetch)")
    parser.add_argument("--app", default=None, metavar="MODULE:ATTR", help="check an in-process WSGI app")
    parser.add_argument("--timeout", type=float, default=10.0, help="network timeout in seconds (default 10)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def run(args: Any) -> int:
    try:
        headers = [_parse_header_option(text) for text in args.header]
        app = load_app(args.app) if args.app else None
        result = check(args.url, args.origin, method=args.method, headers=headers, credentials=args.credentials,
                       app=app, timeout=args.timeout, body=args.data)
    except CheckError as error:
        print(f"wsgicors check: error: {error}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else result.render())
    return 0 if result.allowed else 1


