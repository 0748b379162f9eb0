"""A namespace's pod-security.kubernetes.io labels refuse Pods and warn on workloads as the
PodSecurity admission plugin does (upstream: kubernetes/pod-security-admission admission/
admission.go ValidatePod, ValidatePodController, EvaluatePod; policy/check_*.go)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import deployment, raw

ENFORCE = "pod-security.kubernetes.io/enforce"
RESTRICTED_DETAIL = (
    'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
    'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
    'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
    'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
    '"Localhost")'
)
HARDENED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def namespace(emu: KubeEmulator, name: str, **labels: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    assert raw(emu, "POST", "/api/v1/namespaces", body).status == 201


def pod(ns: str, **spec: Any) -> dict[str, Any]:
    container = {"name": "c", "image": "nginx:1.27", **spec.pop("container", {})}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": ns},
        "spec": {"containers": [container], **spec},
    }


def create(emu: KubeEmulator, ns: str, body: dict[str, Any]) -> Any:
    return raw(emu, "POST", f"/api/v1/namespaces/{ns}/pods", body)


def test_a_plain_pod_in_a_restricted_namespace_is_forbidden(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "locked", **{ENFORCE: "restricted"})
    r = create(kube_emulator, "locked", pod("locked"))
    assert r.status == 403
    assert (
        r.json()["message"] == f'pods "p" is forbidden: violates PodSecurity "restricted:latest": {RESTRICTED_DETAIL}'
    )
    assert r.json()["details"] == {"name": "p", "kind": "pods"}
    assert kube_emulator.cluster.get("v1", "Pod", "locked", "p") is None


def test_a_hardened_pod_in_a_restricted_namespace_is_admitted(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "locked", **{ENFORCE: "restricted"})
    r = create(kube_emulator, "locked", pod("locked", container={"securityContext": HARDENED}))
    assert r.status == 201, r.body


def test_baseline_refuses_host_namespaces_host_paths_and_privileged_containers(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "base", **{ENFORCE: "baseline"})
    body = pod(
        "base",
        hostNetwork=True,
        volumes=[{"name": "dev", "hostPath": {"path": "/dev"}}],
        container={"securityContext": {"privileged": True}},
    )
    r = create(kube_emulator, "base", body)
    assert r.json()["message"] == (
        'pods "p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), '
        'hostPath volumes (volume "dev"), privileged (container "c" must not set securityContext.privileged=true)'
    )


def test_baseline_refuses_a_capability_outside_the_default_set(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "base", **{ENFORCE: "baseline"})
    r = create(
        kube_emulator, "base", pod("base", container={"securityContext": {"capabilities": {"add": ["IPC_LOCK"]}}})
    )
    assert r.json()["message"] == (
        'pods "p" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities '
        '(container "c" must not include "IPC_LOCK" in securityContext.capabilities.add)'
    )


def test_restricted_names_a_host_path_as_a_restricted_volume_type(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "locked", **{ENFORCE: "restricted"})
    body = pod(
        "locked", volumes=[{"name": "dev", "hostPath": {"path": "/dev"}}], container={"securityContext": HARDENED}
    )
    r = create(kube_emulator, "locked", body)
    assert r.json()["message"] == (
        'pods "p" is forbidden: violates PodSecurity "restricted:latest": restricted volume types '
        '(volume "dev" uses restricted volume type "hostPath")'
    )


def test_the_enforce_version_label_names_the_version(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "base", **{ENFORCE: "baseline", f"{ENFORCE}-version": "v1.33"})
    r = create(kube_emulator, "base", pod("base", hostPID=True))
    assert r.json()["message"] == (
        'pods "p" is forbidden: violates PodSecurity "baseline:v1.33": host namespaces (hostPID=true)'
    )


def test_a_namespace_without_labels_admits_a_privileged_pod(kube_emulator: KubeEmulator) -> None:
    body = pod("default", hostNetwork=True, container={"securityContext": {"privileged": True}})
    assert create(kube_emulator, "default", body).status == 201


def test_a_deployment_in_a_restricted_namespace_is_created_with_the_warning(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "locked", **{ENFORCE: "restricted"})
    body = deployment("web", ns="locked")
    body["spec"]["template"]["spec"]["containers"][0]["name"] = "c"
    r = raw(kube_emulator, "POST", "/apis/apps/v1/namespaces/locked/deployments", body)
    assert r.status == 201, r.body
    warning = f'would violate PodSecurity "restricted:latest": {RESTRICTED_DETAIL}'
    assert r.headers.get_all("Warning") == ['299 - "' + warning.replace('"', '\\"') + '"']


def test_a_warn_label_below_enforce_is_kept(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "mixed", **{ENFORCE: "restricted", "pod-security.kubernetes.io/warn": "privileged"})
    r = raw(kube_emulator, "POST", "/apis/apps/v1/namespaces/mixed/deployments", deployment("web", ns="mixed"))
    assert r.status == 201 and r.headers.get_all("Warning") is None


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_prints_the_pod_security_refusal(kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path) -> None:
    namespace(kube_emulator, "locked", **{ENFORCE: "restricted"})
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod("locked")), "utf-8")
    r = subprocess.run(
        ["kubectl", "create", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server (Forbidden): error when creating "{manifest}": pods "p" is forbidden: '
        f'violates PodSecurity "restricted:latest": {RESTRICTED_DETAIL}'
    )
