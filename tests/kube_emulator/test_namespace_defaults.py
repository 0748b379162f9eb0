"""Every namespace gets what kube-controller-manager's ServiceAccounts controller and root CA
publisher make, and a Pod naming a ServiceAccount that does not exist is refused as the
ServiceAccount admission plugin refuses it (upstream: kubernetes/kubernetes pkg/controller/
serviceaccount/serviceaccounts_controller.go, pkg/controller/certificates/rootcacertpublisher/
publisher.go, plugin/pkg/admission/serviceaccount/admission.go)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.control import tls_material
from tests.emulators.kube.namespace_defaults import DESCRIPTION
from tests.kube_emulator.helpers import raw


def namespace(emu: KubeEmulator, name: str) -> None:
    r = raw(emu, "POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert r.status == 201, r.body


def pod(ns: str, sa: str | None = None, **md: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "nginx:1.27"}]}
    if sa is not None:
        spec["serviceAccountName"] = sa
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": ns, **md}, "spec": spec}


def stored(emu: KubeEmulator, kind: str, ns: str, name: str) -> dict[str, Any] | None:
    return emu.cluster.get("v1", kind, ns, name)


def test_a_new_namespace_gets_its_default_service_account(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team-a")
    assert kube_emulator.idle()  # the controllers' queue has synced team-a
    sa = stored(kube_emulator, "ServiceAccount", "team-a", "default")
    assert sa is not None and set(sa) == {"apiVersion", "kind", "metadata"}


def test_a_new_namespace_gets_the_root_ca_configmap(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team-a")
    assert kube_emulator.idle()
    cm = stored(kube_emulator, "ConfigMap", "team-a", "kube-root-ca.crt")
    assert cm is not None
    assert cm["data"] == {"ca.crt": tls_material().ca_pem.decode()}
    assert cm["metadata"]["annotations"] == {"kubernetes.io/description": DESCRIPTION}


def test_the_system_namespaces_have_their_default_service_accounts(kube_emulator: KubeEmulator) -> None:
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert stored(kube_emulator, "ServiceAccount", ns, "default") is not None, ns


def test_a_deleted_default_service_account_is_made_again(kube_emulator: KubeEmulator) -> None:
    old = stored(kube_emulator, "ServiceAccount", "default", "default")
    assert old is not None
    assert raw(kube_emulator, "DELETE", "/api/v1/namespaces/default/serviceaccounts/default").status == 200

    assert kube_emulator.idle()
    sa = stored(kube_emulator, "ServiceAccount", "default", "default")
    assert sa is not None and sa["metadata"]["uid"] != old["metadata"]["uid"]


def test_an_edited_root_ca_configmap_is_put_back(kube_emulator: KubeEmulator) -> None:
    path = "/api/v1/namespaces/default/configmaps/kube-root-ca.crt"
    r = raw(kube_emulator, "PATCH", path, {"data": {"ca.crt": "x"}}, content_type="application/merge-patch+json")
    assert r.status == 200, r.body
    ca = tls_material().ca_pem.decode()
    assert kube_emulator.idle()
    assert (stored(kube_emulator, "ConfigMap", "default", "kube-root-ca.crt") or {}).get("data") == {"ca.crt": ca}


def test_a_pod_created_right_after_its_namespace_runs_as_default(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team-b")
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/team-b/pods", pod("team-b"))
    assert r.status == 201, r.body
    assert r.json()["spec"]["serviceAccountName"] == "default"


def test_a_pod_naming_a_missing_service_account_is_forbidden(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods", pod("default", "nope"))
    assert r.status == 403
    assert r.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "p" is forbidden: error looking up service account default/nope: '
        'serviceaccount "nope" not found',
        "reason": "Forbidden",
        "details": {"name": "p", "kind": "pods"},
        "code": 403,
    }
    assert stored(kube_emulator, "Pod", "default", "p") is None


def test_the_refusal_of_a_generated_name_names_its_generate_name(kube_emulator: KubeEmulator) -> None:
    body = pod("default", "nope")
    body["metadata"] = {"generateName": "job-", "namespace": "default"}
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods", body)
    assert r.status == 403
    assert r.json()["message"].startswith('pods "job-" is forbidden: error looking up service account default/nope')


def test_a_pod_naming_an_existing_service_account_is_admitted(kube_emulator: KubeEmulator) -> None:
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "runner", "namespace": "default"}}
    kube_emulator.cluster.create(sa)
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods", pod("default", "runner"))
    assert r.status == 201, r.body


def test_a_pod_in_a_terminating_namespace_is_refused_for_the_namespace(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.namespace_deletion_delay = 30.0
    namespace(kube_emulator, "going")
    assert raw(kube_emulator, "DELETE", "/api/v1/namespaces/going").status == 200
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/going/pods", pod("going", "nope"))
    assert r.status == 403
    assert "because it is being terminated" in r.json()["message"]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_prints_the_missing_service_account_refusal(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod("default", "nope")), "utf-8")
    r = subprocess.run(
        ["kubectl", "create", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server (Forbidden): error when creating "{manifest}": pods "p" is forbidden: '
        'error looking up service account default/nope: serviceaccount "nope" not found'
    )
