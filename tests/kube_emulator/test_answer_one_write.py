"""An answer's head and a small body leave the emulator in one write, as a Go API server's buffered
writer sends them (tests/emulators/kube/server.py Handler._end_headers_with): one TLS record and one
send per answer, the same bytes on the wire."""

from __future__ import annotations

from tests.emulators.kube import server


class _Writes:
    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.writes.append(bytes(data))
        return len(data)


def _handler(writes: _Writes) -> server.Handler:
    handler = server.Handler.__new__(server.Handler)
    handler.request_version = "HTTP/1.1"
    handler.wfile = writes  # type: ignore[assignment]
    handler._headers_buffer = [b"HTTP/1.1 200 OK\r\n", b"Content-Length: 2\r\n"]
    return handler


def test_a_small_answer_is_one_write_of_head_and_body() -> None:
    writes = _Writes()
    _handler(writes)._end_headers_with(b"{}")
    assert writes.writes == [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"]


def test_a_large_answer_keeps_its_body_in_a_write_of_its_own() -> None:
    writes = _Writes()
    body = b"x" * (server._ONE_WRITE_MAX + 1)
    _handler(writes)._end_headers_with(body)
    assert writes.writes == [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", body]


def test_a_head_answer_writes_the_head_alone() -> None:
    writes = _Writes()
    _handler(writes)._end_headers_with(b"")
    assert writes.writes == [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"]
