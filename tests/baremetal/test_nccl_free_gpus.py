"""baremetal test nccl: the nodes its pods go to have the GPUs free and are Ready; the GPUs other
pods hold are counted, node by node, and a run no node can take is refused before anything is made."""

from __future__ import annotations

from typing import Any

from akscli import yamlio
from akscli.baremetal import nccl_nodes, nccl_pick
from akscli.errors import AuthError
from tests.cli import invoke
from tests.emulators.kube.controllers.gpu_pods import GpuPodController

from . import nodes as fx
from .conftest import add_nodes
from .growth import growable


def _holding(emu: Any, name: str, node: str, gpus: int, phase: str = "Running") -> None:
    """A workload pod bound to ``node`` that requests ``gpus`` GPUs."""
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "nodeName": node,
                "containers": [
                    {"name": "train", "image": "train:v1", "resources": {"limits": {"nvidia.com/gpu": str(gpus)}}}
                ],
            },
        }
    )
    emu.cluster.patch_status("v1", "Pod", "default", name, {"phase": phase})


def _bound_nodes(emu: Any) -> list[str]:
    pods = emu.cluster.list("v1", "Pod", namespace="default")
    return sorted(str(p["spec"].get("nodeName")) for p in pods if "akscli.io/nccl-run" in p["metadata"]["labels"])


def node_names(stdout: str, operator: str = "In") -> list[str] | None:
    """The node names the Job's pods are pinned to (In) or kept off (NotIn); None: not pinned."""
    (job,) = [d for d in yamlio.load_all(stdout) if d["kind"] == "Job"]
    node_affinity = job["spec"]["template"]["spec"]["affinity"].get("nodeAffinity")
    if node_affinity is None:
        return None
    # One value per node field requirement, as the API server demands (validateNodeFieldSelectorRequirement):
    # pinned is one term per node (ORed), kept off one term of NotIn requirements (ANDed).
    terms = node_affinity["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    fields = [field for term in terms for field in term["matchFields"]]
    if any(field["operator"] != operator for field in fields):
        return None
    assert operator == "In" or len(terms) == 1
    assert all(field["key"] == "metadata.name" and len(field["values"]) == 1 for field in fields)
    return [field["values"][0] for field in fields]


def _pinned(stdout: str) -> list[str] | None:
    return node_names(stdout, "In")


def test_a_node_not_ready_before_its_taint_is_named_and_no_pod_lands_on_it(kube_emulator: Any, kubeconfig: Any) -> None:
    # Ready=False, and the node lifecycle controller has not tainted it yet: the scheduler, which
    # reads taints, would take it. Before, the first pod landed on it.
    add_nodes(kube_emulator, [fx.node("aks-gpu-0", ready=False), fx.node("aks-gpu-1"), fx.node("aks-gpu-2")])
    kube_emulator.controllers.add(GpuPodController())
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--keep")
    assert result.exit_code == 0, result
    assert "warning: skipped 1 GPU node(s) the test pods cannot use: aks-gpu-0 (not ready)" in result.stderr
    assert _bound_nodes(kube_emulator) == ["aks-gpu-1", "aks-gpu-2"]


def test_the_pods_are_kept_to_the_nodes_chosen(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node("aks-gpu-0", ready=False), fx.node("aks-gpu-1"), fx.node("aks-gpu-2")])
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert _pinned(result.stdout) == ["aks-gpu-1", "aks-gpu-2"]


def test_gpus_other_pods_hold_are_counted_and_the_full_node_is_named(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(3)])
    _holding(kube_emulator, "train-0", "aks-gpu-0", 8)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "aks-gpu-0 (8 of 8 GPUs in use)" in result.stderr
    assert _pinned(result.stdout) == ["aks-gpu-1", "aks-gpu-2"]


def test_a_finished_pods_gpus_are_free(kube_emulator: Any, kubeconfig: Any) -> None:
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(2)])
    _holding(kube_emulator, "train-0", "aks-gpu-0", 8, phase="Succeeded")
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert _pinned(result.stdout) == ["aks-gpu-0", "aks-gpu-1"]
    assert "warning" not in result.stderr


