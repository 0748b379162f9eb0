"""Operator simulators: the controller contract and the built-in workload controllers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.cluster import TEST_MANAGER, ClusterState
from tests.emulators.kube.controllers.base import Controller
from tests.kube_emulator.helpers import a_node, api_client, configmap, deployment


def cond(obj: dict[str, Any] | None, typ: str) -> str | None:
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == typ:
            return str(c.get("status"))
    return None


# kube-root-ca.crt, which the root CA publisher keeps in every namespace (and puts back when
# another writer changes it), is no ConfigMap of the tests: their controllers leave it alone.
ROOT_CA = "kube-root-ca.crt"


class Stamp(Controller):
    """Counts reconciles and writes to the object it watches."""

    field_manager = TEST_MANAGER  # a test's own controller writes as the tests do

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "ConfigMap")]

    def __init__(self, delay: float = 0.05, failure: str | None = None) -> None:
        super().__init__(delay, failure)
        self.calls = 0

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        if md["name"] == ROOT_CA:
            return
        self.calls += 1
        cluster.patch("v1", "ConfigMap", md["namespace"], md["name"], {"data": {"stamped": str(self.calls)}})


def test_controller_reconciles_after_its_delay(kube_emulator: KubeEmulator) -> None:
    c = kube_emulator.controllers.add(Stamp(delay=0.2))
    kube_emulator.cluster.create(configmap("a"))
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")["data"] == {"k": "v"}  # type: ignore[index]
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") or {}).get("data", {}).get("stamped") == "1"
        )
    )
    assert isinstance(c, Stamp)


def test_controller_is_not_retriggered_by_its_own_writes(kube_emulator: KubeEmulator) -> None:
    c = kube_emulator.controllers.add(Stamp(delay=0.01))
    kube_emulator.cluster.create(configmap("a"))
    assert wait_until(lambda: c.calls >= 1)
    kube_emulator.idle()
    assert c.calls == 1  # type: ignore[attr-defined]


def test_controller_errors_are_recorded(kube_emulator: KubeEmulator) -> None:
    class Broken(Controller):
        watches: ClassVar[list[tuple[str, str]]] = [("v1", "ConfigMap")]

        def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
            raise RuntimeError("boom")

    kube_emulator.controllers.add(Broken(delay=0))
    kube_emulator.cluster.create(configmap("a"))
    assert wait_until(lambda: bool(kube_emulator.controllers.errors))
    assert "boom" in kube_emulator.controllers.errors[0]


class DeletesThenWritesStatus(Controller):
    """Deletes the ConfigMap it reconciles, then writes to it, as a reconcile racing a user's delete."""

    field_manager = TEST_MANAGER  # a test's own controller writes as the tests do

    watches: ClassVar[list[tuple[str, str]]] = [("v1", "ConfigMap")]

    def __init__(self, target: str) -> None:
        super().__init__(0)
        self.target = target

    def reconcile(self, cluster: ClusterState, obj: dict[str, Any]) -> None:
        md = obj["metadata"]
        if md["name"] == ROOT_CA:
            return
        cluster.delete("v1", "ConfigMap", md["namespace"], self.target)
        cluster.patch("v1", "ConfigMap", md["namespace"], self.target, {"data": {"late": "1"}})


