"""Policies from text settings: PasteDeploy ini files, Pyramid settings, env.

Every text source goes through here, so ``"true"``, ``"600"`` and
``"https://a.example https://b.example"`` mean the same thing everywhere, and
an error names the setting the user actually wrote (``cors.max_age``).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from .errors import ConfigError, Problems
from .policy import Policy

__all__ = ["policy_from_settings", "options_from_settings", "OPTION_NAMES", "parse_bool"]

LIST_OPTIONS = ("origins", "methods", "allow_headers", "expose_headers")
BOOL_OPTIONS = ("allow_credentials", "allow_private_network", "allow_insecure_origins", "debug")
INT_OPTIONS = ("max_age", "preflight_status")
OPTION_NAMES = LIST_OPTIONS + BOOL_OPTIONS + INT_OPTIONS

_TRUE = frozenset({"true", "yes", "on", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "off", "0", "n", "f", ""})


def parse_bool(value: Any) -> bool:
    """``asbool``-style: True/False pass through, text is read case-insensitively."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ValueError(f"{value!r} is not a boolean")


def options_from_settings(
    settings: Mapping[str, Any],
    prefix: str = "",
    *,
    upper: bool = False,
    ignore_unknown: bool = False,
) -> Dict[str, Any]:
    """Typed Policy options from ``settings`` keys ``prefix + option name``.

    With ``upper=True`` the option part of each key is upper-case
    (``CORS_MAX_AGE``). Keys that start with ``prefix`` but name no option are
    reported with the closest option name, unless ``ignore_unknown``.
    """
    def key_of(name: str) -> str:
        return prefix + (name.upper() if upper else name)

    problems = Problems()
    known = {key_of(name): name for name in OPTION_NAMES}
    options: Dict[str, Any] = {}
    for key, value in settings.items():
        if not key.startswith(prefix):
            continue
        name = known.get(key)
        if name is None:
            if not ignore_unknown:
                import difflib  # only for a misspelt key's hint: not loaded by `import wsgicors`

                close = difflib.get_close_matches(key, list(known), n=1)
                problems.add(key, "wsgicors.E600", "is not a CORS option",
                             f"did you mean {close[0]!r}?" if close else "options are: " + ", ".join(known))
            continue
        try:
            options[name] = _convert(name, value)
        except ValueError as error:
            problems.add(key, "wsgicors.E601", str(error),
                         "write true or false" if name in BOOL_OPTIONS else "write a whole number")
    problems.raise_if_any()
    return options


def policy_from_settings(settings: Mapping[str, Any], prefix: str = "", *, upper: bool = False,
                         ignore_unknown: bool = False, **overrides: Any) -> Policy:
    """A Policy from text settings; problems name the setting keys."""
    options = options_from_settings(settings, prefix, upper=upper, ignore_unknown=ignore_unknown)
    options.update(overrides)
    try:
        return Policy(**options)
    except ConfigError as error:
        keys = {name: prefix + (name.upper() if upper else name)
                for name in OPTION_NAMES if name not in overrides}
        raise ConfigError(p.renamed(keys.get(p.option, p.option)) for p in error.problems) from None


def _convert(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in BOOL_OPTIONS:
        return parse_bool(value)
    if name in INT_OPTIONS:
        text = value.strip()
        if name == "max_age" and text.lower() in ("", "none"):
            return None
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a whole number") from None
    return value
