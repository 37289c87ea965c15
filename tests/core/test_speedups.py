"""wsgicors/_speedups.c answers exactly as the Python functions of wsgicors/fastpath.py it stands in for.

The C module is optional (built at install when a C compiler is there); CI
requires it, so the request path measured in BENCHMARKS.md is the one tested
here. Each test compares the C function with its Python original on the same
inputs: what the server's ``start_response`` receives, what is returned or
raised, and the request's call list afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsgicors import Policy, fastpath

SPEEDUPS = fastpath.SPEEDUPS
needs_speedups = pytest.mark.skipif(SPEEDUPS is None and os.environ.get("CI") != "true",
                                    reason="wsgicors._speedups is not built here (no C compiler at install)")

PLAIN = ["Content-Type", "Content-Length", "X-Request-Id"]
fastpath._learn([(name, "x") for name in PLAIN])


class _OddName(str):
    """A str subclass: never taken as a learned name."""


NAMES = st.sampled_from(PLAIN + ["Vary", "vary", "Access-Control-Allow-Origin", "Unseen-Name-Z"]) | st.builds(
    _OddName, st.sampled_from(PLAIN))
PAIR = st.tuples(NAMES, st.just("v"))
ITEM = PAIR | PAIR.map(list) | st.sampled_from([(), ("Content-Type",), "Content-Type", 7, None, ("X", "y", "z")])
HEADERS = (st.lists(PAIR, max_size=12) | st.lists(ITEM, max_size=6) | st.lists(PAIR, max_size=4).map(tuple)
           | st.sampled_from([None, 5, "Content-Type"]))
#: the remembered tail: none (expose all), the policy's own (a tuple), or a list (never made: handed to Python)
TAIL = st.sampled_from(["none", "tuple", "list"])


def test_ci_runs_the_c_code() -> None:
    """The C module is built wherever CI runs: a machine without a compiler fails here, not silently slower."""
    if os.environ.get("CI") != "true" and SPEEDUPS is None:
        pytest.skip("not CI, and wsgicors._speedups is not built here")
    assert SPEEDUPS is not None
    assert fastpath.bind_start_response is SPEEDUPS.bind


def test_the_environment_variable_chooses_the_python_code() -> None:
    code = ("from wsgicors import fastpath; "
            "print(fastpath.SPEEDUPS is None, fastpath.bind_start_response([]).__func__ is fastpath.actual_start_response)")
    env = dict(os.environ, **{fastpath.PURE_PYTHON_ENV: "1"})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "True"]


class _Recorder:
    def __init__(self) -> None:
        self.calls: List[Tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> str:
        self.calls.append(args)
        return "write"


def _outcome(function: Any) -> Tuple[str, Any]:
    try:
        return "returned", function()
    except Exception as error:  # the engine raises on malformed headers: both must raise alike
        return "raised", type(error).__name__


def _call_list(kind: str) -> List[Any]:
    state = fastpath.PolicyState(Policy(["https://a.example"], expose_headers=["X-Request-Id"]))
    add, tail = state.actual("https://a.example")
    return [(add, {"none": None, "tuple": tail, "list": list(tail)}[kind]), state, "/path", _Recorder(), False]


def _python(call: List[Any]) -> Any:
    return fastpath.actual_start_response.__get__(call)


def _shape(value: Any) -> Any:
    """A comparable form: the type of every list and pair kept, not only their items."""
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [_shape(item) for item in value]
    return value


@needs_speedups
@settings(max_examples=400, deadline=None)
@given(headers=HEADERS, tail=TAIL, exc_info=st.sampled_from(["absent", None, "info"]))
def test_the_c_start_response_answers_as_the_python_one(headers: Any, tail: Any, exc_info: Any) -> None:
    extra = () if exc_info == "absent" else (exc_info,)
    _outcome(lambda: _python(_call_list(tail))("200 OK", headers, *extra))  # learns the plain names first
    c_call, py_call = _call_list(tail), _call_list(tail)
    c_out = _outcome(lambda: SPEEDUPS.bind(c_call)("200 OK", headers, *extra))
    py_out = _outcome(lambda: _python(py_call)("200 OK", headers, *extra))
    assert c_out == py_out
    assert _shape(c_call[3].calls) == _shape(py_call[3].calls)
    assert c_call[4] == py_call[4]


@needs_speedups
@settings(max_examples=400, deadline=None)
@given(headers=HEADERS, tail=TAIL)
def test_the_c_fast_tail_answers_as_the_python_one(headers: Any, tail: Any) -> None:
    tail = _call_list(tail)[0][1]
    if tail is None:
        return  # never called without a tail
    assert _shape(_outcome(lambda: SPEEDUPS.fast_tail(headers, tail))) == _shape(
        _outcome(lambda: fastpath.fast_tail(headers, tail)))


@needs_speedups
@pytest.mark.parametrize("args, kwargs", [
    (("200 OK",), {"headers": [("Content-Type", "x")]}),
    ((), {"status": "200 OK", "headers": [("Content-Type", "x")], "exc_info": None}),
    (("200 OK",), {}),
    (("200 OK", [("Content-Type", "x")], None, "one too many"), {}),
    (("200 OK", [("Content-Type", "x")]), {"unknown": 1}),
])
def test_an_unusual_call_is_the_python_functions(args: Tuple[Any, ...], kwargs: dict) -> None:
    c_call, py_call = _call_list("tuple"), _call_list("tuple")
    c_out = _outcome(lambda: SPEEDUPS.bind(c_call)(*args, **kwargs))
    py_out = _outcome(lambda: _python(py_call)(*args, **kwargs))
    assert c_out == py_out
    assert _shape(c_call[3].calls) == _shape(py_call[3].calls)


@needs_speedups
def test_the_bound_start_response_holds_its_call_list_only_while_it_lives() -> None:
    call = _call_list("tuple")
    headers = [("Content-Type", "x"), ("Content-Length", "1")]
    before = [sys.getrefcount(item) for item in (call, headers, call[0], call[1], call[3])]
    for _ in range(1000):
        SPEEDUPS.bind(call)("200 OK", headers)
        SPEEDUPS.bind(call)("200 OK", headers + [("Vary", "Accept")])
    call[3].calls.clear()
    after = [sys.getrefcount(item) for item in (call, headers, call[0], call[1], call[3])]
    assert after == before


@needs_speedups
def test_a_name_remembered_by_address_is_the_very_object_learned() -> None:
    """The C code remembers plain names by address; a new str at an old address is looked up again."""
    tail = (("Vary", "Origin"),)
    for index in range(2000):  # new objects, many reusing freed addresses
        unseen = "".join(["Unseen-", str(index)])
        assert SPEEDUPS.fast_tail([("Content-Type", "x"), (unseen, "y")], tail) is None
        learned = "".join(["Content-", "Type"])  # equal to a learned name, another object
        assert SPEEDUPS.fast_tail([(learned, "x")], tail) == [(learned, "x"), *tail]
        access = "".join(["Access-Control-", str(index)])
        assert SPEEDUPS.fast_tail([(access, "x")], tail) is None


def test_the_middleware_uses_the_chosen_binder() -> None:
    from wsgicors import middleware
    assert middleware.bind_start_response is fastpath.bind_start_response


def test_the_adapters_fast_tail_is_the_chosen_one() -> None:
    expected = SPEEDUPS.fast_tail if SPEEDUPS is not None else fastpath.fast_tail
    assert fastpath.PolicyState.fast_tail is expected


ENTRIES = ["https://app.example.com", "https://*.tenant.example.net", "http://*.tenant.example.net",
           "https://*.example.org", "http://localhost:*"]
LABEL_CHARS = "ab-_Z09.é:/\x00 "
ORIGIN = (st.sampled_from(["https://app.example.com", "http://app.example.com", "https://a.tenant.example.net",
                           "https://x.example.org", "http://localhost:8080", "null", "", "https://", "http://."])
          | st.builds(lambda scheme, label, host: f"{scheme}{label}.{host}",
                      st.sampled_from(["https://", "http://", "ftp://", "HTTPS://", "https:/", ""]),
                      st.text(LABEL_CHARS, max_size=70),
                      st.sampled_from(["tenant.example.net", "example.org", "example.org:443", "tenant.example.net.",
                                       "b.tenant.example.net", "evil.net", "example.org/"])))


def _answer(state: Any, origin: Optional[str]) -> Any:
    """The request path's read: the remembered answer, else PolicyState.actual's."""
    return state.remembered(origin) or state.actual(origin, {})


@needs_speedups
@pytest.mark.parametrize("expose", [(), "*"], ids=["tail", "expose-all"])
@pytest.mark.parametrize("credentials", [False, True], ids=["public", "credentials"])
@settings(max_examples=300, deadline=None)
@given(origins=st.lists(ORIGIN | st.none(), min_size=1, max_size=4))
def test_the_c_remembered_answers_as_the_python_one(origins: List[Optional[str]], expose: Any,
                                                    credentials: bool) -> None:
    """An origin allowed by an exact or '*.host' entry is answered and remembered in C; every other
    is None, for PolicyState.actual: the request path gets the same entries, and both states
    remember the same."""
    policy = Policy(ENTRIES, expose_headers=expose, allow_credentials=credentials, allow_insecure_origins=credentials)
    c_state, py_state = fastpath.PolicyState(policy), fastpath.PolicyState(policy)
    py_state.remembered = py_state.actuals.get  # the Python code's
    assert type(c_state.remembered).__name__ == "Remembered"
    for origin in origins:
        assert _answer(c_state, origin) == _answer(py_state, origin)
        assert c_state.actuals == py_state.actuals
    for origin in origins:  # and the same decision as the matcher's own
        if origin is not None:
            allowed = policy.matcher.allows(origin)
            assert (_answer(c_state, origin)[0][:1] == (("Access-Control-Allow-Origin", origin),)) is allowed


@needs_speedups
def test_the_c_remembered_empties_its_memory_when_full_as_the_python_one() -> None:
    policy = Policy(ENTRIES)
    c_state, py_state = fastpath.PolicyState(policy), fastpath.PolicyState(policy)
    py_state.remembered = py_state.actuals.get
    for index in range(3 * fastpath.MEMO_SIZE + 5):
        origin = f"https://u{index}.tenant.example.net"
        assert _answer(c_state, origin) == _answer(py_state, origin)
        assert c_state.actuals == py_state.actuals


@needs_speedups
def test_the_c_remembered_takes_one_argument() -> None:
    remembered = fastpath.PolicyState(Policy(ENTRIES)).remembered
    with pytest.raises(TypeError):
        remembered()
    with pytest.raises(TypeError):
        remembered("https://app.example.com", None)


def test_only_a_fixed_policy_without_any_origin_gets_the_c_remembered() -> None:
    any_origin = fastpath.PolicyState(Policy("*"))
    assert any_origin.remembered == any_origin.actuals.get
    predicate = fastpath.PolicyState(Policy(["https://a.example", lambda origin: False]))
    assert predicate.remembered == predicate.actuals.get  # a callable entry is asked on every request
    exact = fastpath.PolicyState(Policy(["https://a.example"]))
    assert (type(exact.remembered).__name__ == "Remembered") is (SPEEDUPS is not None)


#: Scripts that change the request's call list or headers from Python code the C function runs
#: (a finalizer, the engine's decorate, start_response itself): each prints what happened; C and
#: Python must print the same, and never crash (found by review: the C code once read freed items)
HOSTILE = {
    "headers-generator-clears-the-call-list": """
