"""PasteDeploy filter factory: ``[filter:cors] use = egg:wsgicors``.

Options are the keyword names of :class:`~wsgicors.Policy`, written as text::

    [filter:cors]
    use = egg:wsgicors
    origins = https://app.example.com https://*.example.com
    allow_credentials = true
    max_age = 600
    # propagate_exceptions = true   (let exceptions reach an error middleware or debugger)
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from .middleware import CORSMiddleware, WSGIApp
from .settings import policy_from_settings
from .wrapper import propagate_from_text

__all__ = ["filter_factory"]

# flask-cors's per-path resources, spelt as what a filter section offers (one policy for every path)
_INSTEAD = {"resources": "flask-cors's resources: a PasteDeploy filter has one policy for every path; "
                         "for per-path policies wrap the app in Python with CORSMiddleware(app, rules=[...])"}


def filter_factory(global_conf: Dict[str, Any], **local_conf: str) -> Callable[[WSGIApp], CORSMiddleware]:
    """Validate the section once, at load time, and return the filter.

    ``local_conf`` holds the section's keys as text: every option of
    :class:`wsgicors.Policy` (``wsgicors.options.OPTIONS``) and
    ``propagate_exceptions``. Raises :class:`wsgicors.ConfigError` listing
    every problem (an unknown key is E600, with the option meant).
    """
    settings = dict(local_conf)
    propagate = propagate_from_text(settings.pop("propagate_exceptions", False))
    policy = policy_from_settings(settings, entry="the PasteDeploy filter section", keywords_instead=_INSTEAD)

    def cors_filter(app: WSGIApp) -> CORSMiddleware:
        return CORSMiddleware(app, policy=policy, propagate_exceptions=propagate)

    return cors_filter
