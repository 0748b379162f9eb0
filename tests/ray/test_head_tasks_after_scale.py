"""A scale or an added group that changes whether the head should run tasks says that the running
head will not follow: akscli starts the head with ``num-cpus: 0`` when a worker group can have
pods and with its CPUs when none can, and KubeRay reads rayStartParams only when it makes a pod
(ray-project/kuberay v1.7.0 ray-operator/controllers/ray/common/pod.go BuildPod,
generateRayStartCommand) and makes the head again only when it is gone or has ended
(raycluster_controller.go reconcilePods, shouldDeletePod)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from akscli import ray
from tests.cli import invoke
from tests.ray.conftest import akscli

RAY = "ray.io/v1"


def _head(emu: Any, cluster: str) -> str:
    [pod] = emu.cluster.list("v1", "Pod", "default", label_selector=f"ray.io/cluster={cluster},ray.io/node-type=head")
    return str(pod["metadata"]["name"])


def test_a_head_only_cluster_given_workers_warns_that_its_head_goes_on_running_tasks(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create solo --worker-replicas 0 --wait --timeout 20s").exit_code == 0
    head = _head(emu, "solo")
    scaled = akscli("ray cluster scale solo --group default-group --max 2 --replicas 1")
    assert scaled.exit_code == 0, scaled
    assert scaled.stderr.startswith(
        "warning: the head of Ray cluster solo goes on running tasks beside the workers: it was started when no "
        "worker group could have a pod"
    ), scaled.stderr
    assert "akscli ray cluster delete solo -n default -y" in scaled.stderr
    # What the warning says, as the simulator (after KubeRay) does it: the head is the one it was.
    cluster = emu.cluster.get(RAY, "RayCluster", "default", "solo")
    assert cluster["spec"]["workerGroupSpecs"][0]["maxReplicas"] == 2
    assert _head(emu, "solo") == head


def test_a_group_added_to_a_head_only_cluster_warns_the_same(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert akscli("ray cluster create solo --worker-replicas 0 --wait --timeout 20s").exit_code == 0
    added = invoke("ray", "workergroup", "add", "solo", "extra", "--replicas", "1")
    assert added.exit_code == 0, added
    assert "warning: the head of Ray cluster solo goes on running tasks beside the workers" in added.stderr


def test_scaling_every_group_to_max_0_warns_that_no_task_can_run(ray_emulator: Callable[..., Any]) -> None:
    ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    scaled = akscli("ray cluster scale demo --group default-group --min 0 --max 0")
    assert scaled.exit_code == 0, scaled
    assert scaled.stderr.startswith(
        "warning: no worker group of Ray cluster demo can have a pod now, and its head was started with "
        "num-cpus 0: no Ray task or actor can run"
    ), scaled.stderr


def _cluster(head_cpus: str | None, max_replicas: int) -> dict[str, Any]:
    params = {"num-cpus": head_cpus} if head_cpus is not None else {}
    group = {"groupName": "g", "replicas": max_replicas, "minReplicas": 0, "maxReplicas": max_replicas}
    return {
        "metadata": {"name": "c", "namespace": "ml"},
        "spec": {"headGroupSpec": {"rayStartParams": params}, "workerGroupSpecs": [group]},
    }


def test_a_scale_that_keeps_some_worker_possible_gives_no_head_warning() -> None:
    cluster = _cluster("0", 2)
    change = ray.scale_patch(cluster, "g", None, None, 5)
    assert change is not None
    assert ray.head_tasks_warning(cluster, ray.scaled_groups(cluster, "g", change)) is None


def test_a_head_that_runs_tasks_left_without_workers_gives_no_warning() -> None:
    # A head-only cluster given workers and scaled back to none: its head still runs tasks, as it should.
    cluster = _cluster(None, 2)
    change = ray.scale_patch(cluster, "g", None, None, 0)
    assert change is not None
    assert ray.head_tasks_warning(cluster, ray.scaled_groups(cluster, "g", change)) is None


def _edit_head_params(emu: Any, cluster: str, params: dict[str, Any]) -> None:
    """Someone edits the RayCluster's head rayStartParams after the head started (kubectl edit)."""
    stored = emu.cluster.get(RAY, "RayCluster", "default", cluster)
    stored["spec"]["headGroupSpec"]["rayStartParams"] = params
    emu.cluster.update(stored)


def test_the_warning_reads_the_running_heads_ray_start_line_not_an_edited_spec(
    ray_emulator: Callable[..., Any],
) -> None:
    # The head started with its CPUs (`--num-cpus=2`, from its CPU request: common/pod.go
    # generateRayStartCommand); the spec now says num-cpus 0, which the running head never read.
    emu = ray_emulator()
    assert akscli("ray cluster create solo --worker-replicas 0 --wait --timeout 20s").exit_code == 0
    _edit_head_params(emu, "solo", {"num-cpus": "0"})
    scaled = akscli("ray cluster scale solo --group default-group --max 2 --replicas 1")
    assert scaled.exit_code == 0, scaled
    assert "warning: the head of Ray cluster solo goes on running tasks beside the workers" in scaled.stderr


