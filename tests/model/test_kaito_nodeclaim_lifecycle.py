"""A KAITO NodeClaim's life as gpu-provisioner runs it (upstream: Azure/gpu-provisioner c09a56c0
pkg/providers/instance/instance.go Create, which holds the reconcile on the agent pool PUT and the node;
its vendored kubernetes-sigs/karpenter pkg/controllers/nodeclaim/lifecycle/controller.go, which writes
the status after the launch returns and finalizes a deleted NodeClaim through its node, and
pkg/controllers/node/termination/controller.go, which drains that node), and what `akscli model status`
says of a Workspace whose node is not Ready: its NodeClaim's state, from one list."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from akscli.kube import kaito_claims
from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.kaito import KAITO, WorkspaceController
from tests.model.test_kaito_node_conditions import _conditions, _workspace
from tests.model.test_kaito_nodeclaims import NODECLAIM, _claims, _Kube

Start = Callable[..., Any]


def _controller(emu: Any) -> WorkspaceController:
    return next(c for c in emu.controllers.controllers if isinstance(c, WorkspaceController))


def _touch(emu: Any, name: str = "ws") -> None:
    emu.cluster.patch(KAITO, "Workspace", "default", name, {"metadata": {"labels": {"touched": "yes"}}})
    emu.idle()


def _claim(name: str, *conditions: tuple[str, str, str, str]) -> dict[str, Any]:
    conds = [{"type": t, "status": s, "reason": r, "message": m} for t, s, r, m in conditions]
    return {"metadata": {"name": name}, "status": {"conditions": conds} if conds else {}}


def test_a_nodeclaim_whose_agent_pool_put_runs_has_its_finalizer_and_no_condition(model_emulator: Start) -> None:
    emu = model_emulator(failure="launching")
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    assert claim["metadata"]["finalizers"] == ["karpenter.sh/termination"]
    assert not (claim.get("status") or {}).get("conditions") and not emu.cluster.list("v1", "Node")


def test_kaito_says_ready_nodeclaims_are_not_enough_while_the_launch_runs(model_emulator: Start) -> None:
    # kaito-project/kaito pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go CollectNodeStatusInfo's default
    emu = model_emulator(failure="launching")
    emu.cluster.create(_workspace())
    emu.idle()
    conditions = _conditions(emu)
    for kind in ("NodeClaimReady", "ResourceReady"):
        got = conditions[kind]
        assert (got["status"], got["reason"], got["message"]) == (
            "False",
            "NodeClaimNotReady",
            "Ready NodeClaims are not enough",
        )


def test_a_nodeclaim_in_flight_launches_once_azure_answers(model_emulator: Start) -> None:
    emu = model_emulator(failure="launching")
    emu.cluster.create(_workspace())
    emu.idle()
    _controller(emu).failure = None
    _touch(emu)
    [claim] = _claims(emu)  # the same NodeClaim, no second one
    assert [c["status"] for c in claim["status"]["conditions"] if c["type"] == "Ready"] == ["True"]
    ws = emu.cluster.get(KAITO, "Workspace", "default", "ws")
    assert ws["status"]["workerNodes"] == [claim["status"]["nodeName"]]


def test_a_kaito_node_carries_karpenters_termination_finalizer(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    node = emu.cluster.get("v1", "Node", None, claim["status"]["nodeName"])
    assert node["metadata"]["finalizers"] == ["karpenter.sh/termination"]


def _blocking_budget(emu: Any) -> None:
    emu.cluster.create(
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "hold", "namespace": "default"},
            "spec": {"maxUnavailable": 0, "selector": {"matchLabels": {"kaito.sh/workspace": "ws"}}},
        }
    )


def test_a_deleted_nodeclaims_node_is_tainted_and_held_while_a_budget_refuses_its_drain(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    node_name = claim["status"]["nodeName"]
    _blocking_budget(emu)
    emu.idle()
    emu.cluster.delete(KAITO, "Workspace", "default", "ws")
    emu.idle()
    node = emu.cluster.get("v1", "Node", None, node_name)
    assert node is not None and node["metadata"].get("deletionTimestamp")
    assert {"key": "karpenter.sh/disrupted", "effect": "NoSchedule"} in node["spec"]["taints"]
    held = emu.cluster.get(*NODECLAIM, None, claim["metadata"]["name"])
    assert held is not None and held["metadata"].get("deletionTimestamp")


def test_a_deleted_nodeclaims_pods_are_evicted_before_its_node_goes(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    pod = emu.cluster.get("v1", "Pod", "default", "ws-0")
    assert pod["spec"]["nodeName"] == claim["status"]["nodeName"]
    emu.cluster.delete(KAITO, "Workspace", "default", "ws")
    emu.idle()
    evicted = [
        (e["reason"], e["message"])
        for e in emu.cluster.list("v1", "Event", "default")
        if (e.get("involvedObject") or {}).get("name") == "ws-0" and e.get("reason") == "Evicted"
    ]
    assert evicted == [("Evicted", "Evicted pod: Forceful Termination")]
    # the drain's next look (awaitDrain's RequeueAfter) finds the node drained
    assert wait_until(lambda: emu.cluster.get("v1", "Node", None, claim["status"]["nodeName"]) is None, timeout=5)


def _quick_drain(emu: Any) -> None:
    """gpu-provisioner's Karpenter's requeues at test speed (1 s and an eviction backoff from 100 ms upstream)."""
    _controller(emu).termination.requeue = 0.05
    _controller(emu).termination.evictions.base = 0.01


def _user_pod_on(emu: Any, node: str) -> None:
    """A pod of the user's, bound to ``node`` and held by a budget that allows no disruption (a
    Workspace's own pods go with their StatefulSet once KAITO lets the Workspace go)."""
    pod = {"nodeName": node, "containers": [{"name": "c", "image": "x:1"}]}
    md = {"name": "mine", "namespace": "default", "labels": {"app": "mine"}}
    emu.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": pod})
    emu.cluster.patch_status("v1", "Pod", "default", "mine", {"phase": "Running"})
    spec = {"maxUnavailable": 0, "selector": {"matchLabels": {"app": "mine"}}}
    budget = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "mine"}, "spec": spec}
    emu.cluster.create({**budget, "metadata": {"name": "mine", "namespace": "default"}})


