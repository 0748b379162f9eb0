"""The emulator's workload controllers place pods as kube-scheduler's default filters would
(tests/emulators/kube/controllers/scheduling.py names the upstream files), so a manifest that a
real cluster would leave Pending is Pending here too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.scheduling import pod_requests
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_controllers import job

GPU_TAINT = {"key": "sku", "value": "gpu", "effect": "NoSchedule"}
GPU_TOLERATION = {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}


def node(name: str, gpus: int = 0, labels: dict[str, str] | None = None, unschedulable: bool = False) -> dict[str, Any]:
    allocatable = {"cpu": "7860m", "memory": "28000000Ki", "pods": "110"}
    if gpus:
        allocatable["nvidia.com/gpu"] = str(gpus)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": {"taints": [GPU_TAINT] if gpus else [], **({"unschedulable": True} if unschedulable else {})},
        "status": {"allocatable": allocatable, "capacity": dict(allocatable)},
    }


def gpu_deployment(name: str, replicas: int = 1, gpus: int = 1, tolerate: bool = True) -> dict[str, Any]:
    d = deployment(name, replicas=replicas)
    spec = d["spec"]["template"]["spec"]
    spec["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": str(gpus)}}
    if tolerate:
        spec["tolerations"] = [GPU_TOLERATION]
    return d


def gpu_job(name: str) -> dict[str, Any]:
    """A Job of one pod that asks for one GPU and tolerates no taint."""
    job = deployment(name, replicas=1)
    job.update({"apiVersion": "batch/v1", "kind": "Job"})
    spec = job["spec"]
    del spec["replicas"], spec["selector"]
    spec["template"]["spec"]["restartPolicy"] = "Never"
    spec["template"]["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": "1"}}
    return job


def pods(emu: KubeEmulator, app: str) -> list[dict[str, Any]]:
    return emu.cluster.list("v1", "Pod", "default", label_selector=f"app={app}")


def pending_message(emu: KubeEmulator, app: str) -> str:
    assert wait_until(
        lambda: any(p["status"].get("phase") == "Pending" and p["status"].get("conditions") for p in pods(emu, app))
    )
    pod = next(p for p in pods(emu, app) if p["status"].get("phase") == "Pending" and p["status"].get("conditions"))
    return str(pod["status"]["conditions"][0]["message"])


def seed(emu: KubeEmulator, *nodes: dict[str, Any]) -> None:
    for n in nodes:
        emu.cluster.create(n)


def test_a_gpu_pod_without_the_aks_gpu_taint_toleration_stays_pending(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"), node("gpu-0", gpus=8))
    kube_emulator.cluster.create(gpu_deployment("llm", tolerate=False))
    assert pending_message(kube_emulator, "llm") == (
        "0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint {sku: gpu}. "
        "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, "
        "1 Preemption is not helpful for scheduling."
    )


def test_a_pending_pod_gets_a_failed_scheduling_event_with_the_schedulers_words(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("gpu-0", gpus=8))
    kube_emulator.cluster.create(gpu_deployment("llm", tolerate=False))
    message = pending_message(kube_emulator, "llm")
    # The event follows the pod's creation, as the scheduler records it after its status update.
    assert wait_until(
        lambda: any(
            e["reason"] == "FailedScheduling" and e["message"] == message
            for e in kube_emulator.cluster.list("v1", "Event", "default")
        )
    )


def test_a_gpu_pod_that_tolerates_the_taint_runs_on_a_gpu_node(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"), node("gpu-0", gpus=8))
    kube_emulator.cluster.create(gpu_deployment("llm"))
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(kube_emulator, "llm")] == ["gpu-0"])
    assert pods(kube_emulator, "llm")[0]["status"]["phase"] == "Running"


def test_replicas_beyond_the_free_gpus_stay_pending_for_insufficient_gpus(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("gpu-0", gpus=2))
    kube_emulator.cluster.create(gpu_deployment("llm", replicas=3))
    assert wait_until(lambda: len(pods(kube_emulator, "llm")) == 3)
    phases = sorted(p["status"]["phase"] for p in pods(kube_emulator, "llm"))
    assert phases == ["Pending", "Running", "Running"]
    assert pending_message(kube_emulator, "llm").startswith("0/1 nodes are available: 1 Insufficient nvidia.com/gpu.")


def test_a_node_selector_no_node_matches_leaves_the_pod_pending(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"))
    d = deployment("web", replicas=1)
    d["spec"]["template"]["spec"]["nodeSelector"] = {"agentpool": "gpu"}
    kube_emulator.cluster.create(d)
    assert pending_message(kube_emulator, "web").startswith(
        "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector."
    )


def test_required_node_affinity_picks_the_matching_node(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a", labels={"pool": "x"}), node("b", labels={"pool": "y"}))
    d = deployment("web", replicas=2)
    d["spec"]["template"]["spec"]["affinity"] = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", "operator": "In", "values": ["y"]}]}]
            }
        }
    }
    kube_emulator.cluster.create(d)
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(kube_emulator, "web")] == ["b", "b"])


def test_a_node_without_allocatable_pods_takes_no_pod(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/fit.go
    # fitsRequest reads a missing allocatable pods as 0.
    bare = node("cpu-0")
    del bare["status"]["allocatable"]["pods"]
    seed(kube_emulator, bare)
    kube_emulator.cluster.create(deployment("web"))
    assert pending_message(kube_emulator, "web").startswith("0/1 nodes are available: 1 Too many pods.")


def test_a_cordoned_node_takes_no_new_pods(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a", unschedulable=True))
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert pending_message(kube_emulator, "web").startswith("0/1 nodes are available: 1 node(s) were unschedulable.")


def test_a_workloads_pods_spread_over_the_feasible_nodes(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a"), node("b"))
    kube_emulator.cluster.create(deployment("web", replicas=2))
    assert wait_until(lambda: sorted(p["spec"].get("nodeName") for p in pods(kube_emulator, "web")) == ["a", "b"])


def assert_no_nodes_pending(emu: KubeEmulator, pod: dict[str, Any]) -> None:
    """kube-scheduler's answer on a cluster with no Node (upstream: kubernetes/kubernetes
    pkg/scheduler/schedule_one.go ErrNoNodesAvailable): Pending, PodScheduled False Unschedulable,
    a FailedScheduling event; no kubelet runs the pod, so it is not Ready (pkg/kubelet/status/generate.go)."""
    [scheduled] = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert (pod["status"]["phase"], scheduled["status"], scheduled["reason"]) == ("Pending", "False", "Unschedulable")
    assert scheduled["message"] == "no nodes available to schedule pods"
    assert not pod["spec"].get("nodeName") and not pod["status"].get("containerStatuses")
    assert all(c["status"] != "True" for c in pod["status"]["conditions"] if c["type"] == "Ready")
    events = [
        e for e in emu.cluster.list("v1", "Event", "default") if e["involvedObject"]["name"] == pod["metadata"]["name"]
    ]
    assert [(e["reason"], e["message"]) for e in events] == [("FailedScheduling", scheduled["message"])]


def test_a_deployment_pod_on_a_cluster_with_no_node_stays_pending_until_one_comes(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert wait_until(lambda: len(pods(kube_emulator, "web")) == 1)
    assert kube_emulator.idle()
    assert_no_nodes_pending(kube_emulator, pods(kube_emulator, "web")[0])
    status = (kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") or {})["status"]
    assert (status["readyReplicas"], status["unavailableReplicas"]) == (0, 1)
    assert {c["type"]: c["reason"] for c in status["conditions"]}["Available"] == "MinimumReplicasUnavailable"
    seed(kube_emulator, node("aks-system-0"))  # the Rescheduler binds the pod: its kubelet runs it
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") or {})["status"]["readyReplicas"] == 1
        )
    )
    assert pods(kube_emulator, "web")[0]["spec"]["nodeName"] == "aks-system-0"


def test_a_job_pod_on_a_cluster_with_no_node_stays_pending_until_one_comes(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(job("once"))

    def job_status() -> dict[str, Any]:
        return dict((kube_emulator.cluster.get("batch/v1", "Job", "default", "once") or {}).get("status") or {})

    assert wait_until(lambda: job_status().get("active") == 1)
    assert kube_emulator.idle()
    [pod] = kube_emulator.cluster.list("v1", "Pod", "default", "job-name=once")
    assert_no_nodes_pending(kube_emulator, pod)
    status = job_status()
    assert (status["active"], status["ready"], status.get("succeeded", 0), status.get("conditions")) == (1, 0, 0, None)
    seed(kube_emulator, node("aks-system-0"))
    assert wait_until(lambda: any(c["type"] == "Complete" for c in job_status().get("conditions") or []))
    assert job_status()["succeeded"] == 1


def test_a_daemonset_skips_nodes_whose_taints_its_pods_do_not_tolerate(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"), node("gpu-0", gpus=8))
    ds = deployment("agent")
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    kube_emulator.cluster.create(ds)
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("apps/v1", "DaemonSet", "default", "agent") or {})
            .get("status", {})
            .get("numberReady")
            == 1
        )
    )
    status = kube_emulator.cluster.get("apps/v1", "DaemonSet", "default", "agent")["status"]  # type: ignore[index]
    assert status["desiredNumberScheduled"] == 1
    assert [p["spec"]["nodeName"] for p in pods(kube_emulator, "agent")] == ["cpu-0"]


def test_a_daemonset_runs_on_a_cordoned_node_as_its_implicit_toleration_allows(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a", unschedulable=True))
    ds = deployment("agent")
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    ds["spec"]["template"]["spec"]["tolerations"] = []
    kube_emulator.cluster.create(ds)
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(kube_emulator, "agent")] == ["a"])


def test_a_node_given_the_label_a_daemonset_selects_later_gets_its_pod(kube_emulator: KubeEmulator) -> None:
    """The DaemonSet controller follows nodes (daemon_controller.go addNode, updateNode)."""
    seed(kube_emulator, node("a", labels={"role": "agent"}), node("b"))
    ds = deployment("agent")
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    ds["spec"]["template"]["spec"]["nodeSelector"] = {"role": "agent"}
    kube_emulator.cluster.create(ds)
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(kube_emulator, "agent")] == ["a"])
    kube_emulator.cluster.patch("v1", "Node", None, "b", {"metadata": {"labels": {"role": "agent"}}})
    assert wait_until(lambda: sorted(p["spec"].get("nodeName") for p in pods(kube_emulator, "agent")) == ["a", "b"])

    # The controller writes its status after it made (and placed) the pod: waited for, not read once.
    def status() -> dict[str, Any]:
        return dict((kube_emulator.cluster.get("apps/v1", "DaemonSet", "default", "agent") or {})["status"])

    assert wait_until(lambda: status()["desiredNumberScheduled"] == 2), status()


def test_a_job_whose_pods_cannot_be_placed_never_completes(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(gpu_job("bench"))
    assert pending_message(kube_emulator, "bench").startswith("0/1 nodes are available: 1 Insufficient nvidia.com/gpu.")
    # The Job's status is written after its pods are created.
    assert wait_until(
        lambda: (
            "active" in ((kube_emulator.cluster.get("batch/v1", "Job", "default", "bench") or {}).get("status") or {})
        )
    )
    status = kube_emulator.cluster.get("batch/v1", "Job", "default", "bench")["status"]  # type: ignore[index]
    assert status["active"] == 1 and status["ready"] == 0 and "conditions" not in status


def test_pod_requests_take_the_largest_init_container_and_add_sidecars_and_overhead() -> None:
    spec = {
        "containers": [{"resources": {"requests": {"cpu": "1"}}}, {"resources": {"limits": {"cpu": "500m"}}}],
        "initContainers": [
            {"resources": {"requests": {"cpu": "3"}}},
            {"restartPolicy": "Always", "resources": {"requests": {"cpu": "250m"}}},
        ],
        "overhead": {"cpu": "100m"},
    }
    # containers 1.5 + sidecar 0.25 = 1.75 < first init container 3; then overhead.
    assert pod_requests(spec)["cpu"] == Decimal("3.1")


def conditions(emu: KubeEmulator, name: str) -> dict[str, dict[str, Any]]:
    obj = emu.cluster.get("apps/v1", "Deployment", "default", name) or {}
    return {c["type"]: c for c in (obj.get("status") or {}).get("conditions") or []}


def test_a_deployment_whose_only_pod_is_pending_is_not_available(kube_emulator: KubeEmulator) -> None:
    # One replica, maxUnavailable 25% rounds down to 0: no pod may be missing
    # (kubernetes/kubernetes pkg/controller/deployment/util/deployment_util.go MaxUnavailable).
    seed(kube_emulator, node("cpu-0"))
    kube_emulator.cluster.create(gpu_deployment("llm"))
    assert wait_until(lambda: "Available" in conditions(kube_emulator, "llm"))
    conds = conditions(kube_emulator, "llm")
    assert (conds["Available"]["status"], conds["Available"]["reason"]) == ("False", "MinimumReplicasUnavailable")
    assert conds["Progressing"]["reason"] != "NewReplicaSetAvailable"


def test_a_deployment_missing_no_more_pods_than_max_unavailable_is_available(kube_emulator: KubeEmulator) -> None:
    # Four replicas on one 3-GPU node: 3 run, and 25% of 4 is 1 pod allowed to be missing.
    seed(kube_emulator, node("gpu-0", gpus=3))
    kube_emulator.cluster.create(gpu_deployment("llm", replicas=4))
    assert wait_until(lambda: conditions(kube_emulator, "llm").get("Available", {}).get("status") == "True")
    assert conditions(kube_emulator, "llm")["Progressing"]["reason"] == "ReplicaSetUpdated"


def test_a_deployment_with_every_replica_available_has_progressed(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("gpu-0", gpus=8))
    kube_emulator.cluster.create(gpu_deployment("llm", replicas=2))
    assert wait_until(
        lambda: conditions(kube_emulator, "llm").get("Progressing", {}).get("reason") == "NewReplicaSetAvailable"
    )
    assert conditions(kube_emulator, "llm")["Available"]["status"] == "True"


def test_pod_level_requests_replace_the_containers_cpu_and_memory() -> None:
    # upstream: kubernetes/kubernetes v1.34 component-helpers/resource/helpers.go PodRequests
    # (PodLevelResources, beta and on by default from 1.34).
    spec = {
        "resources": {"requests": {"cpu": "2", "memory": "1Gi"}},
        "containers": [{"resources": {"requests": {"cpu": "6", "memory": "4Gi", "nvidia.com/gpu": "1"}}}],
    }
    assert pod_requests(spec) == {"cpu": Decimal(2), "memory": Decimal(2**30), "nvidia.com/gpu": Decimal(1)}


def test_a_gpu_pod_runs_on_a_node_tainted_with_the_gpu_resource_as_aks_admits_it(kube_emulator: KubeEmulator) -> None:
    # AKS's ExtendedResourceToleration admission gives a pod requesting nvidia.com/gpu the
    # toleration nvidia.com/gpu Exists NoSchedule (plugin/pkg/admission/extendedresourcetoleration).
    gpu = node("gpu-0", gpus=1)
    gpu["spec"]["taints"] = [{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}]
    seed(kube_emulator, gpu)
    kube_emulator.cluster.create(gpu_deployment("llm", tolerate=False))
    assert wait_until(lambda: [p["spec"].get("nodeName") for p in pods(kube_emulator, "llm")] == ["gpu-0"])
