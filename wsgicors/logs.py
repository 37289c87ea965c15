"""Log lines a request can trigger, at most once per distinct cause per interval.

Anything a request can provoke at WARNING or above (an origin callable that
raises, an application that sets its own CORS headers) is logged through
:func:`log_limited`: the first occurrence of a cause is logged at once, later
ones are only counted, and the next line for that cause, at least
:data:`INTERVAL` seconds later, says how many were left out. 200 requests that
trip the same fault make one line, not 200; an attacker varying the request
cannot make new causes, because a cause is named by the code (a fixed key and,
for exceptions, the type and the line that raised), never by request data.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Dict, Hashable, Optional, Tuple

__all__ = ["INTERVAL", "MAX_CAUSES", "RateLimitedLog", "log_limited", "exception_cause"]

#: Seconds between two lines for the same cause.
INTERVAL = 60.0
#: Distinct causes remembered; past this, new causes share one entry.
MAX_CAUSES = 1024

logger = logging.getLogger("wsgicors")


class RateLimitedLog:
    """Per-cause rate limiting for one logger; thread-safe; ``clock`` in seconds."""

    def __init__(self, target: logging.Logger = logger, interval: float = INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.target = target
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        # cause -> (when last logged, occurrences left out since)
        self._seen: Dict[Hashable, Tuple[float, int]] = {}

    def log(self, level: int, cause: Hashable, message: str, *args: Any, exc_info: Any = None) -> bool:
        """Log ``message % args`` unless ``cause`` was logged less than ``interval`` ago.

        Returns True when the line was written. A written line that follows
        left-out occurrences ends with how many were left out. ``exc_info`` is
        passed to :meth:`logging.Logger.log` (a traceback with the written line).
        """
        if not self.target.isEnabledFor(level):
            return False
        now = self.clock()
        with self._lock:
            if cause not in self._seen and len(self._seen) >= MAX_CAUSES:
                cause = "wsgicors: other causes"
            last, skipped = self._seen.get(cause, (None, 0))
            if last is not None and now - last < self.interval:
                self._seen[cause] = (last, skipped + 1)
                return False
            self._seen[cause] = (now, 0)
        if skipped:
            message += f" (and {skipped} more times in the last {self.interval:g} s)"
        elif last is None:
            message += f" (repeats of this are logged at most once per {self.interval:g} s)"
        self.target.log(level, message, *args, exc_info=exc_info)
        return True

    def reset(self) -> None:
        with self._lock:
            self._seen.clear()


#: The limiter every module of wsgicors shares.
limited = RateLimitedLog()


def log_limited(level: int, cause: Hashable, message: str, *args: Any, exc_info: Any = None) -> bool:
    """Log through the shared limiter: see :meth:`RateLimitedLog.log`.

    For an exception, name the cause with :func:`exception_cause`::

        except Exception as error:
            log_limited(logging.ERROR, exception_cause("application", error), "app raised", exc_info=True)
    """
    return limited.log(level, cause, message, *args, exc_info=exc_info)


def exception_cause(where: str, error: BaseException) -> Tuple[str, str, Optional[str], Optional[int]]:
    """A cause key for an exception: where it was caught, its type, the file and line that raised it.

    The exception's message is left out: it often quotes request data
    (``'evil.example' does not appear to be an IPv4 or IPv6 address``).
    """
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    if frame is None:
        return where, type(error).__qualname__, None, None
    return where, type(error).__qualname__, frame.tb_frame.f_code.co_filename, frame.tb_lineno
