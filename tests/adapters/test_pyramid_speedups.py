"""pyramid_wsgicors/_speedups.c serves a request exactly as the Python one-policy tween it stands in for.

The C tween is optional (built at install when a C compiler is there, used
when wsgicors' own C code serves); CI requires it, so BENCHMARKS.md's Pyramid
row measures the tween tested here. Each test gives the C tween and the
Python tween the same app or the same objects: what the client receives,
what is returned or raised, how often the handler ran, and the Response
afterwards.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
from pyramid.config import Configurator
from pyramid.httpexceptions import HTTPNotFound
from pyramid.interfaces import IResponse
from pyramid.request import Request
from pyramid.response import Response
from webtest import TestApp
from zope.interface import implementer

import pyramid_wsgicors
from wsgicors import fastpath

C_TWEEN = pyramid_wsgicors.SPEEDUPS
needs_c_tween = pytest.mark.skipif(C_TWEEN is None and os.environ.get("CI") != "true",
                                   reason="pyramid_wsgicors._speedups is not built or not used here")

ALLOWED = "https://app.example.com"
SETTINGS = {"cors.origins": f"{ALLOWED}\n  https://*.tenant.example", "cors.expose_headers": "x-total"}
ORIGINS = [ALLOWED, "https://a.tenant.example", "https://evil.example", None]


def test_ci_runs_the_c_tween() -> None:
    """Built and used wherever CI runs: a machine without a compiler fails here, not silently slower."""
    if os.environ.get("CI") != "true" and C_TWEEN is None:
        pytest.skip("not CI, and pyramid_wsgicors._speedups is not built or not used here")
    assert C_TWEEN is not None
    assert type(_tween(lambda request: Response(), c=True)).__name__ == "OnePolicyTween"


def test_the_python_tween_serves_when_the_core_python_code_does() -> None:
    code = "import pyramid_wsgicors; print(pyramid_wsgicors.SPEEDUPS is None)"
    env = dict(os.environ, **{fastpath.PURE_PYTHON_ENV: "1"})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True"]


@needs_c_tween
def test_a_new_response_subscriber_keeps_the_python_tween() -> None:
    """Headers are then applied last, in a finished callback: that is the Python tween's path."""
    def configure(config: Configurator) -> None:
        config.add_subscriber(lambda event: None, "pyramid.events.NewResponse")

    assert type(_tween(lambda request: Response(), c=True, configure=configure)).__name__ == "function"


# -- the same app, served by either tween -------------------------------------------------------


@implementer(IResponse)
class _NotWebOb:
    """A response Pyramid accepts that is no WebOb Response: headerlist is an instance attribute."""

    def __init__(self) -> None:
        self.status = "200 OK"
        self.headerlist = [("Content-Type", "text/plain")]
        self.app_iter = [b"not webob"]

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> List[bytes]:
        start_response(self.status, list(self.headerlist))
        return self.app_iter


