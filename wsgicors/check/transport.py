"""Sending a request: over HTTP(S) on a socket, or in-process into a WSGI app; both read by :mod:`.wire`."""

from __future__ import annotations

import io
import socket
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import unquote

from ..fetch import ascii_lower, ascii_upper
from .request import DEFAULT_PORTS, MAX_BODY, Header, NetworkError, UsageError, WSGIApp, _split_url
from .wire import Wire, WireRules, read_response


@dataclass
class _Response:
    status: int
    headers: List[Header]
    body: bytes
    phrase: str = ""

    def values(self, name: str) -> List[str]:
        lowered = ascii_lower(name)
        return [value for key, value in self.headers if ascii_lower(key) == lowered]

    def get(self, name: str) -> Optional[str]:
        """Fetch's "get": all values joined with ', ', or None when absent."""
        values = self.values(name)
        return ", ".join(values) if values else None


class Deadline:
    """The end of the whole run: every connect and read gets only the time left (``--timeout``)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left (<= 0 once the time is up)."""
        return self.end - time.monotonic()

    def remaining(self, where: str) -> float:
        """Seconds left (> 0); NetworkError naming ``where`` once the time is up."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise NetworkError(f"no complete answer from {where} within {self.seconds:g} s")
        return left


def _connect(scheme: str, hostname: str, port: int, deadline: Deadline) -> socket.socket:
    where = f"{hostname}:{port}"
    try:
        sock = socket.create_connection((hostname, port), timeout=deadline.remaining(where))
        if scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=hostname)
    except ConnectionRefusedError:
        raise NetworkError(f"connection refused by {where}; is the server running?") from None
    except socket.timeout:
        raise NetworkError(f"no answer from {where} within {deadline.seconds:g} s") from None
    except NetworkError:
        raise
    except ssl.SSLError as error:
        raise NetworkError(f"TLS with {where} failed: {error.__class__.__name__}: {error}") from None
    except OSError as error:
        raise NetworkError(f"cannot connect to {where}: {error.__class__.__name__}: {error}") from None
    return sock


def _request_bytes(method: str, host: str, port: int, scheme: str, path: str, headers: List[Header],
                   body: Optional[bytes]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: " + (host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}")]
    lines += [f"{name}: {value}" for name, value in headers]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def replay(data: bytes, method: str, rules: WireRules) -> _Response:
    """The response in ``data`` (bytes as received) read as the engine of ``rules`` reads it."""
    status, phrase, headers, body = read_response(Wire(io.BytesIO(data).read), method, rules)
    return _Response(status, headers, body, phrase)


def _send_http(method: str, url: str, headers: List[Header], body: Optional[bytes], deadline: Deadline,
               rules: WireRules, record: bytearray) -> _Response:
    """One exchange over a fresh connection, bounded by ``deadline``, read by ``rules``; the bytes
    received are appended to ``record``; FetchFailed for what the engine fails."""
    scheme, host, port, path = _split_url(url)
    where = f"{host}:{port}"
    sock = _connect(scheme, host.strip("[]"), port, deadline)

    def recv(size: int) -> bytes:
        sock.settimeout(deadline.remaining(where))
        chunk = sock.recv(size)
        record.extend(chunk)
        return chunk

    try:
        sock.settimeout(deadline.remaining(where))
        sock.sendall(_request_bytes(method, host, port, scheme, path, headers, body))
        status, phrase, response_headers, data = read_response(Wire(recv), method, rules)
        return _Response(status, response_headers, data, phrase)
    except NetworkError:
        raise
    except socket.timeout:
        raise NetworkError(f"no complete answer from {where} within {deadline.seconds:g} s ({method} {url})") from None
    except OSError as error:
        raise NetworkError(f"{method} {url} failed: {error.__class__.__name__}: {error}") from None
    finally:
        sock.close()


def _environ(method: str, url: str, headers: List[Header], body: Optional[bytes]) -> Dict[str, Any]:
    scheme, host, port, target = _split_url(url)
    path, _, query = target.partition("?")
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path, "latin-1"),
        "QUERY_STRING": query,
        "SERVER_NAME": host.strip("[]"),
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body or b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body is not None:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers:
        key = ascii_upper(name).replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        elif key != "HOST":
            environ["HTTP_" + key] = value
    return environ


def _send_wsgi(app: WSGIApp, method: str, url: str, headers: List[Header], body: Optional[bytes],
               warnings: List[str], deadline: Deadline) -> bytes:
    """Call ``app`` as a WSGI server would -> the bytes a server would send (read them with :func:`replay`);
    an exception becomes a 500 (and a warning).

    The call runs in a daemon thread so that ``deadline`` (``--timeout``) bounds
    it as it bounds a network exchange: an application that sleeps or streams
    forever is a NetworkError when the time is up, not a hung run.
    """
    outcome: List[bytes] = []
    def call() -> None:
        answer = _call_wsgi(app, method, url, headers, body, warnings, deadline)
        if answer is not None:
            outcome.append(answer)

    worker = threading.Thread(target=call, name="wsgicors-check-app", daemon=True)
    worker.start()
    worker.join(deadline.remaining(f"the application ({method} {url})"))
    if not outcome:
        raise NetworkError(f"no complete answer from the application within {deadline.seconds:g} s "
                           f"({method} {url})")
    return outcome[0]


def _call_wsgi(app: WSGIApp, method: str, url: str, headers: List[Header], body: Optional[bytes],
               warnings: List[str], deadline: Deadline) -> Optional[bytes]:
    """The bytes a server would send, or None when the deadline passed while the body was read."""
    state: Dict[str, Any] = {}
    chunks: List[bytes] = []

    def start_response(status: str, response_headers: List[Header], exc_info: Any = None) -> Callable[[bytes], None]:
        if exc_info is not None and chunks:
            raise exc_info[1].with_traceback(exc_info[2])
        state["status"], state["headers"] = status, list(response_headers)
        return write

    def write(data: bytes) -> None:
        chunks.append(bytes(data))

    result = None
    try:
        result = app(_environ(method, url, headers, body), start_response)
        size = sum(len(chunk) for chunk in chunks)
        for chunk in result:
            chunks.append(bytes(chunk))
            size += len(chunk)
            if deadline.left() <= 0:  # also ends a body of endless empty chunks: no complete answer
                return None
            if size >= MAX_BODY:
                break
        head = "".join([f"HTTP/1.1 {state['status']}\r\n"] + [f"{n}: {v}\r\n" for n, v in state["headers"]])
        wire_head = head.encode("latin-1") + b"\r\n"
    except Exception as error:  # a crashing app is a 500 from the server, as a browser sees it
        warnings.append(f"the application raised {error.__class__.__name__}: {error} "
                        f"while answering {method} {url}; a server would answer 500")
        return b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nInternal Server Error"
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return wire_head + (b"".join(chunks)[:MAX_BODY] if method != "HEAD" else b"")



def load_app(spec: str) -> WSGIApp:
    """``module:attr`` (attr may be dotted; default ``application``), importable from the current
    directory -> the WSGI callable; UsageError when it cannot be found."""
    import os

    from ..wrapper import load_app as load

    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        return load(spec)
    except ImportError as error:
        raise UsageError(f"--app {spec!r}: cannot import it: {error}") from None
    except (ValueError, TypeError) as error:
        raise UsageError(f"--app {spec!r}: {error}") from None


