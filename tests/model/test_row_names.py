"""``-o name`` of `model history` and `model top` names the Kubernetes object behind each row, in
kubectl's ``kind/name`` form (k8s.io/cli-runtime pkg/printers/name.go), so that a script can hand
it to kubectl: a revision is the ConfigMap that records it (model delete -o name lists the same
names), a row of top is a serving pod (`kubectl logs $(akscli model top phi-4 -o name | head -1)`).
They printed ``phi-4/1`` and ``phi-4/POD``, which no kubectl command takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.controllers.vllm import VllmMetrics

Start = Callable[..., Any]


def _deploy(*args: str) -> None:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result


def test_history_names_each_revision_by_the_configmap_that_records_it(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "8192")
    result = invoke("model", "history", "phi-4", "-o", "name")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == ["configmap/phi-4-rev-1", "configmap/phi-4-rev-2"]
    for line in result.stdout.splitlines():
        assert emu.cluster.get("v1", "ConfigMap", "default", line.partition("/")[2]) is not None


def test_top_names_each_row_by_its_pod(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--wait", "--timeout", "20s")
    emu.register_pod_proxy("default", "phi-4-0", 5000, VllmMetrics("phi-4", waiting=1).handler())
    result = invoke("model", "top", "phi-4", "--interval", "100ms", "-o", "name")
    assert result.exit_code == 0, result
    pods = {p["metadata"]["name"] for p in emu.cluster.list("v1", "Pod", "default")}
    assert result.stdout.splitlines() == ["pod/phi-4-0"]
    assert "phi-4-0" in pods
