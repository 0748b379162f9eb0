"""The hints about a namespaced (StagedUpdateRun) run or strategy name its namespace: without ``-n``
the command they name reads the cluster-scoped kind and finds nothing (plain package, a stub Kube)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.errors import AkscliError
from akscli.fleet import approvals, rollout


class _Kube:
    def __init__(self, obj: dict[str, Any] | None) -> None:
        self.obj = obj

    def get(self, *_args: Any, **_kw: Any) -> dict[str, Any] | None:
        return self.obj


def _hint(call: Any) -> str:
    with pytest.raises(AkscliError) as caught:
        call()
    return str(caught.value.hint)


def test_a_missing_namespaced_run_or_strategy_hints_at_the_list_in_its_namespace() -> None:
    kube: Any = _Kube(None)
    assert _hint(lambda: rollout.get_run(kube, "r1", "llm")) == "list runs with: akscli fleet rollout list -n llm"
    assert _hint(lambda: rollout.get_strategy(kube, "s1", "llm")).endswith("rollout strategy list -n llm")
    assert _hint(lambda: rollout.get_run(kube, "r1", None)) == "list runs with: akscli fleet rollout list"


def test_a_namespaced_runs_approve_hints_at_its_status_in_its_namespace() -> None:
    waiting: Any = _Kube({"kind": "StagedUpdateRun", "metadata": {"name": "r1", "namespace": "llm"}, "spec": {}})
    assert _hint(lambda: approvals.pending_for(waiting, "r1", "llm", None)).endswith("rollout status r1 -n llm")
    done = {"type": "Succeeded", "status": "True", "reason": "UpdateRunSucceeded"}
    finished: Any = _Kube({**waiting.obj, "status": {"conditions": [done]}})
    assert "akscli fleet rollout status r1 -n llm;" in _hint(lambda: approvals.pending_for(finished, "r1", "llm", None))
