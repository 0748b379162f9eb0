"""A wait that times out says why the workload's pods are not running, in the scheduler's or the
kubelet's own words (akscli.kube.pod_problems)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.cli.common import apply_objects
from akscli.kube import pod_problems, readiness, wait_report
from akscli.kube.client import KubeTarget
from tests.baremetal.nodes import small_cpu_node


def gpu_deployment(name: str = "llm") -> dict[str, Any]:
    labels = {"app": name}
    container = {"name": "main", "image": "vllm/vllm-openai:v0.11.0", "resources": {"limits": {"nvidia.com/gpu": "1"}}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


def wait_error(kubeconfig: Path, objects: list[dict[str, Any]]) -> errors.WaitTimeoutError:
    target = KubeTarget(kubeconfig=str(kubeconfig))
    with pytest.raises(errors.WaitTimeoutError) as caught:
        apply_objects(copy.deepcopy(objects), stack="demo", target=target, yes=True, wait=True, timeout="1s")
    return caught.value


def failed_rollout(kube_emulator_factory: Any, tmp_path: Path, failure: str) -> errors.ObjectFailedError:
    """The error of a waited apply of ``gpu_deployment()`` whose pods fail with ``failure`` (the
    emulator's ``controller_failure``: "crashloop", "imagepull"): its controller gives the rollout up
    once its progressDeadlineSeconds (1 here) pass with no progress (kubernetes/kubernetes
    pkg/controller/deployment/progress.go syncRolloutStatus: ProgressDeadlineExceeded)."""
    emu = kube_emulator_factory(controller_failure=failure)
    target = KubeTarget(kubeconfig=str(emu.write_kubeconfig(tmp_path / "config")))
    stuck = gpu_deployment()
    stuck["spec"]["progressDeadlineSeconds"] = 1
    with pytest.raises(errors.ObjectFailedError) as caught:
        apply_objects([stuck], stack="demo", target=target, yes=True, wait=True, timeout="20s")
    return caught.value


def test_a_timed_out_wait_quotes_the_scheduler_for_a_pod_no_node_has_room_for(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    kube_emulator.cluster.create(small_cpu_node())
    caught = wait_error(kubeconfig, [gpu_deployment()])
    assert "deployment.apps/llm" in caught.message
    assert " not scheduled: 0/1 nodes are available: 1 Insufficient nvidia.com/gpu." in caught.message
    assert "add nodes or free capacity" in (caught.hint or "")


def test_a_timed_out_wait_on_a_cluster_with_no_node_quotes_the_scheduler_and_says_to_add_nodes(
    kubeconfig: Path,
) -> None:
    # upstream: kubernetes/kubernetes pkg/scheduler/schedule_one.go ErrNoNodesAvailable
    statefulset = {**gpu_deployment(), "kind": "StatefulSet"}
    statefulset["spec"] = {**statefulset["spec"], "serviceName": "llm"}
    caught = wait_error(kubeconfig, [statefulset])
    assert "statefulset.apps/llm" in caught.message
    assert " not scheduled: no nodes available to schedule pods" in caught.message
    assert (caught.hint or "").startswith("the cluster has no nodes (kubectl get nodes lists none): add nodes")


def test_a_timed_out_wait_on_a_statefulset_whose_claim_nothing_binds_points_at_the_claim(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # The StatefulSet controller makes claim data-llm-0 from the template (kubernetes/kubernetes
    # pkg/controller/statefulset/stateful_set_utils.go getPersistentVolumeClaims); with no class
    # it binds at once or never, and VolumeBinding's PreFilter holds the pod on every node
    # (pkg/scheduler/framework/plugins/volumebinding/volume_binding.go): adding nodes would not help.
    kube_emulator.cluster.create(small_cpu_node())
    statefulset = {**gpu_deployment(), "kind": "StatefulSet"}
    claim = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    statefulset["spec"] = {**statefulset["spec"], "serviceName": "llm", "volumeClaimTemplates": [claim]}
    del statefulset["spec"]["template"]["spec"]["containers"][0]["resources"]
    caught = wait_error(kubeconfig, [statefulset])
    assert (
        " not scheduled: 0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims." in caught.message
    )
    assert (caught.hint or "").startswith(
        "claim data-llm-0 is not bound and its class binds at once: kubectl describe pvc data-llm-0 -n default "
        "says why no volume was bound or provisioned"
    )


def test_a_rollout_its_controller_gave_up_on_names_the_crash_looping_container(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    message = failed_rollout(kube_emulator_factory, tmp_path, "crashloop").message
    assert "ProgressDeadlineExceeded" in message
    assert "; pod llm-" in message
    assert "container main: CrashLoopBackOff (last exit: Error, exit code 1): back-off" in message


def capped_cpu(emu: Any) -> None:
    """A node, and a LimitRange that lets a container have at most 1 cpu."""
    emu.cluster.create(small_cpu_node())
    item = {"type": "Container", "max": {"cpu": "1"}}
    limits = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "cap"}, "spec": {"limits": [item]}}
    emu.cluster.create(limits)


def test_a_timed_out_wait_quotes_the_refusal_of_the_pods_the_replica_set_cannot_create(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # The ReplicaSet's ReplicaFailure, which the Deployment carries (kubernetes/kubernetes
    # pkg/controller/replicaset/replica_set_utils.go calculateStatus, pkg/controller/deployment/progress.go);
    # here LimitRanger refuses the pods (plugin/pkg/admission/limitranger/admission.go).
    capped_cpu(kube_emulator)
    deployment = gpu_deployment()
    deployment["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "2"}}
    caught = wait_error(kubeconfig, [deployment])
    assert "deployment.apps/llm" in caught.message
    assert ': ReplicaSet cannot create pods (FailedCreate): pods "llm-' in caught.message
    assert "is forbidden: maximum cpu usage per Container is 1, but limit is 2" in caught.message


def test_a_timed_out_wait_on_a_statefulset_whose_pod_is_refused_quotes_the_sets_event(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # kubernetes/kubernetes pkg/controller/statefulset/stateful_pod_control.go recordPodEvent;
    # LimitRanger refuses the pod (plugin/pkg/admission/limitranger/admission.go).
    capped_cpu(kube_emulator)
    statefulset = {**gpu_deployment(), "kind": "StatefulSet"}
    statefulset["spec"] = {**statefulset["spec"], "serviceName": "llm"}
    statefulset["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "2"}}
    caught = wait_error(kubeconfig, [statefulset])
    assert '; latest event: FailedCreate: create Pod llm-0 in StatefulSet llm failed error: pods "llm-0"' in (
        caught.message
    )
    assert caught.message.endswith("is forbidden: maximum cpu usage per Container is 1, but limit is 2")


def test_a_successful_wait_reads_no_pods(kube_emulator: Any, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(small_cpu_node())  # its pod is Ready only on a node
    deployment = gpu_deployment()
    del deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
    target = KubeTarget(kubeconfig=str(kubeconfig))
    apply_objects([deployment], stack="demo", target=target, yes=True, wait=True, timeout="20s")
    assert not [e for e in kube_emulator.request_log if e.path.endswith("/pods")]


def test_the_selector_is_sent_as_the_api_servers_label_selector_syntax() -> None:
    selector = {
        "matchLabels": {"b": "2", "a": "1"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["web", "api"]},
            {"key": "canary", "operator": "DoesNotExist"},
        ],
    }
    # LabelSelectorAsSelector(...).String(): requirements sorted by key (internalSelector Add)
    assert pod_problems.selector_string(selector) == "a=1,b=2,!canary,tier in (api,web)"


def test_an_empty_selector_reads_no_pods() -> None:
    assert pod_problems.selector_string({}) is None


@pytest.mark.parametrize("reason", ["ContainerCreating", "PodInitializing"])
def test_a_pod_on_its_way_up_has_no_problem(reason: str) -> None:
    status = {"name": "main", "state": {"waiting": {"reason": reason}}}
    pod = {"status": {"phase": "Pending", "containerStatuses": [status]}}
    assert pod_problems.problem(pod) is None


def test_an_image_pull_failure_is_named_with_the_kubelets_message() -> None:
    waiting = {"reason": "ImagePullBackOff", "message": 'Back-off pulling image "x:1"'}
    pod = {"status": {"phase": "Pending", "containerStatuses": [{"name": "main", "state": {"waiting": waiting}}]}}
    found = pod_problems.problem(pod)
    assert found is not None and found.text == 'container main: ImagePullBackOff: Back-off pulling image "x:1"'


@pytest.mark.parametrize(
    ("api_version", "kind", "label"),
    [
        ("ray.io/v1", "RayCluster", "ray.io/cluster"),
        ("kaito.sh/v1beta1", "Workspace", "kaito.sh/workspace"),
        ("kaito.sh/v1alpha1", "InferenceSet", "inferenceset.kaito.sh/created-by"),
    ],
)
def test_an_operators_kind_without_a_selector_finds_its_pods_by_the_label_the_operator_puts_on_them(
    api_version: str, kind: str, label: str
) -> None:
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "demo"}, "spec": {}}
    assert readiness.pod_selector(obj) == {"matchLabels": {label: "demo"}}


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("RayJob", {"rayClusterName": "train-abc12"}),
        ("RayService", {"pendingServiceStatus": {"rayClusterName": "train-abc12"}}),
        ("RayService", {"activeServiceStatus": {"rayClusterName": "train-abc12"}}),
    ],
)
def test_a_ray_job_or_service_finds_the_pods_of_the_cluster_its_status_names(kind: str, status: dict[str, Any]) -> None:
    obj = {"apiVersion": "ray.io/v1", "kind": kind, "metadata": {"name": "train"}, "spec": {}, "status": status}
    assert readiness.pod_selector(obj) == {"matchLabels": {"ray.io/cluster": "train-abc12"}}


def test_a_ray_job_whose_status_names_no_cluster_yet_reads_no_pods() -> None:
    obj = {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "train"}, "spec": {}}
    assert readiness.pod_selector(obj) is None


def test_a_pod_held_for_one_of_several_unbound_claims_is_pointed_at_them_all() -> None:
    # The PreFilter's message names no claim (volume_binding.go PreFilter).
    volumes = [{"name": n, "persistentVolumeClaim": {"claimName": f"{n}-db-0"}} for n in ("data", "logs")]
    held = pod_problems.Problem(
        pod_problems.UNSCHEDULABLE,
        "db-0",
        "Unschedulable",
        "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: ...",
        namespace="shop",
        source={"spec": {"volumes": [{"name": "tmp", "emptyDir": {}}, *volumes]}},
    )

    class NoClaims:  # the claims cannot be found: no class to name
        namespace = "shop"

        def get(self, *args: Any, **kwargs: Any) -> None:
            return None

    assert wait_report._unschedulable_fix(NoClaims(), held) == (  # type: ignore[arg-type]
        "one of claims data-db-0, logs-db-0 is not bound and its class binds at once: "
        "kubectl describe pvc data-db-0 logs-db-0 -n shop says why no volume was bound or provisioned"
    )