class _DictHeaders(Response):  # type: ignore[misc]
    """Its own headerlist property (computed from a dict)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._kept = dict(self._headerlist)

    headerlist = property(lambda self: list(self._kept.items()), lambda self, value: setattr(self, "_kept", dict(value)))

    def _abs_headerlist(self, environ: Dict[str, Any]) -> List[Tuple[str, str]]:
        return list(self._kept.items())


def _headers_read_first(request: Request) -> Response:
    response = Response(b"ok", content_type="text/plain")
    response.headers["X-Seen"] = "1"  # builds WebOb's _headers view over the list the tween replaces
    return response


def _raise_not_found(request: Request) -> Response:
    raise HTTPNotFound()  # Pyramid's exception view answers it: prepared (its body set) when sent


def _raise(request: Request) -> Response:
    raise RuntimeError("boom")  # no exception view: it propagates


def _response_callback(request: Request) -> Response:
    request.add_response_callback(lambda request, response: response.headers.__setitem__("X-Callback", "1"))
    return Response(b"ok")


def _finished_callback(request: Request) -> Response:
    request.add_finished_callback(lambda request: None)
    return Response(b"ok")


def _request_response(request: Request) -> Response:
    request.response.text = "ok"
    return request.response


VIEWS: Dict[str, Callable[[Request], Any]] = {
    "plain": lambda request: Response(b"ok", headerlist=[("Content-Type", "text/plain")]),
    "vary": lambda request: Response(b"ok", headerlist=[("Content-Type", "text/plain"), ("Vary", "Accept")]),
    "own-cors": lambda request: Response(b"ok", headerlist=[("Access-Control-Allow-Origin", "*")]),
    "headers-read-first": _headers_read_first,
    "http-exception-returned": lambda request: HTTPNotFound(),
    "http-exception-raised": _raise_not_found,
    "raises": _raise,
    "own-headerlist-property": lambda request: _DictHeaders(app_iter=[b"x"], headerlist=[("Content-Type", "text/plain")]),
    "not-webob": lambda request: _NotWebOb(),
    "response-callback": _response_callback,
    "finished-callback": _finished_callback,
    "request-response": _request_response,
}
REQUESTS: Dict[str, Dict[str, str]] = {
    "GET": {"REQUEST_METHOD": "GET"},
    "preflight": {"REQUEST_METHOD": "OPTIONS", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "PUT"},
    "plain OPTIONS": {"REQUEST_METHOD": "OPTIONS"},
    "owned": {"REQUEST_METHOD": "GET", "wsgicors.owner": ""},
}


@contextlib.contextmanager
def _tweens_in(c: bool) -> Iterator[None]:
    """Tweens made meanwhile are the C one (when built) or the Python one."""
    saved = pyramid_wsgicors.SPEEDUPS
    pyramid_wsgicors.SPEEDUPS = saved if c else None
    try:
        yield
    finally:
        pyramid_wsgicors.SPEEDUPS = saved


def _app(c: bool) -> Any:
    with Configurator(settings=SETTINGS) as config:
        config.include("pyramid_wsgicors")
        for name, view in VIEWS.items():
            config.add_route(name, "/" + name)
            config.add_view(view, route_name=name)
        with _tweens_in(c):
            return config.make_wsgi_app()


def _served(app: Any, path: str, extra: Dict[str, str], origin: Any) -> Tuple[Any, ...]:
    environ = dict(extra, **({"HTTP_ORIGIN": origin} if origin else {}))
    try:
        response = TestApp(app).request("/" + path, expect_errors=True, extra_environ=environ,
                                        method=environ["REQUEST_METHOD"])
    except Exception as error:
        return "raised", type(error).__name__, str(error)
    return response.status, response.headerlist, response.body


@needs_c_tween
@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("request_kind", REQUESTS)
@pytest.mark.parametrize("view", VIEWS)
def test_each_response_is_what_the_python_tween_sends(view: str, request_kind: str, origin: Any) -> None:
    c_app, python_app = _app(c=True), _app(c=False)
    for _ in range(3):  # first sight of the origin and the names (the engine), then remembered
        assert _served(c_app, view, REQUESTS[request_kind], origin) == _served(
            python_app, view, REQUESTS[request_kind], origin)


# -- the tween called directly, with unusual objects ---------------------------------------------


def _tween(handler: Callable[[Any], Any], c: bool, configure: Optional[Callable[[Configurator], None]] = None,
           patch: Optional[Callable[[Any], None]] = None) -> Any:
    """The one-policy tween over ``handler``: C or Python; ``patch(state)`` may change its PolicyState first."""
    config = Configurator(settings=SETTINGS)
    config.include("pyramid_wsgicors")
    if configure is not None:
        configure(config)
    config.commit()
    state = pyramid_wsgicors._configuration(config.registry).rules().single_state
    if patch is not None:
        patch(state)
    with _tweens_in(c):
        return pyramid_wsgicors._one_policy_tween(handler, config.registry, state)


class _Counting:
    """A handler: a fresh response from ``make`` on each call, counted."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make
        self.calls = 0

    def __call__(self, request: Any) -> Any:
        self.calls += 1
        return self.make()


class _Odd(str):
    """A str subclass: compared with == (its own __eq__), not as an exact str."""


class _AnyHeaderlist(type):
    """A metatype with its own headerlist: getattr on the class finds it first."""

    headerlist = property(lambda cls: pyramid_wsgicors.WEBOB_HEADERLIST)


