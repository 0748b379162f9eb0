"""A pinned deploy (nodeSelector node.kubernetes.io/instance-type) counts a VM size only where a
node of it can take the pods now, as the kube-scheduler's filters decide (not cordoned, Ready, no
NoSchedule/NoExecute taint the pods do not tolerate, enough nvidia.com/gpu not requested by the
pods bound to it), and learns it with a bounded number of requests whatever the cluster's size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import NC_A100, ND_H100, node
from tests.cli import invoke

Start = Callable[..., Any]
NC40_H100 = "Standard_NC40ads_H100_v5"  # a fit for phi-4 cheaper than ND_H100


def deployment_size(emu: Any) -> str:
    dep = emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")
    return str(dep["spec"]["template"]["spec"]["nodeSelector"]["node.kubernetes.io/instance-type"])


def a100(name: str = "a100-0", **kw: Any) -> dict[str, Any]:
    return node(name, size=NC_A100, gpus=1, **kw)


def gpu_pod(emu: Any, name: str, node_name: str, gpus: int, phase: str = "Running") -> None:
    """A pod bound to a node holding GPUs, in another namespace than the deploy's, as KAITO's
    Workspace pods hold every GPU of their node."""
    if emu.cluster.get("v1", "Namespace", None, "team-a") is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    emu.cluster.create(_pod(name, node_name, gpus, phase))


def _pod(name: str, node_name: str, gpus: int, phase: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "team-a"},
        "spec": {
            "nodeName": node_name,
            "containers": [{"name": "model", "image": "kaito", "resources": {"limits": {"nvidia.com/gpu": str(gpus)}}}],
        },
        "status": {"phase": phase},
    }


def deploy(*extra: str) -> Any:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", *extra, "-y")
    assert result.exit_code == 0, result
    return result


def test_a_cheaper_size_past_the_first_500_fitting_nodes_is_found(model_emulator: Start) -> None:
    # 501 nodes of the dearest fitting size sort first; one page of 500 over every fitting size
    # saw only those.
    emu = model_emulator()
    for i in range(501):
        emu.cluster.create(node(f"a-h100-{i:03d}", size=ND_H100))
    emu.cluster.create(node("z-nc40-0", size=NC40_H100, gpus=1))
    result = deploy()
    assert deployment_size(emu) == NC40_H100
    assert f"{NC40_H100} nodes have room for the pods" in result.stderr


def test_a_cordoned_node_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    cordoned = a100()
    cordoned["spec"]["unschedulable"] = True
    emu.cluster.create(cordoned)
    emu.cluster.create(node("h100-0", size=ND_H100))
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"every {NC_A100} node of the cluster is cordoned, and {ND_H100} nodes have room" in result.stderr


def test_a_not_ready_node_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100(ready=False))
    emu.cluster.create(node("h100-0", size=ND_H100))
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 not Ready)" in result.stderr


def test_a_node_whose_gpus_are_all_requested_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    gpu_pod(emu, "ws-a100-0", "a100-0", 1)
    emu.cluster.create(node("h100-0", size=ND_H100))
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 without 1 free GPU)" in result.stderr


def test_a_finished_pod_holds_no_gpus(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    gpu_pod(emu, "done", "a100-0", 1, phase="Succeeded")
    emu.cluster.create(node("h100-0", size=ND_H100))
    result = deploy()
    assert deployment_size(emu) == NC_A100
    assert "can take the pods now" not in result.stderr


def test_a_taint_the_pods_do_not_tolerate_keeps_the_node_out(model_emulator: Start) -> None:
    emu = model_emulator()
    tainted = a100()
    tainted["spec"]["taints"] = [{"key": "dedicated", "value": "training", "effect": "NoSchedule"}]
    emu.cluster.create(tainted)
    emu.cluster.create(node("h100-0", size=ND_H100))
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "1 tainted dedicated=training:NoSchedule, which the pods do not tolerate" in result.stderr


def test_kaitos_sku_gpu_taint_and_a_prefer_no_schedule_taint_keep_the_node(model_emulator: Start) -> None:
    # KAITO's nodes carry sku=gpu:NoSchedule (kaito-project/kaito pkg/utils/nodeclaim/nodeclaim.go),
    # which the pods tolerate (kinds.GPU_TOLERATIONS); PreferNoSchedule only scores.
    emu = model_emulator()
    kaito_node = a100()
    kaito_node["spec"]["taints"] = [
        {"key": "sku", "value": "gpu", "effect": "NoSchedule"},
        {"key": "spare", "effect": "PreferNoSchedule"},
    ]
    emu.cluster.create(kaito_node)
    emu.cluster.create(node("h100-0", size=ND_H100))
    result = deploy()
    assert deployment_size(emu) == NC_A100
    assert "can take the pods now" not in result.stderr


def test_a_named_size_whose_nodes_are_busy_is_kept_with_a_warning(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    gpu_pod(emu, "ws-a100-0", "a100-0", 1)
    emu.cluster.create(node("h100-0", size=ND_H100))
    result = deploy("--vm-size", NC_A100)
    assert deployment_size(emu) == NC_A100
    assert (
        f"warning: no {NC_A100} node of the cluster can take the pods now (1 without 1 free GPU): the pods "
        "stay Pending until one has room or a node of that size joins"
    ) in result.stderr


def busy_nodes(emu: Any, size: str, gpus: int, count: int) -> None:
    for i in range(count):
        name = f"{size[-12:].lower().replace('_', '-')}-{i:02d}"
        emu.cluster.create(node(name, size=size, gpus=gpus))
        gpu_pod(emu, f"ws-{name}", name, gpus)


def test_many_busy_nodes_of_the_plans_size_leave_requests_to_find_another_size(model_emulator: Start) -> None:
    emu = model_emulator()
    busy_nodes(emu, NC_A100, 1, 30)
    emu.cluster.create(node("z-h100-0", size=ND_H100))
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (3 without 1 free GPU, more not checked)" in (
        result.stderr
    )


def test_requests_stay_bounded_on_a_cluster_of_busy_nodes(model_emulator: Start) -> None:
    emu = model_emulator()
    for size, gpus in ((NC_A100, 1), (NC40_H100, 1), (ND_H100, 8)):
        busy_nodes(emu, size, gpus, 30)
    emu.record_requests = True
    result = deploy()
    assert deployment_size(emu) == NC_A100
    node_reads = emu.requests("GET", "/api/v1/nodes")
    pod_reads = emu.requests("GET", "/api/v1/pods")
    nominated = [r for r in pod_reads if r.query["fieldSelector"] == ["spec.nodeName=,status.nominatedNodeName!="]]
    assert len(nominated) == 1
    assert len(pod_reads) == 10
    assert all(r.query["fieldSelector"][0].startswith("spec.nodeName=") for r in pod_reads if r not in nominated)
    assert all(r.query["limit"] == ["20"] for r in node_reads)
    fitting_sizes = len({r.query["labelSelector"][0] for r in node_reads})
    assert len(node_reads) == fitting_sizes
    assert "more not checked" in result.stderr
