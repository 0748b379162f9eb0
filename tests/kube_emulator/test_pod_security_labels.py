"""Invalid PodSecurity labels on a Namespace are refused with PodSecurity's 422 (upstream:
kubernetes/pod-security-admission 8f84a87c admission/admission.go ValidateNamespace,
admission/response.go invalidResponse, api/helpers.go PolicyToEvaluate, ParseLevel, ParseVersion;
kubernetes/apimachinery pkg/api/errors/errors.go NewInvalid)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator, admission_podsecurity
from tests.kube_emulator.helpers import raw

ENFORCE = "pod-security.kubernetes.io/enforce"
BOGUS_ENFORCE = (
    'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": '
    "must be one of privileged, baseline, restricted"
)


def create_namespace(emu: KubeEmulator, name: str, **labels: str) -> Any:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    return raw(emu, "POST", "/api/v1/namespaces", body)


def label(emu: KubeEmulator, ns: str, **labels: str) -> Any:
    body = {"metadata": {"labels": labels}}
    return raw(emu, "PATCH", f"/api/v1/namespaces/{ns}", body, content_type="application/merge-patch+json")


def invalid_namespace(emu: KubeEmulator, monkeypatch: pytest.MonkeyPatch, name: str, **labels: str) -> None:
    """A namespace whose labels were stored before the plugin checked them (an older cluster)."""
    with monkeypatch.context() as m:
        m.setattr(admission_podsecurity, "label_errors", lambda labels: [])
        assert create_namespace(emu, name, **labels).status == 201


def test_a_namespace_created_with_an_unknown_enforce_level_is_refused_with_422(kube_emulator: KubeEmulator) -> None:
    r = create_namespace(kube_emulator, "team", **{ENFORCE: "bogus"})
    assert r.status == 422
    assert r.json()["message"] == f'Namespace "team" is invalid: {BOGUS_ENFORCE}'
    assert r.json()["reason"] == "Invalid"
    assert r.json()["details"] == {
        "name": "team",
        "kind": "Namespace",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": 'Invalid value: "bogus": must be one of privileged, baseline, restricted',
                "field": "metadata.labels[pod-security.kubernetes.io/enforce]",
            }
        ],
    }
    assert raw(kube_emulator, "GET", "/api/v1/namespaces/team").status == 404


def test_several_invalid_labels_are_listed_in_policy_order(kube_emulator: KubeEmulator) -> None:
    labels = {
        "pod-security.kubernetes.io/warn": "strict",
        "pod-security.kubernetes.io/enforce-version": "1.30",
        ENFORCE: "baseline",
    }
    r = create_namespace(kube_emulator, "team", **labels)
    assert r.status == 422
    assert r.json()["message"] == (
        'Namespace "team" is invalid: ['
        'metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "1.30": '
        'must be "latest" or "v1.x", '
        'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "strict": '
        "must be one of privileged, baseline, restricted]"
    )


def test_labelling_a_namespace_with_an_unknown_level_is_refused_and_nothing_changes(
    kube_emulator: KubeEmulator,
) -> None:
    assert create_namespace(kube_emulator, "team").status == 201
    r = label(kube_emulator, "team", **{ENFORCE: "bogus"})
    assert r.status == 422
    assert r.json()["message"] == f'Namespace "team" is invalid: {BOGUS_ENFORCE}'
    stored = raw(kube_emulator, "GET", "/api/v1/namespaces/team").json()
    assert ENFORCE not in (stored["metadata"].get("labels") or {})


def test_valid_versions_and_levels_are_accepted(kube_emulator: KubeEmulator) -> None:
    labels = {ENFORCE: "restricted", "pod-security.kubernetes.io/enforce-version": "v1.30"}
    labels |= {"pod-security.kubernetes.io/audit-version": "latest"}
    assert create_namespace(kube_emulator, "team", **labels).status == 201


def test_a_namespace_already_invalid_may_change_other_labels(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    invalid_namespace(kube_emulator, monkeypatch, "old", **{ENFORCE: "bogus"})
    assert label(kube_emulator, "old", team="ml").status == 200


def test_a_namespace_already_invalid_may_not_take_another_invalid_value(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    invalid_namespace(kube_emulator, monkeypatch, "old", **{ENFORCE: "bogus"})
    r = label(kube_emulator, "old", **{ENFORCE: "strict"})
    assert r.status == 422
    assert 'Invalid value: "strict"' in r.json()["message"]


def test_pods_in_a_namespace_with_an_invalid_enforce_level_meet_restricted(
    kube_emulator: KubeEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    invalid_namespace(kube_emulator, monkeypatch, "old", **{ENFORCE: "bogus"})
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "old"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
    }
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/old/pods", pod)
    assert r.status == 403
    assert r.json()["message"].startswith('pods "p" is forbidden: violates PodSecurity "restricted:latest": ')


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_label_with_an_unknown_level_prints_the_422(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    assert create_namespace(kube_emulator, "team").status == 201
    r = subprocess.run(
        ["kubectl", "label", "namespace", "team", f"{ENFORCE}=bogus"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 1
    assert r.stderr.strip() == f'The Namespace "team" is invalid: {BOGUS_ENFORCE}'
    assert r.stdout == ""
