"""``wsgicors check``: what a browser would decide about one cross-origin fetch.

The simulator follows the Fetch standard's CORS protocol
(https://fetch.spec.whatwg.org/#http-cors-protocol) and, where browsers
differ, Chromium's behaviour (noted in a warning):

1. normalise the request like ``fetch()`` (method case, forbidden headers,
   the ``Content-Type`` a string body implies);
2. decide whether a preflight is needed (method not GET/HEAD/POST, or a
   header that is not CORS-safelisted) and whether a cached one covers it;
3. send the preflight exactly as a browser does (``OPTIONS``, ``Origin``,
   ``Access-Control-Request-Method``, ``Access-Control-Request-Headers``, no
   cookies) and apply every check to its answer;
4. send the actual request and apply the CORS check to every response,
   following redirects like ``fetch()`` (origin becomes ``null`` after a
   cross-origin redirect, at most 20 hops);
5. report which response headers script can read.

Requests go over real HTTP(S) (``http.client``) or, with ``app=``, straight
into a WSGI callable with no server. Everything blocked comes with one plain
sentence: the header, what it was, what the browser needed, the fix.

>>> from wsgicors.check import check, PreflightCache
>>> result = check("http://localhost:8000/api", "http://127.0.0.1:5000",
...                method="PUT", headers={"X-Token": "1"})  # doctest: +SKIP
>>> result.verdict, result.explanation  # doctest: +SKIP

The package is split along the algorithm's seams: :mod:`.request` (the request
model and the preflight decision), :mod:`.engines` (each engine's measured
differences), :mod:`.cache` (the preflight cache), :mod:`.wire` (reading a
response as each engine does), :mod:`.transport` (HTTP and in-process WSGI),
:mod:`.cors` (the checks on each response), :mod:`.report` (results and their
rendering), :mod:`.simulate` (one fetch from start to verdict, per engine) and
:mod:`.cli` (the ``wsgicors check`` command, registered in :mod:`wsgicors.cli`).

``from wsgicors.check import check`` is the way to reach the function.
"""

from __future__ import annotations

import sys
import warnings
import types
from typing import Any

from .cache import PreflightCache
from .engines import ENGINE_NAMES, CookieVerdict, EngineVerdict
from .report import CheckResult, Step
from ..fetch import SAFELISTED_METHODS, SAFELISTED_RESPONSE_HEADERS
from .request import (
    CheckError, NetworkError, UsageError,
    is_safelisted_request_header, preflight_needed, unsafe_header_names,
)
from .simulate import check

__all__ = [
    "check", "CheckResult", "Step", "PreflightCache", "CheckError", "UsageError", "NetworkError",
    "is_safelisted_request_header", "unsafe_header_names", "preflight_needed",
    "SAFELISTED_METHODS", "SAFELISTED_RESPONSE_HEADERS", "EngineVerdict", "CookieVerdict", "ENGINE_NAMES",
]


class _CallableModule(types.ModuleType):
    """Lets the deprecated ``wsgicors.check(url, origin, ...)`` call :func:`check` while staying a module.

    The one public way is ``from wsgicors.check import check``; calling the
    module still works for code written against earlier releases, with a
    :class:`DeprecationWarning`.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> CheckResult:
        warnings.warn("calling the wsgicors.check module is deprecated; use "
                      "'from wsgicors.check import check'", DeprecationWarning, stacklevel=2)
        return check(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