from wsgicors import CORSMiddleware
def app(environ, start_response):
    def headers():
        yield ("Content-Type", "text/plain")
        start_response.__self__.clear()
    start_response("200 OK", headers())
    return [b"ok"]
mw = CORSMiddleware(app, origins=["https://a.example"])
env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": "https://a.example"}
try: print(list(mw(env, lambda s, h, e=None: print(s, h))))
except Exception as e: print("raised", type(e).__name__)
""",
    "decorate-drops-start-response": """
from wsgicors import fastpath
class SR:
    def __call__(self, *a): print("server got", a)
class State:
    def decorate(self, headers, add, tail, path):
        del call[4]; del call[3]; return list(headers)
call = [((), None), State(), "/", SR(), False]
try: fastpath.bind_start_response(call)("200 OK", [("X-A", "b")])
except Exception as e: print("raised", type(e).__name__)
""",
    "finalizer-of-the-started-flag-clears-the-list": """
from wsgicors import fastpath
class Flag:
    def __del__(self): call.clear()
call = [((), None), object(), "/", print, Flag()]
try: fastpath.bind_start_response(call)("200 OK", [("X-A", "b")])
except Exception as e: print("raised", type(e).__name__)
""",
    "finalizer-of-the-started-flag-adds-cors-headers": """