def test_no_node_with_enough_free_gpus_is_refused_before_anything_is_made(kube_emulator: Any, kubeconfig: Any) -> None:
    # Before: the run was made and its pods waited for the timeout (30 minutes by default).
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(2)])
    _holding(kube_emulator, "train-0", "aks-gpu-0", 4)
    _holding(kube_emulator, "train-1", "aks-gpu-1", 1)
    kube_emulator.request_log.clear()
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 8, result
    [line, hint] = result.stderr.strip().splitlines()[-2:]
    assert line == (
        f"error: none of the 2 GPU node(s) of size {fx.ND_H100} can take a test pod with 8 GPU(s): "
        "aks-gpu-0 (4 of 8 GPUs in use), aks-gpu-1 (1 of 8 GPUs in use)"
    )
    assert hint.startswith("hint: wait for the pods that hold the GPUs to finish")
    assert kube_emulator.requests(method="POST") == [] and kube_emulator.requests(method="PATCH") == []


def test_fewer_free_nodes_than_asked_keeps_the_pods_off_the_nodes_passed_over(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    # The cluster autoscaler adds nodes for pods that wait: pinned to today's nodes, they never
    # could; kept off the full one, the free node and any new node can take them. Before: not
    # pinned at all, so a node not Ready yet untainted could take one.
    add_nodes(kube_emulator, growable(kube_emulator, [fx.node(f"aks-gpu-{i}") for i in range(2)]))
    _holding(kube_emulator, "train-0", "aks-gpu-0", 8)
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    assert "1 GPU node(s) can take a test pod and 2 are asked for" in result.stderr
    assert (
        "the pods are kept off the 1 GPU node(s) passed over; the other 1 pod(s) wait for new nodes until the "
        "timeout (1800s)" in result.stderr
    )
    assert _pinned(result.stdout) is None
    assert node_names(result.stdout, "NotIn") == ["aks-gpu-0"]


def test_pods_are_read_node_by_node_only_until_enough_nodes_are_found(kube_emulator: Any, kubeconfig: Any) -> None:
    # One paginated read per node chosen (field selector spec.nodeName), never a list of every pod.
    add_nodes(kube_emulator, [fx.node(f"aks-gpu-{i:02d}") for i in range(12)])
    _holding(kube_emulator, "train-0", "aks-gpu-00", 8)
    kube_emulator.request_log.clear()
    result = invoke("baremetal", "test", "nccl", "--nodes", "2", "--dry-run=server")
    assert result.exit_code == 0, result
    pod_reads = [r for r in kube_emulator.requests(method="GET", path="/pods") if r.verb == "list"]
    selectors = sorted(r.query["fieldSelector"][0] for r in pod_reads)
    active = "status.phase!=Succeeded,status.phase!=Failed"
    # three reads to choose, then the two chosen read again just before the Job is made
    assert selectors == sorted(f"spec.nodeName=aks-gpu-{i:02d},{active}" for i in (0, 1, 2, 1, 2))
    assert all(r.query["limit"] == ["500"] for r in pod_reads)
    assert _pinned(result.stdout) == ["aks-gpu-01", "aks-gpu-02"]


class _NoPodAccess:
    """A Kube whose user may not list pods in every namespace (the API server's 403)."""

    def list(self, *_args: Any, **_kw: Any) -> Any:
        raise AuthError('pods is forbidden: User "dev" cannot list resource "pods" at the cluster scope')


def test_a_user_who_cannot_list_pods_gets_the_usable_nodes_and_is_told() -> None:
    nodes = nccl_nodes.SizeNodes(gpu_nodes=3, usable=3, candidates=[("a", 8), ("b", 8), ("c", 8)])
    pins = nccl_pick.pick(
        _NoPodAccess(),  # type: ignore[arg-type]
        nodes,
        nccl_pick.Want(gpus_per_node=8, wanted=2, where="GPU node(s)", timeout_s=60),
    )
    assert pins.chosen == ["a", "b"]
    assert pins.warnings == ["cannot list pods in every namespace: GPUs already in use on the nodes are not counted"]
