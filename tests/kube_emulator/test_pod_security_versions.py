"""PodSecurity as of a namespace's enforce-version, with the AdmissionConfiguration's exemptions,
on Pod updates and when a namespace is labelled (upstream: kubernetes/pod-security-admission
8f84a87c policy/registry.go, policy/check_*.go MinimumVersion, admission/admission.go ValidatePod,
isSignificantPodUpdate, ValidateNamespace, EvaluatePodsInNamespace, exemptNamespaceWarning)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator, admission_podsecurity
from tests.emulators.kube.admission_podsecurity import Exemptions
from tests.kube_emulator.helpers import raw

ENFORCE = "pod-security.kubernetes.io/enforce"
VERSION = "pod-security.kubernetes.io/enforce-version"
HARDENED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def namespace(emu: KubeEmulator, name: str, **labels: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    assert raw(emu, "POST", "/api/v1/namespaces", body).status == 201


def pod(ns: str, name: str = "p", owner: str | None = None, **spec: Any) -> dict[str, Any]:
    container = {"name": "c", "image": "nginx:1.27", **spec.pop("container", {})}
    meta: dict[str, Any] = {"name": name, "namespace": ns}
    if owner:
        # a ConfigMap that exists, so that the garbage collector keeps the pods
        meta["ownerReferences"] = [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "o", "uid": owner, "controller": True}
        ]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": [container], **spec}}


def create(emu: KubeEmulator, ns: str, body: dict[str, Any], token: str | None = "default") -> Any:
    return raw(emu, "POST", f"/api/v1/namespaces/{ns}/pods", body, token=token)


def label(emu: KubeEmulator, ns: str, **labels: str) -> Any:
    body = {"metadata": {"labels": labels}}
    r = raw(emu, "PATCH", f"/api/v1/namespaces/{ns}", body, content_type="application/merge-patch+json")
    assert r.status == 200, r.body
    return r


def warnings(r: Any) -> list[str]:
    return [w.removeprefix('299 - "').removesuffix('"').replace('\\"', '"') for w in r.headers.get_all("Warning") or []]


def test_restricted_before_v1_22_asks_no_capabilities_drop(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "old", **{ENFORCE: "restricted", VERSION: "v1.21"})
    no_drop = {k: v for k, v in HARDENED.items() if k != "capabilities"}
    assert create(kube_emulator, "old", pod("old", container={"securityContext": no_drop})).status == 201


def test_the_same_pod_is_refused_at_latest_for_the_capabilities_drop(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "new", **{ENFORCE: "restricted"})
    no_drop = {k: v for k, v in HARDENED.items() if k != "capabilities"}
    r = create(kube_emulator, "new", pod("new", container={"securityContext": no_drop}))
    assert r.status == 403
    assert r.json()["message"] == (
        'pods "p" is forbidden: violates PodSecurity "restricted:latest": unrestricted capabilities '
        '(container "c" must set securityContext.capabilities.drop=["ALL"])'
    )


def test_restricted_before_v1_19_asks_no_seccomp_profile(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "old", **{ENFORCE: "restricted", VERSION: "v1.18"})
    no_seccomp = {k: v for k, v in HARDENED.items() if k != "seccompProfile"}
    assert create(kube_emulator, "old", pod("old", container={"securityContext": no_seccomp})).status == 201


def test_a_windows_pod_needs_no_linux_only_fields_from_v1_25(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "win", **{ENFORCE: "restricted"})
    body = pod("win", os={"name": "windows"}, securityContext={"runAsNonRoot": True})
    assert create(kube_emulator, "win", body).status == 201


def test_a_windows_pod_before_v1_25_is_refused_for_them(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "win", **{ENFORCE: "restricted", VERSION: "v1.24"})
    body = pod("win", os={"name": "windows"}, securityContext={"runAsNonRoot": True})
    r = create(kube_emulator, "win", body)
    assert r.status == 403
    assert r.json()["message"].startswith(
        'pods "p" is forbidden: violates PodSecurity "restricted:v1.24": allowPrivilegeEscalation != false'
    )


def test_a_user_namespace_pod_may_run_as_root_from_v1_35_only(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "new", **{ENFORCE: "restricted"})
    namespace(kube_emulator, "old", **{ENFORCE: "restricted", VERSION: "v1.34"})
    as_root = {k: v for k, v in HARDENED.items() if k != "runAsNonRoot"}
    assert (
        create(kube_emulator, "new", pod("new", hostUsers=False, container={"securityContext": as_root})).status == 201
    )
    r = create(kube_emulator, "old", pod("old", hostUsers=False, container={"securityContext": as_root}))
    assert r.status == 403 and "runAsNonRoot != true" in r.json()["message"]


def test_an_invalid_version_is_evaluated_as_latest(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # stored before the plugin checked labels: a create with it is refused (test_pod_security_labels.py)
    with monkeypatch.context() as m:
        m.setattr(admission_podsecurity, "label_errors", lambda labels: [])
        namespace(kube_emulator, "odd", **{ENFORCE: "restricted", VERSION: "v1.x"})
    r = create(kube_emulator, "odd", pod("odd"))
    assert r.status == 403 and 'violates PodSecurity "restricted:latest"' in r.json()["message"]


def test_an_exempt_namespace_admits_any_pod(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_security_exemptions = Exemptions(namespaces=("ops",))
    namespace(kube_emulator, "ops", **{ENFORCE: "restricted"})
    assert create(kube_emulator, "ops", pod("ops", hostNetwork=True)).status == 201


def test_an_exempt_user_creates_pods_the_level_would_refuse(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_security_exemptions = Exemptions(usernames=("ci-bot",))
    kube_emulator.auth.add_token("ci-token", "ci-bot", ["system:masters"])
    kube_emulator.auth.add_token("dev-token", "dev", ["system:masters"])
    namespace(kube_emulator, "locked", **{ENFORCE: "restricted"})
    assert create(kube_emulator, "locked", pod("locked"), token="ci-token").status == 201
    assert create(kube_emulator, "locked", pod("locked", "q"), token="dev-token").status == 403


def test_an_exempt_runtime_class_skips_the_checks(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_security_exemptions = Exemptions(runtime_classes=("kata",))
    namespace(kube_emulator, "locked", **{ENFORCE: "restricted"})
    assert create(kube_emulator, "locked", pod("locked", runtimeClassName="kata")).status == 201


def test_a_pod_create_that_enforce_admits_gets_the_warn_levels_warning(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team", **{ENFORCE: "baseline", "pod-security.kubernetes.io/warn": "restricted"})
    r = create(kube_emulator, "team", pod("team"))
    assert r.status == 201
    assert len(warnings(r)) == 1 and warnings(r)[0].startswith('would violate PodSecurity "restricted:latest": ')


def test_a_pod_update_that_keeps_its_images_is_not_checked_again(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team")
    assert create(kube_emulator, "team", pod("team")).status == 201
    label(kube_emulator, "team", **{ENFORCE: "restricted"})
    body = {"metadata": {"labels": {"tier": "web"}}}
    r = raw(kube_emulator, "PATCH", "/api/v1/namespaces/team/pods/p", body, content_type="application/merge-patch+json")
    assert r.status == 200, r.body


def test_a_pod_update_that_changes_an_image_is_checked_again(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team")
    assert create(kube_emulator, "team", pod("team")).status == 201
    label(kube_emulator, "team", **{ENFORCE: "restricted"})
    body = {"spec": {"containers": [{"name": "c", "image": "nginx:1.28"}]}}
    r = raw(
        kube_emulator,
        "PATCH",
        "/api/v1/namespaces/team/pods/p",
        body,
        content_type="application/strategic-merge-patch+json",
    )
    assert r.status == 403
    assert r.json()["message"].startswith('pods "p" is forbidden: violates PodSecurity "restricted:latest": ')


def test_labelling_a_namespace_warns_of_the_existing_pods_it_would_refuse(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team")
    owner = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "o", "namespace": "team"}}
    made = raw(kube_emulator, "POST", "/api/v1/namespaces/team/configmaps", owner)
    assert made.status == 201
    for name in ("web-b", "web-a", "web-c"):
        assert create(kube_emulator, "team", pod("team", name, owner=made.json()["metadata"]["uid"])).status == 201
    assert create(kube_emulator, "team", pod("team", "node-agent", hostNetwork=True)).status == 201
    r = label(kube_emulator, "team", **{ENFORCE: "baseline"})
    assert warnings(r) == [
        'existing pods in namespace "team" violate the new PodSecurity enforce level "baseline:latest"',
        "node-agent: host namespaces",
    ]
    r = label(kube_emulator, "team", **{ENFORCE: "restricted"})
    assert warnings(r) == [
        'existing pods in namespace "team" violate the new PodSecurity enforce level "restricted:latest"',
        "node-agent: host namespaces, allowPrivilegeEscalation != false, unrestricted capabilities, "
        "runAsNonRoot != true, seccompProfile",
        "web-a (and 2 other pods): allowPrivilegeEscalation != false, unrestricted capabilities, "
        "runAsNonRoot != true, seccompProfile",
    ]


def test_relaxing_a_namespace_evaluates_no_pods(kube_emulator: KubeEmulator) -> None:
    namespace(kube_emulator, "team")
    assert create(kube_emulator, "team", pod("team", hostNetwork=True)).status == 201
    label(kube_emulator, "team", **{ENFORCE: "restricted"})
    assert warnings(label(kube_emulator, "team", **{ENFORCE: "baseline"})) == []


def test_an_exempt_namespace_labelled_with_a_policy_warns_that_it_is_ignored(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.pod_security_exemptions = Exemptions(namespaces=("ops",))
    namespace(kube_emulator, "ops")
    assert warnings(label(kube_emulator, "ops", **{ENFORCE: "restricted"})) == [
        'namespace "ops" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored'
    ]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_label_prints_the_existing_pods_warnings(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    namespace(kube_emulator, "team")
    assert create(kube_emulator, "team", pod("team", "agent", hostNetwork=True)).status == 201
    r = subprocess.run(
        ["kubectl", "label", "namespace", "team", f"{ENFORCE}=baseline"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines() == [
        'Warning: existing pods in namespace "team" violate the new PodSecurity enforce level "baseline:latest"',
        "Warning: agent: host namespaces",
    ]
    assert r.stdout.strip() == "namespace/team labeled"
