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
#: the remembered tail: none (expose all), the policy's own (a list), or a tuple (never made, handed to Python)
TAIL = st.sampled_from(["none", "list", "tuple"])


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
    return [(add, {"none": None, "list": tail, "tuple": tuple(tail)}[kind]), state, "/path", _Recorder(), False]


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
    c_call, py_call = _call_list("list"), _call_list("list")
    c_out = _outcome(lambda: SPEEDUPS.bind(c_call)(*args, **kwargs))
    py_out = _outcome(lambda: _python(py_call)(*args, **kwargs))
    assert c_out == py_out
    assert _shape(c_call[3].calls) == _shape(py_call[3].calls)


@needs_speedups
def test_the_bound_start_response_holds_its_call_list_only_while_it_lives() -> None:
    call = _call_list("list")
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
    tail = [("Vary", "Origin")]
    for index in range(2000):  # new objects, many reusing freed addresses
        unseen = "".join(["Unseen-", str(index)])
        assert SPEEDUPS.fast_tail([("Content-Type", "x"), (unseen, "y")], tail) is None
        learned = "".join(["Content-", "Type"])  # equal to a learned name, another object
        assert SPEEDUPS.fast_tail([(learned, "x")], tail) == [(learned, "x")] + tail
        access = "".join(["Access-Control-", str(index)])
        assert SPEEDUPS.fast_tail([(access, "x")], tail) is None


def test_the_middleware_uses_the_chosen_binder() -> None:
    from wsgicors import middleware
    assert middleware.bind_start_response is fastpath.bind_start_response


def test_the_adapters_fast_tail_is_the_chosen_one() -> None:
    expected = SPEEDUPS.fast_tail if SPEEDUPS is not None else fastpath.fast_tail
    assert fastpath.PolicyState.fast_tail is expected
