"""`model history` and `model rollback --wait` on an AI Runway model, end to end in the emulator.

The vllm provider passes spec.engine.contextLength to vLLM as --max-model-len on its Deployment
(ai-runway/airunway b0d3fb77 providers/vllm/transformer.go buildEngineArgs); a rollback re-applies the
earlier revision's ModelDeployment, and its wait asks the Deployment's rollout as well as the phase
(readiness/kaito.py model_deployment_with_members).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke, list_items
from tests.kube_emulator.test_rescheduling_in_flight import confirm_deletion_during_the_attempt
from tests.model.test_deploy_cluster_room import a100

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
MD = "airunway.ai/v1alpha1"


def _deploy(*extra: str) -> Any:
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", *extra, "-y")
    assert result.exit_code == 0, result
    return result


def _args(emu: Any) -> list[str]:
    dep = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    return [a for c in dep["spec"]["template"]["spec"]["containers"] for a in (c.get("args") or [])]


def test_history_and_rollback_of_an_airunway_model_bring_back_the_earlier_context(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    emu.cluster.create(a100("a100-1"))
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "2m")
    _deploy("--max-model-len", "8192", "--wait", "--timeout", "2m")
    rows = list_items(invoke("model", "history", "phi-4", "-o", "json").stdout)
    assert [(r["revision"], r["params"]["context"]) for r in rows] == [(1, 4096), (2, 8192)]
    assert "8192" in _args(emu)

    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "--wait", "--timeout", "2m", "-y")
    assert result.exit_code == 0, result
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    assert md["spec"]["engine"]["contextLength"] == 4096
    assert md["status"]["phase"] == "Running"
    assert "4096" in _args(emu)
    rows = list_items(invoke("model", "history", "phi-4", "-o", "json").stdout)
    assert rows[-1]["change"] == "rollback to 1"
    assert rows[-1]["params"]["context"] == 4096


def _two_revisions_the_first_stopping(model_emulator: Start) -> tuple[Any, dict[str, Any]]:
    """Two A100 nodes, one GPU each; revision 1 (context 4096), then revision 2 (8192), each waited
    for. Revision 2's wait ends while revision 1's pod is still Terminating (a ReplicaSet's replicas
    leave out terminating pods: kubernetes/kubernetes pkg/controller/replicaset replica_set.go
    syncReplicaSet, controller.FilterActivePods): it holds one GPU (the scheduler counts it until it
    is deleted), revision 2's pod the other. The emulator and that pod are returned."""
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    emu.cluster.create(a100("a100-1"))
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "2m")
    emu.api.pod_shutdown_seconds = None  # vLLM ignores SIGTERM: its pod stays for its grace period
    _deploy("--max-model-len", "8192", "--wait", "--timeout", "2m")
    [old] = [p for p in emu.cluster.list("v1", "Pod", "default") if p["metadata"].get("deletionTimestamp")]
    assert "4096" in str(old["spec"])
    return emu, old


def test_a_rollback_while_the_earlier_pod_is_terminating_runs_once_that_pod_is_gone(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race CI met: the rollback's pod (maxSurge 1) fits nowhere until the kubelet confirms the
    old pod's deletion. That lands during the rollback pod's scheduling attempt here: kube-scheduler
    tries the pod again (tests/kube_emulator/test_rescheduling_in_flight.py), and the rollback ends well."""
    emu, old = _two_revisions_the_first_stopping(model_emulator)
    freed = confirm_deletion_during_the_attempt(emu, [old["metadata"]["name"]], monkeypatch)

    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "--wait", "--timeout", "20s", "-y")
    assert freed == [old["metadata"]["name"]]
    assert result.exit_code == 0, result
    assert "4096" in _args(emu)


def test_a_deploy_right_after_another_runs_once_the_pod_before_last_is_gone(
    model_emulator: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third revision deployed while the first one's pod still stops: the same race, a new template."""
    emu, old = _two_revisions_the_first_stopping(model_emulator)
    freed = confirm_deletion_during_the_attempt(emu, [old["metadata"]["name"]], monkeypatch)

    result = invoke(
        "model",
        "deploy",
        "phi-4",
        "--runtime",
        "airunway",
        "--provider",
        "vllm",
        "--max-model-len",
        "2048",
        "--wait",
        "--timeout",
        "20s",
        "-y",
    )
    assert freed == [old["metadata"]["name"]]
    assert result.exit_code == 0, result
    assert "2048" in _args(emu)


def test_a_rollback_that_times_out_on_a_terminating_pod_says_to_wait_for_it(model_emulator: Start) -> None:
    """Revision 1's pod stops for its whole grace period (30 s) and holds the GPU the rollback's pod
    needs; a wait shorter than that ends on it. The pod goes by itself: the hint says to wait, not
    to roll back or add a node (akscli.kube.rollout_room)."""
    _, old = _two_revisions_the_first_stopping(model_emulator)

    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    error, hint = result.stderr.splitlines()[-2:]
    name, by = old["metadata"]["name"], old["metadata"]["deletionTimestamp"]
    assert f"the old pod {name} is terminating and holds the nvidia.com/gpu it needs on node" in error
    assert hint == f"hint: wait for it: raise --timeout to reach past {by}; nothing was rolled back"
