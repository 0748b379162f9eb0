"""The real `kubectl scale` and `kubectl get --subresource=scale` against the emulator's scale
subresource (upstream: kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/scale/scale.go
ScaleSimple: a merge patch of the Scale without preconditions; with --current-replicas or
--resource-version, a Get of the Scale, the check, and an Update of it at the read resourceVersion;
ScalePrecondition.validate's "Expected replicas to be N, was M")."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_kubectl_fidelity import kubectl
from tests.kube_emulator.test_scale_apply import gadget_crd

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def replicas(emu: KubeEmulator) -> int:
    return int(emu.cluster.get("apps/v1", "Deployment", "default", "web")["spec"]["replicas"])


def test_kubectl_scale_sets_replicas_through_the_scale_subresource(
    kube_emulator: KubeEmulator, kubeconfig: object
) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=2))
    r = kubectl("scale", "deployment/web", "--replicas=3")
    assert (r.returncode, r.stdout.strip()) == (0, "deployment.apps/web scaled"), r.stderr
    got = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web")
    entry = next(e for e in got["metadata"]["managedFields"] if e.get("subresource") == "scale")
    assert entry["manager"].startswith("kubectl") and got["spec"]["replicas"] == 3


def test_kubectl_scale_with_current_replicas_updates_the_scale_it_read(
    kube_emulator: KubeEmulator, kubeconfig: object
) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=2))
    r = kubectl("scale", "deployment/web", "--current-replicas=2", "--replicas=4")
    assert r.returncode == 0, r.stderr
    assert replicas(kube_emulator) == 4


def test_kubectl_scale_with_other_current_replicas_is_refused(kube_emulator: KubeEmulator, kubeconfig: object) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=2))
    r = kubectl("scale", "deployment/web", "--current-replicas=5", "--replicas=4")
    assert r.returncode != 0 and "Expected replicas to be 5, was 2" in r.stderr
    assert replicas(kube_emulator) == 2


def test_kubectl_get_subresource_scale_prints_the_scale(kube_emulator: KubeEmulator, kubeconfig: object) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=2))
    r = kubectl("get", "deployment/web", "--subresource=scale", "-o", "json")
    assert r.returncode == 0, r.stderr
    scale = json.loads(r.stdout)
    assert (scale["kind"], scale["spec"]["replicas"], scale["status"]["selector"]) == ("Scale", 2, "app=web")


def test_kubectl_get_subresource_scale_prints_desired_and_available(
    kube_emulator: KubeEmulator, kubeconfig: object
) -> None:
    kube_emulator.cluster.create(deployment("web", replicas=2))
    r = kubectl("get", "deployment/web", "--subresource=scale")
    assert r.returncode == 0, r.stderr
    header, row = r.stdout.splitlines()
    # printers.go scaleColumnDefinitions: Name, Desired, Available, Age
    assert header.split() == ["NAME", "DESIRED", "AVAILABLE", "AGE"]
    assert row.split()[:2] == ["web", "2"]


def test_kubectl_get_subresource_scale_of_a_custom_resource_prints_its_columns(
    kube_emulator: KubeEmulator, kubeconfig: object
) -> None:
    crd = gadget_crd()
    kube_emulator.cluster.create(crd)
    meta = {"name": "g", "namespace": "default"}
    spec = {"size": "small", "replicas": 2}
    kube_emulator.cluster.create({"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": meta, "spec": spec})
    r = kubectl("get", "gadget/g", "--subresource=scale")
    assert r.returncode == 0, r.stderr
    header, row = r.stdout.splitlines()
    # the custom resource's columns, read from the Scale: it has spec.replicas, no spec.size (blank)
    assert header.split() == ["NAME", "REPLICAS", "SIZE", "AGE"]
    assert row.split()[:2] == ["g", "2"] and len(row.split()) == 3
