"""A server that takes connections and never answers on them, and how many it was sent.

The kernel completes each TCP handshake of a listening socket on its own and queues the
connection (its backlog): nobody accepts while the client waits, so a TLS hello or a request is
never answered. ``connections`` accepts what was queued afterwards, which counts the tries with
no thread and no clock.
"""

from __future__ import annotations

import socket


class Silent:
    """A port that takes connections (the kernel's backlog) and never answers on them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.server = f"127.0.0.1:{self.port}"

    def connections(self) -> int:
        """How many connections were made to it so far (each try opens one)."""
        self.sock.setblocking(False)
        taken = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return taken
            conn.close()
            taken += 1

    def close(self) -> None:
        self.sock.close()
