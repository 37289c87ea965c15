"""Types of the optional C module adapters/pyramid_wsgicors/_speedups.c (see pyramid_wsgicors._one_policy_tween)."""

from typing import Any, Callable

def one_policy_tween(handler: Callable[[Any], Any], state: Any, remembered: Callable[[Any], Any],
                     actual: Callable[[Any, Any], Any], fast_tail: Callable[[Any, Any], Any], owner_key: str,
                     headerlist: Any, tween: Callable[[Any], Any], preflight: Callable[[Any, Any], Any],
                     finished: Callable[[Any, Any, Any, Any], Any]) -> Callable[[Any], Any]: ...
