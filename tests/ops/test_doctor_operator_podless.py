"""doctor on an installed operator whose Deployment runs no pod for a reason the Deployment itself
gives, not a rollout: scaled to zero (spec.replicas 0: kubernetes/kubernetes
pkg/controller/deployment/sync.go scale makes the ReplicaSet 0), or its ReplicaSet's pod creates
refused (ReplicaFailure, reason FailedCreate, the API server's refusal as message:
pkg/controller/replicaset/replica_set_utils.go calculateStatus; copied onto the Deployment by
pkg/controller/deployment/progress.go syncRolloutStatus). Neither is fixed by an install."""

from __future__ import annotations

from typing import Any

from akscli.doctor import checks as doctor
from tests.emulators.kube.apiserver import wait_until
from tests.ops.fakes import FakeReader
from tests.ops.test_doctor_operator_rollout import NS, _keda_checks, _operator, _status
from tests.ops.test_doctor_rollout_paused_and_podless import _keda_rows, _podless_keda

QUOTA = (
    'pods "keda-operator-new1-x7k2p" is forbidden: exceeded quota: compute, requested: cpu=1, used: cpu=4, '
    "limited: cpu=4"
)


def _scale_to_zero(emu: Any) -> None:
    d = emu.cluster.get("apps/v1", "Deployment", NS, "keda-operator")
    d["spec"]["replicas"] = 0
    emu.cluster.update(d)
    assert wait_until(lambda: _status(emu).get("observedGeneration") == 2 and not _status(emu).get("replicas"))
    assert wait_until(lambda: not emu.cluster.list("v1", "Pod", namespace=NS))


def test_an_operator_scaled_to_zero_is_named_scaled_to_zero(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    _scale_to_zero(kube_emulator)
    [pods] = [c for c in _keda_checks()[1] if c["check"] == "pods"]
    assert pods["status"] == "not-ready"
    assert pods["detail"].endswith(
        "; deployment keda/keda-operator is scaled to zero (spec.replicas 0), so it runs no pod"
    )


def test_an_operator_scaled_to_zero_is_told_to_scale_not_to_install(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    _scale_to_zero(kube_emulator)
    [pods] = [c for c in _keda_checks()[1] if c["check"] == "pods"]
    assert pods["fix"].startswith("kubectl scale deployment/keda-operator -n keda --replicas=1 ")
    assert "install" not in pods["fix"].replace("reinstalling is not needed", "")


def _refused(objects: list[dict[str, Any]], *, first_install: bool) -> list[dict[str, Any]]:
    """The podless KEDA with its Deployment's ReplicaFailure as the controllers write it; a first
    install has no older ReplicaSet."""
    out = [o for o in objects if not (first_install and o["metadata"]["name"] == "keda-operator-old1")]
    deployment = next(o for o in out if o["kind"] == "Deployment")
    deployment["status"]["conditions"] = [
        {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
        {"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": QUOTA},
    ]
    if first_install:
        deployment["metadata"]["generation"] = deployment["status"]["observedGeneration"] = 1
    return out


def test_a_first_install_whose_pods_a_quota_refuses_gives_the_replica_sets_reason() -> None:
    pods = _keda_rows(FakeReader(*_refused(_podless_keda(), first_install=True)))["pods"]
    assert (pods.status, pods.present) == (doctor.NOT_READY, True)
    assert pods.detail.endswith(
        f"; deployment keda/keda-operator runs no pod: ReplicaSet cannot create pods (FailedCreate): {QUOTA}"
    )
    assert pods.fix.startswith(
        "remove what refuses the pod (the message names it: kubectl describe resourcequota -n keda"
    )


def test_a_recreate_rollout_whose_new_pods_are_refused_names_the_refusal() -> None:
    rows = _keda_rows(FakeReader(*_refused(_podless_keda(), first_install=False)))
    assert rows["rollout deployment/keda-operator"].detail.endswith(
        f"; no replica is available; ReplicaSet cannot create pods (FailedCreate): {QUOTA}"
    )


def test_an_operator_whose_deployment_is_gone_is_still_told_to_install() -> None:
    """Only the CRD is left: nothing to scale or unblock, so the install fix stands."""
    crd = next(o for o in _podless_keda() if o["kind"] == "CustomResourceDefinition")
    pods = _keda_rows(FakeReader(crd))["pods"]
    assert (pods.status, pods.fix) == (doctor.MISSING, "")
