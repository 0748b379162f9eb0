"""The real `kubectl scale` of a Deployment in the middle of a rollout: the emulator's controller
shares the change between the old and the new ReplicaSet in proportion to their sizes, as
kube-controller-manager does (kubernetes/kubernetes pkg/controller/deployment/sync.go scale,
util/deployment_util.go GetReplicaSetProportion; the numbers are those of upstream's e2e
test/e2e/apps/deployment.go testProportionalScalingDeployment: 10 replicas, maxSurge 3,
maxUnavailable 2, a new template that cannot run: old 8 + new 5, scaled to 30: old 20 + new 13)."""

from __future__ import annotations

import shutil

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import a_node, deployment
from tests.kube_emulator.test_kubectl_fidelity import kubectl

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def sizes(emu: KubeEmulator) -> tuple[int, int]:
    """(old, new): the spec.replicas of the first template's ReplicaSet and of the second's."""
    by_age = sorted(
        emu.cluster.list("apps/v1", "ReplicaSet", "default"),
        key=lambda rs: int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]),
    )
    if len(by_age) != 2:
        return (-1, -1)
    return (int(by_age[0]["spec"]["replicas"]), int(by_age[1]["spec"]["replicas"]))


@pytest.fixture
def stuck(kube_emulator: KubeEmulator, kubeconfig: object) -> KubeEmulator:
    """Deployment "web": 10 replicas, maxSurge 3, maxUnavailable 2, rolled out; then a new template
    asking 64 CPUs, which no node has: the rollout stops at old 8 + new 5 (5 Pending)."""
    a_node(kube_emulator)
    d = deployment("web", replicas=10)
    d["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}
    kube_emulator.cluster.create(d)
    assert wait_until(lambda: (get(kube_emulator).get("status") or {}).get("availableReplicas") == 10)
    r = kubectl("set", "resources", "deployment/web", "--requests=cpu=64")
    assert r.returncode == 0, r.stderr
    assert wait_until(lambda: sizes(kube_emulator) == (8, 5))
    return kube_emulator


def get(emu: KubeEmulator) -> dict[str, object]:
    return emu.cluster.get("apps/v1", "Deployment", "default", "web") or {}


def test_scaling_up_mid_rollout_shares_the_new_replicas_in_proportion(stuck: KubeEmulator) -> None:
    r = kubectl("scale", "deployment/web", "--replicas=30")
    assert (r.returncode, r.stdout.strip()) == (0, "deployment.apps/web scaled"), r.stderr
    assert wait_until(lambda: sizes(stuck) == (20, 13)), sizes(stuck)


def test_scaling_down_mid_rollout_takes_from_both_in_proportion(stuck: KubeEmulator) -> None:
    assert kubectl("scale", "deployment/web", "--replicas=30").returncode == 0
    assert wait_until(lambda: sizes(stuck) == (20, 13))
    assert kubectl("scale", "deployment/web", "--replicas=10").returncode == 0
    assert wait_until(lambda: sizes(stuck) == (8, 5)), sizes(stuck)


def test_each_replica_set_is_annotated_with_the_size_it_was_scaled_for(stuck: KubeEmulator) -> None:
    """scaleReplicaSet writes desired-replicas and max-replicas on every active ReplicaSet, so the
    next sync is no scaling event (sync.go isScalingEvent)."""
    assert kubectl("scale", "deployment/web", "--replicas=30").returncode == 0
    assert wait_until(lambda: sizes(stuck) == (20, 13))
    notes = [rs["metadata"]["annotations"] for rs in stuck.cluster.list("apps/v1", "ReplicaSet", "default")]
    assert {
        (n["deployment.kubernetes.io/desired-replicas"], n["deployment.kubernetes.io/max-replicas"]) for n in notes
    } == {("30", "33")}


def test_a_paused_deployment_scales_both_replica_sets_in_proportion(stuck: KubeEmulator) -> None:
    assert kubectl("rollout", "pause", "deployment/web").returncode == 0
    assert kubectl("scale", "deployment/web", "--replicas=30").returncode == 0
    assert wait_until(lambda: sizes(stuck) == (20, 13)), sizes(stuck)
