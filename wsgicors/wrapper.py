"""Wrap an unmodified WSGI application from a server's command line.

gunicorn (20.1+) calls an app factory written as ``module:function(literal args)``,
so an application can get CORS without touching its code::

    gunicorn 'wsgicors:wrap("myproject.wsgi:application", origins=["https://app.example.com"], max_age=600)'

The options are :class:`wsgicors.Policy`'s keyword arguments; values may be
Python literals or the same text the settings files take
(``origins="https://a.example https://b.example"``, ``allow_credentials="true"``).
``rules=[("/api/*", {"origins": [...]})]`` scopes policies by path. Every
problem is reported at start-up in one :class:`wsgicors.ConfigError`, so the
server refuses to boot with a broken configuration.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Iterable, Optional, Union

from .middleware import CORSMiddleware, RuleSpec, WSGIApp
from .policy import Policy
from .settings import policy_from_settings

__all__ = ["wrap", "load_app"]


def load_app(target: str) -> WSGIApp:
    """The object named by ``"package.module:attribute"`` (attribute defaults to ``application``)."""
    module_name, _, attribute = target.partition(":")
    if not module_name:
        raise ValueError(f"{target!r} names no module; write 'package.module:app'")
    obj: Any = importlib.import_module(module_name)
    for part in (attribute or "application").split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"module {module_name!r} has no attribute {attribute or 'application'!r}") from None
    if not callable(obj):
        raise TypeError(f"{target!r} is not a WSGI application (not callable)")
    return obj


def wrap(
    app: Union[str, Callable[..., Iterable[bytes]]],
    *,
    rules: Optional[Iterable[RuleSpec]] = None,
    policy: Optional[Policy] = None,
    **options: Any,
) -> CORSMiddleware:
    """``app`` (an application or its ``"module:attribute"`` name) behind :class:`CORSMiddleware`.

    Text option values are read as in settings files; problems name the option.
    """
    application = load_app(app) if isinstance(app, str) else app
    if options:
        return CORSMiddleware(application, rules=rules, policy=policy,
                              **policy_from_settings(options).options())
    return CORSMiddleware(application, rules=rules, policy=policy)
