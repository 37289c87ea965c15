"""Wrap an unmodified WSGI application from a server's command line.

gunicorn (20.1+) calls an app factory written as ``module:function(literal args)``,
so an application can get CORS without touching its code::

    gunicorn 'wsgicors:wrap("myproject.wsgi:application", origins=["https://app.example.com"], max_age=600)'

The wrapped target is loaded the same way (:func:`load_app`): a name, or an app
factory called with literal arguments, ``wrap("myproject:create_app()", ...)``.

The options are :class:`wsgicors.Policy`'s keyword arguments; values may be
Python literals or the same text the settings files take
(``origins="https://a.example https://b.example"``, ``allow_credentials="true"``).
``rules=[("/api/*", {"origins": [...], "max_age": "600"})]`` scopes policies by
path; each rule's options are read the same way. Every
problem is reported at start-up in one :class:`wsgicors.ConfigError`, so the
server refuses to boot with a broken configuration.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union, cast

from .errors import ConfigError, Problems
from .middleware import CORSMiddleware, Rules, RuleSpec, WSGIApp
from .policy import Policy, require_policy
from .settings import options_from_settings, parse_bool, policy_from_settings

__all__ = ["wrap", "load_app"]


def load_app(target: str) -> WSGIApp:
    """The WSGI application named by ``target``, loaded as gunicorn (20.1+) loads it.

    ``target`` is ``"package.module:name"`` (``name`` defaults to
    ``application`` and may be dotted: ``"pkg.wsgi:holder.app"``) or an app
    factory called with literal arguments, ``"pkg:create_app()"``,
    ``"pkg:create_app('production', debug=False)"`` (arguments are Python
    literals read with :func:`ast.literal_eval`; nothing is evaluated).

    Raises :class:`ImportError` when the module cannot be imported,
    :class:`ValueError` when ``target`` cannot be parsed or names nothing, and
    :class:`TypeError` when the object is not a WSGI application: not
    callable, or a callable that cannot take ``(environ, start_response)``,
    such as a factory named without calling it. Refusing here means a server
    refuses to start instead of failing on every request.
    """
    module_name, _, expression = target.partition(":")
    module_name, expression = module_name.strip(), expression.strip() or "application"
    if not module_name:
        raise ValueError(f"{target!r} names no module; write 'package.module:app'")
    name, args, kwargs, called = _parse_target(target, expression)
    obj: Any = importlib.import_module(module_name)
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"module {module_name!r} has no attribute {name!r}") from None
    if called:
        if not callable(obj):
            raise TypeError(f"{target!r}: {module_name}:{name} is not callable, so it cannot be an app factory")
        try:
            inspect.signature(obj).bind(*args, **kwargs)
        except (TypeError, ValueError) as error:
            if isinstance(error, TypeError):
                raise TypeError(f"{target!r}: the factory {module_name}:{name}{_signature(obj)} cannot be "
                                f"called with these arguments: {error}") from None
        obj = obj(*args, **kwargs)
        what = f"{module_name}:{name}(...) returned {type(obj).__name__}, which"
    else:
        what = f"{target!r}"
    if not callable(obj):
        raise TypeError(f"{what} is not a WSGI application (not callable)")
    if not _takes_environ_and_start_response(obj):
        hint = (f"; if it is an app factory, call it: '{module_name}:{name}()'"
                if not called and inspect.isroutine(obj) else "")
        raise TypeError(f"{what} is not a WSGI application: its signature {_signature(obj)} cannot take "
                        f"(environ, start_response){hint}")
    return cast(WSGIApp, obj)


def _parse_target(target: str, expression: str) -> Tuple[str, List[Any], Dict[str, Any], bool]:
    """``(dotted name, args, kwargs, called)`` from ``name`` or ``name(literal, key=literal)``."""
    try:
        node = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise ValueError(f"{target!r}: {expression!r} is neither a name nor a call with literal arguments") from None
    called = isinstance(node, ast.Call)
    function = node.func if isinstance(node, ast.Call) else node
    name = _dotted_name(function)
    if name is None:
        raise ValueError(f"{target!r}: {expression!r} is neither a name nor a call of a name; "
                         "write 'module:app' or 'module:create_app(...)'")
    if not isinstance(node, ast.Call):
        return name, [], {}, False
    try:
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(k.arg is None for k in node.keywords):
            raise ValueError
        args = [ast.literal_eval(arg) for arg in node.args]
        kwargs = {keyword.arg: ast.literal_eval(keyword.value) for keyword in node.keywords
                  if keyword.arg is not None}
    except ValueError:
        raise ValueError(f"{target!r}: the factory's arguments must be Python literals "
                         "(strings, numbers, lists, dicts, True/False/None)") from None
    return name, args, kwargs, True


def _dotted_name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _takes_environ_and_start_response(obj: Any) -> bool:
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):  # builtins and C callables without a signature: trust them
        return True
    try:
        signature.bind(object(), object())
    except TypeError:
        return False
    return True


def _signature(obj: Any) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(?)"


def wrap(
    app: Union[str, Callable[..., Iterable[bytes]]],
    *,
    rules: Optional[Iterable[RuleSpec]] = None,
    policy: Optional[Policy] = None,
    propagate_exceptions: Union[bool, str] = False,
    **options: Any,
) -> CORSMiddleware:
    """``app`` (an application, or its name as :func:`load_app` reads it) behind :class:`CORSMiddleware`.

    Text option values are read as in settings files; problems name the option.
    ``propagate_exceptions`` (bool or ``"true"``/``"false"``) is passed on to
    :class:`CORSMiddleware`.
    """
    application = load_app(app) if isinstance(app, str) else app
    propagate = propagate_from_text(propagate_exceptions)
    if options and (rules is not None or policy is not None):
        # refused as CORSMiddleware refuses it: unknown names (E600), then the conflict (E500)
        Rules.build(rules, policy, options, "wrap()")
    if options:
        return CORSMiddleware(application, rules=rules, policy=policy, propagate_exceptions=propagate,
                              **policy_from_settings(options, entry="wrap()").options())
    if rules is None:
        return CORSMiddleware(application, policy=policy if policy is None else require_policy(policy, "wrap()"),
                              propagate_exceptions=propagate)
    problems = Problems()
    typed = _typed_rules(rules, problems)
    middleware: Optional[CORSMiddleware] = None
    try:
        middleware = CORSMiddleware(application, rules=typed, policy=policy, propagate_exceptions=propagate)
    except ConfigError as error:
        problems.extend(error.problems)
    problems.raise_if_any()  # conversion and validation problems, all in one ConfigError
    assert middleware is not None
    return middleware


def propagate_from_text(value: Union[bool, str], key: str = "propagate_exceptions") -> bool:
    """``propagate_exceptions`` as a bool, read like a settings file's booleans."""
    try:
        return parse_bool(value)
    except ValueError as error:
        raise ConfigError(Problems.single(key, "wsgicors.E601", str(error), "write true or false")) from None


def _typed_rules(rules: Iterable[RuleSpec], problems: Problems) -> Any:
    """``rules`` with each dict of options read as text settings (``"600"``, ``"false"``).

    A dict that cannot be read is reported under ``rules[index].option`` and
    replaced by ``None``, so every other rule keeps its index in later problems.
    """
    try:
        items = list(rules)
    except TypeError:
        return rules  # not a list: CORSMiddleware reports it
    typed: List[Any] = []
    for index, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Mapping):
            try:
                item = (item[0], options_from_settings(item[1], entry="a rule's options"))
            except ConfigError as error:
                problems.extend(p.renamed(f"rules[{index}].{p.option}") for p in error.problems)
                item = (item[0], None)
        typed.append(item)
    return typed
