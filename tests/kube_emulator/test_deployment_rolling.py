"""A changed Deployment rolls as the deployment controller rolls it (kubernetes/kubernetes
pkg/controller/deployment/rolling.go rolloutRolling, recreate.go rolloutRecreate): RollingUpdate,
the default, makes the new pod before the old one goes, so on a full GPU node the new pod stays
Pending while the old one serves, until progressDeadlineSeconds; Recreate frees the old pod's GPU
first."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.kube import readiness
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.rollout import max_unavailable, new_rs_new_replicas
from tests.kube_emulator.test_deployment_progress import conditions, controller, get
from tests.kube_emulator.test_scheduling import gpu_deployment, node, seed


def pods(emu: KubeEmulator, name: str) -> list[dict[str, Any]]:
    return [
        p
        for p in emu.cluster.list("v1", "Pod", "default")
        if p["metadata"]["labels"].get("app") == name and not p["metadata"].get("deletionTimestamp")
    ]


def phases(emu: KubeEmulator, name: str) -> list[tuple[str, str]]:
    """(phase, ReplicaSet) of each live pod, by pod-template-hash."""
    return sorted((p["status"]["phase"], p["metadata"]["labels"]["pod-template-hash"]) for p in pods(emu, name))


def deployed(emu: KubeEmulator, replicas: int = 1, **strategy: Any) -> dict[str, Any]:
    """A one-GPU Deployment, available, on a node with no GPU to spare."""
    seed(emu, node("gpu-0", gpus=replicas))
    d = gpu_deployment("llm", replicas=replicas)
    if strategy:
        d["spec"]["strategy"] = strategy
    emu.cluster.create(d)
    assert wait_until(lambda: conditions(emu, "llm").get("Progressing", {}).get("reason") == "NewReplicaSetAvailable")
    return get(emu, "llm")


def change(emu: KubeEmulator) -> None:
    """A new pod template (another image), as a redeploy with other engine args makes."""
    current = get(emu, "llm")
    containers = current["spec"]["template"]["spec"]["containers"]
    containers[0]["image"] = "vllm/vllm-openai:v0.11.0"
    emu.cluster.patch("apps/v1", "Deployment", "default", "llm", {"spec": {"template": current["spec"]["template"]}})
    assert wait_until(lambda: (get(emu, "llm").get("status") or {}).get("observedGeneration") == 2)


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable"),
    [(1, 1, 0), (4, 1, 1), (10, 3, 2), (3, 1, 0)],
)
def test_the_default_rolling_update_surges_rounded_up_and_loses_rounded_down(
    replicas: int, surge: int, unavailable: int
) -> None:
    spec: dict[str, Any] = {}
    assert new_rs_new_replicas(spec, replicas, replicas, 0) == surge
    assert max_unavailable(spec, replicas) == unavailable


def test_recreate_scales_the_new_replica_set_to_every_replica_at_once() -> None:
    assert new_rs_new_replicas({"strategy": {"type": "Recreate"}}, 4, 4, 0) == 4


def test_a_rolling_update_on_a_full_gpu_node_leaves_the_new_pod_pending_and_the_old_one_serving(
    kube_emulator: KubeEmulator,
) -> None:
    deployed(kube_emulator)
    old_hash = pods(kube_emulator, "llm")[0]["metadata"]["labels"]["pod-template-hash"]
    change(kube_emulator)
    assert wait_until(lambda: len(pods(kube_emulator, "llm")) == 2)
    kube_emulator.idle()
    running = [h for phase, h in phases(kube_emulator, "llm") if phase == "Running"]
    assert running == [old_hash]
    status = get(kube_emulator, "llm")["status"]
    assert (status["replicas"], status["updatedReplicas"], status["availableReplicas"]) == (2, 1, 1)
    assert conditions(kube_emulator, "llm")["Available"]["status"] == "True"
    assert conditions(kube_emulator, "llm")["Progressing"]["reason"] == "ReplicaSetUpdated"


def test_a_stalled_rolling_update_times_out_and_akscli_wait_fails_with_the_reason(kube_emulator: KubeEmulator) -> None:
    deployed(kube_emulator)
    change(kube_emulator)
    assert wait_until(lambda: len(pods(kube_emulator, "llm")) == 2)

    # The new pod is made before the Deployment's status says so (its next sync): waited for.
    def rollout() -> str:
        return readiness.check(get(kube_emulator, "llm")).message

    assert wait_until(lambda: rollout() == "1 old replicas pending termination"), rollout()
    controller(kube_emulator).advance(601)
    assert wait_until(lambda: conditions(kube_emulator, "llm")["Progressing"]["reason"] == "ProgressDeadlineExceeded")
    verdict = readiness.check(get(kube_emulator, "llm"))
    assert verdict.failed and verdict.reason == "ProgressDeadlineExceeded"
    assert sorted(phase for phase, _ in phases(kube_emulator, "llm")) == ["Pending", "Running"]


def test_a_rolling_update_with_room_ends_with_the_old_replica_set_kept_at_zero(kube_emulator: KubeEmulator) -> None:
    deployed(kube_emulator)
    seed(kube_emulator, node("gpu-1", gpus=1))
    change(kube_emulator)
    assert wait_until(lambda: conditions(kube_emulator, "llm")["Progressing"]["reason"] == "NewReplicaSetAvailable")
    sets = kube_emulator.cluster.list("apps/v1", "ReplicaSet")
    assert sorted(rs["spec"]["replicas"] for rs in sets) == [0, 1]
    assert wait_until(lambda: len(pods(kube_emulator, "llm")) == 1)


def test_recreate_on_a_full_gpu_node_frees_the_old_pods_gpu_for_the_new_one(kube_emulator: KubeEmulator) -> None:
    deployed(kube_emulator, type="Recreate")
    change(kube_emulator)
    assert wait_until(
        lambda: (
            conditions(kube_emulator, "llm")["Progressing"]["reason"] == "NewReplicaSetAvailable"
            and get(kube_emulator, "llm")["status"].get("updatedReplicas") == 1
        )
    )
    assert [phase for phase, _ in phases(kube_emulator, "llm")] == ["Running"]


def test_max_surge_zero_on_a_full_gpu_node_replaces_the_pod_in_place(kube_emulator: KubeEmulator) -> None:
    deployed(kube_emulator, 2, type="RollingUpdate", rollingUpdate={"maxSurge": 0, "maxUnavailable": 1})
    change(kube_emulator)
    assert wait_until(
        lambda: (
            conditions(kube_emulator, "llm")["Progressing"]["reason"] == "NewReplicaSetAvailable"
            and get(kube_emulator, "llm")["status"].get("updatedReplicas") == 2
        ),
        timeout=15,
    )
    assert [phase for phase, _ in phases(kube_emulator, "llm")] == ["Running", "Running"]
