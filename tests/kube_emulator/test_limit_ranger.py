"""A namespace's LimitRanges default and bound its Pods' resources as the LimitRanger admission
plugin does (upstream: kubernetes/kubernetes plugin/pkg/admission/limitranger/admission.go;
pkg/apis/core/v1/defaults.go SetDefaults_LimitRangeItem)."""

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


def limit_range(emu: KubeEmulator, *items: dict[str, Any], name: str = "limits") -> dict[str, Any]:
    body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": name}, "spec": {"limits": list(items)}}
    r = raw(emu, "POST", "/api/v1/namespaces/default/limitranges", body)
    assert r.status == 201, r.body
    out: dict[str, Any] = r.json()
    return out


def pod(*containers: dict[str, Any], init: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers) or [{"name": "c", "image": "nginx:1.27"}]}
    if init:
        spec["initContainers"] = init
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


def container(name: str = "c", **resources: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "image": "nginx:1.27", "resources": resources}


def create(emu: KubeEmulator, body: dict[str, Any]) -> Any:
    return raw(emu, "POST", PODS, body)


def test_a_container_item_defaults_its_limit_to_its_max_and_its_request_to_its_limit(
    kube_emulator: KubeEmulator,
) -> None:
    stored = limit_range(kube_emulator, {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}})
    (item,) = stored["spec"]["limits"]
    assert item["default"] == {"cpu": "2"}
    assert item["defaultRequest"] == {"cpu": "2", "memory": "64Mi"}


def test_a_pod_without_resources_gets_the_defaults_and_the_annotation(kube_emulator: KubeEmulator) -> None:
    limit_range(
        kube_emulator,
        {"type": "Container", "default": {"cpu": "1", "memory": "1Gi"}, "defaultRequest": {"cpu": "500m"}},
    )
    r = create(kube_emulator, pod())
    assert r.status == 201, r.body
    assert r.json()["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "1", "memory": "1Gi"},
        "requests": {"cpu": "500m", "memory": "1Gi"},
    }
    assert r.json()["metadata"]["annotations"] == {
        "kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu, memory request for container c; "
        "cpu, memory limit for container c"
    }


def test_a_containers_own_values_are_kept_and_only_the_rest_are_set(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "default": {"cpu": "1", "memory": "1Gi"}})
    r = create(kube_emulator, pod(container(limits={"cpu": "250m"})))
    assert r.status == 201, r.body
    # the request came from the container's own limit (SetDefaults_Pod) before LimitRanger ran
    assert r.json()["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "250m", "memory": "1Gi"},
        "requests": {"cpu": "250m", "memory": "1Gi"},
    }
    assert r.json()["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: memory request for container c; memory limit for container c"
    )


def test_an_init_container_gets_the_defaults_too(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "default": {"cpu": "1"}})
    r = create(kube_emulator, pod(container(limits={"cpu": "1"}), init=[container("setup")]))
    assert r.status == 201, r.body
    assert r.json()["spec"]["initContainers"][0]["resources"] == {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}
    assert r.json()["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu request for init container setup; cpu limit for init container setup"
    )


def test_a_limit_over_the_max_is_forbidden(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "max": {"cpu": "2"}})
    r = create(kube_emulator, pod(container(limits={"cpu": "4"})))
    assert r.status == 403
    assert r.json()["message"] == 'pods "p" is forbidden: maximum cpu usage per Container is 2, but limit is 4'
    assert r.json()["details"] == {"name": "p", "kind": "pods"}
    assert kube_emulator.cluster.get("v1", "Pod", "default", "p") is None


def test_a_request_under_the_min_is_forbidden(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "min": {"memory": "1Gi"}})
    r = create(kube_emulator, pod(container(requests={"memory": "512Mi"})))
    assert r.status == 403
    assert r.json()["message"] == (
        'pods "p" is forbidden: minimum memory usage per Container is 1Gi, but request is 512Mi'
    )


def test_several_violations_are_listed_in_brackets(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "max": {"cpu": "1", "memory": "1Gi"}})
    r = create(kube_emulator, pod(container(limits={"cpu": "2", "memory": "2Gi"})))
    assert r.json()["message"] == (
        'pods "p" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, '
        "maximum memory usage per Container is 1Gi, but limit is 2Gi]"
    )


def test_a_limit_to_request_ratio_over_the_max_is_forbidden(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "maxLimitRequestRatio": {"cpu": "2"}})
    r = create(kube_emulator, pod(container(requests={"cpu": "250m"}, limits={"cpu": "1"})))
    assert r.json()["message"] == (
        'pods "p" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000'
    )


def test_a_pod_item_bounds_the_sum_of_its_containers(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Pod", "max": {"cpu": "2"}})
    r = create(kube_emulator, pod(container("a", limits={"cpu": "1500m"}), container("b", limits={"cpu": "1"})))
    assert r.json()["message"] == 'pods "p" is forbidden: maximum cpu usage per Pod is 2, but limit is 2500m'


def test_a_pod_within_the_bounds_is_admitted(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "max": {"nvidia.com/gpu": "8"}})
    assert create(kube_emulator, pod(container(limits={"nvidia.com/gpu": "8"}))).status == 201


def test_a_pod_in_another_namespace_is_not_bounded(kube_emulator: KubeEmulator) -> None:
    limit_range(kube_emulator, {"type": "Container", "max": {"cpu": "1"}})
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "free"}})
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/free/pods", pod(container(limits={"cpu": "4"})))
    assert r.status == 201, r.body


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_prints_the_limit_rangers_refusal(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    limit_range(kube_emulator, {"type": "Container", "max": {"cpu": "2"}})
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod(container(limits={"cpu": "4"}))), "utf-8")
    r = subprocess.run(
        ["kubectl", "create", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server (Forbidden): error when creating "{manifest}": pods "p" is forbidden: '
        "maximum cpu usage per Container is 2, but limit is 4"
    )
