"""The browser's CORS-preflight cache, one per engine inside (Fetch 4.8, "CORS-preflight cache")."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..fetch import ascii_lower
from .engines import DEFAULT_ENGINE, ENGINES, Engine
from .request import _headers_missing, _method_denied


@dataclass
class _CacheEntry:
    expires: float
    credentials: bool
    methods: frozenset
    headers: frozenset


class PreflightCache:
    """The browser's CORS-preflight cache, shareable across :func:`check` calls, one per engine inside.

    Works as the engines' caches do (measured): one entry per origin + URL
    (Firefox: per origin + URL + credentials mode), replaced by each new
    preflight; it serves a request only if it covers its method and every
    unsafe header, and an entry made without credentials never serves a
    request with credentials. ``Access-Control-Max-Age`` defaults to 5 s and
    is capped per engine (Chromium 7200 s, Firefox 86400 s, WebKit 600 s) and
    by ``limit`` (seconds, None: no further cap); ``0`` (or a negative value)
    disables caching. ``clock`` is injectable for tests.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: Optional[int] = None,
                 max_entries: int = 1024) -> None:
        self.clock = clock
        self.limit = limit
        self.max_entries = max_entries
        self._entries: Dict[Tuple[str, str, str, bool], _CacheEntry] = {}
        self._lock = threading.Lock()  # a demo server may share one cache between threads
        self._pending: List[Callable[[], None]] = []

    def __len__(self) -> int:
        """Live entries of the default engine (Chromium)."""
        now = self.clock()
        with self._lock:
            return sum(1 for key, entry in self._entries.items() if key[0] == "chromium" and entry.expires > now)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def defer(self, work: Callable[[], None]) -> None:
        """Queue work that must see this cache in call order (the other engines' runs of a check)."""
        with self._lock:
            self._pending.append(work)

    def settle(self) -> None:
        """Run the queued work, oldest first."""
        while True:
            with self._lock:
                if not self._pending:
                    return
                work = self._pending.pop(0)
            work()

    def _key(self, engine: Engine, origin: str, url: str, credentials: bool) -> Tuple[str, str, str, bool]:
        return (engine.name, origin, url, credentials and engine.cache_keyed_by_credentials)

    def lookup(self, origin: str, url: str, credentials: bool, method: str, unsafe: Sequence[str],
               engine: Optional[Engine] = None) -> bool:
        """True when a live entry covers this method and these unsafe header names."""
        engine = engine or _default_engine()
        key = self._key(engine, origin, url, credentials)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires <= self.clock():
                del self._entries[key]
                entry = None
        if entry is None:
            return False
        if credentials and not entry.credentials:
            return False
        star = engine.cached_star_covers_methods
        if _method_denied(method, entry.methods if star else entry.methods - {"*"}, entry.credentials):
            return False
        missing, _ = _headers_missing(unsafe, entry.headers, entry.credentials)
        return not missing

    def store(self, origin: str, url: str, credentials: bool, max_age: int,
              methods: Iterable[str], headers: Iterable[str], engine: Optional[Engine] = None) -> None:
        """Record a successful preflight (replacing the entry for origin + URL)."""
        engine = engine or _default_engine()
        self.forget(origin, url, engine, credentials)
        max_age = min(max_age, engine.max_age_cap, self.limit if self.limit is not None else max_age)
        if max_age <= 0:
            return
        entry = _CacheEntry(self.clock() + max_age, credentials, frozenset(methods),
                            frozenset(ascii_lower(h) for h in headers))
        with self._lock:
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[self._key(engine, origin, url, credentials)] = entry

    def forget(self, origin: str, url: str, engine: Optional[Engine] = None, credentials: bool = False) -> None:
        engine = engine or _default_engine()
        with self._lock:
            self._entries.pop(self._key(engine, origin, url, credentials), None)


def _default_engine() -> Engine:
    return ENGINES[DEFAULT_ENGINE]
