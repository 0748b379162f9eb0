"""A rolling update whose new pod waits for the GPU its old pod holds says so, and names the ways
out in akscli's and kubectl's words: a rollback, or a node more in the pool.

A Deployment's default RollingUpdate keeps one replica's old pod until the new one is available
(kubernetes/kubernetes pkg/apis/apps/v1/defaults.go SetDefaults_Deployment: 25%/25%, which
pkg/controller/deployment/util/deployment_util.go ResolveFenceposts turns into maxUnavailable 0,
maxSurge 1 for one replica). AI Runway's vllm provider sets no strategy (ai-runway/airunway
b0d3fb77 providers/vllm/transformer.go buildDeployment), so on a full pool its new pod stays
Pending while the old one holds the GPU (akscli.kube.rollout_room)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli.kube import pod_problems, rollout_room
from tests.emulators.kube.apiserver import wait_until
from tests.model.test_airunway_rolling import rollout
from tests.model.test_airunway_rollout_wait import NEW_IMAGE, deploy, deployed, unschedulable
from tests.model.test_deploy_cluster_room import a100

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
GPU = "nvidia.com/gpu"
SHORT = "0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes are available"


def test_a_stalled_rollout_whose_old_pod_holds_the_gpu_says_so_and_names_the_rollback(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.create(a100())
    deployed(emu)
    assert deploy("--image", NEW_IMAGE).exit_code == 0
    assert wait_until(lambda: rollout(emu).message == "1 old replicas pending termination", timeout=10)
    assert wait_until(lambda: unschedulable(emu), timeout=10)
    [old] = [
        p["metadata"]["name"]
        for p in emu.cluster.list("v1", "Pod", "default")
        if p["metadata"]["name"].startswith("phi-4-") and p["spec"].get("nodeName")
    ]
    result = deploy("--image", NEW_IMAGE, "--wait", "--timeout", "3s")
    assert result.exit_code == 5, result
    error, hint = result.stderr.splitlines()[-2:]
    assert error.endswith(
        f"; the old pod {old} (the previous configuration) holds the nvidia.com/gpu it needs on node a100-0, "
        "and the rolling update stops the old pod only once the new one is ready"
    )
    assert hint == (
        "hint: roll back with 'akscli model rollback phi-4 -n default' (the old pod keeps serving), or add a "
        "node to pool gpu for the new pod ('akscli nodepool scale gpu --cluster CLUSTER -g GROUP --count N', "
        "N one more than now); nothing was rolled back"
    )


class _Kube:
    """The pods and nodes rollout_room reads: one list by label, one node by name."""

    namespace = "default"

    def __init__(self, pods: list[dict[str, Any]], nodes: dict[str, dict[str, Any]]) -> None:
        self.pods, self.nodes, self.selectors = pods, nodes, []
        self.gets: list[str] = []

    def list(self, api_version: str, kind: str, *, namespace: str, label_selector: str | None) -> Any:
        self.selectors.append(label_selector)
        return iter(self.pods)

    def get(self, api_version: str, kind: str, name: str) -> dict[str, Any] | None:
        self.gets.append(name)
        return self.nodes.get(name)


def _pod(name: str, template: str, node: str | None = None, selector: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {"app": "llm", "pod-template-hash": template},
            "ownerReferences": [{"kind": "ReplicaSet", "name": f"llm-{template}"}],
        },
        "spec": {
            "nodeName": node,
            "nodeSelector": selector or {},
            "containers": [{"name": "main", "resources": {"limits": {GPU: "1"}}}],
        },
        "status": {"phase": "Running" if node else "Pending"},
    }


def _node(pool: str, size: str = "Standard_NC24ads_A100_v4") -> dict[str, Any]:
    labels = {"kubernetes.azure.com/agentpool": pool, "node.kubernetes.io/instance-type": size}
    return {"metadata": {"labels": labels}}


def _trouble(pod: dict[str, Any], message: str = SHORT) -> pod_problems.Problem:
    return pod_problems.Problem(
        pod_problems.UNSCHEDULABLE, pod["metadata"]["name"], "Unschedulable", message, "default", source=pod
    )


def test_a_plain_deployment_is_rolled_back_with_kubectl_rollout_undo() -> None:
    new = _pod("llm-b-1", "b")
    kube = _Kube([_pod("llm-a-1", "a", "n1"), new], {"n1": _node("gpu")})
    said = rollout_room.held_by_old_pod(kube, _trouble(new), {"metadata": {"labels": {}}})
    assert said is not None
    assert said[1].startswith("roll back with 'kubectl rollout undo deployment/llm -n default'")
    assert kube.selectors == ["app=llm"]  # the Deployment's pods of every template


def test_an_old_pod_on_a_node_the_new_pod_cannot_use_is_not_blamed() -> None:
    size = {"node.kubernetes.io/instance-type": "Standard_ND96asr_v4"}
    new = _pod("llm-b-1", "b", selector=size)
    kube = _Kube([_pod("llm-a-1", "a", "n1", selector=size), new], {"n1": _node("gpu")})
    assert rollout_room.held_by_old_pod(kube, _trouble(new), None) is None


def test_a_pod_short_of_what_the_old_pod_does_not_hold_is_not_blamed_on_it() -> None:
    new = _pod("llm-b-1", "b")
    trouble = _trouble(new, "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available")
    kube = _Kube([_pod("llm-a-1", "a", "n1"), new], {"n1": _node("gpu")})
    assert rollout_room.held_by_old_pod(kube, trouble, None) is None


def test_the_short_resources_are_read_from_the_fit_filter_not_from_preemption() -> None:
    message = (
        "0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient nvidia.com/gpu. preemption: "
        "0/3 nodes are available: 3 Insufficient memory."
    )
    assert rollout_room.short_resources(message) == {"cpu", GPU}


def test_the_old_pods_nodes_are_read_once_each_and_ten_at_most() -> None:
    # Before: a GET per old pod, 60 here: the new template asks for another size than the old pods run on.
    size = {"node.kubernetes.io/instance-type": "Standard_ND96asr_v4"}
    new = _pod("llm-b-1", "b", selector=size)
    old = [_pod(f"llm-a-{i}", "a", f"n{i % 30}") for i in range(60)]
    kube = _Kube([*old, new], {f"n{i}": _node("gpu") for i in range(30)})
    assert rollout_room.held_by_old_pod(kube, _trouble(new), None) is None
    assert kube.gets == [f"n{i}" for i in range(rollout_room.NODE_READS)]


def _terminating(pod: dict[str, Any], by: str = "2026-12-07T17:00:30Z") -> dict[str, Any]:
    pod["metadata"].update({"deletionTimestamp": by, "deletionGracePeriodSeconds": 30})
    return pod


def test_a_terminating_old_pod_is_waited_for_not_rolled_back() -> None:
    # A deploy right after another: the pod before last still stops, and holds the GPU the new pod needs.
    new = _pod("llm-c-1", "c")
    kube = _Kube([_terminating(_pod("llm-a-1", "a", "n1")), new], {"n1": _node("gpu")})
    said = rollout_room.held_by_old_pod(kube, _trouble(new), {"metadata": {"labels": {"akscli.io/model": "llm"}}})
    assert said == (
        "; the old pod llm-a-1 is terminating and holds the nvidia.com/gpu it needs on node n1 until it stops "
        "(by 2026-12-07T17:00:30Z, grace period 30s); the scheduler places the new pod once it is gone",
        "wait for it: raise --timeout to reach past 2026-12-07T17:00:30Z",
    )


def test_a_rollbacks_pod_waits_for_the_terminating_pod_of_its_own_template_first() -> None:
    # The rollback to revision 1 reuses revision 1's ReplicaSet (template "a"): the pod it replaced still
    # stops on n1, and revision 2's pod runs on n2. The first goes by itself; the hint says to wait for it.
    new = _pod("llm-a-2", "a")
    pods = [_pod("llm-b-1", "b", "n2"), _terminating(_pod("llm-a-1", "a", "n1")), new]
    kube = _Kube(pods, {"n1": _node("gpu"), "n2": _node("gpu")})
    said = rollout_room.held_by_old_pod(kube, _trouble(new), None)
    assert said is not None
    assert said[0].startswith("; the old pod llm-a-1 is terminating") and said[1].startswith("wait for it")
    assert kube.gets == ["n2", "n1"]
