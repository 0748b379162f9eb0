"""The API server refuses a workload whose pod template has a port, probe, env var or volume that
cannot work, with pkg/apis/core/validation's texts (tests/emulators/kube/pod_template_validation.py
names the functions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import deployment, kubectl_create, raw

AT = "spec.template.spec"


def with_container(**fields: Any) -> dict[str, Any]:
    body = deployment("web", replicas=1)
    body["spec"]["template"]["spec"]["containers"][0].update(fields)
    return body


def with_volumes(*volumes: dict[str, Any]) -> dict[str, Any]:
    body = deployment("web", replicas=1)
    body["spec"]["template"]["spec"]["volumes"] = list(volumes)
    return body


def refusal(emu: KubeEmulator, body: dict[str, Any]) -> list[tuple[str, str]]:
    r = raw(emu, "POST", "/apis/apps/v1/namespaces/default/deployments", body)
    assert r.status == 422, r.body
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def test_an_env_var_from_two_sources_is_refused(kube_emulator: KubeEmulator) -> None:
    source = {"configMapKeyRef": {"name": "cfg", "key": "a"}, "secretKeyRef": {"name": "s", "key": "b"}}
    body = with_container(env=[{"name": "TOKEN", "valueFrom": source}])
    assert refusal(kube_emulator, body) == [
        (
            f"{AT}.containers[0].env[0].valueFrom",
            'Invalid value: "": may not have more than one field specified at a time',
        )
    ]


def test_an_env_var_from_no_source_is_refused(kube_emulator: KubeEmulator) -> None:
    body = with_container(env=[{"name": "TOKEN", "valueFrom": {}}])
    assert refusal(kube_emulator, body) == [
        (
            f"{AT}.containers[0].env[0].valueFrom",
            'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or '
            "`secretKeyRef`",
        )
    ]


def test_an_env_var_with_a_value_and_a_source_is_refused(kube_emulator: KubeEmulator) -> None:
    source = {"secretKeyRef": {"name": "s", "key": "b"}}
    body = with_container(env=[{"name": "TOKEN", "value": "x", "valueFrom": source}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].env[0].valueFrom", 'Invalid value: "": may not be specified when `value` is not empty')
    ]


def test_an_env_var_without_a_name_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, with_container(env=[{"value": "x"}])) == [
        (f"{AT}.containers[0].env[0].name", "Required value")
    ]


def test_a_port_out_of_range_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, with_container(ports=[{"containerPort": 70000}])) == [
        (f"{AT}.containers[0].ports[0].containerPort", "Invalid value: 70000: must be between 1 and 65535, inclusive")
    ]


def test_a_port_of_an_unknown_protocol_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, with_container(ports=[{"containerPort": 80, "protocol": "HTTP"}])) == [
        (f"{AT}.containers[0].ports[0].protocol", 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"')
    ]


def test_a_probe_without_a_handler_is_refused(kube_emulator: KubeEmulator) -> None:
    assert refusal(kube_emulator, with_container(readinessProbe={"periodSeconds": 5})) == [
        (f"{AT}.containers[0].readinessProbe", "Required value: must specify a handler type")
    ]


def test_a_probe_with_two_handlers_is_refused_on_the_second(kube_emulator: KubeEmulator) -> None:
    probe = {"httpGet": {"path": "/health", "port": 8000}, "tcpSocket": {"port": 8000}}
    assert refusal(kube_emulator, with_container(livenessProbe=probe)) == [
        (f"{AT}.containers[0].livenessProbe.tcpSocket", "Forbidden: may not specify more than 1 handler type")
    ]


def test_a_liveness_probe_needs_a_success_threshold_of_one(kube_emulator: KubeEmulator) -> None:
    probe = {"tcpSocket": {"port": 8000}, "successThreshold": 2}
    assert refusal(kube_emulator, with_container(livenessProbe=probe)) == [
        (f"{AT}.containers[0].livenessProbe.successThreshold", "Invalid value: 2: must be 1")
    ]


def test_a_volume_without_a_source_becomes_an_empty_dir_so_it_is_accepted(kube_emulator: KubeEmulator) -> None:
    # SetDefaults_Volume runs before validation: "must specify a volume type" cannot reach a v1 client
    r = raw(kube_emulator, "POST", "/apis/apps/v1/namespaces/default/deployments", with_volumes({"name": "data"}))
    assert r.status == 201, r.body
    assert r.json()["spec"]["template"]["spec"]["volumes"] == [{"name": "data", "emptyDir": {}}]


def test_a_volume_with_two_sources_is_refused_on_the_later_one(kube_emulator: KubeEmulator) -> None:
    volume = {"name": "data", "persistentVolumeClaim": {"claimName": "data"}, "emptyDir": {}}
    assert refusal(kube_emulator, with_volumes(volume)) == [
        (f"{AT}.volumes[0].persistentVolumeClaim", "Forbidden: may not specify more than 1 volume type")
    ]


def test_a_template_with_valid_ports_probes_env_and_volumes_is_accepted(kube_emulator: KubeEmulator) -> None:
    body = with_container(
        ports=[{"containerPort": 8000, "protocol": "TCP"}],
        readinessProbe={"httpGet": {"path": "/health", "port": 8000}},
        env=[{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
    )
    body["spec"]["template"]["spec"]["volumes"] = [{"name": "cache", "emptyDir": {}}]
    r = raw(kube_emulator, "POST", "/apis/apps/v1/namespaces/default/deployments", body)
    assert r.status == 201, r.body


def test_a_job_template_is_checked_the_same_way(kube_emulator: KubeEmulator) -> None:
    container = {"name": "main", "image": "busybox", "ports": [{"containerPort": 0}]}
    body = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [container]}}},
    }
    r = raw(kube_emulator, "POST", "/apis/batch/v1/namespaces/default/jobs", body)
    assert r.status == 422, r.body
    assert [(c["field"], c["message"]) for c in r.json()["details"]["causes"]] == [
        (f"{AT}.containers[0].ports[0].containerPort", "Required value")
    ]


@pytest.mark.kubectl
def test_kubectl_prints_the_volume_refusal(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    volume = {"name": "data", "persistentVolumeClaim": {"claimName": "data"}, "emptyDir": {}}
    r = kubectl_create(with_volumes(volume))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The Deployment "web" is invalid: spec.template.spec.volumes[0].persistentVolumeClaim: Forbidden: may not '
        "specify more than 1 volume type"
    )
