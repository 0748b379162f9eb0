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
from tests.emulators.kube.controllers.builtin import StatefulSetController
from tests.emulators.kube.controllers.kaito import KAITO, SET_LABEL

Start = Callable[..., Any]


def _deploy(*args: str) -> Any:
    result = invoke("model", "deploy", "phi-4", *args, "-y")
    assert result.exit_code == 0, result
    return result


def _owner(obj: dict[str, Any]) -> dict[str, Any]:
    md = obj["metadata"]
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": md["name"],
        "uid": md["uid"],
        "controller": True,
    }


def _as_kaito_runs_it(emu: Any) -> None:
    """The StatefulSet KAITO's Workspace controller makes for each Workspace, owning its pods
    (upstream: kaito-project/kaito v0.12.0 pkg/workspace/manifests/manifests.go,
    GenerateStatefulSetManifest: named after the Workspace, no labels of its own, the pod template
    labelled kaito.sh/workspace and, for a set's Workspace, inferenceset.kaito.sh/created-by). The
    KAITO simulator makes the pods alone; the emulator's StatefulSet controller is paused while
    they change owner, so it never makes a second set of them."""
    sts_controller = next(c for c in emu.controllers.controllers if isinstance(c, StatefulSetController))
    emu.controllers.remove(sts_controller)
    for ws in emu.cluster.list(KAITO, "Workspace", "default"):
        md = ws["metadata"]
        labels = {"kaito.sh/workspace": md["name"]}
        if SET_LABEL in (md.get("labels") or {}):
            labels[SET_LABEL] = md["labels"][SET_LABEL]
        pods = emu.cluster.list("v1", "Pod", "default", label_selector=f"kaito.sh/workspace={md['name']}")
        sts = emu.cluster.create(
            {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "metadata": {"name": md["name"], "namespace": "default", "ownerReferences": [_owner(ws)]},
                "spec": {
                    "replicas": len(pods),
                    "podManagementPolicy": "Parallel",
                    "serviceName": f"{md['name']}-headless",
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {"containers": [{"name": md["name"], "image": "kaito-base"}]},
                    },
                },
            }
        )
        for pod in pods:
            emu.cluster.patch(
                "v1", "Pod", "default", pod["metadata"]["name"], {"metadata": {"ownerReferences": [_owner(sts)]}}
            )
    emu.controllers.add(sts_controller)
    assert emu.controllers.idle()


def _restarted(emu: Any) -> dict[str, str | None]:
    return {
        s["metadata"]["name"]: ((s["spec"]["template"]["metadata"].get("annotations") or {}).get(RESTARTED_AT))
        for s in emu.cluster.list("apps/v1", "StatefulSet", "default")
    }


def test_a_new_context_restarts_the_workspace_kaito_leaves_running(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "1m")
    _as_kaito_runs_it(emu)
    result = _deploy("--max-model-len", "8192", "--wait", "--timeout", "1m")
    assert all(_restarted(emu).values()), _restarted(emu)
    assert "statefulset.apps/phi-4 restarted" in result.stderr


def test_a_new_context_restarts_every_workspace_of_an_inferenceset(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--replicas", "2", "--wait", "--timeout", "1m")
    _as_kaito_runs_it(emu)
    _deploy("--max-model-len", "8192", "--replicas", "2", "--wait", "--timeout", "1m")
    restarted = _restarted(emu)
    assert len(restarted) == 2 and all(restarted.values()), restarted


def test_an_unchanged_deploy_restarts_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "1m")
    _as_kaito_runs_it(emu)
    result = _deploy("--max-model-len", "4096")
    assert _restarted(emu) == {"phi-4": None}
    assert "restarted" not in result.stderr


def test_a_rollback_to_another_context_restarts_the_workspace(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096")
    _deploy("--max-model-len", "8192", "--wait", "--timeout", "1m")
    _as_kaito_runs_it(emu)
    result = invoke("model", "rollback", "phi-4", "--to-revision", "1", "-y")
    assert result.exit_code == 0, result
    assert _restarted(emu)["phi-4"]


def test_a_new_context_restarts_the_workspace_of_an_airunway_model(model_emulator: Start) -> None:
    """AI Runway's kaito provider names the same ConfigMap in its Workspace (through
    spec.provider.overrides), so its Workspace keeps the old context the same way."""
    from tests.model.conftest import AIRUNWAY_CRDS

    emu = model_emulator(crds=AIRUNWAY_CRDS)
    _deploy("--runtime", "airunway", "--max-model-len", "4096", "--wait", "--timeout", "1m")
    _as_kaito_runs_it(emu)
    _deploy("--runtime", "airunway", "--max-model-len", "8192", "--wait", "--timeout", "1m")
    assert _restarted(emu)["phi-4"]


def test_the_restart_is_in_the_audit_log(model_emulator: Start, tmp_path: Any) -> None:
    import json

    emu = model_emulator()
    log = tmp_path / "audit.jsonl"
    _deploy("--max-model-len", "4096", "--audit-log", str(log))
    _as_kaito_runs_it(emu)
    _deploy("--max-model-len", "8192", "--audit-log", str(log))
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    restarts = [o for e in entries for o in e["objects"] if o.get("action") == "restart"]
    assert [(o["object"], o["namespace"]) for o in restarts] == [("statefulset.apps/phi-4", "default")]


def test_a_server_dry_run_says_it_would_restart_and_restarts_nothing(model_emulator: Start) -> None:
    emu = model_emulator()
    _deploy("--max-model-len", "4096", "--wait", "--timeout", "1m")
    _as_kaito_runs_it(emu)
    result = invoke("model", "deploy", "phi-4", "--max-model-len", "8192", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "statefulset.apps/phi-4 restarted (server dry run)" in result.stderr
    assert _restarted(emu) == {"phi-4": None}
