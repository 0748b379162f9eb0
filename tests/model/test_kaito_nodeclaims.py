"""KAITO's NodeClaims as objects in the emulator: the karpenter.sh/v1 NodeClaim KAITO makes for each node
a Workspace needs, as gpu-provisioner launches it or fails to, and removes it (upstream:
kaito-project/kaito 056b8280 pkg/utils/nodeclaim/nodeclaim.go GenerateNodeClaimManifestWithOptions,
FirstNodeClaimProvisioningState; pkg/workspace/resource/node_claim.go CreateUpNodeClaims, CheckNodeClaims;
pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go DeleteNodes; Azure/gpu-provisioner c09a56c0
pkg/providers/instance/instance.go Create, newAgentPoolObject; vendor/sigs.k8s.io/karpenter/pkg/
controllers/nodeclaim/lifecycle/launch.go, registration.go). And that akscli's hint for a node that did
not launch leads to the object that holds Azure's error."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from akscli.kube import kaito_claims, readiness
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.controllers.kaito_nodes import launch_error
from tests.model.test_kaito_node_conditions import SIZE, _conditions, _events, _workspace

Start = Callable[..., Any]
NODECLAIM = ("karpenter.sh/v1", "NodeClaim")


def _claims(emu: Any) -> list[dict[str, Any]]:
    return emu.cluster.list(*NODECLAIM)


def _claim_conditions(claim: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (claim.get("status") or {}).get("conditions") or []}


def test_kaito_makes_the_nodeclaim_object_its_manifest_generator_writes(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    md = claim["metadata"]
    assert re.fullmatch(r"ws[0-9a-f]{9}", md["name"]) and "namespace" not in md
    assert md["labels"]["karpenter.sh/nodepool"] == "kaito"
    assert (md["labels"]["kaito.sh/workspace"], md["labels"]["kaito.sh/workspacenamespace"]) == ("ws", "default")
    assert md["labels"]["apps"] == "ws"  # the Workspace's matchLabels
    assert md["annotations"] == {"karpenter.sh/do-not-disrupt": "true", "kaito.sh/node-image-family": "ubuntu"}
    assert md["finalizers"] == ["karpenter.sh/termination"] and not md.get("ownerReferences")
    spec = claim["spec"]
    assert spec["nodeClassRef"] == {"name": "default", "kind": "KaitoNodeClass", "group": "kaito.sh"}
    assert spec["taints"] == [{"key": "sku", "value": "gpu", "effect": "NoSchedule"}]
    assert [(r["key"], r["values"]) for r in spec["requirements"]] == [
        ("karpenter.sh/nodepool", ["kaito"]),
        ("node.kubernetes.io/instance-type", [SIZE]),
        ("kubernetes.io/os", ["linux"]),
        ("karpenter.azure.com/sku-name", [SIZE]),
    ]
    # phi-4-mini-instruct's modelFileSize 7.15Gi + 80 (KAITO's generator calculateStorageSize).
    assert spec["resources"] == {"requests": {"storage": "87Gi"}}


def test_the_nodeclaimcreated_event_names_a_launched_nodeclaim_whose_node_serves_the_workspace(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    [(_, message)] = _events(emu)
    name = message.split()[3]
    claim = emu.cluster.get(*NODECLAIM, None, name)
    assert claim is not None
    assert {t: c["status"] for t, c in _claim_conditions(claim).items()} == {
        "Launched": "True",
        "Registered": "True",
        "Initialized": "True",
        "Ready": "True",
    }
    node = emu.cluster.get("v1", "Node", None, claim["status"]["nodeName"])
    assert node["spec"]["providerID"] == claim["status"]["providerID"]
    assert node["metadata"]["labels"]["agentpool"] == name  # gpu-provisioner's agent pool is named after it
    assert node["metadata"]["labels"]["karpenter.sh/registered"] == "true"
    assert [r["name"] for r in node["metadata"]["ownerReferences"]] == [name]
    ws = emu.cluster.get(KAITO, "Workspace", "default", "ws")
    assert ws["status"]["workerNodes"] == [node["metadata"]["name"]]


def test_a_later_reconcile_makes_no_second_nodeclaim(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    emu.cluster.patch(KAITO, "Workspace", "default", "ws", {"metadata": {"annotations": {"touched": "1"}}})
    emu.idle()
    assert len(_claims(emu)) == 1


def test_a_nodeclaim_that_did_not_launch_keeps_azures_error_the_workspace_cuts(model_emulator: Start) -> None:
    emu = model_emulator(failure="quota")
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    conditions = _claim_conditions(claim)
    launched = conditions["Launched"]
    assert (launched["status"], launched["reason"]) == ("Unknown", "LaunchFailed")
    assert "ERROR CODE: QuotaExceeded" in launched["message"] and "exceeding approved" in launched["message"]
    assert (conditions["Registered"]["status"], conditions["Registered"]["reason"]) == (
        "Unknown",
        "AwaitingReconciliation",
    )
    assert (conditions["Ready"]["status"], conditions["Ready"]["reason"]) == ("Unknown", "ReconcilingDependents")
    assert not claim["status"].get("nodeName") and not emu.cluster.list("v1", "Node", None, "kaito.sh/workspace=ws")
    # KAITO's ResourceReady is the first 256 characters of it (FirstNodeClaimProvisioningState).
    assert _conditions(emu)["ResourceReady"]["message"] == launched["message"][:256] + "..."


def test_the_wait_hints_selector_finds_the_nodeclaim_with_azures_error_code(model_emulator: Start) -> None:
    emu = model_emulator(failure="quota")
    emu.cluster.create(_workspace())
    emu.idle()
    ws = emu.cluster.get(KAITO, "Workspace", "default", "ws")
    selector = readiness.rule_for(KAITO, "Workspace")(ws).fix.rsplit(" -l ", 1)[1]
    [claim] = emu.cluster.list(*NODECLAIM, label_selector=selector)
    assert "QuotaExceeded" in _claim_conditions(claim)["Launched"]["message"]


def test_the_wait_names_the_nodeclaim_kubectl_describes(model_emulator: Start) -> None:
    emu = model_emulator(failure="quota")
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "1s", "-y")
    assert result.exit_code == 5, result
    [claim] = _claims(emu)
    name = claim["metadata"]["name"]
    assert f"kubectl describe nodeclaim {name};" in result.stderr.splitlines()[-1]
    assert f"; NodeClaim {name}: Azure refused its node: " in result.stderr


def test_deleting_a_workspace_deletes_its_nodeclaims_and_their_nodes(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace("keep"))
    emu.cluster.create(_workspace())
    emu.idle()
    assert len(_claims(emu)) == 2
    emu.cluster.delete(KAITO, "Workspace", "default", "ws")
    emu.idle()
    assert emu.cluster.get(KAITO, "Workspace", "default", "ws") is None
    # gpu-provisioner's drain ends after the Workspace (its requeue looks again: kaito_gpu_provisioner.Termination)
    left = lambda: [c["metadata"]["labels"]["kaito.sh/workspace"] for c in _claims(emu)]  # noqa: E731
    assert wait_until(lambda: left() == ["keep"], timeout=5), left()
    assert not emu.cluster.list("v1", "Node", None, "kaito.sh/workspace=ws")
    assert len(emu.cluster.list("v1", "Node", None, "kaito.sh/workspace=keep")) == 1


class _Kube:
    """A cluster whose NodeClaims are ``claims`` (kaito_claims reads one list)."""

    def __init__(self, *claims: dict[str, Any]) -> None:
        self.claims = list(claims)

    def list(self, api_version: str, kind: str, **_: Any) -> Any:
        assert (api_version, kind) == NODECLAIM
        return iter(self.claims)


def _refused(name: str, reason: str, message: str) -> dict[str, Any]:
    launched = {"type": "Launched", "status": "Unknown", "reason": reason, "message": message}
    return {"metadata": {"name": name}, "status": {"conditions": [launched]}}


def test_an_azure_code_that_is_no_quota_is_said_with_its_message() -> None:
    # Test data for the code and message; the wrapping is gpu-provisioner's (kaito_nodes.launch_error).
    text = launch_error("ws1234abcd0", "SkuNotAvailable", "The requested VM size is not available.")
    found = kaito_claims.launch_error(_Kube(_refused("ws1234abcd0", "LaunchFailed", text)), _workspace())
    assert found == kaito_claims.ClaimError(
        "; NodeClaim ws1234abcd0: Azure refused its node: SkuNotAvailable: The requested VM size is not available.",
        "read the whole error with kubectl describe nodeclaim ws1234abcd0",
    )


def test_a_nodeclaim_error_without_azures_answer_names_its_reason() -> None:
    # Azure/gpu-provisioner pkg/providers/instance/instance.go Create, wrapped by cloudprovider.go Create.
    text = "creating instance, agentpool name(ws-1) is invalid, must match regex pattern: ^[a-z][a-z0-9]{0,11}$"
    found = kaito_claims.launch_error(_Kube(_refused("ws-1", "LaunchFailed", text)), _workspace())
    assert found == kaito_claims.ClaimError(
        "; NodeClaim ws-1: LaunchFailed", "read its whole error with kubectl describe nodeclaim ws-1"
    )


def test_a_nodeclaim_awaiting_reconciliation_has_no_error_to_say() -> None:
    claim = _refused("ws1234abcd0", "AwaitingReconciliation", "object is awaiting reconciliation")
    assert kaito_claims.launch_error(_Kube(claim), _workspace()) is None


def _fields(obj: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m["manager"], m.get("subresource") or ""): m["fieldsV1"] for m in obj["metadata"]["managedFields"]}


def test_gpu_provisioner_writes_the_nodeclaims_finalizer_labels_and_status_as_karpenter(model_emulator: Start) -> None:
    # Azure/gpu-provisioner cmd/controller/main.go runs karpenter's operator: user agent "karpenter/<version>"
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    fields = _fields(claim)
    assert {"f:finalizers", "f:labels"} <= set(fields[("karpenter", "")]["f:metadata"])
    assert "f:providerID" in fields[("karpenter", "status")]["f:status"]
    assert "f:finalizers" not in fields[("kaito-workspace", "")]["f:metadata"]  # KAITO's create


def test_a_kaito_node_is_created_by_its_kubelet_and_adopted_by_gpu_provisioner(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    node = emu.cluster.get("v1", "Node", None, claim["status"]["nodeName"])
    fields = _fields(node)
    assert "f:agentpool" in fields[("kubelet", "")]["f:metadata"]["f:labels"]
    assert {"f:ownerReferences", "f:annotations"} <= set(fields[("karpenter", "")]["f:metadata"])
    assert "f:karpenter.sh/registered" in fields[("karpenter", "")]["f:metadata"]["f:labels"]