from wsgicors import fastpath
fastpath._learn([("X-A", "b")])
headers = [("X-A", "b")]
class Flag:
    def __del__(self):
        headers.append(("Vary", "Accept")); headers.append(("Access-Control-Allow-Origin", "*"))
class State:
    def decorate(self, headers, add, tail, path): return ["decorated"] + list(headers)
call = [((), [("Vary", "Origin")]), State(), "/", lambda *a: print(a), Flag()]
fastpath.bind_start_response(call)("200 OK", headers)
""",
    "start-response-is-itself": """
from wsgicors import fastpath
call = [((), []), None, "/", None, False]
bound = fastpath.bind_start_response(call); call[3] = bound
try: bound("200 OK", [])
except RecursionError: print("RecursionError")
""",
    "a-sub-interpreter-imports-it-too": """
import _xxsubinterpreters as interpreters
from wsgicors import CORSMiddleware
sub = interpreters.create(); interpreters.run_string(sub, "import wsgicors.fastpath"); interpreters.destroy(sub)
def app(environ, start_response):
    start_response("200 OK", [["Content-Type", "text/plain"]]); return [b"ok"]
env = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "HTTP_ORIGIN": "https://a.example"}
print(list(CORSMiddleware(app, origins=["https://a.example"])(env, lambda *a: print(a))))
""",
}


@needs_speedups
@pytest.mark.parametrize("script", HOSTILE.values(), ids=HOSTILE.keys())
def test_python_code_run_from_the_c_code_changes_nothing_but_what_python_would(script: str) -> None:
    def run(pure: bool) -> Tuple[int, str]:
        env = {k: v for k, v in os.environ.items() if k != fastpath.PURE_PYTHON_ENV}
        if pure:
            env[fastpath.PURE_PYTHON_ENV] = "1"
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout

    assert run(pure=False) == run(pure=True)
    assert run(pure=False)[0] == 0


@needs_speedups
def test_the_bound_start_response_can_be_inspected_like_a_bound_method() -> None:
    import weakref
    call = _call_list("tuple")
    bound = SPEEDUPS.bind(call)
    assert bound.__self__ is call and bound.__func__ is fastpath.actual_start_response
    assert weakref.ref(bound)() is bound


@needs_speedups
def test_the_c_fast_tail_takes_keywords_as_the_python_one() -> None:
    fastpath._learn([("Content-Type", "x")])
    tail = (("Vary", "Origin"),)
    assert SPEEDUPS.fast_tail(headers=[("Content-Type", "x")], tail=tail) == [("Content-Type", "x"), *tail]


def test_the_python_code_alone_passes_the_differential_and_fast_path_tests() -> None:
    """Without the C code (a machine without a compiler, PyPy) the Python request path is the
    one served: the engine-equality tests run over it too, in a fresh interpreter."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, **{fastpath.PURE_PYTHON_ENV: "1"})
    env.pop("CI", None)  # test_ci_runs_the_c_code is not among them; nothing else reads it
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/core/test_differential.py", "tests/benchmarks/test_fast_path.py",
                           "tests/core/test_origin_fast_check.py", "tests/adapters/test_pyramid.py"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


@pytest.mark.parametrize("value, pure", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_the_environment_variable_means_off_only_when_set_to_something_but_0(value: str, pure: bool) -> None:
    code = "from wsgicors import fastpath; print(fastpath.pure_python_requested())"
    env = dict(os.environ, **{fastpath.PURE_PYTHON_ENV: value})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(pure)


@needs_speedups
def test_the_type_stub_names_what_the_c_module_exports() -> None:
    import ast
    stub = os.path.join(os.path.dirname(fastpath.__file__), "_speedups.pyi")
    with open(stub, encoding="utf-8") as handle:
        declared = {node.name for node in ast.parse(handle.read()).body if isinstance(node, ast.FunctionDef)}
    exported = {name for name in dir(SPEEDUPS) if not name.startswith("_") and callable(getattr(SPEEDUPS, name))}
    assert declared == exported
