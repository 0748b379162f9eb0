"""A JSON-lines file read in blocks, forward or from its end, that hands out only the lines a
reader may want: those that hold every one of some needles (bytes). A block whose lines are each
one JSON object is searched with ``bytes.find``, so a line without the needles costs no Python
work; any other block (a blank line, a line cut short, text that is not JSON) is handed out line by
line, for the reader to count what it cannot parse. A line with a JSON escape is always handed out
(the needles are the text as written plainly), and so, where a needle matches in any letter case,
is a line with a non-ASCII character. Used by the audit trail (akscli.audit). Plain
logic: no Typer, no rich."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import BinaryIO


def chunks(handle: BinaryIO, block: int, *, backwards: bool = False) -> Iterator[bytes]:
    """The file's whole lines, many at a time, joined by newlines, in ``block``-byte reads: from the
    start, or from the end back. Lines are split on the newline byte, which no other UTF-8
    character contains, so a read may end inside any character."""
    rest = b""
    if not backwards:
        while data := handle.read(block):
            data = rest + data
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            rest = data[cut + 1 :]
            yield data[:cut]
    else:
        pos = handle.seek(0, os.SEEK_END)
        while pos > 0:
            size = min(block, pos)
            pos -= size
            handle.seek(pos)
            data = handle.read(size) + rest
            cut = data.find(b"\n") if pos else -1
            if pos and cut < 0:
                rest = data
                continue
            rest = data[:cut] if pos else b""
            yield data[cut + 1 :]
    if rest:
        yield rest


# A line holding one of these is always handed out: a JSON escape (``\/``, ``\u0061``: any character
# may be written as one, so a needle's text may be in the entry and not in its line), and, with
# needles of any letter case, a byte of a non-ASCII character (str.lower may turn one into ASCII:
# the Kelvin sign into "k").
_ESCAPE_OR_WIDE = re.compile(rb"[\\\x80-\xff]")


def lines(
    chunk: bytes, needles: Sequence[bytes], *, folded: Sequence[bytes] = (), backwards: bool = False
) -> tuple[list[bytes], int]:
    """The lines of ``chunk`` a reader is to parse, in file order or last first, and how many
    other lines it holds: each a JSON object, ``{`` to ``}``, without one of ``needles`` or, in
    ASCII lower case, one of ``folded`` (lower-case needles of a match in any letter case), and
    without an escape (or, with ``folded``, a non-ASCII byte). With no needles, or a chunk that is
    not all objects, every line is to be parsed (0 others)."""
    chunk = chunk.strip(b"\n")
    if not chunk:
        return [], 0
    newlines = chunk.count(b"\n")
    if not (needles or folded) or not (
        chunk.startswith(b"{") and chunk.endswith(b"}") and chunk.count(b"}\n{") == newlines
    ):
        found = chunk.split(b"\n")
        return (found[::-1] if backwards else found), 0
    lowered = chunk.lower() if folded else chunk  # bytes.lower changes ASCII letters only: same offsets
    first, space = (needles[0], chunk) if needles else (folded[0], lowered)
    wide = bool(folded) and not chunk.isascii()

    def odd(text: bytes, pos: int = 0) -> int:
        """Where the next escape (or, ``wide``, non-ASCII byte) is, -1 for none: bytes.find where it can."""
        if not wide:
            return text.find(b"\\", pos)
        found = _ESCAPE_OR_WIDE.search(text, pos)
        return -1 if found is None else found.start()

    found, pos = [], 0
    hit, marked = space.find(first), odd(chunk)
    while hit >= 0 or marked >= 0:
        at = min(x for x in (hit, marked) if x >= 0)
        start = chunk.rfind(b"\n", 0, at) + 1
        end = chunk.find(b"\n", at)
        end = len(chunk) if end < 0 else end
        line = chunk[start:end]
        if 0 <= marked < end or (all(n in line for n in needles) and all(f in lowered[start:end] for f in folded)):
            found.append(line)
        pos = end + 1
        if 0 <= hit < pos:
            hit = space.find(first, pos)
        if 0 <= marked < pos:
            marked = odd(chunk, pos)
    return (found[::-1] if backwards else found), newlines + 1 - len(found)
