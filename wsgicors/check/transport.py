"""Sending a request: over HTTP(S) with ``http.client``, or in-process into a WSGI app."""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import sys
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import unquote

from .request import _HTTP_WS, DEFAULT_PORTS, MAX_BODY, Header, NetworkError, UsageError, WSGIApp, _split_url


@dataclass
class _Response:
    status: int
    headers: List[Header]
    body: bytes
    phrase: str = ""

    def values(self, name: str) -> List[str]:
        lowered = name.lower()
        return [value for key, value in self.headers if key.lower() == lowered]

    def get(self, name: str) -> Optional[str]:
        """Fetch's "get": all values joined with ', ', or None when absent."""
        values = self.values(name)
        return ", ".join(values) if values else None


def _clean_headers(pairs: Iterable[Tuple[Any, Any]]) -> List[Header]:
    return [(str(name), " ".join(str(value).split("\r\n")).strip(_HTTP_WS)) for name, value in pairs]


def _send_http(method: str, url: str, headers: List[Header], body: Optional[bytes], timeout: float) -> _Response:
    scheme, host, port, path = _split_url(url)
    hostname = host.strip("[]")
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            hostname, port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(hostname, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read(MAX_BODY) if method != "HEAD" else b""
        return _Response(response.status, _clean_headers(response.getheaders()), data, response.reason)
    except ConnectionRefusedError:
        raise NetworkError(f"connection refused by {host}:{port} ({method} {url}); is the server running?") from None
    except socket.timeout:
        raise NetworkError(f"no answer from {host}:{port} within {timeout:g} s ({method} {url})") from None
    except (OSError, http.client.HTTPException) as error:
        raise NetworkError(f"{method} {url} failed: {error.__class__.__name__}: {error}") from None
    finally:
        conn.close()


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
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        elif key != "HOST":
            environ["HTTP_" + key] = value
    return environ


def _send_wsgi(app: WSGIApp, method: str, url: str, headers: List[Header], body: Optional[bytes],
               warnings: List[str]) -> _Response:
    """Call ``app`` as a WSGI server would; an exception becomes a 500 (and a warning)."""
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
            if size >= MAX_BODY:
                break
        status_line = str(state["status"])
        status = int(status_line[:3])
        phrase = status_line[4:]
        response_headers = _clean_headers(state["headers"])
    except Exception as error:  # a crashing app is a 500 from the server, as a browser sees it
        warnings.append(f"the application raised {error.__class__.__name__}: {error} "
                        f"while answering {method} {url}; a server would answer 500")
        return _Response(500, [("Content-Type", "text/plain")], b"Internal Server Error", "Internal Server Error")
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    data = b"".join(chunks)[:MAX_BODY] if method != "HEAD" else b""
    return _Response(status, response_headers, data, phrase)



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