def test_a_write_to_an_object_deleted_during_its_reconcile_is_not_an_error(kube_emulator: KubeEmulator) -> None:
    kube_emulator.controllers.add(DeletesThenWritesStatus(target="a"))
    kube_emulator.cluster.create(configmap("a"))
    assert wait_until(lambda: kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") is None)
    kube_emulator.idle()
    assert kube_emulator.controllers.errors == []


def test_a_404_for_another_object_is_still_an_error(kube_emulator: KubeEmulator) -> None:
    kube_emulator.controllers.add(DeletesThenWritesStatus(target="missing"))
    kube_emulator.cluster.create(configmap("a"))
    assert wait_until(lambda: bool(kube_emulator.controllers.errors))
    assert "404" in kube_emulator.controllers.errors[0] or "not found" in kube_emulator.controllers.errors[0]


def test_a_404_in_a_scheduled_call_is_recorded_and_the_controllers_keep_running(kube_emulator: KubeEmulator) -> None:
    c = kube_emulator.controllers.add(Stamp(delay=0))

    def missing_kind(cluster: ClusterState) -> None:
        cluster.list("example.com/v1", "Missing", None)

    kube_emulator.controllers.call_later(c, missing_kind, 0)
    assert wait_until(lambda: bool(kube_emulator.controllers.errors))
    kube_emulator.cluster.create(configmap("after"))
    assert wait_until(lambda: c.calls >= 1)


def test_deployment_becomes_available_with_pods(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(deployment("web", replicas=3))
    assert wait_until(
        lambda: cond(kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web"), "Available") == "True"
    )
    d = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web")
    assert d is not None and d["status"]["readyReplicas"] == 3 and d["status"]["observedGeneration"] == 1
    pods = kube_emulator.cluster.list("v1", "Pod", "default", "app=web")
    assert len(pods) == 3 and all(p["status"]["phase"] == "Running" for p in pods)


def test_deleting_a_deployment_collects_replicaset_and_pods(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=2))
    assert wait_until(lambda: len(kube_emulator.cluster.list("v1", "Pod", "default", "app=web")) == 2)
    kube_emulator.cluster.delete("apps/v1", "Deployment", "default", "web")
    assert wait_until(
        lambda: (
            not kube_emulator.cluster.list("v1", "Pod", "default", "app=web")
            and not kube_emulator.cluster.list("apps/v1", "ReplicaSet", "default")
        )
    )


def test_a_deleted_pod_of_a_settled_deployment_is_replaced(kube_emulator: KubeEmulator) -> None:
    # The ReplicaSet controller's pod informer re-syncs the pod's ReplicaSet on its deletion
    # (upstream: kubernetes/kubernetes pkg/controller/replicaset/replica_set.go deletePod).
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert wait_until(lambda: len(kube_emulator.cluster.list("v1", "Pod", "default", "app=web")) == 1)
    assert kube_emulator.idle()  # nothing left queued that would make a pod anyway
    (old,) = kube_emulator.cluster.list("v1", "Pod", "default", "app=web")
    kube_emulator.cluster.delete("v1", "Pod", "default", old["metadata"]["name"])
    assert wait_until(
        lambda: (
            [p["metadata"]["uid"] for p in kube_emulator.cluster.list("v1", "Pod", "default", "app=web")]
            not in ([], [old["metadata"]["uid"]])
        )
    )


def test_a_deleted_pod_of_a_settled_statefulset_is_made_again_with_its_ordinal(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/kubernetes pkg/controller/statefulset/stateful_set.go deletePod
    sts = deployment("db", replicas=1)
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    kube_emulator.cluster.create(sts)
    assert wait_until(lambda: kube_emulator.cluster.get("v1", "Pod", "default", "db-0") is not None)
    assert kube_emulator.idle()
    old_uid = kube_emulator.cluster.get("v1", "Pod", "default", "db-0")["metadata"]["uid"]  # type: ignore[index]
    kube_emulator.cluster.delete("v1", "Pod", "default", "db-0")
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("v1", "Pod", "default", "db-0") or {}).get("metadata", {}).get("uid")
            not in (None, old_uid)
        )
    )


def test_unschedulable_deployment_reports_progress_deadline_and_event(kube_emulator_factory: Any) -> None:
    emu = kube_emulator_factory(controller_failure="unschedulable", crd_dirs=[])
    stuck = deployment("gpu", replicas=1)
    stuck["spec"]["progressDeadlineSeconds"] = 1  # progress.go syncRolloutStatus: no progress for 1 s
    emu.cluster.create(stuck)
    assert wait_until(
        lambda: cond(emu.cluster.get("apps/v1", "Deployment", "default", "gpu"), "Progressing") == "False"
    )
    d = emu.cluster.get("apps/v1", "Deployment", "default", "gpu")
    assert cond(d, "Available") == "False"
    events = emu.cluster.list("v1", "Event", "default")
    assert any(e["reason"] == "FailedScheduling" and "nvidia.com/gpu" in e["message"] for e in events)