def test_a_head_started_with_num_cpus_0_warns_when_no_worker_can_remain_whatever_the_spec_says(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    assert akscli("ray cluster create demo --wait --timeout 20s").exit_code == 0
    _edit_head_params(emu, "demo", {})
    scaled = akscli("ray cluster scale demo --group default-group --min 0 --max 0")
    assert scaled.exit_code == 0, scaled
    assert "its head was started with num-cpus 0: no Ray task or actor can run" in scaled.stderr


def _head_pod(command: list[str], args: list[str], generated: str | None = None) -> dict[str, Any]:
    env = [{"name": "KUBERAY_GEN_RAY_START_CMD", "value": generated}] if generated else []
    return {"spec": {"containers": [{"name": "ray-head", "command": command, "args": args, "env": env}]}}


def test_the_head_start_is_read_from_kuberays_env_where_the_command_is_the_templates_own() -> None:
    # ray.io/overwrite-container-cmd: "true" keeps the template's command; KubeRay still stores the
    # line in KUBERAY_GEN_RAY_START_CMD (ray-project/kuberay v1.7.0 utils/constant.go).
    pod = _head_pod(["bash", "-c"], ["setup.sh && $KUBERAY_GEN_RAY_START_CMD"], "ray start --head  --num-cpus=0 ")
    assert ray.started_num_cpus(pod) == "0"
    assert ray.started_num_cpus(_head_pod(["/bin/bash", "-c", "--"], ["ulimit -n 65536; ray start --head "])) is None


def test_the_warning_reads_the_live_head_not_one_being_deleted_beside_it(ray_emulator: Callable[..., Any]) -> None:
    # A head being deleted (held by a finalizer) that started with --num-cpus=0 sits first in the
    # list, beside the live head, which runs tasks. KubeRay acts on one head only (raycluster_controller.go
    # reconcilePods); the live one is the head whose Ray runs.
    emu = ray_emulator()
    assert akscli("ray cluster create solo --worker-replicas 0 --wait --timeout 20s").exit_code == 0
    live = emu.cluster.get("v1", "Pod", "default", _head(emu, "solo"))
    old = {"apiVersion": "v1", "kind": "Pod", "spec": live["spec"], "status": live.get("status") or {}}
    old["metadata"] = {
        "name": "solo-a-old-head",  # sorts before solo-head-*: the first of the page
        "namespace": "default",
        "labels": live["metadata"]["labels"],
        "finalizers": ["example.com/hold"],
    }
    old["spec"]["containers"][0]["args"] = ["ulimit -n 65536; ray start --head  --block  --num-cpus=0 "]
    emu.cluster.create(old)
    emu.cluster.delete("v1", "Pod", "default", "solo-a-old-head")
    assert emu.cluster.get("v1", "Pod", "default", "solo-a-old-head")["metadata"].get("deletionTimestamp")
    scaled = akscli("ray cluster scale solo --group default-group --max 2 --replicas 1")
    assert scaled.exit_code == 0, scaled
    assert "warning: the head of Ray cluster solo goes on running tasks beside the workers" in scaled.stderr


def _pod(name: str, *, ready: bool = True, created: str = "2026-01-01T10:00:00Z", **status: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "creationTimestamp": created}
    if status.pop("deleting", False):
        meta["deletionTimestamp"] = "2026-01-01T11:00:00Z"
    conditions = [{"type": "Ready", "status": "True" if ready else "False"}]
    return {"metadata": meta, "status": {"phase": "Running", "conditions": conditions, **status}}


def test_the_live_head_is_the_one_not_being_deleted_nor_ended() -> None:
    pods = [_pod("old", deleting=True), _pod("failed", phase="Failed"), _pod("new", ready=False)]
    assert ray.live_head(pods)["metadata"]["name"] == "new"  # type: ignore[index]


def test_among_live_heads_the_ready_one_then_the_newest_is_taken() -> None:
    ready = [
        _pod("ready", created="2026-01-01T09:00:00Z"),
        _pod("starting", ready=False, created="2026-01-01T12:00:00Z"),
    ]
    assert ray.live_head(ready)["metadata"]["name"] == "ready"  # type: ignore[index]
    both = [_pod("older", created="2026-01-01T09:00:00Z"), _pod("newer", created="2026-01-01T12:00:00Z")]
    assert ray.live_head(both)["metadata"]["name"] == "newer"  # type: ignore[index]


def test_with_only_heads_on_their_way_out_the_first_is_read_and_none_without_any() -> None:
    assert ray.live_head([_pod("a", deleting=True), _pod("b", deleting=True)])["metadata"]["name"] == "a"  # type: ignore[index]
    assert ray.live_head([]) is None


def test_a_head_on_its_way_out_is_not_read_the_spec_is_which_its_replacement_starts_from() -> None:
    # KubeRay deletes an ended head and builds the next one from the spec (raycluster_controller.go
    # shouldDeletePod, reconcilePods): the spec's num-cpus 0 is what counts, not the ended pod's line.
    cluster = _cluster("0", 2)
    ended = {**_head_pod(["/bin/bash", "-c", "--"], ["ray start --head "]), "status": {"phase": "Failed"}}
    change = ray.scale_patch(cluster, "g", None, 0, 0)
    assert change is not None
    warning = ray.head_tasks_warning(cluster, ray.scaled_groups(cluster, "g", change), lambda: ended)
    assert warning is not None and "its head was started with num-cpus 0" in warning
