"""Types of the optional C module wsgicors/_speedups.c (see wsgicors/fastpath.py)."""

from typing import Any, Callable, Dict, FrozenSet, List, Optional, Set, Tuple

Header = Tuple[str, str]

def setup(plain: Set[str], actual_start_response: Callable[..., Any],
          fast_tail: Callable[[Any, Tuple[Header, ...]], Optional[List[Header]]]) -> None: ...
def bind(call: List[Any]) -> Callable[..., Any]: ...
def fast_tail(headers: Any, tail: Tuple[Header, ...]) -> Optional[List[Header]]: ...
def actual_answers(fallback: Callable[..., Any], memo: Dict[Any, Any], memo_size: int, exact: FrozenSet[str],
                   https_hosts: Optional[FrozenSet[str]], http_hosts: Optional[FrozenSet[str]], max_length: int,
                   allow_name: str, extra: Tuple[Header, ...],
                   tail: Optional[Tuple[Header, ...]]) -> Callable[..., Any]: ...
