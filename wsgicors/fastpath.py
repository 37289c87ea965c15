"""The request path: :mod:`wsgicors.engine`'s answers, remembered per policy.

The engine decides; this module only avoids deciding the same thing twice.
A policy's answer to a preflight depends on nothing but four request strings
(``Origin``, ``Access-Control-Request-Method``, ``-Headers``,
``-Private-Network``), and the headers an actual response gains depend on
nothing but ``Origin`` — as long as no callable origin entry is configured
(it is asked on every request) and debug mode is off (it logs every
decision). Such *fixed* answers are kept, whole, in bounded tables
(:data:`MEMO_SIZE` entries each, emptied when full; long request strings
are never kept), so a repeated request costs a dictionary look-up or
three: a preflight without ``-Private-Network`` is found by its raw strings
in turn, with no key to build, and an origin the policy refuses by itself
(its preflights all get the same answer). An actual request's origin not
remembered yet is decided by one call of
:meth:`wsgicors.origins.OriginMatcher.decide` and kept here only, not in the
matcher's memory as well (that one serves preflights).

Decorating an actual response needs the engine only when the application's
own headers matter: a ``Vary`` to merge, or an ``Access-Control-*`` header.
Header names seen without either are remembered (:data:`PLAIN_NAMES_SIZE`
names of up to :data:`PLAIN_NAME_LENGTH` characters), so the common response
(a ``list`` whose names are all such) is checked by one loop of set look-ups
and extended with a precomputed tail (:func:`fast_tail`); any other response
goes through :func:`wsgicors.engine.decorate_response`. The output is byte for
byte the engine's (``tests/core/test_differential.py``).

That check, the bound ``start_response`` around it and
:attr:`PolicyState.remembered` also exist in C (``wsgicors/_speedups.c``,
built when the package is installed with a C compiler on CPython 3.9 or
later): the Python loop costs about 20 ns per header name, the Python frame
about 0.1 µs per response and a new origin about 0.5 µs, the C code a few
nanoseconds each and one call per new origin. The Python code here is the
reference: the C code hands it whatever it does not fully understand, and
``tests/core/test_speedups.py`` holds the two equal. Without the build, on
other Pythons, in a sub-interpreter, or with the environment variable
:data:`PURE_PYTHON_ENV` set, the Python code serves; :data:`SPEEDUPS` says
which.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from . import engine
from .fetch import ascii_lower
from .logs import exception_cause, log_limited
from .origins import FAST_MAX_LENGTH, shown
from .policy import Policy

__all__ = ["PolicyState", "state_for", "actual_start_response", "bind_start_response", "MEMO_SIZE", "PROPAGATE_KEY",
           "SPEEDUPS", "PURE_PYTHON_ENV", "pure_python_requested"]

Header = Tuple[str, str]
WSGIApp = Callable[..., Iterable[bytes]]

#: answers kept per policy and kind (preflight, actual): enough for the origins and
#: preflights a site really sees, small enough that hostile variety retains little
#: (the origin module keeps its own 512 decisions besides)
MEMO_SIZE = 128
#: a preflight is kept only when its four request strings add up to at most this many characters
MEMO_MAX_KEY_LENGTH = 512
#: an actual request's answer is kept only for an ``Origin`` of at most this many characters
#: (no shorter than the longest origin a matcher allows, origins.MAX_ORIGIN_LENGTH: tested)
MEMO_MAX_ORIGIN_LENGTH = 300
PLAIN_NAMES_SIZE = 4096
PLAIN_NAME_LENGTH = 64
#: the header an allowed origin is echoed in (as engine.actual_headers writes it); the C code is given it
ALLOW_ORIGIN = "Access-Control-Allow-Origin"

#: Environ key: when true, exceptions escaping the application propagate
#: instead of being answered ``500`` with CORS headers (for debuggers, test clients).
PROPAGATE_KEY = "wsgicors.propagate"
ERROR_STATUS = "500 Internal Server Error"
ERROR_BODY = b"Internal Server Error\n"
ERROR_HEADERS: Tuple[Header, ...] = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Length", str(len(ERROR_BODY))),
)

#: header names known to be neither ``Vary`` nor ``Access-Control-*`` (exact spelling, exact
#: ``str``). One set for the life of the process that only grows (:data:`PLAIN_NAMES_SIZE`):
#: adding (one ``set.update`` of ``str``) and membership tests are each one C call, atomic to
#: each other.
_plain: Set[str] = set()
#: (status, headers, body, refusal) of a preflight answer; (added headers, fast tail or None)
PreflightEntry = Tuple[str, Tuple[Header, ...], bytes, Optional[str]]
ActualEntry = Tuple[Tuple[Header, ...], Optional[Tuple[Header, ...]]]


def _is_plain(name: Any) -> bool:
    # exactly str: a subclass may answer lower() or == otherwise, and _plain is shared by every app
    if type(name) is not str or len(name) > PLAIN_NAME_LENGTH:
        return False
    for lowered in (ascii_lower(name), name.lower()):
        if lowered == "vary" or lowered.startswith("access-control-"):
            return False
    return True


def fast_tail(headers: Any, tail: Tuple[Header, ...]) -> Optional[List[Header]]:
    """A new list, ``headers`` then ``tail``, when ``headers`` is a ``list`` whose names are all
    known to be neither ``Vary`` nor ``Access-Control-*`` (:data:`_plain`); else None (never raises).

    Then the engine would return exactly that list. Anything else (a name not
    seen before, a tuple or list subclass, malformed headers) is None: the
    engine decorates it, as it always did. :func:`actual_start_response`
    inlines this (a Python call costs as much as checking two names). One
    loop whatever the length: ``set.issuperset(map(...))`` is cheaper per
    name but costs more than the whole loop on a short list, and choosing by
    ``len()`` would cost every response.
    """
    if type(headers) is list:
        try:
            for header in headers:
                if header[0] not in _plain:
                    return None
        except Exception:  # malformed headers: the engine reports them as it always did
            return None
        return [*headers, *tail]
    return None


def _learn(headers: Any) -> None:
    """Remember the plain names among ``headers`` (bounded; never raises)."""
    try:
        new = {header[0] for header in headers if header[0] not in _plain and _is_plain(header[0])}
    except Exception:  # not a list of pairs: the engine reports it as it always did
        return
    if new and len(_plain) + len(new) <= PLAIN_NAMES_SIZE:  # threads racing here overshoot by a batch at most
        _plain.update(new)


#: An actual request's record, which :func:`actual_start_response` is bound to:
#: ``[entry, state, path, start_response, started]`` (the remembered
#: :data:`ActualEntry`, the :class:`PolicyState`, ``PATH_INFO`` as the request
#: came, which the engine's log lines name, as path rules see it: an application
#: such as Werkzeug's DispatcherMiddleware moves segments out of it; the server's
#: ``start_response``; and whether the application called it). A list because
#: ``started`` changes; one allocation per request.
ActualCall = List[Any]


def actual_start_response(call: ActualCall, status: str, headers: Any, exc_info: Any = None) -> Any:
    """The ``start_response`` an application in scope is given, bound to its request's ``call``.

    Calls the server's ``start_response`` with ``headers`` as
    :func:`wsgicors.engine.decorate_response` makes them: when none of the
    names is ``Vary`` or ``Access-Control-*`` (each a name seen before,
    :data:`_plain`), that is ``headers`` followed by the remembered tail.

    A function bound with :data:`bind_start_response` rather than a closure:
    a closure's cells would be allocated on every request, preflights
    included, or cost a second Python frame on every actual request.
    """
    call[4] = True  # started
    entry = call[0]
    tail = entry[1]
    fast = None
    if tail is not None and type(headers) is list:  # fast_tail, inlined: one call fewer per response
        try:
            for header in headers:
                if header[0] not in _plain:
                    break
            else:
                fast = [*headers, *tail]
        except Exception:  # malformed headers: the engine reports them as it always did
            pass
    # call[1]: the PolicyState, call[2]: PATH_INFO as the request came, call[3]: the server's start_response
    headers = fast if fast is not None else call[1].decorate(headers, entry[0], None, call[2])
    if exc_info is None:
        return call[3](status, headers)
    return call[3](status, headers, exc_info)


#: environment variable: when set at import to anything but ``""`` or ``"0"``, the C code is not used
PURE_PYTHON_ENV = "WSGICORS_PURE_PYTHON"


def pure_python_requested() -> bool:
    """Whether :data:`PURE_PYTHON_ENV` asks for the Python code (any value but ``""`` or ``"0"``)."""
    return os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0")


def _load_speedups() -> Any:
    """``wsgicors._speedups``, given this module's plain names and Python originals; None when
    it is not built (no C compiler at install, not CPython 3.9+), in a sub-interpreter (its
    state is the process's), or when :data:`PURE_PYTHON_ENV` is set."""
    if pure_python_requested():
        return None
    try:
        from . import _speedups
        _speedups.setup(_plain, actual_start_response, fast_tail)  # ImportError in a sub-interpreter
    except ImportError:
        return None
    return _speedups


#: the C module serving :func:`actual_start_response`, :func:`fast_tail` and :attr:`PolicyState.remembered`,
#: or None (the Python code serves)
SPEEDUPS = _load_speedups()
#: ``bind_start_response(call)``: :func:`actual_start_response` bound to ``call`` (a bound method, or its C twin)
bind_start_response: Callable[[ActualCall], Callable[..., Any]] = (
    SPEEDUPS.bind if SPEEDUPS is not None else actual_start_response.__get__)
#: :func:`fast_tail`, or its C twin
_fast_tail: Callable[[Any, Tuple[Header, ...]], Optional[List[Header]]] = (
    SPEEDUPS.fast_tail if SPEEDUPS is not None else fast_tail)


class PolicyState:
    """One policy's request path: its remembered answers (the WSGI call is
    :meth:`wsgicors.middleware.CORSMiddleware.__call__`).

    Built once per policy (by :class:`~wsgicors.middleware.Rules`, or by
    :func:`state_for` for adapters) and never shared between policies, so
    ``reconfigure`` swaps it together with the rules.
    """

    __slots__ = ("policy", "fixed", "preflights", "refused", "by_origin", "indexed", "actuals", "vary_tail",
                 "fast_decorate", "single_state", "decide", "allowed_extra",
                 "allowed_tail", "remembered")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        #: whether answers depend only on the request strings (see the module docstring)
        self.fixed = not policy.debug and policy.matcher.predicate is None
        self.preflights: Dict[Tuple[str, str, Optional[str], Optional[str]], PreflightEntry] = {}
        # The same answers for preflights without Access-Control-Request-Private-Network (all
        # but a few), read with no key to build: an origin the policy refuses gets one answer
        # whatever it asks (``refused``); any other is looked up by its raw strings in turn
        # (``by_origin[origin][request headers][request method]``, ``indexed`` answers in all).
        self.refused: Dict[str, PreflightEntry] = {}
        self.by_origin: Dict[str, Dict[Optional[str], Dict[str, PreflightEntry]]] = {}
        self.indexed = 0
        self.actuals: Dict[Optional[str], ActualEntry] = {}
        # the one Vary the engine appends when the application sent none (Origin, the vary option's names)
        self.vary_tail: Tuple[Header, ...] = (policy.vary_header,) if policy.vary_header is not None else ()
        # exposing the response's own header names needs them all: always the engine
        self.fast_decorate = not policy.expose_all
        #: itself: a state stands in for the Rules of one policy covering every path
        #: (:func:`wsgicors.middleware.handle` runs the middleware's request path over it)
        self.single_state = self
        # A fixed policy without '*' decides an actual request's origin in one matcher call
        # (OriginMatcher.decide), remembered here only: the matcher's own memory is left to
        # preflights, so one decision is not stored twice. An allowed origin's headers are
        # its Access-Control-Allow-Origin + allowed_extra, and its tail that + allowed_tail.
        self.decide = policy.matcher.decide if self.fixed and not policy.any_origin else None
        self.allowed_extra = policy.allowed_extra_headers
        self.allowed_tail = policy.allowed_extra_headers + self.vary_tail
        #: ``remembered(origin)``: the answer :meth:`actual` remembered for ``origin``, or None
        #: (the request path asks ``state.remembered(origin) or state.actual(origin, environ)``).
        #: With the C code and ``decide``, its C twin also answers, and remembers as
        #: :meth:`actual` would, an origin allowed by an exact or ``*.host`` entry
        #: (decide's two fast cases): a new origin then costs one call, not two.
        self.remembered: Callable[[Optional[str]], Optional[ActualEntry]] = self.actuals.get
        if SPEEDUPS is not None and self.decide is not None:
            matcher = policy.matcher
            self.remembered = SPEEDUPS.remembered(
                self.actuals, MEMO_SIZE, matcher.exact, matcher.label_hosts.get("https"),
                matcher.label_hosts.get("http"), FAST_MAX_LENGTH, ALLOW_ORIGIN, self.allowed_extra,
                self.allowed_tail if self.fast_decorate else None)

    #: :func:`fast_tail` (or its C twin), for adapters: they use the core through a state, not this module
    fast_tail = staticmethod(_fast_tail)

    def preflight(self, key: Tuple[str, str, Optional[str], Optional[str]],
                  environ: Optional[Mapping[str, Any]] = None) -> PreflightEntry:
        """The engine's answer to a preflight, kept when it is fixed (``environ`` for a callable entry)."""
        answer = engine.answer_preflight(self.policy, *key, environ)
        entry = (answer.status, tuple(answer.headers), answer.body, answer.refusal)
        if self.fixed and sum(len(part) for part in key if part) <= MEMO_MAX_KEY_LENGTH:
            memo = self.preflights
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[key] = entry
            if key[3] is None:
                self._index(key, entry)
        return entry

    def _index(self, key: Tuple[str, str, Optional[str], Optional[str]], entry: PreflightEntry) -> None:
        """Keep a fixed answer to a preflight without private network in ``refused`` or ``by_origin``."""
        origin, request_method, request_headers, _ = key
        if not self.policy.matcher.allows(origin):
            # answer_preflight refuses a refused origin before reading anything else, and
            # without private network its Vary is fixed: one answer for every such preflight
            if len(self.refused) >= MEMO_SIZE:
                self.refused.clear()
            self.refused[origin] = entry
            return
        if self.indexed >= MEMO_SIZE:
            self.by_origin.clear()
            self.indexed = 0
        self.by_origin.setdefault(origin, {}).setdefault(request_headers, {})[request_method] = entry
        self.indexed += 1

    def actual(self, origin: Optional[str], environ: Optional[Mapping[str, Any]] = None) -> ActualEntry:
        """The headers an actual response gains, and the tail the fast path appends.

        :param origin: the request's ``Origin`` (None when it has none).
        :param environ: the request's WSGI environ, for a callable ``origins`` entry.
        :returns: ``(add, tail)``: ``add`` is
            :func:`wsgicors.engine.actual_headers`' tuple; ``tail`` is ``add``
            followed by the policy's ``Vary`` (a tuple), or None when the
            response's own header names are needed (``expose_headers="*"``).
            The pair is remembered when it is fixed (see the module docstring).
        :raises: nothing for a ``str`` or None origin (a callable entry that
            raises refuses, as in :meth:`~wsgicors.origins.OriginMatcher.allows`).

        For a fixed policy without ``'*'`` the engine's decision is made here
        (Fetch standard, "CORS protocol": the allowed origin echoed in
        ``Access-Control-Allow-Origin``) by one call of
        :meth:`~wsgicors.origins.OriginMatcher.decide`, and remembered once,
        here: the matcher's own memory is not filled too.
        """
        decide = self.decide
        if decide is not None and origin is not None:
            # engine.actual_headers for a fixed policy without '*' (debug off: nothing to log), inlined
            if decide(origin):  # so the origin is at most MAX_ORIGIN_LENGTH < MEMO_MAX_ORIGIN_LENGTH long
                allow = (ALLOW_ORIGIN, origin)
                entry = ((allow,) + self.allowed_extra, (allow, *self.allowed_tail) if self.fast_decorate else None)
            else:
                entry = ((), self.vary_tail if self.fast_decorate else None)
                if len(origin) > MEMO_MAX_ORIGIN_LENGTH:
                    return entry
            memo = self.actuals
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[origin] = entry
            return entry
        add = engine.actual_headers(self.policy, origin, environ)
        tail = add + self.vary_tail if self.fast_decorate else None
        entry = (add, tail)
        if self.fixed and (origin is None or len(origin) <= MEMO_MAX_ORIGIN_LENGTH):
            memo = self.actuals
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[origin] = entry
        return entry

    def decorate(self, headers: Any, add: Tuple[Header, ...], tail: Optional[Tuple[Header, ...]],
                 path: Optional[str]) -> List[Header]:
        """``headers`` (an iterable of pairs; WSGI says a list) as
        :func:`wsgicors.engine.decorate_response` makes them: a new ``list``.

        When none of the application's header names is ``Vary`` or
        ``Access-Control-*`` (each a name seen before, :data:`_plain`), that
        is the headers followed by the precomputed ``tail`` (:func:`fast_tail`).
        Raises what the engine raises for headers that are not pairs.
        """
        if tail is not None:
            fast = _fast_tail(headers, tail)
            if fast is not None:
                return fast
        if type(headers) is not list:
            headers = list(headers)  # _learn would use up an iterator before the engine reads it
        _learn(headers)
        return engine.decorate_response(self.policy, headers, add, path)

    def answer_error(self, error: Exception, environ: Dict[str, Any], start_response: Callable[..., Any],
                     add: Tuple[Header, ...], path: Optional[str]) -> Iterable[bytes]:
        """Answer ``500`` with the CORS headers after ``error`` escaped the application (logged).

        Called from the ``except`` clause that caught ``error`` (its traceback is logged).
        """
        # Request-triggered: one line (with its traceback) per distinct cause per interval.
        method = environ.get("REQUEST_METHOD")
        log_limited(logging.ERROR, exception_cause("application", error),
                    "wsgicors: the application raised on %s %s; answered 500 with CORS headers "
                    "(set the environ key %r to let exceptions through)",
                    shown(str(method)), shown(str(environ.get("PATH_INFO", ""))),
                    PROPAGATE_KEY, exc_info=True)  # called in the except clause
        start_response(ERROR_STATUS, engine.decorate_response(self.policy, ERROR_HEADERS, add, path))
        return [ERROR_BODY]


_states: Dict[Policy, PolicyState] = {}
STATES_SIZE = 256


def state_for(policy: Policy) -> PolicyState:
    """The request-path state of ``policy`` (kept for the last :data:`STATES_SIZE` policies)."""
    state = _states.get(policy)
    if state is None:
        if len(_states) >= STATES_SIZE:
            _states.clear()
        state = _states[policy] = PolicyState(policy)
    return state
