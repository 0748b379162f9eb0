"""Server-side apply conflicts as the API server reports them: every conflicting field with its
manager, grouped and ordered as kubernetes/apimachinery pkg/util/managedfields/internal/conflict.go
(NewConflictError, getConflictMessage) and kubernetes-sigs/structured-merge-diff merge/update.go and
fieldpath/set.go order them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.ssa import conflict_message
from tests.kube_emulator.helpers import deployment, raw

APPLY = "application/apply-patch+yaml"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments"


def _deployment(replicas: int, image: str, grace: int) -> dict[str, Any]:
    body = deployment("web", replicas=replicas, image=image)
    body["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = grace
    return body


def _two_managers(emu: KubeEmulator) -> None:
    """alice applied the template, kubectl-patch then set the replicas."""
    assert raw(emu, "PATCH", f"{DEPLOY}/web?fieldManager=alice", _deployment(2, "a:1", 10), APPLY).status == 201
    patched = raw(
        emu,
        "PATCH",
        f"{DEPLOY}/web?fieldManager=kubectl-patch",
        {"spec": {"replicas": 3}},
        "application/merge-patch+json",
    )
    assert patched.status == 200


def _bobs_apply(emu: KubeEmulator) -> Any:
    """bob applies all three fields."""
    return raw(emu, "PATCH", f"{DEPLOY}/web?fieldManager=bob", _deployment(5, "b:1", 20), APPLY)


def _three_conflicts(emu: KubeEmulator) -> Any:
    """alice applied the template, kubectl-patch then set the replicas, bob applies all three."""
    _two_managers(emu)
    return _bobs_apply(emu)


def test_several_conflicts_are_grouped_under_each_manager_with_every_field(kube_emulator: KubeEmulator) -> None:
    r = _three_conflicts(kube_emulator)
    assert r.status == 409
    assert r.json()["message"] == (
        'Apply failed with 3 conflicts: conflicts with "alice":\n'
        "- .spec.template.spec.terminationGracePeriodSeconds\n"
        '- .spec.template.spec.containers[name="main"].image\n'
        'conflicts with "kubectl-patch" using apps/v1:\n'
        "- .spec.replicas"
    )


def test_each_conflicting_field_is_a_field_manager_conflict_cause(kube_emulator: KubeEmulator) -> None:
    body = _three_conflicts(kube_emulator).json()
    assert body["reason"] == "Conflict" and body["code"] == 409
    assert body["details"]["causes"] == [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "alice"',
            "field": ".spec.template.spec.terminationGracePeriodSeconds",
        },
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "alice"',
            "field": '.spec.template.spec.containers[name="main"].image',
        },
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kubectl-patch" using apps/v1',
            "field": ".spec.replicas",
        },
    ]


def test_a_refused_apply_changes_nothing(kube_emulator: KubeEmulator) -> None:
    # The Deployment controller writes the object too: the revision annotation (an Update) and its
    # status (UpdateStatus), both as kube-controller-manager (kubernetes/kubernetes
    # pkg/controller/deployment/sync.go getNewReplicaSet, syncDeploymentStatus). Those writes land
    # when the controller gets to them, so the object is read once they are done, before bob's apply.
    # A refused apply writes nothing: the object after it is the object before, resourceVersion too.
    _two_managers(kube_emulator)
    assert kube_emulator.idle()
    before = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web")
    assert _bobs_apply(kube_emulator).status == 409
    live = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web")
    assert live is not None and live == before
    assert live["spec"]["replicas"] == 3
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "a:1"
    managers = {m["manager"] for m in live["metadata"]["managedFields"]}
    assert managers == {"alice", "kubectl-patch", "kube-controller-manager"}


def test_managers_are_ordered_by_their_identifier_not_by_how_they_are_printed() -> None:
    # The identifier is the entry as JSON (managedfields.go BuildManagerIdentifier): the one with a
    # subresource, `...,"subresource":"status"}`, sorts before the one without, `...}`, though its
    # printed name, "kubelet" with subresource ..., sorts after "kubelet" using v1.
    plain = {"manager": "kubelet", "operation": "Update", "apiVersion": "v1"}
    status = {**plain, "subresource": "status"}
    message = conflict_message([(plain, ("f:spec", "f:a")), (status, ("f:status", "f:b"))])
    assert message == (
        'Apply failed with 2 conflicts: conflicts with "kubelet" with subresource "status" using v1:\n'
        "- .status.b\n"
        'conflicts with "kubelet" using v1:\n'
        "- .spec.a"
    )


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_prints_every_conflict_then_its_force_conflicts_advice(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    # kubernetes/kubectl pkg/cmd/apply/apply.go: on errors.IsConflict the Status message, then
    # "Please review the fields above--they currently have other managers." and the three ways.
    assert (
        raw(kube_emulator, "PATCH", f"{DEPLOY}/web?fieldManager=alice", _deployment(2, "a:1", 10), APPLY).status == 201
    )
    manifest = tmp_path / "web.yaml"
    manifest.write_text(yaml.safe_dump(_deployment(5, "b:1", 20)), encoding="utf-8")
    r = subprocess.run(
        ["kubectl", "apply", "--server-side", "--field-manager=bob", "-f", str(manifest)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 1
    assert (
        'error: Apply failed with 3 conflicts: conflicts with "alice":\n'
        "- .spec.replicas\n"
        "- .spec.template.spec.terminationGracePeriodSeconds\n"
        '- .spec.template.spec.containers[name="main"].image\n'
        "Please review the fields above--they currently have other managers."
    ) in r.stderr
    assert "re-run the apply\n  command with the `--force-conflicts` flag." in r.stderr
