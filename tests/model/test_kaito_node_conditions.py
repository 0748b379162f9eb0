"""What KAITO writes on a Workspace about its nodes, its pods and its Services, as the emulator's
KAITO now writes it (upstream: kaito-project/kaito 056b8280 pkg/nodeprovision/gpu-provisioner/
gpu_provisioner.go CollectNodeStatusInfo; pkg/workspace/controllers/workspace_controller.go
syncWorkspaceStatus, classifyInferencePodFailure, applyInferenceWorkspaceStatus, ensureService;
pkg/workspace/resource/node_claim.go CreateUpNodeClaims; pkg/workspace/manifests/manifests.go), and
what akscli says of a node that did not launch (readiness.kaito.claim_fix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.kube import readiness
from tests.cli import invoke
from tests.emulators.kube.controllers.kaito import KAITO, WorkspaceController

Start = Callable[..., Any]
SIZE = "Standard_NC24ads_A100_v4"


def _workspace(name: str = "ws", annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": KAITO,
        "kind": "Workspace",
        "metadata": {"name": name, "namespace": "default", "annotations": annotations or {}},
        "resource": {"instanceType": SIZE, "labelSelector": {"matchLabels": {"apps": name}}},
        "inference": {"preset": {"name": "phi-4-mini-instruct"}},
    }


def _conditions(emu: Any, name: str = "ws") -> dict[str, dict[str, Any]]:
    ws = emu.cluster.get(KAITO, "Workspace", "default", name)
    return {c["type"]: c for c in (ws.get("status") or {}).get("conditions") or []}


def _reasons(emu: Any, name: str = "ws") -> dict[str, tuple[str, str]]:
    return {t: (c["status"], c["reason"]) for t, c in _conditions(emu, name).items()}


def _events(emu: Any, name: str = "ws") -> list[tuple[str, str]]:
    events = emu.cluster.list("v1", "Event", "default")
    mine = [
        e for e in events if (e["involvedObject"].get("kind"), e["involvedObject"].get("name")) == ("Workspace", name)
    ]
    return [(e["reason"], e["message"]) for e in mine]


def test_a_ready_workspace_carries_the_three_node_conditions_of_kaitos_gpu_provisioner(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    reasons = _reasons(emu)
    assert reasons["NodesReady"] == ("True", "NodesReady")
    assert reasons["NodeClaimReady"] == ("True", "NodeClaimsReady")
    assert reasons["ResourceReady"] == ("True", "workspaceResourceStatusSuccess")
    assert reasons["WorkspaceSucceeded"] == ("True", "workspaceSucceeded")


def test_kaito_records_a_nodeclaimcreated_event_per_node_and_none_when_the_workspace_is_ready(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    events = _events(emu)
    assert [reason for reason, _ in events] == ["NodeClaimCreated"]
    assert events[0][1].startswith("Successfully created NodeClaim ws") and events[0][1].endswith(
        " for workspace default/ws"
    )


def test_a_node_that_did_not_launch_shows_256_characters_of_the_error_and_no_service_is_made(
    model_emulator: Start,
) -> None:
    emu = model_emulator(failure="quota")
    emu.cluster.create(_workspace())
    emu.idle()
    conditions = _conditions(emu)
    assert (conditions["ResourceReady"]["status"], conditions["ResourceReady"]["reason"]) == ("False", "LaunchFailed")
    assert conditions["NodeClaimReady"]["message"] == conditions["ResourceReady"]["message"]
    message = conditions["ResourceReady"]["message"]
    assert message.startswith('creating instance, agentPool.BeginCreateOrUpdate for "ws')
    assert len(message) == 256 + len("...") and "QuotaExceeded" not in message
    assert _reasons(emu)["NodesReady"] == ("False", "NodeNotReady")
    assert emu.cluster.get(KAITO, "Workspace", "default", "ws")["status"]["state"] == "Pending"
    # reconcileNodes returns before ensureService and applyInference (addOrUpdateWorkspace).
    assert emu.cluster.get("v1", "Service", "default", "ws") is None
    assert emu.cluster.get("apps/v1", "StatefulSet", "default", "ws") is None


def test_a_workspace_pod_no_node_can_take_is_unschedulable_on_inferenceready(model_emulator: Start) -> None:
    emu = model_emulator()
    # A Ready node of the size and labels, without GPUs: KAITO counts it and asks for no other.
    capacity = {"cpu": "24", "memory": "220Gi", "pods": "110"}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": "no-gpu", "labels": {"apps": "ws", "node.kubernetes.io/instance-type": SIZE}},
            "status": {
                "capacity": capacity,
                "allocatable": dict(capacity),
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
    )
    emu.cluster.create(_workspace())
    emu.idle()
    # KAITO watches no pods: a later event on the Workspace reconciles it and classifies the pod.
    emu.cluster.patch(KAITO, "Workspace", "default", "ws", {"metadata": {"labels": {"touched": "yes"}}})
    emu.idle()
    inference = _conditions(emu)["InferenceReady"]
    assert (inference["status"], inference["reason"]) == ("False", "Unschedulable")
    assert inference["message"].startswith('pod "ws-0" is unschedulable: 0/1 nodes are available')


def test_a_workspace_that_served_and_stops_is_notready_not_pending(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    assert emu.cluster.get(KAITO, "Workspace", "default", "ws")["status"]["state"] == "Ready"
    controller = next(c for c in emu.controllers.controllers if isinstance(c, WorkspaceController))
    controller.failure = "inference"
    emu.cluster.patch(KAITO, "Workspace", "default", "ws", {"metadata": {"labels": {"touched": "yes"}}})
    emu.idle()
    ws = emu.cluster.get(KAITO, "Workspace", "default", "ws")
    assert ws["status"]["state"] == "NotReady"
    assert _reasons(emu)["InferenceReady"] == ("False", "ContainerCrashLoopBackOff")


def test_the_workspace_service_has_kaitos_ports_and_its_headless_one_none(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    spec = emu.cluster.get("v1", "Service", "default", "ws")["spec"]
    ports = [(p["name"], p["port"], p["targetPort"]) for p in spec["ports"]]
    assert ports == [("http", 80, 5000), ("ray", 6379, 6379), ("dashboard", 8265, 8265), ("kv-events", 5557, 5557)]
    assert spec["type"] == "ClusterIP" and spec["publishNotReadyAddresses"] is True
    headless = emu.cluster.get("v1", "Service", "default", "ws-headless")["spec"]
    assert headless["clusterIP"] == "None" and headless.get("ports", []) == []


def test_a_load_balancer_or_transformers_workspace_service_has_no_kv_events_port(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace("lb", {"kaito.sh/enablelb": "True"}))
    emu.cluster.create(_workspace("hf", {"kaito.sh/runtime": "transformers"}))
    emu.idle()
    lb = emu.cluster.get("v1", "Service", "default", "lb")["spec"]
    hf = emu.cluster.get("v1", "Service", "default", "hf")["spec"]
    assert lb["type"] == "LoadBalancer" and hf["type"] == "ClusterIP"
    assert [p["name"] for p in lb["ports"]] == [p["name"] for p in hf["ports"]] == ["http", "ray", "dashboard"]


def _with_resource(reason: str) -> dict[str, Any]:
    cond = {"type": "ResourceReady", "status": "False", "reason": reason, "message": "m", "observedGeneration": 1}
    return {
        "apiVersion": KAITO,
        "kind": "Workspace",
        "metadata": {"name": "phi-4", "namespace": "ml", "generation": 1},
        "status": {"conditions": [cond]},
    }


def test_a_nodeclaims_reason_on_resourceready_names_where_its_whole_error_is() -> None:
    verdict = readiness.rule_for(KAITO, "Workspace")(_with_resource("LaunchFailed"))
    assert not verdict.ready
    assert verdict.fix == (
        "KAITO shows 256 characters of the node's LaunchFailed error; read Azure's error code and message on "
        "its NodeClaim: kubectl describe nodeclaims -l kaito.sh/workspace=phi-4,kaito.sh/workspacenamespace=ml"
    )


def test_kaitos_own_resource_reasons_name_no_nodeclaim() -> None:
    for reason in ("NodeClaimNotReady", "NodeNotReady", "workspaceResourceStatusNotReady"):
        assert readiness.rule_for(KAITO, "Workspace")(_with_resource(reason)).fix == ""
    # NodePluginsNotReady's fix is the device plugin's (readiness/kaito_faults.py), not a NodeClaim's.
    fix = readiness.rule_for(KAITO, "Workspace")(_with_resource("NodePluginsNotReady")).fix
    assert "nodeclaim" not in fix and "NVIDIA device plugin" in fix


def test_the_wait_hint_names_the_nodeclaims_of_a_workspace_whose_node_did_not_launch_where_they_cannot_be_read(
    model_emulator: Start,
) -> None:
    emu = model_emulator(failure="quota")
    emu.faults.add(verb="list", path="/nodeclaims", status=403, count=None)
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "1s", "-y")
    assert result.exit_code == 5, result
    assert "kubectl describe nodeclaims -l kaito.sh/workspace=phi-4" in result.stderr.splitlines()[-1]
