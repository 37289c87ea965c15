"""Policies from text settings: PasteDeploy ini files, Pyramid settings, Flask config, env.

Every text source goes through here, so ``"true"``, ``"600"`` and
``"https://a.example https://b.example"`` mean the same thing everywhere, and
an error names the setting the user actually wrote (``cors.max_age``). The
option names, types and conversions come from :data:`wsgicors.options.OPTIONS`.
Every problem is reported at once: a value that cannot be converted does not
hide a mistake in another.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from .errors import ConfigError, CORSConfigWarning, Problems, spelt, user_stacklevel
from .options import BY_NAME, OPTIONS, check_names, parse_bool
from .policy import Policy

__all__ = ["policy_from_settings", "options_from_settings", "OPTION_NAMES", "parse_bool"]

#: Every option name, in declaration order.
OPTION_NAMES: Tuple[str, ...] = tuple(option.name for option in OPTIONS)


def _key_of(prefix: str, upper: bool) -> Callable[[str], str]:
    def key_of(name: str) -> str:
        return prefix + (name.upper() if upper else name)
    return key_of


def _read(settings: Mapping[str, Any], prefix: str, upper: bool, ignore_unknown: bool,
          entry: str, instead: Optional[Mapping[str, str]] = None) -> Tuple[Dict[str, Any], Problems]:
    key_of = _key_of(prefix, upper)
    known = {key_of(name): name for name in OPTION_NAMES}
    problems = Problems()
    options: Dict[str, Any] = {}
    unknown = []
    for key, value in settings.items():
        if not key.startswith(prefix):
            continue
        name = known.get(key)
        if name is None:
            unknown.append(key)
            continue
        option = BY_NAME[name]
        try:
            options[name] = option.from_text(value) if isinstance(value, str) else value
        except ValueError as error:
            problems.add(key, "wsgicors.E601", str(error), option.text_hint)
    if not ignore_unknown:
        problems.extend(check_names(unknown, entry, key=key_of, instead=instead))
    return options, problems


def options_from_settings(
    settings: Mapping[str, Any],
    prefix: str = "",
    *,
    upper: bool = False,
    ignore_unknown: bool = False,
    entry: str = "the CORS settings",
    instead: Optional[Mapping[str, str]] = None,
) -> Dict[str, Any]:
    """Typed Policy options from ``settings`` keys ``prefix + option name``.

    With ``upper=True`` the option part of each key is upper-case
    (``CORS_MAX_AGE``). Keys that start with ``prefix`` but name no option are
    reported (code E600, naming ``entry``) with the option meant, unless
    ``ignore_unknown``; ``instead`` gives the entry point's own hints for other
    libraries' names (``resources``). Raises :class:`ConfigError` listing every problem.
    """
    options, problems = _read(settings, prefix, upper, ignore_unknown, entry, instead)
    problems.raise_if_any()
    return options


def policy_from_settings(settings: Mapping[str, Any], prefix: str = "", *, upper: bool = False,
                         ignore_unknown: bool = False, entry: str = "the CORS settings",
                         keywords_entry: str = "policy_from_settings()",
                         keywords_instead: Optional[Mapping[str, str]] = None, **overrides: Any) -> Policy:
    """A Policy from text settings, ``overrides`` (keyword options) winning.

    Raises :class:`ConfigError` listing every problem at once: conversion
    failures, unknown keys (naming ``entry``), unknown keywords (naming
    ``keywords_entry``) and the policy's own checks; problems name the
    setting keys as written. ``keywords_instead`` gives the calling entry
    point's own hints for other libraries' names, in the settings and the keywords.
    """
    options, problems = _read(settings, prefix, upper, ignore_unknown, entry, keywords_instead)
    problems.extend(check_names(overrides, keywords_entry, instead=keywords_instead))
    options.update((name, value) for name, value in overrides.items() if name in BY_NAME)
    key_of = _key_of(prefix, upper)
    # options the keywords did not give are named as settings keys, in messages, hints and warnings too
    keys = {name: key_of(name) for name in OPTION_NAMES if name not in overrides}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CORSConfigWarning)
        try:
            policy = Policy(**options)
        except ConfigError as error:
            problems.extend(p.spelt(keys) for p in error.problems)
    problems.raise_if_any()
    for warning in caught:  # told again, as the user wrote the keys (their filters apply now)
        if issubclass(warning.category, CORSConfigWarning):
            warnings.warn(CORSConfigWarning(spelt(str(warning.message), keys)), stacklevel=user_stacklevel())
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return policy
