"""Bytes on the wire: streamed watch and log lines, query parameter values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def lines(raw: Any) -> Iterator[bytes]:
    buffer = b""
    for chunk in raw.stream(65536, decode_content=True):
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield line
    if buffer.strip():
        yield buffer


def query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