class _MetaResponse(Response, metaclass=_AnyHeaderlist):  # type: ignore[misc]
    pass


class _Bare(Response):  # type: ignore[misc]
    """WebOb's headerlist property, but no _headerlist (its __init__ skipped)."""

    def __init__(self) -> None:
        pass


class _SlotsRequest:
    __slots__ = ("environ",)

    def __init__(self, environ: Dict[str, Any]) -> None:
        self.environ = environ


class _DictSubclass(dict):
    pass


class _ProxyRequest:
    """A thin request wrapper: no __dict__ of its own, everything read through the request it wraps."""

    __slots__ = ("_request",)

    def __init__(self, request: Request) -> None:
        object.__setattr__(self, "_request", request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


class _QueuedByDictProperty:
    """A request whose __dict__ (a property) reports a queued finished callback."""

    def __init__(self, environ: Dict[str, Any]) -> None:
        self.environ = environ

    @property  # type: ignore[misc]
    def __dict__(self) -> Dict[str, Any]:  # type: ignore[override]
        return {"finished_callbacks": [print]}

    def add_finished_callback(self, callback: Any) -> None:
        pass


class _QueuedByGetattribute:
    """A request whose attribute look-up reports a queued response callback in __dict__."""

    def __init__(self, environ: Dict[str, Any]) -> None:
        self.environ = environ

    def __getattribute__(self, name: str) -> Any:
        if name == "__dict__":
            return {"response_callbacks": [print]}
        if name == "add_finished_callback":
            return lambda callback: None
        return object.__getattribute__(self, name)


class _EnvironReadOnce:
    """A request whose environ (a property) may be read once."""

    def __init__(self, environ: Dict[str, Any]) -> None:
        self._environ, self.reads = environ, 0

    @property
    def environ(self) -> Dict[str, Any]:
        self.reads += 1
        if self.reads > 1:
            raise RuntimeError("environ read twice")
        return self._environ


HASHED: List[str] = []


class _CountedOrigin(str):
    """An Origin that records each time it is hashed: each read happens as often in both tweens."""

    def __hash__(self) -> int:
        HASHED.append(str(self))
        return str.__hash__(self)


class _RaisesOnTheClass:
    """A headerlist descriptor whose class-level read raises (getattr on the class must run it)."""

    def __get__(self, response: Any, owner: Any) -> Any:
        if response is None:
            raise RuntimeError("class-level access")
        return pyramid_wsgicors.WEBOB_HEADERLIST.__get__(response, owner)

    def __set__(self, response: Any, value: Any) -> None:
        pyramid_wsgicors.WEBOB_HEADERLIST.__set__(response, value)


class _AliasOnTheClass:
    """Looks like WebOb's property on the class; instances show one header more."""

    def __get__(self, response: Any, owner: Any) -> Any:
        if response is None:
            return pyramid_wsgicors.WEBOB_HEADERLIST
        return [*response._headerlist, ("X-View", "1")]

    def __set__(self, response: Any, value: Any) -> None:
        pyramid_wsgicors.WEBOB_HEADERLIST.__set__(response, value)


class _RaisingClassHeaderlist(Response):  # type: ignore[misc]
    headerlist = _RaisesOnTheClass()


class _AliasClassHeaderlist(Response):  # type: ignore[misc]
    headerlist = _AliasOnTheClass()


class _RaisingMetatype(type):
    @property
    def headerlist(cls) -> Any:
        raise RuntimeError("metatype attribute")


class _RaisingMetatypeResponse(Response, metaclass=_RaisingMetatype):  # type: ignore[misc]
    pass


def _environ(method: Any = "GET", origin: Any = ALLOWED, **extra: Any) -> Dict[str, Any]:
    environ = Request.blank("/x").environ
    environ["REQUEST_METHOD"] = method
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
    environ.update(extra)
    return environ


def _plain_response() -> Response:
    return Response(b"ok", headerlist=[("Content-Type", "text/plain")])


CASES: Dict[str, Tuple[Callable[[], Any], Callable[[], Any]]] = {
    # name: (the request, the handler's response)
    "allowed": (lambda: Request(_environ()), _plain_response),
    "wildcard": (lambda: Request(_environ(origin="https://b.tenant.example")), _plain_response),
    "refused": (lambda: Request(_environ(origin="https://evil.example")), _plain_response),
    "no origin": (lambda: Request(_environ(origin=None)), _plain_response),
    "bytes origin": (lambda: Request(_environ(origin=b"https://app.example.com")), _plain_response),
    "odd origin": (lambda: Request(_environ(origin=_Odd(ALLOWED))), _plain_response),
    "odd method": (lambda: Request(_environ(method=_Odd("GET"))), _plain_response),
    "no method": (lambda: Request({k: v for k, v in _environ().items() if k != "REQUEST_METHOD"}), _plain_response),
    "owned": (lambda: Request(_environ(**{"wsgicors.owner": None})), _plain_response),
    "environ subclass": (lambda: _with_environ(Request(_environ()), _DictSubclass(_environ())), _plain_response),
    "no environ": (lambda: object(), _plain_response),
    "slots request": (lambda: _SlotsRequest(_environ()), _plain_response),
    "vary": (lambda: Request(_environ()), lambda: Response(b"ok", headerlist=[("Vary", "Accept")])),
    "headers read first": (lambda: Request(_environ()), lambda: _headers_read_first(Request.blank("/"))),
    "tuple headers": (lambda: Request(_environ()), lambda: _with_headerlist(_plain_response(), (("A", "b"),))),
    "metatype": (lambda: Request(_environ()), lambda: _MetaResponse(b"ok")),
    "no _headerlist": (lambda: Request(_environ()), _Bare),
    "not webob": (lambda: Request(_environ()), _NotWebOb),
    "empty callbacks": (lambda: _with_queues(Request(_environ())), _plain_response),
    "proxy request": (lambda: _ProxyRequest(Request(_environ())), _plain_response),
    "__dict__ property": (lambda: _QueuedByDictProperty(_environ()), _plain_response),
    "__getattribute__": (lambda: _QueuedByGetattribute(_environ()), _plain_response),
    "environ read once": (lambda: _EnvironReadOnce(_environ(origin=_fresh_origin())), _plain_response),
    "environ read once, OPTIONS": (lambda: _EnvironReadOnce(_environ(method="OPTIONS")), _plain_response),
    "counted origin": (lambda: Request(_environ(origin=_CountedOrigin(_fresh_origin()))), _plain_response),
    "counted preflight origin": (lambda: Request(_environ(
        method="OPTIONS", origin=_CountedOrigin(ALLOWED), HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT")), _plain_response),
    "class-level headerlist raises": (lambda: Request(_environ()), lambda: _RaisingClassHeaderlist(b"ok")),
    "class-level headerlist aliases": (lambda: Request(_environ()), lambda: _AliasClassHeaderlist(
        b"ok", headerlist=[("Content-Type", "text/plain")])),
    "metatype headerlist raises": (lambda: Request(_environ()), lambda: _RaisingMetatypeResponse(b"ok")),
}

FRESH = [0]


def _fresh_origin() -> str:
    """An origin the policy allows, never seen before (decided by PolicyState.actual, or its C twin)."""
    FRESH[0] += 1
    return f"https://new{FRESH[0]}.tenant.example"


def _with_environ(request: Request, environ: Dict[str, Any]) -> Request:
    request.__dict__["environ"] = environ  # WebOb's constructor takes an exact dict only
    return request


def _with_headerlist(response: Response, headers: Any) -> Response:
    response._headerlist = headers
    return response


def _with_queues(request: Request) -> Request:
    request.response_callbacks  # reified: empty queues in the request's __dict__
    request.finished_callbacks
    return request


@needs_c_tween
@pytest.mark.parametrize("case", CASES)
def test_the_c_tween_does_what_the_python_tween_does(case: str) -> None:
    make_request, make_response = CASES[case]
    outcomes = []
    for c in (True, False):
        FRESH[0] = 0  # the same fresh origins for each tween (each has its own PolicyState)
        handler = _Counting(make_response)
        tween = _tween(handler, c)
        for _ in range(3):  # the origin's answer and the header names remembered on the first call
            handler.calls = 0
            request = make_request()
            try:
                response = tween(request)
                headers = getattr(response, "headerlist", None)
                view = list(response.headers.items()) if isinstance(response, Response) and case != "no _headerlist" else None
                outcome: Tuple[Any, ...] = ("returned", type(response).__name__, headers, view)
            except Exception as error:
                outcome = ("raised", type(error).__name__)
            environ = getattr(request, "_environ", None) or getattr(request, "environ", {})
            owner = environ.get("wsgicors.owner", "absent")  # each tween has its app's own PolicyState
            outcomes.append((c, outcome, handler.calls, type(owner).__name__, len(HASHED),
                             getattr(request, "reads", None)))
            HASHED.clear()
    c_outcomes = [outcome[1:] for outcome in outcomes if outcome[0]]
    python_outcomes = [outcome[1:] for outcome in outcomes if not outcome[0]]
    assert c_outcomes == python_outcomes
    assert all(outcome[2] <= 1 for outcome in outcomes)  # the handler ran once at most


@pytest.mark.parametrize("c", [pytest.param(True, marks=needs_c_tween), False], ids=["C", "Python"])
def test_the_webob_view_is_rebuilt_over_the_new_list(c: bool) -> None:
    """A view over the old list (read by the view) is emptied: the Response's headers show the CORS ones."""
    tween = _tween(_headers_read_first, c=c)
    for _ in range(3):  # first sight of X-Seen (the engine), then remembered
        assert tween(Request(_environ())).headers.getall("Access-Control-Allow-Origin") == [ALLOWED]


@needs_c_tween
def test_a_handler_that_raises_raises_through_the_c_tween() -> None:
    def handler(request: Any) -> Any:
        raise KeyError("view")

    with pytest.raises(KeyError, match="view"):
        _tween(handler, c=True)(Request(_environ()))


@needs_c_tween
def test_keyword_calls_go_to_the_python_tween() -> None:
    tween = _tween(lambda request: _plain_response(), c=True)
    assert tween(request=Request(_environ())).headers["Access-Control-Allow-Origin"] == ALLOWED


@needs_c_tween
def test_the_type_stub_names_what_the_c_module_exports() -> None:
    import ast
    stub = os.path.join(os.path.dirname(pyramid_wsgicors.__file__), "_speedups.pyi")
    with open(stub, encoding="utf-8") as handle:
        declared = {node.name for node in ast.parse(handle.read()).body if isinstance(node, ast.FunctionDef)}
    assert declared == {name for name in dir(C_TWEEN) if not name.startswith("_") and callable(getattr(C_TWEEN, name))}


@needs_c_tween
def test_the_c_tween_can_be_weakly_referenced_like_a_function() -> None:
    import weakref

    tween = _tween(lambda request: _plain_response(), c=True)
    assert weakref.ref(tween)() is tween


#: An Origin whose hashing drops the environ's reference to it: the C tween must hold its own while it
#: asks for the remembered answer (it used the environ's, and read freed memory: a crash)
DROPPED_ORIGIN = """
import sys
sys.path.insert(0, "tests/adapters")
from pyramid.request import Request
import test_pyramid_speedups as t

class Origin(str):
    def __hash__(self):
        environ = self.__dict__.pop("environ", None)
        if environ is not None:
            environ.pop("HTTP_ORIGIN", None)
        return str.__hash__(t.ALLOWED)  # as the remembered origin: __eq__ runs on the freed object

    def __eq__(self, other):
        return str.__eq__(self, other)

tween = t._tween(lambda request: t._plain_response(), c=True)
tween(Request(t._environ()))
for _ in range(3):
    origin = Origin(t.ALLOWED)
    environ = t._environ(origin=origin)
    origin.environ = environ
    del origin
    print(tween(Request(environ)).headers.get("Access-Control-Allow-Origin"))
"""


@needs_c_tween
def test_an_origin_dropped_from_the_environ_while_hashed_is_held_by_the_tween() -> None:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, "-c", DROPPED_ORIGIN], cwd=root, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONMALLOC="debug"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == [ALLOWED] * 3


# -- what a second review found: each read as often, in the same order, kept as long ------------------


class _LoggedTuple(tuple):
    def __getitem__(self, index: Any) -> Any:
        READS.append(("entry[]", index))
        return tuple.__getitem__(self, index)


class _LoggedEnviron(dict):
    def get(self, key: Any, default: Any = None) -> Any:
        READS.append(("environ.get", key))
        return dict.get(self, key, default)


READS: List[Any] = []
ENTRY_SHAPES: Dict[str, Callable[[Any], Any]] = {
    "3-tuple": lambda entry: entry + ("extra",),
    "1-tuple": lambda entry: entry[:1],
    "list": list,
    "tuple subclass": _LoggedTuple,
}


@needs_c_tween
@pytest.mark.parametrize("shape", ENTRY_SHAPES)
def test_an_answer_of_another_shape_is_read_as_the_python_tween_reads_it(shape: str) -> None:
    """PolicyState's answers are (added, tail) tuples; another remembered() gets entry[1] read as Python reads it."""
    outcomes = []
    for c in (True, False):
        odd = [False]

        def patch(state: Any) -> None:
            real = state.remembered

            def remembered(origin: Any) -> Any:
                entry = real(origin) or state.actual(origin)
                return ENTRY_SHAPES[shape](entry) if odd[0] else entry

            state.remembered = remembered

        tween = _tween(lambda request: _plain_response(), c, patch=patch)
        tween(Request(_environ()))  # the header names learned, with PolicyState's own answer
        odd[0] = True
        READS.clear()
        request = _with_environ(Request(_environ()), _LoggedEnviron(_environ()))
        try:
            outcome: Any = tween(request).headerlist
        except Exception as error:
            outcome = type(error).__name__
        outcomes.append((outcome, list(READS)))
    assert outcomes[0] == outcomes[1]


@needs_c_tween
def test_the_response_class_is_looked_up_once() -> None:
    """A class-dict key whose hash collides with "headerlist": its __eq__ runs as often in both tweens."""
    compared: List[Any] = []

    class Key(str):
        def __hash__(self) -> int:
            return hash("headerlist")

        def __eq__(self, other: Any) -> bool:
            compared.append(other)
            raise RuntimeError("compared")

    colliding = type("Colliding", (Response,), {Key("headerlist_"): 1})
    counts = []
    for c in (True, False):
        compared.clear()
        with pytest.raises(AttributeError):
            _tween(lambda request: colliding(b"ok"), c)(Request(_environ()))
        counts.append(len(compared))
    assert counts[0] == counts[1]


@needs_c_tween
@pytest.mark.parametrize("again_from", ["handler", "remembered"])
def test_a_tween_called_again_from_code_it_calls_stops_at_the_same_depth(again_from: str) -> None:
    """Each call of the tween counts against the recursion limit once, as its Python frame does: called
    again from the handler, or from Python code it calls before the handler (PolicyState.remembered).
    Without the guard the C tween let the handler run twice as often before RecursionError."""
    depths = []
    for c in (True, False):
        calls = [0]
        tween: List[Any] = []

        def again(*ignored: Any) -> Any:
            calls[0] += 1
            return tween[0](Request(_environ()))

        def patch(state: Any) -> None:
            if again_from == "remembered":
                state.remembered = again

        handler = again if again_from == "handler" else (lambda request: _plain_response())
        tween.append(_tween(handler, c, patch=patch))
        with pytest.raises(RecursionError):
            tween[0](Request(_environ()))
        depths.append(calls[0])
    assert depths[0] == depths[1]


class _NoisyOrigin(str):
    def __del__(self) -> None:
        EVENTS.append("origin freed")


EVENTS: List[str] = []


@needs_c_tween
def test_the_origin_is_kept_until_the_tween_returns() -> None:
    """As the Python tween's local variable keeps it: a handler that drops it from the environ does not
    free it (finalizers and weakref callbacks run at the same moment in both tweens)."""
    def handler(request: Any) -> Any:
        del request.environ["HTTP_ORIGIN"]
        EVENTS.append("handler returned")
        return _plain_response()

    orders = []
    for c in (True, False):
        tween = _tween(handler, c)
        EVENTS.clear()
        tween(Request(_environ(origin=_NoisyOrigin("https://" + "a" * 5000 + ".evil.example"))))  # never remembered
        EVENTS.append("tween returned")
        orders.append(list(EVENTS))
    assert orders[0] == orders[1]
    assert orders[0].index("handler returned") < orders[0].index("origin freed")
