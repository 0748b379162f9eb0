"""A deploy or rollback that changes only KAITO's inference config (max-model-len) restarts the
model's pods: KAITO rolls a Workspace's StatefulSet only when the Workspace's own spec changes
(upstream: kaito-project/kaito v0.12.0 pkg/workspace/controllers/workspace_controller.go, ComputeHash
and applyInference), and an InferenceSet never updates the Workspaces it made
(pkg/inferenceset/inferenceset_controller.go), so the ConfigMap's new data reached no running
server. akscli restarts them as `kubectl rollout restart` does (kubernetes/kubectl
pkg/polymorphichelpers/objectrestarter.go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.model.kaito_restart import RESTARTED_AT
from tests.cli import invoke

Start = Callable[..., Any]


def _deploy(*args: str) -> Any:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result
    return result


def _restarted(emu: Any) -> dict[str, str | None]:
    return {
        s["metadata"]["name"]: ((s["spec"]["template"]["metadata"].get("annotations") or {}).get(RESTARTED_AT))
        for s in emu.cluster.list("apps/v1", "StatefulSet", "default")
    }


def test_a_new_context_restarts_the_workspace_kaito_leaves_running(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "1m")
    result = _deploy("--max-model-len", "8192", "--wait", "--timeout", "1m")
    assert all(_restarted(emu).values()), _restarted(emu)
    assert "statefulset.apps/phi-4 restarted" in result.stderr


def _pods(emu: Any) -> dict[str, tuple[str, str]]:
    return {
        p["metadata"]["name"]: (p["metadata"]["uid"], p["metadata"]["labels"]["controller-revision-hash"])
        for p in emu.cluster.list("v1", "Pod", "default", label_selector="kaito.sh/workspace=phi-4")
    }


def test_a_new_context_replaces_the_kaito_pods_in_the_lab(model_emulator: Start) -> None:
    """The restart reaches the pods: KAITO's StatefulSet (the simulator makes it as upstream does)
    rolls them, so each pod is a new one made from the restarted template."""
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "1m")
    before = _pods(emu)
    _deploy("--max-model-len", "8192", "--wait", "--timeout", "1m")
    assert emu.controllers.idle()
    after = _pods(emu)
    assert before and after.keys() == before.keys()
    for name, (uid, revision) in after.items():
        assert uid != before[name][0] and revision != before[name][1], (name, before, after)


def test_a_new_context_restarts_every_workspace_of_an_inferenceset(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--replicas", "2", "--wait", "--timeout", "1m")
    _deploy("--max-model-len", "8192", "--replicas", "2", "--wait", "--timeout", "1m")
    restarted = _restarted(emu)
    assert len(restarted) == 2 and all(restarted.values()), restarted


def test_an_unchanged_deploy_restarts_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "1m")
    result = _deploy("--max-model-len", "4096")
    assert _restarted(emu) == {"phi-4": None}
    assert "restarted" not in result.stderr


def _configmap_change(before: dict[str, str], after: dict[str, str], kinds: str) -> Any:
    from akscli.kube.changes import Change

    meta = {"name": "phi-4-inference-config", "namespace": "default"}
    old = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": before}
    new = {**old, "metadata": {**meta, "annotations": {"akscli.io/stack-kinds": kinds}}, "data": after}
    return Change(new, "configure", current=old, result=new)


def test_a_change_of_the_configmaps_annotations_alone_restarts_nothing() -> None:
    """The kubelet writes only a ConfigMap's data (and binaryData) into the pods (kubernetes/kubernetes
    pkg/volume/configmap/configmap.go, MakePayload): an apply that changes only its annotations (the
    stack's kinds, when a deploy adds a PodMonitor or an HTTPRoute) gives vLLM nothing new to read,
    and a restart would only take the model down while it loads its weights again."""
    from akscli.kube.changes import Change
    from akscli.model.kaito_restart import stale_servers

    config = {"inference_config.yaml": "vllm:\n  max-model-len: 4096\n"}
    workspace = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "phi-4", "namespace": "default"},
        "inference": {"config": "phi-4-inference-config"},
    }
    same = _configmap_change(
        config, config, "ConfigMap.v1,PodMonitor.v1.monitoring.coreos.com,Workspace.v1beta1.kaito.sh"
    )
    assert stale_servers([same, Change(workspace, "configure")]) == []
    longer = _configmap_change(config, {"inference_config.yaml": "vllm:\n  max-model-len: 8192\n"}, "ConfigMap.v1")
    assert stale_servers([longer, Change(workspace, "unchanged")]) == [workspace]


def test_a_rollback_to_another_context_restarts_the_workspace(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "8192", "--wait", "--timeout", "1m")
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y")
    assert result.exit_code == 0, result
    assert _restarted(emu)["phi-4"]


def test_a_new_context_restarts_the_workspace_of_an_airunway_model(model_emulator: Start) -> None:
    """AI Runway's kaito provider names the same ConfigMap in its Workspace (through
    spec.provider.overrides), so its Workspace keeps the old context the same way."""
    from tests.model.conftest import AIRUNWAY_CRDS

    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _deploy("--runtime", "airunway", "--max-model-len", "4096", "--wait", "--timeout", "1m")
    _deploy("--runtime", "airunway", "--max-model-len", "8192", "--wait", "--timeout", "1m")
    assert _restarted(emu)["phi-4"]


def test_the_restart_is_in_the_audit_log(model_emulator: Start, tmp_path: Any) -> None:
    import json

    emu = model_emulator()
    log = tmp_path / "audit.jsonl"
    _deploy("--max-model-len", "4096", "--audit-log", str(log))
    assert emu.controllers.idle()
    _deploy("--max-model-len", "8192", "--audit-log", str(log))
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    restarts = [o for e in entries for o in e["objects"] if o.get("action") == "restart"]
    assert [(o["object"], o["namespace"]) for o in restarts] == [("statefulset.apps/phi-4", "default")]


def test_a_server_dry_run_says_it_would_restart_and_restarts_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "1m")
    result = invoke("model", "deploy", "phi-4", "--max-model-len", "8192", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "statefulset.apps/phi-4 restarted (server dry run)" in result.stderr
    assert _restarted(emu) == {"phi-4": None}