def test_statefulset_pods_are_ordinal(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)  # Ready needs a node
    sts = deployment("db", replicas=2)
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    kube_emulator.cluster.create(sts)
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("apps/v1", "StatefulSet", "default", "db") or {})
            .get("status", {})
            .get("readyReplicas")
            == 2
        )
    )
    assert sorted(p["metadata"]["name"] for p in kube_emulator.cluster.list("v1", "Pod", "default")) == ["db-0", "db-1"]


def test_daemonset_runs_one_pod_per_selected_node(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=6, pods=0, gpu_fraction=0.5, variety=False)
    ds = deployment("probe")
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    ds["spec"]["template"]["spec"]["nodeSelector"] = {"accelerator": "nvidia"}
    # The generated GPU nodes carry AKS's sku=gpu:NoSchedule taint.
    ds["spec"]["template"]["spec"]["tolerations"] = [{"key": "sku", "operator": "Equal", "value": "gpu"}]
    kube_emulator.cluster.create(ds)
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("apps/v1", "DaemonSet", "default", "probe") or {})
            .get("status", {})
            .get("numberReady")
            == 3
        )
    )


def job(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox"}]}}
        },
    }


def test_job_runs_then_completes(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(job("once"))
    assert wait_until(
        lambda: cond(kube_emulator.cluster.get("batch/v1", "Job", "default", "once"), "Complete") == "True"
    )
    j = kube_emulator.cluster.get("batch/v1", "Job", "default", "once")
    assert j is not None and j["status"]["succeeded"] == 1 and j["status"]["startTime"]
    pods = kube_emulator.cluster.list("v1", "Pod", "default", "job-name=once")
    assert [p["status"]["phase"] for p in pods] == ["Succeeded"]


def test_failing_job_reports_backoff_limit_exceeded(kube_emulator_factory: Any) -> None:
    emu = kube_emulator_factory(controller_failure="failed", crd_dirs=[])
    a_node(emu)
    emu.cluster.create(job("bad"))
    assert wait_until(lambda: cond(emu.cluster.get("batch/v1", "Job", "default", "bad"), "Failed") == "True")
    j = emu.cluster.get("batch/v1", "Job", "default", "bad")
    assert next(c for c in j["status"]["conditions"] if c["type"] == "Failed")["reason"] == "BackoffLimitExceeded"


def test_generated_nodes_look_like_aks_gpu_nodes(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=50, pods=200, gpu_fraction=0.2)
    nodes = kube_emulator.cluster.list("v1", "Node")
    gpu = [n for n in nodes if "kubernetes.azure.com/accelerator" in n["metadata"]["labels"]]
    assert len(nodes) == 50 and len(gpu) == 10
    labels = gpu[0]["metadata"]["labels"]
    assert labels["kubernetes.azure.com/agentpool"] and labels["nvidia.com/gpu.product"]
    assert labels["node.kubernetes.io/instance-type"].startswith("Standard_N")
    assert len(kube_emulator.cluster.list("v1", "Pod")) == 200


def test_generated_gpu_pools_have_the_variety_of_real_clusters(kube_emulator: KubeEmulator) -> None:
    kube_emulator.generate_cluster(nodes=80, pods=0, gpu_fraction=0.5)
    gpu = [n for n in kube_emulator.cluster.list("v1", "Node") if n["status"]["capacity"].keys() - {"cpu"}]

    def having(test: Any) -> list[dict[str, Any]]:
        return [n for n in gpu if test(n["metadata"]["labels"], n["status"])]

    # GFD writes the architecture as gpu.family (NVIDIA/k8s-device-plugin docs/gfd_labels.md).
    families = {n["metadata"]["labels"].get("nvidia.com/gpu.family") for n in gpu} - {None}
    assert families <= {"ampere", "hopper", "turing", "blackwell", "volta", "maxwell"} and families
    assert having(
        lambda lb, st: lb.get("nvidia.com/mig.strategy") == "single" and "-MIG-" in lb["nvidia.com/gpu.product"]
    )
    assert having(lambda lb, st: any(k.startswith("nvidia.com/mig-") for k in st["allocatable"]))
    assert having(lambda lb, st: lb.get("nvidia.com/gpu.sharing-strategy") == "time-slicing")
    assert having(lambda lb, st: lb.get("kubernetes.azure.com/scalesetpriority") == "spot")
    assert having(lambda lb, st: st["allocatable"].get("nvidia.com/gpu") == "0")
    assert having(lambda lb, st: "amd.com/gpu" in st["allocatable"])
    plain = having(
        lambda lb, st: lb.get("kubernetes.azure.com/accelerator") == "nvidia" and "nvidia.com/gpu.product" not in lb
    )
    assert plain, "plain AKS GPU nodes carry no GPU feature discovery labels"


def test_an_operator_pod_of_the_profiles_reads_as_the_python_clients_model(
    kube_emulator: KubeEmulator, tmp_path: Path
) -> None:
    """ContainerStatus.imageID and restartCount are required (not omitempty) in core/v1; the
    client's V1Pod model refused the profile's pod without them, and so any pod list with it."""
    from kubernetes import client

    from tests.emulators.kube.profiles import ready_pod

    ready_pod(kube_emulator, "kube-system", "op-0", {"app": "op"}, image="quay.io/kuberay/operator:v1.4.2")
    api = client.CoreV1Api(api_client(kube_emulator, tmp_path))
    [status] = api.read_namespaced_pod("op-0", "kube-system").status.container_statuses
    assert status.image_id.startswith("quay.io/kuberay/operator@sha256:") and status.restart_count == 0


def test_a_statefulset_pod_on_a_cluster_with_no_node_stays_pending_until_one_comes(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go ErrNoNodesAvailable (Unschedulable,
    # FailedScheduling); the kubelet, which sets Ready, runs only on a node
    sts = deployment("db", replicas=1)
    sts["kind"] = "StatefulSet"
    sts["spec"]["serviceName"] = "db"
    kube_emulator.cluster.create(sts)
    assert wait_until(lambda: kube_emulator.cluster.get("v1", "Pod", "default", "db-0") is not None)
    assert kube_emulator.idle()
    pod = kube_emulator.cluster.get("v1", "Pod", "default", "db-0") or {}
    [scheduled] = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert (pod["status"]["phase"], scheduled["reason"]) == ("Pending", "Unschedulable")
    assert scheduled["message"] == "no nodes available to schedule pods"
    assert cond(pod, "Ready") != "True" and not pod["spec"].get("nodeName")
    assert not (kube_emulator.cluster.get("apps/v1", "StatefulSet", "default", "db") or {})["status"]["readyReplicas"]
    events = kube_emulator.cluster.list("v1", "Event", "default")
    assert any(e["reason"] == "FailedScheduling" and e["message"] == scheduled["message"] for e in events)
    allocatable = {"cpu": "4", "memory": "16Gi", "pods": "110"}
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "aks-system-0"}}
    kube_emulator.cluster.create({**node, "status": {"allocatable": allocatable, "capacity": allocatable}})
    assert wait_until(
        lambda: (
            (kube_emulator.cluster.get("apps/v1", "StatefulSet", "default", "db") or {})["status"].get("readyReplicas")
            == 1
        )
    )
    assert (kube_emulator.cluster.get("v1", "Pod", "default", "db-0") or {})["spec"]["nodeName"] == "aks-system-0"
