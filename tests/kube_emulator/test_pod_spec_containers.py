"""The API server refuses a pod spec whose containers have an env name, a port name, a lifecycle
hook or an init container that cannot work, in a workload's template and in a bare Pod alike,
with validateContainers' and validateInitContainers' texts (tests/emulators/kube/
pod_template_validation.py names the functions; upstream's cases: validation_test.go
TestValidateInitContainers "name collision with regular container", "duplicate names", "uses
disallowed field: LivenessProbe", "Not supported RestartPolicy: OnFailure", TestValidateContainers
"Forbidden RestartPolicy: Always")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.job_validation import LABEL_MSG
from tests.kube_emulator.helpers import deployment, kubectl_create, raw

AT = "spec.template.spec"
RELAXED = "a valid environment variable name must consist only of printable ASCII characters other than '='"
INIT_ONLY = "Forbidden: may not be set for init containers without restartPolicy=Always"
PROBE = {"tcpSocket": {"port": 8000}}


def web(**fields: Any) -> dict[str, Any]:
    body = deployment("web", replicas=1)
    body["spec"]["template"]["spec"].update(fields)
    return body


def main(**fields: Any) -> dict[str, Any]:
    return {"name": "main", "image": "nginx:1.27", **fields}


def refusal(emu: KubeEmulator, body: dict[str, Any], plural: str = "deployments") -> list[tuple[str, str]]:
    group = "/api/v1" if plural == "pods" else "/apis/apps/v1"
    r = raw(emu, "POST", f"{group}/namespaces/default/{plural}", body)
    assert r.status == 422, r.body
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def accepted(emu: KubeEmulator, body: dict[str, Any]) -> None:
    r = raw(emu, "POST", "/apis/apps/v1/namespaces/default/deployments", body)
    assert r.status == 201, r.body


def test_an_env_name_with_an_equals_sign_is_refused(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(env=[{"name": "HF=TOKEN", "value": "x"}])])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].env[0].name", f'Invalid value: "HF=TOKEN": {RELAXED}')
    ]


def test_an_env_name_that_starts_with_a_digit_is_accepted_as_132_relaxes_the_rule(
    kube_emulator: KubeEmulator,
) -> None:
    # RelaxedEnvironmentVariableValidation is beta and on from 1.32, the version the emulator serves
    accepted(kube_emulator, web(containers=[main(env=[{"name": "1ST.RUN mode", "value": "x"}])]))


def test_a_port_name_that_is_no_iana_service_name_gets_each_of_its_faults(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(ports=[{"name": "Metrics--Port-8080", "containerPort": 8080}])])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].ports[0].name", f'Invalid value: "Metrics--Port-8080": {detail}')
        for detail in (
            "must be no more than 15 characters",
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "must not contain consecutive hyphens",
        )
    ]


def test_two_ports_of_one_name_are_refused_on_the_second(kube_emulator: KubeEmulator) -> None:
    ports = [{"name": "http", "containerPort": 8000}, {"name": "http", "containerPort": 8001}]
    body = web(containers=[main(ports=ports)])
    assert refusal(kube_emulator, body) == [(f"{AT}.containers[0].ports[1].name", 'Duplicate value: "http"')]


def test_a_lifecycle_hook_needs_exactly_one_handler(kube_emulator: KubeEmulator) -> None:
    hooks = {"postStart": {}, "preStop": {"sleep": {"seconds": 5}, "exec": {"command": ["drain"]}}}
    body = web(containers=[main(lifecycle=hooks)])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].lifecycle.postStart", "Required value: must specify a handler type"),
        (f"{AT}.containers[0].lifecycle.preStop.sleep", "Forbidden: may not specify more than 1 handler type"),
    ]


def test_two_containers_of_one_name_are_refused_on_the_second(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(), main()])
    assert refusal(kube_emulator, body) == [(f"{AT}.containers[1].name", 'Duplicate value: "main"')]


def test_a_regular_container_may_not_have_a_restart_policy(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(restartPolicy="Always")])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].restartPolicy", "Forbidden: may not be set for non-init containers")
    ]


def test_an_init_container_may_not_have_probes_or_hooks(kube_emulator: KubeEmulator) -> None:
    init = {"name": "fetch", "image": "busybox", "readinessProbe": PROBE, "lifecycle": {"preStop": {}}}
    body = web(initContainers=[init])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.initContainers[0].lifecycle", INIT_ONLY),
        (f"{AT}.initContainers[0].readinessProbe", INIT_ONLY),
    ]


def test_a_sidecar_may_have_probes_and_they_are_checked(kube_emulator: KubeEmulator) -> None:
    sidecar = {"name": "proxy", "image": "envoy", "restartPolicy": "Always", "startupProbe": PROBE}
    accepted(kube_emulator, web(initContainers=[sidecar]))
    bad = {**sidecar, "startupProbe": {**PROBE, "successThreshold": 3}}
    assert refusal(kube_emulator, web(initContainers=[bad])) == [
        (f"{AT}.initContainers[0].startupProbe.successThreshold", "Invalid value: 3: must be 1")
    ]


def test_an_init_containers_restart_policy_can_only_be_always(kube_emulator: KubeEmulator) -> None:
    body = web(initContainers=[{"name": "fetch", "image": "busybox", "restartPolicy": "OnFailure"}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.initContainers[0].restartPolicy", 'Unsupported value: "OnFailure": supported values: "Always"')
    ]


def test_an_init_container_may_not_share_a_regular_containers_name(kube_emulator: KubeEmulator) -> None:
    body = web(initContainers=[{"name": "main", "image": "busybox"}])
    assert refusal(kube_emulator, body) == [(f"{AT}.initContainers[0].name", 'Duplicate value: "main"')]


def test_a_deployments_container_needs_an_image_and_a_dns_label_name(kube_emulator: KubeEmulator) -> None:
    # validateContainerCommon runs for every template, not only a Job's
    body = web(containers=[{"name": "Main_App"}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].name", f'Invalid value: "Main_App": {LABEL_MSG}'),
        (f"{AT}.containers[0].image", "Required value"),
    ]


def test_a_containers_causes_come_in_validate_container_commons_order_before_the_init_containers(
    kube_emulator: KubeEmulator,
) -> None:
    container = main(ports=[{"name": "HTTP", "containerPort": 80}], resources={"limits": {"cpu": "-1"}})
    body = web(containers=[container], initContainers=[{"name": "fetch"}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].ports[0].name", 'Invalid value: "HTTP": ' + detail)
        for detail in (
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            "must contain at least one letter (a-z)",
        )
    ] + [
        (f"{AT}.containers[0].resources.limits[cpu]", 'Invalid value: "-1": must be greater than or equal to 0'),
        (f"{AT}.initContainers[0].image", "Required value"),
    ]


def pod(**fields: Any) -> dict[str, Any]:
    spec = {"containers": [main()], **fields}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


def test_a_bare_pod_gets_the_same_checks_as_a_template(kube_emulator: KubeEmulator) -> None:
    body = pod(
        containers=[main(env=[{"name": "A=B"}], volumeMounts=[{"name": "data", "mountPath": "/data"}])],
        initContainers=[{"name": "fetch", "livenessProbe": PROBE}],
    )
    assert refusal(kube_emulator, body, "pods") == [
        ("spec.containers[0].env[0].name", f'Invalid value: "A=B": {RELAXED}'),
        ("spec.containers[0].volumeMounts[0].name", 'Not found: "data"'),
        ("spec.initContainers[0].image", "Required value"),
        ("spec.initContainers[0].livenessProbe", INIT_ONLY),
    ]


def test_a_bare_pods_service_account_volume_mount_is_accepted(kube_emulator: KubeEmulator) -> None:
    # the ServiceAccount plugin adds its projected volume and mount before validation
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods", pod())
    assert r.status == 201, r.body
    mounts = r.json()["spec"]["containers"][0]["volumeMounts"]
    assert [m["mountPath"] for m in mounts] == ["/var/run/secrets/kubernetes.io/serviceaccount"]


@pytest.mark.kubectl
def test_kubectl_prints_the_init_container_refusal(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl_create(pod(initContainers=[{"name": "fetch", "image": "busybox", "startupProbe": PROBE}]))
    assert r.returncode == 1
    assert r.stderr.strip() == f'The Pod "p" is invalid: spec.initContainers[0].startupProbe: {INIT_ONLY}'
