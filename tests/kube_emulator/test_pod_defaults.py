"""A Pod reads back as a real API server stores it: with SetDefaults_Pod's defaults (a missing
request is its limit), the pod spec's and containers' defaults, and every quantity in canonical
form, a ResourceList's rounded up to milli (upstream: kubernetes/kubernetes pkg/apis/core/v1/
defaults.go; kubernetes/apimachinery eed236ce pkg/api/resource/quantity.go String, RoundUp)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.pod_defaults import image_tag
from tests.kube_emulator.helpers import raw

PODS = "/api/v1/namespaces/default/pods"


def pod(container: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27", **container}], **spec},
    }


def created(emu: KubeEmulator, body: dict[str, Any]) -> dict[str, Any]:
    r = raw(emu, "POST", PODS, body)
    assert r.status == 201, r.body
    got: dict[str, Any] = r.json()
    return got


def test_a_limit_without_a_request_becomes_the_request(kube_emulator: KubeEmulator) -> None:
    got = created(kube_emulator, pod({"resources": {"limits": {"cpu": "2", "nvidia.com/gpu": "1"}}}))
    assert got["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "2", "nvidia.com/gpu": "1"},
        "requests": {"cpu": "2", "nvidia.com/gpu": "1"},
    }


def test_a_given_request_is_kept_and_only_missing_ones_come_from_limits(kube_emulator: KubeEmulator) -> None:
    resources = {"limits": {"cpu": "2", "memory": "4Gi"}, "requests": {"cpu": "500m"}}
    got = created(kube_emulator, pod({"resources": resources}))
    assert got["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "500m", "memory": "4Gi"}


def test_an_init_containers_limit_becomes_its_request_too(kube_emulator: KubeEmulator) -> None:
    body = pod({}, initContainers=[{"name": "i", "image": "busybox:1", "resources": {"limits": {"memory": "1Gi"}}}])
    got = created(kube_emulator, body)
    assert got["spec"]["initContainers"][0]["resources"]["requests"] == {"memory": "1Gi"}


def test_a_deployments_template_gets_no_requests_from_limits(kube_emulator: KubeEmulator) -> None:
    template = {
        "metadata": {"labels": {"app": "a"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "resources": {"limits": {"cpu": "1"}}}]},
    }
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": template},
    }
    r = raw(kube_emulator, "POST", "/apis/apps/v1/namespaces/default/deployments", body)
    assert r.status == 201
    assert r.json()["spec"]["template"]["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}}


@pytest.mark.parametrize(
    ("written", "stored"),
    [("1000m", "1"), ("0.5", "500m"), (2, "2"), ("2048Mi", "2Gi"), ("1.5e3", "1500"), ("0.0001", "1m"), ("100n", "1m")],
)
def test_quantities_are_stored_canonically_and_rounded_up_to_milli(
    kube_emulator: KubeEmulator, written: Any, stored: str
) -> None:
    got = created(kube_emulator, pod({"resources": {"requests": {"cpu": written}}}))
    assert got["spec"]["containers"][0]["resources"]["requests"] == {"cpu": stored}


def test_a_read_back_pod_has_the_spec_and_container_defaults(kube_emulator: KubeEmulator) -> None:
    created(kube_emulator, pod({}))
    got = raw(kube_emulator, "GET", f"{PODS}/p").json()["spec"]
    c = got["containers"][0]
    assert {k: got[k] for k in ("dnsPolicy", "restartPolicy", "schedulerName", "enableServiceLinks")} == {
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "enableServiceLinks": True,
    }
    assert got["securityContext"] == {} and got["terminationGracePeriodSeconds"] == 30
    assert c["imagePullPolicy"] == "IfNotPresent" and c["resources"] == {}
    assert c["terminationMessagePath"] == "/dev/termination-log" and c["terminationMessagePolicy"] == "File"


def test_probes_volumes_and_field_refs_get_their_defaults(kube_emulator: KubeEmulator) -> None:
    container = {
        "readinessProbe": {"httpGet": {"port": 8080}},
        "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
    }
    volumes = [{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "cfg"}}]
    got = created(kube_emulator, pod(container, volumes=volumes))["spec"]
    c = got["containers"][0]
    assert c["readinessProbe"] == {
        "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert c["env"][0]["valueFrom"]["fieldRef"] == {"fieldPath": "spec.nodeName", "apiVersion": "v1"}
    assert got["volumes"][:2] == [
        {"name": "scratch", "emptyDir": {}},
        {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}},
    ]


def test_host_network_ports_get_their_container_port_as_host_port(kube_emulator: KubeEmulator) -> None:
    got = created(kube_emulator, pod({"ports": [{"containerPort": 9400}]}, hostNetwork=True))
    assert got["spec"]["containers"][0]["ports"] == [{"containerPort": 9400, "protocol": "TCP", "hostPort": 9400}]


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        ("nginx", "latest"),
        ("nginx:latest", "latest"),
        ("nginx:1.27", "1.27"),
        ("localhost:5000/nginx", "latest"),
        ("mcr.microsoft.com/a/b@sha256:" + "0" * 64, ""),
    ],
)
def test_the_pull_policy_follows_the_image_tag(image: str, tag: str) -> None:
    assert image_tag(image) == tag


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_reads_a_pod_back_with_its_defaulted_requests(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod({"resources": {"limits": {"cpu": "1000m", "memory": "2048Mi"}}})), "utf-8")

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)

    assert kubectl("create", "-f", str(manifest)).returncode == 0
    r = kubectl("get", "pod", "p", "-o", "jsonpath={.spec.containers[0].resources}")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"limits": {"cpu": "1", "memory": "2Gi"}, "requests": {"cpu": "1", "memory": "2Gi"}}


@pytest.mark.parametrize(
    ("written", "error"),
    [
        ("1 core", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        ("2KM", "unable to parse quantity's suffix"),
    ],
)
def test_a_value_that_is_no_quantity_is_400_as_the_decoder_answers(
    kube_emulator: KubeEmulator, written: str, error: str
) -> None:
    r = raw(kube_emulator, "POST", PODS, pod({"resources": {"limits": {"cpu": written}}}))
    assert r.status == 400
    assert r.json()["message"] == f'Pod in version "v1" cannot be handled as a Pod: {error}'


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_create_of_a_pod_with_no_quantity_fails_with_the_decoder_message(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "pod.json"
    manifest.write_text(json.dumps(pod({"resources": {"limits": {"cpu": "1 core"}}})), "utf-8")
    r = subprocess.run(
        ["kubectl", "create", "-f", str(manifest)], capture_output=True, text=True, timeout=30, check=False
    )
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f'Error from server (BadRequest): error when creating "{manifest}": Pod in version "v1" cannot be '
        "handled as a Pod: quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
