"""A patch whose result names another uid is refused by update validation: a patch carries no uid
precondition (its UpdatedObjectInfo has no object), BeforeUpdate keeps the stored uid only where
the object has none, and ValidateObjectMetaAccessorUpdate's immutable uid is a 422 (upstream:
kubernetes/apiserver 24a394e5 pkg/registry/rest/update.go BeforeUpdate, validateCommonFields;
kubernetes/apimachinery eed236ce pkg/api/validation/objectmeta.go ValidateImmutableField)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, deployment, raw

CM = "/api/v1/namespaces/default/configmaps/a"
OTHER = "00000000-0000-0000-0000-000000000000"
MERGE = "application/merge-patch+json"
IMMUTABLE = f'Invalid value: "{OTHER}": field is immutable'


def test_a_merge_patch_naming_another_uid_is_422_and_changes_nothing(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"k": "one"}))
    r = raw(kube_emulator, "PATCH", CM, {"metadata": {"uid": OTHER}, "data": {"k": "two"}}, content_type=MERGE)
    assert r.status == 422
    assert r.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'ConfigMap "a" is invalid: metadata.uid: {IMMUTABLE}',
        "reason": "Invalid",
        "details": {
            "name": "a",
            "kind": "ConfigMap",
            "causes": [{"reason": "FieldValueInvalid", "message": IMMUTABLE, "field": "metadata.uid"}],
        },
        "code": 422,
    }
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert stored is not None and stored["data"] == {"k": "one"}


def test_a_json_patch_replacing_the_uid_is_422(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    ops = [{"op": "replace", "path": "/metadata/uid", "value": OTHER}]
    r = raw(kube_emulator, "PATCH", CM, ops, content_type="application/json-patch+json")
    assert (r.status, r.json()["message"]) == (422, f'ConfigMap "a" is invalid: metadata.uid: {IMMUTABLE}')


def test_a_strategic_merge_patch_of_a_deployments_uid_is_422(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("web"))
    r = raw(
        kube_emulator,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web",
        {"metadata": {"uid": OTHER}},
        content_type="application/strategic-merge-patch+json",
    )
    assert (r.status, r.json()["message"]) == (422, f'Deployment.apps "web" is invalid: metadata.uid: {IMMUTABLE}')


def test_a_patch_naming_the_stored_uid_succeeds(kube_emulator: KubeEmulator) -> None:
    uid = kube_emulator.cluster.create(configmap("a", data={"k": "one"}))["metadata"]["uid"]
    r = raw(kube_emulator, "PATCH", CM, {"metadata": {"uid": uid}, "data": {"k": "two"}}, content_type=MERGE)
    assert r.status == 200, r.body


def test_a_stale_resource_version_is_refused_before_the_uid(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    patch = {"metadata": {"uid": OTHER, "resourceVersion": "1"}}
    assert raw(kube_emulator, "PATCH", CM, patch, content_type=MERGE).status == 409


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_patch_of_the_uid_prints_the_invalid_field(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    kube_emulator.cluster.create(configmap("a"))
    r = subprocess.run(
        ["kubectl", "patch", "configmap", "a", "--type", "merge", "-p", f'{{"metadata":{{"uid":"{OTHER}"}}}}'],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 1
    assert r.stderr.strip() == f'The ConfigMap "a" is invalid: metadata.uid: {IMMUTABLE}'
