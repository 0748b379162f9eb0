"""A built-in workload's pod template reads back with the pod spec defaults a real server gives it
(SetDefaults_PodSpec, SetDefaults_Container, probes, volumes; upstream: kubernetes/kubernetes
023f88a3 pkg/apis/core/v1/defaults.go, called on every PodTemplateSpec by the generated
defaulters), but not SetDefaults_Pod's; a custom resource's embedded template is not defaulted."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

CONTAINER = {
    "name": "c",
    "image": "nginx:1.27",
    "ports": [{"containerPort": 80}],
    "readinessProbe": {"httpGet": {"port": 80}},
    "resources": {"limits": {"cpu": "1"}},
}
SPEC_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
    "schedulerName": "default-scheduler",
}


def template(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": [dict(CONTAINER)], **spec}}


def workload(kind: str, api_version: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": "w", "namespace": "default"}, "spec": spec}


CASES = {
    "Deployment": ("/apis/apps/v1", "apps/v1", {"selector": {"matchLabels": {"app": "w"}}, "template": template()}),
    "StatefulSet": (
        "/apis/apps/v1",
        "apps/v1",
        {"serviceName": "w", "selector": {"matchLabels": {"app": "w"}}, "template": template()},
    ),
    "DaemonSet": ("/apis/apps/v1", "apps/v1", {"selector": {"matchLabels": {"app": "w"}}, "template": template()}),
    "Job": ("/apis/batch/v1", "batch/v1", {"template": template(restartPolicy="Never")}),
}


def created_template_spec(emu: KubeEmulator, kind: str) -> dict[str, Any]:
    base, api_version, spec = CASES[kind]
    r = raw(emu, "POST", f"{base}/namespaces/default/{kind.lower()}s", workload(kind, api_version, spec))
    assert r.status == 201, r.body
    got: dict[str, Any] = r.json()["spec"]["template"]["spec"]
    return got


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_workloads_template_gets_the_pod_spec_defaults(kube_emulator: KubeEmulator, kind: str) -> None:
    spec = created_template_spec(kube_emulator, kind)
    expected = {**SPEC_DEFAULTS, "restartPolicy": "Never"} if kind == "Job" else SPEC_DEFAULTS
    assert {k: spec[k] for k in SPEC_DEFAULTS} == expected


@pytest.mark.parametrize("kind", sorted(CASES))
def test_a_workloads_template_containers_get_the_container_defaults(kube_emulator: KubeEmulator, kind: str) -> None:
    c = created_template_spec(kube_emulator, kind)["containers"][0]
    assert (c["imagePullPolicy"], c["terminationMessagePath"], c["terminationMessagePolicy"]) == (
        "IfNotPresent",
        "/dev/termination-log",
        "File",
    )
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert c["readinessProbe"]["httpGet"] == {"port": 80, "path": "/", "scheme": "HTTP"}
    assert c["readinessProbe"]["periodSeconds"] == 10


def test_a_template_gets_no_requests_service_links_or_admission_additions(kube_emulator: KubeEmulator) -> None:
    spec = created_template_spec(kube_emulator, "Deployment")
    assert spec["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    assert "enableServiceLinks" not in spec
    assert "tolerations" not in spec and "serviceAccountName" not in spec


def test_a_cronjobs_job_template_is_defaulted(kube_emulator: KubeEmulator) -> None:
    body = workload(
        "CronJob",
        "batch/v1",
        {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template(restartPolicy="OnFailure")}}},
    )
    r = raw(kube_emulator, "POST", "/apis/batch/v1/namespaces/default/cronjobs", body)
    assert r.status == 201, r.body
    spec = r.json()["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert (spec["dnsPolicy"], spec["schedulerName"], spec["containers"][0]["imagePullPolicy"]) == (
        "ClusterFirst",
        "default-scheduler",
        "IfNotPresent",
    )


def test_a_custom_resources_embedded_template_is_not_defaulted(kube_emulator: KubeEmulator) -> None:
    body = {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "rc", "namespace": "default"},
        "spec": {
            "headGroupSpec": {
                "rayStartParams": {},
                "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.41.0"}]}},
            }
        },
    }
    r = raw(kube_emulator, "POST", "/apis/ray.io/v1/namespaces/default/rayclusters", body)
    assert r.status == 201, r.body
    spec = r.json()["spec"]["headGroupSpec"]["template"]["spec"]
    assert "dnsPolicy" not in spec and "imagePullPolicy" not in spec["containers"][0]


@pytest.mark.kubectl
@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_reads_a_deployments_template_back_defaulted(
    kube_emulator: KubeEmulator, kubeconfig: Path, tmp_path: Path
) -> None:
    _, api_version, spec = CASES["Deployment"]
    manifest = tmp_path / "deploy.json"
    manifest.write_text(json.dumps(workload("Deployment", api_version, spec)), "utf-8")

    def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)

    assert kubectl("create", "-f", str(manifest)).returncode == 0
    r = kubectl(
        "get",
        "deployment",
        "w",
        "-o",
        "jsonpath={.spec.template.spec.dnsPolicy} {.spec.template.spec.containers[0].imagePullPolicy}",
    )
    assert (r.returncode, r.stdout) == (0, "ClusterFirst IfNotPresent"), r.stderr
