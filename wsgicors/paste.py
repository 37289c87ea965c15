"""PasteDeploy filter factory: ``[filter:cors] use = egg:wsgicors``.

Options are the keyword names of :class:`~wsgicors.Policy`, written as text::

    [filter:cors]
    use = egg:wsgicors
    origins = https://app.example.com https://*.example.com
    allow_credentials = true
    max_age = 600
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from .middleware import CORSMiddleware, WSGIApp
from .settings import policy_from_settings

__all__ = ["filter_factory"]


def filter_factory(global_conf: Dict[str, Any], **local_conf: str) -> Callable[[WSGIApp], CORSMiddleware]:
    """Validate the section once, at load time, and return the filter."""
    policy = policy_from_settings(local_conf)

    def cors_filter(app: WSGIApp) -> CORSMiddleware:
        return CORSMiddleware(app, policy=policy)

    return cors_filter
