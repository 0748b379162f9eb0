"""A created Pod carries what kube-apiserver's default admission plugins add (upstream:
kubernetes/kubernetes plugin/pkg/admission/defaulttolerationseconds/admission.go and
plugin/pkg/admission/serviceaccount/admission.go)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

PODS = "/api/v1/namespaces/default/pods"
MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
NOT_READY_300 = {
    "key": "node.kubernetes.io/not-ready",
    "operator": "Exists",
    "effect": "NoExecute",
    "tolerationSeconds": 300,
}
UNREACHABLE_300 = {**NOT_READY_300, "key": "node.kubernetes.io/unreachable"}


def pod(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}], **spec},
    }


def created(emu: KubeEmulator, body: dict[str, Any]) -> dict[str, Any]:
    r = raw(emu, "POST", PODS, body)
    assert r.status == 201, r.body
    spec: dict[str, Any] = r.json()["spec"]
    return spec


def test_a_pod_gets_the_not_ready_and_unreachable_tolerations_for_300_seconds(kube_emulator: KubeEmulator) -> None:
    assert created(kube_emulator, pod())["tolerations"] == [NOT_READY_300, UNREACHABLE_300]


def test_a_pods_own_not_ready_toleration_is_kept_and_only_unreachable_is_added(kube_emulator: KubeEmulator) -> None:
    own = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}
    assert created(kube_emulator, pod(tolerations=[own]))["tolerations"] == [own, UNREACHABLE_300]


def test_a_toleration_of_every_taint_gets_no_default_ones(kube_emulator: KubeEmulator) -> None:
    assert created(kube_emulator, pod(tolerations=[{"operator": "Exists"}]))["tolerations"] == [{"operator": "Exists"}]


def test_a_pod_runs_as_the_default_service_account(kube_emulator: KubeEmulator) -> None:
    spec = created(kube_emulator, pod())
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")


def test_every_container_mounts_the_projected_kube_api_access_volume(kube_emulator: KubeEmulator) -> None:
    spec = created(kube_emulator, pod(initContainers=[{"name": "init", "image": "busybox:1.36"}]))
    (volume,) = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    assert volume["projected"] == {
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {
                "downwardAPI": {
                    "items": [
                        {"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}
                    ]
                }
            },
        ],
    }
    mount = {"name": volume["name"], "readOnly": True, "mountPath": MOUNT}
    assert spec["initContainers"][0]["volumeMounts"] == [mount]
    assert spec["containers"][0]["volumeMounts"] == [mount]


def test_a_pod_that_opts_out_of_the_token_gets_no_volume(kube_emulator: KubeEmulator) -> None:
    spec = created(kube_emulator, pod(automountServiceAccountToken=False))
    assert "volumes" not in spec and "volumeMounts" not in spec["containers"][0]


def test_a_service_account_that_opts_out_is_overridden_by_the_pod(kube_emulator: KubeEmulator) -> None:
    sa = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "quiet"},
        "automountServiceAccountToken": False,
    }
    assert raw(kube_emulator, "POST", "/api/v1/namespaces/default/serviceaccounts", sa).status == 201
    assert "volumes" not in created(kube_emulator, pod(serviceAccountName="quiet"))
    body = pod(serviceAccountName="quiet", automountServiceAccountToken=True)
    body["metadata"]["name"] = "p2"
    assert len(created(kube_emulator, body)["volumes"]) == 1


def test_a_container_with_its_own_mount_at_the_token_path_is_left_alone(kube_emulator: KubeEmulator) -> None:
    own = {"name": "mine", "mountPath": MOUNT}
    body = pod(volumes=[{"name": "mine", "emptyDir": {}}])
    body["spec"]["containers"] = [
        {"name": "a", "image": "nginx:1.27", "volumeMounts": [own]},
        {"name": "b", "image": "nginx:1.27"},
    ]
    spec = created(kube_emulator, body)
    assert spec["containers"][0]["volumeMounts"] == [own]
    assert spec["containers"][1]["volumeMounts"][0]["name"].startswith("kube-api-access-")


def test_a_pod_without_pull_secrets_gets_its_service_accounts(kube_emulator: KubeEmulator) -> None:
    sa = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "puller"},
        "imagePullSecrets": [{"name": "acr"}],
    }
    assert raw(kube_emulator, "POST", "/api/v1/namespaces/default/serviceaccounts", sa).status == 201
    assert created(kube_emulator, pod(serviceAccountName="puller"))["imagePullSecrets"] == [{"name": "acr"}]


def test_an_update_that_drops_the_default_tolerations_gets_them_back(kube_emulator: KubeEmulator) -> None:
    created(kube_emulator, pod())
    stored = raw(kube_emulator, "GET", f"{PODS}/p").json()
    stored["spec"]["tolerations"] = []
    r = raw(kube_emulator, "PUT", f"{PODS}/p", stored)
    assert r.status == 200, r.body
    assert r.json()["spec"]["tolerations"] == [NOT_READY_300, UNREACHABLE_300]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_shows_the_admitted_tolerations_and_token_mount(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod()), "utf-8")

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)

    assert kubectl("create", "-f", str(manifest)).returncode == 0
    r = kubectl(
        "get", "pod", "p", "-o", "jsonpath={.spec.tolerations[*].key} {.spec.containers[0].volumeMounts[0].mountPath}"
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"node.kubernetes.io/not-ready node.kubernetes.io/unreachable {MOUNT}"
