"""The docs that start the emulators by hand wait for the file each one writes once it is up (the
kubeconfig, the env file: both written last, by a rename), not for a fixed time: on a busy machine
the ARM emulator took 10 s to write its env file, and `sleep 3; . /tmp/arm.env` then read nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# `python -m tests.emulators.kube ... --kubeconfig PATH &`, `python -m tests.emulators.arm --env-file PATH &`
_START = re.compile(r"python -m tests\.emulators\.(?:kube|arm)\b[^\n&]*--(?:kubeconfig|env-file) (\S+)[^\n&]*&")


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S)


@pytest.mark.parametrize("doc", ["docs/runbooks/README.md", "docs/emulator.md"])
def test_a_by_hand_start_waits_for_each_file_before_it_is_read(doc: str) -> None:
    started = 0
    for block in _blocks((REPO / doc).read_text()):
        for match in _START.finditer(block):
            path = match.group(1)
            started += 1
            after = block[match.end() :]
            read = re.search(rf"(?:\. |KUBECONFIG=){re.escape(path)}", after)
            if read is None:
                continue  # started to be read elsewhere (a later block, or not in these docs)
            before_read = after[: read.start()]
            assert re.search(rf"-f {re.escape(path)}\b", before_read), (doc, path, before_read)
    assert started, doc
