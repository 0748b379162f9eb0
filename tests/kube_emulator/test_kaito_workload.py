"""The KAITO simulator runs a Workspace's model as KAITO does: a StatefulSet named after the
Workspace owns the pods (upstream: kaito-project/kaito v0.12.0
pkg/workspace/inference/preset_inferences.go GeneratePresetInference,
pkg/workspace/manifests/manifests.go GenerateStatefulSetManifest, and
pkg/workspace/controllers/workspace_controller.go applyInference; the simulator's
kaito_workload.py names the rest)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_kaito_scheduling import kaito_lab, state, workspace

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


@pytest.fixture
def emu(kube_emulator: KubeEmulator) -> KubeEmulator:
    lab = kaito_lab(kube_emulator)
    # KAITO's webhook refuses a Workspace whose inference ConfigMap does not exist
    # (admission_kaito_config.py).
    config = {"inference_config.yaml": "vllm:\n  max-model-len: 2048\n"}
    lab.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "phi-config", "namespace": "default"},
            "data": config,
        }
    )
    return lab


def _sts(emu: KubeEmulator, name: str = "phi") -> dict[str, Any]:
    return emu.cluster.get("apps/v1", "StatefulSet", "default", name) or {}


def _configured(name: str = "phi") -> dict[str, Any]:
    ws = workspace(name)
    ws["inference"]["config"] = "phi-config"
    return ws


def test_a_workspace_runs_on_a_statefulset_named_after_it_that_owns_its_pods(emu: KubeEmulator) -> None:
    emu.cluster.create(_configured())
    assert wait_until(lambda: state(emu) == "Ready")
    sts = _sts(emu)
    ws = emu.cluster.get("kaito.sh/v1beta1", "Workspace", "default", "phi") or {}
    assert [(r["kind"], r["uid"], r["controller"]) for r in sts["metadata"]["ownerReferences"]] == [
        ("Workspace", ws["metadata"]["uid"], True)
    ]
    assert "labels" not in sts["metadata"]
    assert sts["metadata"]["annotations"]["workspace.kaito.io/revision"] == "1"
    assert ws["metadata"]["annotations"]["workspace.kaito.io/revision"] == "1"
    spec = sts["spec"]
    assert spec["selector"] == {"matchLabels": {"kaito.sh/workspace": "phi"}}
    assert spec["template"]["metadata"]["labels"] == {"kaito.sh/workspace": "phi"}
    assert (spec["podManagementPolicy"], spec["serviceName"], spec["replicas"]) == ("Parallel", "phi-headless", 1)
    pod_spec = spec["template"]["spec"]
    assert {"name": "config-volume", "configMap": {"name": "phi-config", "defaultMode": 420}} in pod_spec["volumes"]
    assert {"name": "config-volume", "mountPath": "/mnt/config"} in pod_spec["containers"][0]["volumeMounts"]
    pod = emu.cluster.get("v1", "Pod", "default", "phi-0") or {}
    assert [r["uid"] for r in pod["metadata"]["ownerReferences"]] == [sts["metadata"]["uid"]]


def test_a_restart_of_the_workspaces_statefulset_replaces_its_pod_and_kaito_keeps_it(emu: KubeEmulator) -> None:
    emu.cluster.create(_configured())
    assert wait_until(lambda: state(emu) == "Ready")
    before = (emu.cluster.get("v1", "Pod", "default", "phi-0") or {})["metadata"]["uid"]
    restart = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: "2026-12-04T19:00:00Z"}}}}}
    emu.cluster.patch("apps/v1", "StatefulSet", "default", "phi", restart)
    assert wait_until(
        lambda: (
            (emu.cluster.get("v1", "Pod", "default", "phi-0") or {}).get("metadata", {}).get("uid")
            not in (None, before)
        )
    )
    assert emu.controllers.idle()
    assert state(emu) == "Ready"
    assert _sts(emu)["spec"]["template"]["metadata"]["annotations"] == {RESTARTED_AT: "2026-12-04T19:00:00Z"}


def test_a_workspace_change_updates_only_the_fields_kaito_updates(emu: KubeEmulator) -> None:
    """applyInference on a new revision: env, volume mounts, init containers and volumes of the
    pod template; an annotation on the template stays."""
    emu.cluster.create(_configured())
    assert wait_until(lambda: state(emu) == "Ready")
    restart = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: "2026-12-04T19:00:00Z"}}}}}
    emu.cluster.patch("apps/v1", "StatefulSet", "default", "phi", restart)
    emu.cluster.patch("kaito.sh/v1beta1", "Workspace", "default", "phi", {"inference": {"config": "phi-config-2"}})
    assert wait_until(lambda: _sts(emu)["metadata"]["annotations"]["workspace.kaito.io/revision"] == "2")
    template = _sts(emu)["spec"]["template"]
    assert {"name": "config-volume", "configMap": {"name": "phi-config-2", "defaultMode": 420}} in template["spec"][
        "volumes"
    ]
    assert template["metadata"]["annotations"] == {RESTARTED_AT: "2026-12-04T19:00:00Z"}


def test_an_inferenceset_workspaces_statefulset_selects_the_sets_label(emu: KubeEmulator) -> None:
    emu.cluster.create(
        workspace("phi-abcde", labels=None)
        | {
            "metadata": {
                "name": "phi-abcde",
                "namespace": "default",
                "labels": {"inferenceset.kaito.sh/created-by": "phi"},
            }
        }
    )
    assert wait_until(lambda: state(emu, "phi-abcde") == "Ready")
    labels = {"kaito.sh/workspace": "phi-abcde", "inferenceset.kaito.sh/created-by": "phi"}
    assert _sts(emu, "phi-abcde")["spec"]["selector"] == {"matchLabels": labels}
    pod = emu.cluster.get("v1", "Pod", "default", "phi-abcde-0") or {}
    assert pod["metadata"]["labels"]["inferenceset.kaito.sh/created-by"] == "phi"


def test_a_workspace_returned_to_an_earlier_spec_takes_that_revision_again(emu: KubeEmulator) -> None:
    """syncControllerRevision (kaito-project/kaito v0.12.0 pkg/workspace/controllers/
    workspace_controller.go): a ControllerRevision per hash; a hash seen before (a rollback)
    takes its revision's number again, not the latest + 1."""
    emu.cluster.create(_configured())
    assert wait_until(lambda: state(emu) == "Ready")
    for config, revision in (("phi-config-2", "2"), ("phi-config", "1")):
        emu.cluster.patch("kaito.sh/v1beta1", "Workspace", "default", "phi", {"inference": {"config": config}})
        assert wait_until(lambda r=revision: _sts(emu)["metadata"]["annotations"]["workspace.kaito.io/revision"] == r)
    kept = emu.cluster.list("apps/v1", "ControllerRevision", "default", "workspace.kaito.io/name=phi")
    assert sorted(r["revision"] for r in kept) == [1, 2]
    assert all(r["metadata"]["ownerReferences"][0]["kind"] == "Workspace" for r in kept)


@pytest.mark.parametrize(
    ("runtime", "ports"),
    [
        (None, [("http", 5000), ("kv-events", 5557)]),
        ("transformers", [("http", 5000)]),
    ],
)
def test_a_workspaces_server_container_names_its_ports_as_kaito_does(
    emu: KubeEmulator, runtime: str | None, ports: list[tuple[str, int]]
) -> None:
    """containerPorts and, for the vLLM runtime, vllmKVEventsContainerPort (kaito-project/kaito
    v0.12.0 pkg/workspace/inference/preset_inferences.go): a PodMonitor's ``port: http`` finds the
    server only by that name."""
    ws = _configured()
    if runtime:
        ws["metadata"]["annotations"] = {"kaito.sh/runtime": runtime}
    emu.cluster.create(ws)
    assert wait_until(lambda: bool(_sts(emu)))
    container = _sts(emu)["spec"]["template"]["spec"]["containers"][0]
    assert [(p["name"], p["containerPort"]) for p in container["ports"]] == ports
