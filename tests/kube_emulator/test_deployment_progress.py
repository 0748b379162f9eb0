"""A stuck Deployment times out as the deployment controller times it out (kubernetes/kubernetes
008b3652 pkg/controller/deployment/progress.go syncRolloutStatus): Progressing=False
ProgressDeadlineExceeded once progressDeadlineSeconds pass without progress, on the simulator's
clock (DeploymentController.advance), and akscli's wait then fails at once with that reason."""

from __future__ import annotations

from typing import Any

from akscli.kube import readiness
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.builtin import DeploymentController
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_node_lifecycle import node, set_ready


def controller(emu: KubeEmulator) -> DeploymentController:
    return next(c for c in emu.controllers.controllers if isinstance(c, DeploymentController))


def stuck(emu: KubeEmulator, name: str, **spec: Any) -> None:
    """A Deployment whose pods no node takes (a nodeSelector no node has): Pending for good."""
    emu.generate_cluster(nodes=1, pods=0, gpu_fraction=0.0, variety=False)
    d = deployment(name, replicas=1)
    d["spec"]["template"]["spec"]["nodeSelector"] = {"pool": "none"}
    d["spec"].update(spec)
    emu.cluster.create(d)
    assert wait_until(lambda: "Progressing" in conditions(emu, name))


def get(emu: KubeEmulator, name: str) -> dict[str, Any]:
    return emu.cluster.get("apps/v1", "Deployment", "default", name) or {}


def conditions(emu: KubeEmulator, name: str) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (get(emu, name).get("status") or {}).get("conditions") or []}


def reason(emu: KubeEmulator, name: str) -> tuple[str, str]:
    progressing = conditions(emu, name)["Progressing"]
    return progressing["status"], progressing["reason"]


def test_a_stuck_deployment_times_out_after_its_default_600_seconds(kube_emulator: KubeEmulator) -> None:
    stuck(kube_emulator, "llm")
    controller(kube_emulator).advance(601)
    assert wait_until(lambda: reason(kube_emulator, "llm") == ("False", "ProgressDeadlineExceeded"))
    assert conditions(kube_emulator, "llm")["Progressing"]["message"].endswith("has timed out progressing.")


def test_a_stuck_deployment_progresses_until_its_deadline(kube_emulator: KubeEmulator) -> None:
    stuck(kube_emulator, "llm", progressDeadlineSeconds=900)
    controller(kube_emulator).advance(601)
    kube_emulator.idle()
    assert reason(kube_emulator, "llm")[0] == "True"


def test_akscli_wait_fails_at_once_on_the_timed_out_deployment(kube_emulator: KubeEmulator) -> None:
    stuck(kube_emulator, "llm")
    controller(kube_emulator).advance(601)
    assert wait_until(lambda: reason(kube_emulator, "llm")[1] == "ProgressDeadlineExceeded")
    verdict = readiness.check(get(kube_emulator, "llm"))
    assert verdict.failed and verdict.reason == "ProgressDeadlineExceeded"


def test_a_deployment_that_becomes_available_is_not_timed_out(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert wait_until(
        lambda: conditions(kube_emulator, "web").get("Progressing", {}).get("reason") == "NewReplicaSetAvailable"
    )
    controller(kube_emulator).advance(601)
    kube_emulator.idle()
    assert reason(kube_emulator, "web") == ("True", "NewReplicaSetAvailable")


def test_a_completed_rollout_that_loses_a_ready_pod_stays_new_replica_set_available(
    kube_emulator: KubeEmulator,
) -> None:
    """isCompleteDeployment: no progress check once the rollout completed, so no timeout either."""
    kube_emulator.cluster.create(node("n1"))
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert wait_until(
        lambda: conditions(kube_emulator, "web").get("Progressing", {}).get("reason") == "NewReplicaSetAvailable"
    )
    set_ready(kube_emulator, "n1", "Unknown")  # MarkPodsNotReady: its pod is no longer ready
    assert wait_until(lambda: (get(kube_emulator, "web").get("status") or {}).get("readyReplicas") == 0)
    controller(kube_emulator).advance(601)
    kube_emulator.idle()
    assert reason(kube_emulator, "web") == ("True", "NewReplicaSetAvailable")
    assert readiness.check(get(kube_emulator, "web")).failed is False


def test_a_deployment_deleted_while_it_reconciles_is_dropped_without_an_error(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert kube_emulator.controllers.idle()
    web = get(kube_emulator, "web")
    kube_emulator.cluster.delete("apps/v1", "Deployment", "default", "web")
    controller(kube_emulator).reconcile(kube_emulator.cluster, web)  # its status write meets the API server's 404
    assert kube_emulator.controllers.idle()
    assert not kube_emulator.controllers.errors