def test_a_drain_a_budget_refused_is_tried_again_and_ends_once_the_budget_allows(model_emulator: Start) -> None:
    emu = model_emulator()
    _quick_drain(emu)
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    _user_pod_on(emu, claim["status"]["nodeName"])
    emu.idle()
    emu.cluster.delete(KAITO, "Workspace", "default", "ws")
    gone = lambda: emu.cluster.get(*NODECLAIM, None, claim["metadata"]["name"]) is None  # noqa: E731
    assert not wait_until(gone, timeout=0.5)
    emu.cluster.delete("policy/v1", "PodDisruptionBudget", "default", "mine")
    assert wait_until(gone, timeout=10)
    assert emu.cluster.get("v1", "Node", None, claim["status"]["nodeName"]) is None


def test_a_deleted_nodeclaims_node_goes_only_after_its_evicted_pods_have_terminated(model_emulator: Start) -> None:
    emu = model_emulator()
    _quick_drain(emu)
    emu.cluster.create(_workspace())
    emu.idle()
    [claim] = _claims(emu)
    node = claim["status"]["nodeName"]
    emu.api.pod_shutdown_seconds = 1.0  # the pod takes a second to stop once deleted
    order: list[str] = []
    emu.api.listeners.append(
        lambda typ, rt, obj, ctx: (
            order.append(f"{rt.kind}/{obj['metadata']['name']}")
            if typ == "DELETED" and rt.kind in ("Pod", "Node") and obj["metadata"]["name"] in ("ws-0", node)
            else None
        )
    )
    emu.cluster.delete(KAITO, "Workspace", "default", "ws")
    # The listeners hear a delete after the store has it: wait for both events, not the store.
    assert wait_until(lambda: len(order) >= 2, timeout=10)
    assert order[:2] == ["Pod/ws-0", f"Node/{node}"]
    assert emu.cluster.get("v1", "Node", None, node) is None


def test_model_status_names_the_nodeclaim_still_launching(model_emulator: Start) -> None:
    emu = model_emulator(failure="launching")
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    emu.idle()
    [claim] = _claims(emu)
    name = claim["metadata"]["name"]
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    [line] = [ln for ln in result.stdout.splitlines() if "NodeClaim" in ln and "launching" in ln]
    assert f"NodeClaim {name}: launching: gpu-provisioner is creating agent pool {name}" in line


def test_model_status_says_azures_refusal_from_the_nodeclaim(model_emulator: Start) -> None:
    emu = model_emulator(failure="quota")
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    emu.idle()
    [claim] = _claims(emu)
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert result.exit_code == 0, result
    said = json.loads(result.stdout)["nodeclaim"]
    assert said.startswith(f"NodeClaim {claim['metadata']['name']}: Azure refused its node: ")
    assert "vCPU quota exceeded" in said


def test_model_status_of_a_ready_workspace_shows_no_nodeclaim(model_emulator: Start) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    emu.idle()
    result = invoke("model", "status", "phi-4", "-o", "json")
    assert json.loads(result.stdout)["nodeclaim"] is None


class _CountingKube(_Kube):
    lists = 0

    def list(self, api_version: str, kind: str, **kwargs: Any) -> Any:
        self.lists += 1
        return super().list(api_version, kind, **kwargs)


def test_the_status_line_reads_the_nodeclaims_in_one_list_and_counts_those_not_ready() -> None:
    ready = ("Ready", "True", "Ready", "")
    kube = _CountingKube(
        _claim("wsaaaaaaaaa", ready),
        _claim(
            "wsbbbbbbbbb",
            ("Launched", "True", "Launched", ""),
            ("Initialized", "Unknown", "NodeNotReady", "Node status is NotReady"),
        ),
    )
    ws = {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": {"name": "ws", "namespace": "default"}}
    line = kaito_claims.status_line(kube, ws)  # type: ignore[arg-type]
    assert line == (
        "NodeClaim wsbbbbbbbbb: Initialized=Unknown (NodeNotReady): Node status is NotReady"
        " (1 of 2 NodeClaims not Ready)"
    )
    assert kube.lists == 1


def test_the_status_line_is_empty_when_every_nodeclaim_is_ready() -> None:
    kube = _Kube(_claim("wsaaaaaaaaa", ("Ready", "True", "Ready", "")))
    ws = {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": {"name": "ws", "namespace": "default"}}
    assert kaito_claims.status_line(kube, ws) is None  # type: ignore[arg-type]


def test_only_a_kaito_workspace_whose_resources_are_not_ready_has_its_nodeclaims_read() -> None:
    ws = {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": {"name": "ws"}}
    ready = {**ws, "status": {"conditions": [{"type": "ResourceReady", "status": "True"}]}}
    assert kaito_claims.nodes_pending(ws) and not kaito_claims.nodes_pending(ready)
    assert not kaito_claims.nodes_pending({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {}})
