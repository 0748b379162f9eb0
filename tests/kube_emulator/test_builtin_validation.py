"""Built-in kinds are checked against the official Kubernetes 1.32 OpenAPI definitions, with the
real API server's answers for unknown fields (fieldValidation Strict/Warn/Ignore, apply patches)
and wrong types (kubernetes/kubernetes test/integration/apiserver/field_validation_test.go)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, deployment, raw

CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"


def typo_configmap() -> dict[str, Any]:
    cm = configmap("settings")
    cm["dataa"] = {"k": "v"}
    return cm


def test_create_with_an_unknown_field_warns_by_default_and_drops_it(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CONFIGMAPS, typo_configmap())
    assert r.status == 201
    assert r.headers.get_all("Warning") == ['299 - "unknown field \\"dataa\\""']
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings")
    assert stored is not None and "dataa" not in stored


def test_strict_create_with_an_unknown_field_is_a_bad_request(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CONFIGMAPS + "?fieldValidation=Strict", typo_configmap())
    assert r.status == 400
    assert r.json()["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataa"'
    )
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is None


def test_ignore_drops_unknown_fields_silently(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", CONFIGMAPS + "?fieldValidation=Ignore", typo_configmap())
    assert r.status == 201
    assert r.headers.get_all("Warning") is None
    assert "dataa" not in r.json()


def test_nested_unknown_fields_are_named_by_their_full_path(kube_emulator: KubeEmulator) -> None:
    d = deployment("web")
    d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    r = raw(kube_emulator, "POST", DEPLOYMENTS + "?fieldValidation=Strict", d)
    assert r.status == 400
    assert r.json()["message"].endswith(
        'strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"'
    )


def test_server_side_apply_of_an_unknown_field_fails_whatever_the_validation(kube_emulator: KubeEmulator) -> None:
    r = raw(
        kube_emulator,
        "PATCH",
        CONFIGMAPS + "/settings?fieldManager=me&fieldValidation=Ignore",
        typo_configmap(),
        content_type="application/apply-patch+yaml",
    )
    assert r.status == 500
    assert r.json()["message"] == (
        "failed to create typed patch object (default/settings; /v1, Kind=ConfigMap): "
        ".dataa: field not declared in schema"
    )


def test_apply_names_a_field_inside_an_associative_list_by_its_key(kube_emulator: KubeEmulator) -> None:
    d = deployment("web")
    d["spec"]["template"]["spec"]["containers"][0]["bogus"] = 1
    r = raw(
        kube_emulator, "PATCH", DEPLOYMENTS + "/web?fieldManager=me", d, content_type="application/apply-patch+yaml"
    )
    assert r.status == 500
    assert r.json()["message"].endswith(
        '.spec.template.spec.containers[name="main"].bogus: field not declared in schema'
    )


def test_a_wrong_type_fails_decoding_with_the_go_message(kube_emulator: KubeEmulator) -> None:
    d = deployment("web")
    d["spec"]["replicas"] = "3"
    r = raw(kube_emulator, "POST", DEPLOYMENTS, d)
    assert r.status == 400
    assert r.json()["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into '
        "Go struct field DeploymentSpec.spec.replicas of type int32"
    )


def test_a_wrong_type_in_an_apply_patch_fails_the_typed_conversion(kube_emulator: KubeEmulator) -> None:
    d = deployment("web")
    d["spec"]["replicas"] = "3"
    r = raw(
        kube_emulator, "PATCH", DEPLOYMENTS + "/web?fieldManager=me", d, content_type="application/apply-patch+yaml"
    )
    assert r.status == 500
    assert r.json()["message"].endswith("): .spec.replicas: expected numeric (int or float), got string")


def test_a_missing_required_field_is_invalid_with_a_cause_naming_it(kube_emulator: KubeEmulator) -> None:
    d = deployment("web")
    del d["spec"]["template"]["spec"]["containers"][0]["name"]
    r = raw(kube_emulator, "POST", DEPLOYMENTS, d)
    assert r.status == 422
    body = r.json()
    assert body["reason"] == "Invalid"
    assert {
        "reason": "FieldValueRequired",
        "message": "Required value",
        "field": "spec.template.spec.containers[0].name",
    } in body["details"]["causes"]


def test_a_valid_object_passes_without_warnings(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", DEPLOYMENTS + "?fieldValidation=Strict", deployment("web"))
    assert r.status == 201
    assert r.headers.get_all("Warning") is None


# upstream: kubernetes/kubernetes 000f260 pkg/apis/core/validation/validation.go validateResourceRequirements
PODS = "/api/v1/namespaces/default/pods"


def gpu_pod(requests: dict[str, str], limits: dict[str, str]) -> dict[str, Any]:
    container = {"name": "c", "image": "busybox:1.36", "resources": {"requests": requests, "limits": limits}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [container]}}


def test_an_extended_resource_request_other_than_its_limit_is_refused_as_the_api_server_refuses_it(
    kube_emulator: KubeEmulator,
) -> None:
    r = raw(kube_emulator, "POST", PODS, gpu_pod({"nvidia.com/gpu": "1"}, {"nvidia.com/gpu": "2"}))
    assert r.status == 422
    assert r.json()["message"] == (
        'Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "1": '
        "must be equal to nvidia.com/gpu limit of 2"
    )


def test_an_extended_resource_request_without_a_limit_is_refused_in_a_pod_template_too(
    kube_emulator: KubeEmulator,
) -> None:
    d = deployment("web")
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"nvidia.com/gpu": "1"}}
    r = raw(kube_emulator, "POST", DEPLOYMENTS, d)
    assert r.status == 422
    assert r.json()["message"] == (
        'Deployment.apps "web" is invalid: spec.template.spec.containers[0].resources.limits: '
        "Required value: Limit must be set for non overcommitable resources"
    )


def test_an_extended_resource_limit_alone_and_a_cpu_request_below_its_limit_are_accepted(
    kube_emulator: KubeEmulator,
) -> None:
    pod = gpu_pod({"cpu": "1"}, {"cpu": "2", "nvidia.com/gpu": "1"})
    assert raw(kube_emulator, "POST", PODS, pod).status == 201


def test_a_fractional_gpu_limit_on_a_pod_is_refused_for_it_and_for_the_request_defaulted_from_it(
    kube_emulator: KubeEmulator,
) -> None:
    r = raw(kube_emulator, "POST", PODS, gpu_pod({}, {"nvidia.com/gpu": "0.5"}))
    assert r.status == 422
    causes = r.json()["details"]["causes"]
    at = "spec.containers[0].resources"
    assert [(c["field"], c["message"]) for c in causes] == [
        (f"{at}.limits[nvidia.com/gpu]", 'Invalid value: "500m": must be an integer'),
        (f"{at}.requests[nvidia.com/gpu]", 'Invalid value: "500m": must be an integer'),
    ]


def test_a_fractional_gpu_limit_in_a_pod_template_is_refused_for_the_limit_alone(kube_emulator: KubeEmulator) -> None:
    d = deployment("web")
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": "1.5"}}
    r = raw(kube_emulator, "POST", DEPLOYMENTS, d)
    assert r.status == 422
    assert r.json()["message"] == (
        'Deployment.apps "web" is invalid: spec.template.spec.containers[0].resources.limits[nvidia.com/gpu]: '
        'Invalid value: "1500m": must be an integer'
    )


def test_a_request_other_than_its_limit_is_printed_as_quantity_string_prints_both(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", PODS, gpu_pod({"nvidia.com/gpu": "1000m"}, {"nvidia.com/gpu": "2000m"}))
    assert r.status == 422
    assert r.json()["message"] == (
        'Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "1": '
        "must be equal to nvidia.com/gpu limit of 2"
    )
