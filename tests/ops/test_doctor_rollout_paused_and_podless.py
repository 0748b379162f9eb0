"""doctor's rollout row where the operator's pods cannot say it: a paused operator Deployment
(kubernetes/kubernetes pkg/controller/deployment/deployment_controller.go syncDeployment: paused,
only synced, never rolled) and an installed operator with no pod left (a Recreate rollout whose new
ReplicaSet cannot create pods), whose Deployment is found by the labels the chart gives it
(kedacore/charts keda/templates/manager/deployment.yaml labels the Deployment app and
app.kubernetes.io/name keda-operator, as its pods)."""

from __future__ import annotations

from typing import Any

from akscli.doctor import checks as doctor
from akscli.doctor.checklist import components
from tests.emulators.kube.apiserver import wait_until
from tests.ops.fakes import FakeReader
from tests.ops.test_doctor_operator_rollout import LABELS, NS, _keda_checks, _operator, _status


def _pause_and_change(emu: Any) -> None:
    d = emu.cluster.get("apps/v1", "Deployment", NS, "keda-operator")
    d["spec"]["paused"] = True
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "ghcr.io/kedacore/keda:2.17.0"
    emu.cluster.update(d)
    assert wait_until(lambda: _status(emu).get("observedGeneration") == 2)


def test_a_paused_operator_deployment_with_a_new_template_is_named_paused(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    _pause_and_change(kube_emulator)
    [rollout] = [c for c in _keda_checks()[1] if c["check"] == "rollout deployment/keda-operator"]
    assert rollout["detail"].startswith(
        "deployment keda/keda-operator: paused (spec.paused), so nothing rolls: "
        'Waiting for deployment "keda-operator" rollout to finish: 0 out of 1 new replicas have been updated'
    )
    assert rollout["severity"] == "optional"  # the old pod still serves


def test_a_paused_operator_deployments_fix_is_rollout_resume(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator)
    _pause_and_change(kube_emulator)
    [rollout] = [c for c in _keda_checks()[1] if c["check"] == "rollout deployment/keda-operator"]
    assert rollout["fix"].startswith("kubectl rollout resume deployment/keda-operator -n keda ")


def _podless_keda() -> list[dict[str, Any]]:
    """KEDA installed (CRD there); its Recreate rollout stopped the old pod (recreate.go
    rolloutRecreate) and the new ReplicaSet has made none (a quota or an admission webhook refused
    it, kubernetes/kubernetes pkg/controller/replicaset/replica_set.go manageReplicas)."""
    crd = {
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "scaledobjects.keda.sh"},
        "spec": {"versions": [{"name": "v1alpha1", "served": True}]},
    }
    template = {"metadata": {"labels": LABELS}, "spec": {"containers": [{"name": "keda", "image": "new"}]}}
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "keda-operator", "namespace": NS, "uid": "d-1", "generation": 2, "labels": LABELS},
        "spec": {"replicas": 1, "strategy": {"type": "Recreate"}, "selector": {"matchLabels": LABELS}},
        "status": {"observedGeneration": 2, "replicas": 0, "updatedReplicas": 0, "availableReplicas": 0},
    }
    deployment["spec"]["template"] = template

    def replica_set(digest: str, created: str, replicas: int) -> dict[str, Any]:
        labels = {**LABELS, "pod-template-hash": digest}
        image = "new" if digest == "new1" else "old"
        return {
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"keda-operator-{digest}",
                "namespace": NS,
                "labels": labels,
                "creationTimestamp": created,
                "ownerReferences": [{"kind": "Deployment", "name": "keda-operator", "uid": "d-1", "controller": True}],
            },
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "keda", "image": image}]},
                },
            },
            "status": {"replicas": 0},
        }

    return [
        crd,
        deployment,
        replica_set("old1", "2026-01-01T00:00:00Z", 0),
        replica_set("new1", "2026-02-01T00:00:00Z", 1),
    ]


def _keda_rows(reader: FakeReader) -> dict[str, doctor.Check]:
    keda = next(c for c in components() if c.id == "keda")
    return {c.name: c for c in doctor._check(reader, keda)}  # type: ignore[arg-type]


def test_an_installed_operator_with_no_pod_left_names_its_deployments_rollout() -> None:
    rows = _keda_rows(FakeReader(*_podless_keda()))
    rollout = rows["rollout deployment/keda-operator"]
    assert rollout.detail.startswith(
        'deployment keda/keda-operator: Waiting for deployment "keda-operator" rollout to finish: '
        "0 out of 1 new replicas have been updated: 0 of 1 new replicas updated, 0 available "
        "(ReplicaSet keda-operator-new1); no replica is available"
    )
    assert rollout.blocking


def test_an_installed_operator_with_no_pod_left_is_told_to_undo_not_to_install() -> None:
    pods = _keda_rows(FakeReader(*_podless_keda()))["pods"]
    assert (pods.status, pods.present) == (doctor.NOT_READY, True)
    assert pods.detail.endswith("; deployment keda/keda-operator has no pod running")
    assert "kubectl rollout undo deployment/keda-operator -n keda" in pods.fix


def test_an_operator_not_installed_costs_no_deployment_list() -> None:
    """No CRD and no APIService: nothing was installed, so no Deployment is looked for."""

    kinds: list[str] = []

    class Recording(FakeReader):
        def list(self, api_version: str, kind: str, **kwargs: Any) -> Any:
            kinds.append(kind)
            return super().list(api_version, kind, **kwargs)

    reader = Recording()
    _keda_rows(reader)
    assert "Deployment" not in kinds
