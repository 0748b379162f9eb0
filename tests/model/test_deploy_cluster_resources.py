"""A pinned deploy counts a node as having room only where every resource the rendered pod
requests (GPUs, cpu, memory, ...) and a pod slot are left in its allocatable after what the pods
bound to it request, as kube-scheduler's NodeResourcesFit filter decides (upstream:
kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest; the pods'
requests as staging/src/k8s.io/component-helpers/resource/helpers.go PodRequests sums them).

phi-4 on one NC24ads_A100_v4 GPU renders a vLLM pod requesting 19 cpu and 176Gi memory
(model.runtime_values.pod_share); the test nodes have 95 cpu and 1850Gi allocatable, 110 pods."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import NC_A100, ND_H100, node
from tests.cli import invoke
from tests.model.test_deploy_cluster_room import a100, deployment_size

Start = Callable[..., Any]


def bound_pod(emu: Any, name: str, node_name: str, spec: dict[str, Any], phase: str = "Running") -> None:
    """A pod of another team bound to the node, holding no GPU."""
    if emu.cluster.get("v1", "Namespace", None, "team-a") is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "team-a"},
            "spec": {"nodeName": node_name, **spec},
            "status": {"phase": phase},
        }
    )


def asking(name: str = "app", **requests: str) -> dict[str, Any]:
    # an init container's name must differ from the containers' (validateInitContainers)
    return {"name": name, "image": "app", "resources": {"requests": requests}}


def deploy(*extra: str) -> Any:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", *extra, "-y")
    assert result.exit_code == 0, result
    return result


def a100_and_h100(emu: Any) -> None:
    emu.cluster.create(a100())
    emu.cluster.create(node("h100-0", size=ND_H100))


def test_a_node_with_a_free_gpu_but_no_free_cpu_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    bound_pod(emu, "batch", "a100-0", {"containers": [asking(cpu="80")]})  # 15 cpu left, 19 asked
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert f"no {NC_A100} node of the cluster can take the pods now (1 Insufficient cpu), and {ND_H100}" in (
        result.stderr
    )


def test_a_named_size_whose_nodes_lack_cpu_is_kept_with_a_warning_naming_cpu(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    bound_pod(emu, "batch", "a100-0", {"containers": [asking(cpu="80")]})
    result = deploy("--vm-size", NC_A100)
    assert deployment_size(emu) == NC_A100
    assert (
        f"warning: no {NC_A100} node of the cluster can take the pods now (1 Insufficient cpu): the pods "
        "stay Pending until one has room"
    ) in result.stderr


def test_a_node_with_a_free_gpu_but_no_free_memory_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    bound_pod(emu, "cache", "a100-0", {"containers": [asking(memory="1700Gi")]})  # 150Gi left, 176Gi asked
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 Insufficient memory)" in result.stderr


def test_a_limit_without_a_request_is_the_request(model_emulator: Start) -> None:
    # The API server sets requests from limits (pkg/apis/core/v1/defaults.go SetDefaults_Pod).
    emu = model_emulator()
    a100_and_h100(emu)
    bound_pod(
        emu,
        "batch",
        "a100-0",
        {"containers": [{"name": "app", "image": "app", "resources": {"limits": {"cpu": "80"}}}]},
    )
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 Insufficient cpu)" in result.stderr


def test_an_init_containers_request_is_a_floor_not_added_to_the_containers(model_emulator: Start) -> None:
    # max(init 50, containers 40) = 50 cpu held, 45 left: the pod fits; summed, 90 would not.
    emu = model_emulator()
    a100_and_h100(emu)
    spec = {"initContainers": [asking("init", cpu="50")], "containers": [asking(cpu="40")]}
    bound_pod(emu, "job", "a100-0", spec)
    result = deploy()
    assert deployment_size(emu) == NC_A100
    assert "can take the pods now" not in result.stderr


def test_an_init_container_larger_than_the_containers_holds_its_request(model_emulator: Start) -> None:
    # max(init 80, containers 1) = 80 cpu held, 15 left.
    emu = model_emulator()
    a100_and_h100(emu)
    bound_pod(emu, "job", "a100-0", {"initContainers": [asking("init", cpu="80")], "containers": [asking(cpu="1")]})
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 Insufficient cpu)" in result.stderr


def test_a_sidecar_is_added_to_the_containers(model_emulator: Start) -> None:
    # An init container with restartPolicy Always runs beside the containers: 40 + 40 = 80 held.
    emu = model_emulator()
    a100_and_h100(emu)
    sidecar = {**asking("proxy", cpu="40"), "restartPolicy": "Always"}
    bound_pod(emu, "mesh", "a100-0", {"initContainers": [sidecar], "containers": [asking(cpu="40")]})
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 Insufficient cpu)" in result.stderr


def test_a_finished_pod_holds_no_cpu(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    bound_pod(emu, "done", "a100-0", {"containers": [asking(cpu="90")]}, phase="Failed")
    result = deploy()
    assert deployment_size(emu) == NC_A100
    assert "can take the pods now" not in result.stderr


def test_pod_overhead_counts_against_the_node(model_emulator: Start) -> None:
    # 70 cpu of containers and 10 of RuntimeClass overhead: 80 held, 15 left (70 alone leaves 25).
    emu = model_emulator()
    a100_and_h100(emu)
    bound_pod(emu, "kata", "a100-0", {"containers": [asking(cpu="70")], "overhead": {"cpu": "10"}})
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 Insufficient cpu)" in result.stderr


def test_a_node_at_its_pod_limit_does_not_count(model_emulator: Start) -> None:
    emu = model_emulator()
    full = a100()
    full["status"]["allocatable"]["pods"] = "2"
    emu.cluster.create(full)
    emu.cluster.create(node("h100-0", size=ND_H100))
    for i in range(2):
        bound_pod(emu, f"small-{i}", "a100-0", {"containers": [asking(cpu="100m")]})
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 Too many pods)" in result.stderr


def test_a_node_too_small_for_the_pod_is_ruled_out_without_listing_its_pods(model_emulator: Start) -> None:
    emu = model_emulator()
    small = a100()
    small["status"]["allocatable"]["cpu"] = "8"
    emu.cluster.create(small)
    emu.cluster.create(node("h100-0", size=ND_H100))
    emu.record_requests = True
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 Insufficient cpu)" in result.stderr
    pod_lists = [r for r in emu.requests("GET", "/api/v1/pods") if "labelSelector" not in r.query]
    assert [r.query["fieldSelector"][0].split(",")[0] for r in pod_lists] == [
        "spec.nodeName=",  # the cluster's nominated pods, read once
        "spec.nodeName=h100-0",
        "spec.nodeName!=",  # InterPodAffinity: the first pages of every namespace's placed pods
    ]


def nominated_pod(emu: Any, name: str, node_name: str, priority: int) -> None:
    """A preemptor the scheduler nominated for the node, waiting for its victims to go."""
    if emu.cluster.get("v1", "Namespace", None, "team-a") is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    # The Priority admission plugin gives a pod its class's value and forbids another in spec.priority
    # (plugin/pkg/admission/priority/admission.go admitPod).
    klass = f"priority{priority}".replace("-", "minus")
    if emu.cluster.get("scheduling.k8s.io/v1", "PriorityClass", None, klass) is None:
        pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": klass}}
        emu.cluster.create({**pc, "value": priority})
    gpu = {"nvidia.com/gpu": "1"}
    container = {"name": "m", "image": "m", "resources": {"limits": gpu}}
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "team-a"},
            "spec": {"priorityClassName": klass, "containers": [container]},
            "status": {"phase": "Pending", "nominatedNodeName": node_name},
        }
    )


def test_a_gpu_nominated_for_a_waiting_pod_does_not_count_as_free(model_emulator: Start) -> None:
    # kube-scheduler adds the nominated pods of equal or higher priority to the node before its
    # filters (pkg/scheduler/framework/runtime/framework.go addGENominatedPods).
    emu = model_emulator()
    a100_and_h100(emu)
    nominated_pod(emu, "preemptor", "a100-0", 1000)
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 without 1 free GPU)" in result.stderr


def test_a_lower_priority_nominated_pod_leaves_the_node_free(model_emulator: Start) -> None:
    emu = model_emulator()
    a100_and_h100(emu)
    nominated_pod(emu, "batch", "a100-0", -10)
    result = deploy()
    assert deployment_size(emu) == NC_A100
    assert "can take the pods now" not in result.stderr


def test_a_nominated_pod_below_the_global_default_priority_leaves_the_node_free(model_emulator: Start) -> None:
    # The rendered pod names no priorityClassName: admission gives it the globalDefault class's
    # value (plugin/pkg/admission/priority/admission.go getDefaultPriority), here 1000, so a
    # preemptor of priority 500 is not added to the node before the filters.
    emu = model_emulator()
    a100_and_h100(emu)
    emu.cluster.create(
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "team-default"},
            "value": 1000,
            "globalDefault": True,
        }
    )
    nominated_pod(emu, "preemptor", "a100-0", 500)
    result = deploy()
    assert deployment_size(emu) == NC_A100
    assert "can take the pods now" not in result.stderr


def test_nominated_pods_past_the_first_page_count(model_emulator: Start, monkeypatch: Any) -> None:
    from akscli.model import cluster_room

    monkeypatch.setattr(cluster_room, "_NOMINATED_PAGE", 1)  # the preemptor is on the second page
    emu = model_emulator()
    a100_and_h100(emu)
    nominated_pod(emu, "another", "h100-0", 1000)
    nominated_pod(emu, "preemptor", "a100-0", 1000)
    result = deploy()
    assert deployment_size(emu) == ND_H100
    assert "(1 without 1 free GPU)" in result.stderr


def test_the_pod_weighed_is_the_rendered_vllm_pods_share_of_the_size() -> None:
    from akscli.model import catalog, cluster_fit, deploy, planning
    from akscli.model.runtime_values import pod_share

    m = catalog.get("phi-4")
    plan = planning.plan(m, runtime="vllm", context=4096)
    fit = planning.check_vm_size(plan, NC_A100)
    assert fit is not None
    req = deploy.DeployRequest(name="phi-4", namespace="ml", model=m, runtime="vllm", fit=fit, context=plan.context)
    resources = cluster_fit.rendered_pod(req)(fit)["containers"][0]["resources"]
    share = pod_share(NC_A100, fit.gpus)
    assert resources["requests"]["cpu"] == share["cpu_request"]
    assert resources["requests"]["memory"] == share["memory_request"]


def test_a_size_the_deploy_cannot_render_is_weighed_by_its_gpus() -> None:
    # A multi-node fit for akscli's one-node vLLM Deployment: the build refuses it (taking it
    # fails later with those words); the room check weighs its GPUs instead of failing here.
    from akscli.model import catalog, cluster_fit, deploy, planning

    m = catalog.get("phi-4")
    plan = planning.plan(m, runtime="vllm", context=4096)
    fit = planning.check_vm_size(plan, NC_A100)
    assert fit is not None
    req = deploy.DeployRequest(name="phi-4", namespace="ml", model=m, runtime="vllm", fit=fit, context=plan.context)
    two_nodes = fit._replace(nodes=2)
    assert cluster_fit.rendered_pod(req)(two_nodes) == cluster_fit.gpu_pod(two_nodes)
