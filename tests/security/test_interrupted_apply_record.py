"""Ctrl-C in the middle of an apply: the audit entry names what became of each object, and a write
still in flight when the stop came is recorded as unknown, not as "not applied". The API server
goes on with a write whose client stopped waiting (kubernetes/apiserver
pkg/endpoints/handlers/finisher/finisher.go: the asynchronous finisher abandons only the wait), so
"not applied" would be wrong for it, and the stop line sends the user to this entry."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from akscli.kube.client import Kube
from tests.cli import invoke
from tests.foundation.test_apply import config_map
from tests.foundation.test_apply_reliability import manifest


def test_a_write_in_flight_at_ctrl_c_is_recorded_as_unknown_and_the_queued_one_as_not_applied(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    in_flight: list[threading.Thread] = []
    original = Kube.apply

    def apply(self: Kube, obj: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if obj["metadata"]["name"] == "b" and not kwargs.get("dry_run"):
            # The request is on its way: Ctrl-C comes now, and the server answers after akscli stopped.
            in_flight.append(threading.current_thread())
            signal.raise_signal(signal.SIGINT)
            release.wait(30)
        return original(self, obj, *args, **kwargs)

    monkeypatch.setattr(Kube, "apply", apply)
    log = tmp_path / "audit.jsonl"
    objects = [config_map("a"), config_map("b"), config_map("c")]
    result = invoke("apply", "-f", manifest(tmp_path, *objects), "--parallel", "1", "--audit-log", str(log))
    release.set()
    for thread in in_flight:
        thread.join(30)
    assert result.exit_code == 130, result
    assert result.stderr.strip().splitlines()[-1].startswith("interrupted while applying: what was applied stays")
    entry = json.loads(log.read_text().splitlines()[-1])
    assert entry["result"] == "interrupted"
    assert {o["object"]: o["result"] for o in entry["objects"]} == {
        "configmap/a": "applied",
        "configmap/b": "unknown: sent, no answer before the stop",
        "configmap/c": "not applied",
    }
    # the server took the write the audit could not confirm
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "b") is not None
