"""A raw socket server on 127.0.0.1 (port 0) that answers each path with bytes it is given verbatim.

For responses no WSGI server would produce: NUL bytes, bare CRs, broken status lines, trickled
answers. Each connection reads one request head, records it, and sends the scripted answer.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Callable, Dict, List, Union

Answer = Union[bytes, Callable[[socket.socket], None]]


def trickle(data: bytes, interval: float) -> Callable[[socket.socket], None]:
    """An answer that sends ``data`` one byte every ``interval`` seconds."""
    def send(conn: socket.socket) -> None:
        for byte in data:
            conn.sendall(bytes([byte]))
            time.sleep(interval)
    return send


class RawServer:
    """``answers`` maps a request path (or ``"OPTIONS /path"``) to raw response bytes or a sender."""

    def __init__(self, answers: Dict[str, Answer]) -> None:
        self.answers = answers
        self.requests: List[bytes] = []
        self._stopped = threading.Event()
        self._threads: List[threading.Thread] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                self.requests.append(data)
                method, target = data.split(b" ", 2)[:2]
                path = target.decode("latin-1").split("?", 1)[0]
                answer = self.answers.get(f"{method.decode('latin-1')} {path}", self.answers.get(path))
                if answer is None:
                    answer = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                if callable(answer):
                    answer(conn)
                else:
                    conn.sendall(answer)
            except OSError:
                pass

    def cookies(self) -> List[str]:
        """The Cookie header of each request received, '' when absent."""
        found = []
        for request in self.requests:
            lines = request.decode("latin-1").split("\r\n")
            found.append(next((line.split(":", 1)[1].strip() for line in lines
                               if line.lower().startswith("cookie:")), ""))
        return found

    def stop(self) -> None:
        self._stopped.set()
        self._sock.close()
        self._accepter.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
