"""A deploy that replaces its server (a Workspace by an InferenceSet) deletes the old one first:
the new one takes its names. A Ctrl-C there used to stop the deploy with no server at all."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke, list_items

Start = Callable[..., Any]


def test_a_ctrl_c_once_the_old_server_is_deleted_still_applies_the_new_one_and_records_it(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    from akscli.model import revisions

    replace_first = revisions.replace_first

    def then_ctrl_c(*args: Any, **kwargs: Any) -> Any:
        deleted = replace_first(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C, the Workspace gone
        return deleted

    monkeypatch.setattr(revisions, "replace_first", then_ctrl_c)
    result = invoke("model", "deploy", "phi-4", "--replicas", "2", "-y")
    assert result.exit_code == 130, result
    assert "akscli applies the new one and records the revision, then stops" in result.stderr
    assert "inferenceset.kaito.sh/phi-4 created" in result.stdout.splitlines()
    history = list_items(invoke("model", "history", "phi-4", "-o", "json").stdout)
    assert [r["revision"] for r in history] == [1, 2]
