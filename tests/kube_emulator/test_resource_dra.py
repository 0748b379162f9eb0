"""resource.k8s.io/v1 (Dynamic Resource Allocation) as a 1.34 API server serves it: field checking
against the v1.34 definitions (builtin_schema), then the rules of kubernetes/kubernetes
pkg/apis/resource/validation/validation.go with its wording (resource_validation). The slice the
NVIDIA DRA driver publishes for a DynamicMIG GPU on 1.34 (devices and their counter set in one
slice: NVIDIA/k8s-dra-driver-gpu 2240711 cmd/gpu-kubelet-plugin/driver.go
generateCombinedResourceSlices) is accepted as it is."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw
from tests.ops.test_gpu_usage_dra import claim, gpu_device, mig_device, resource_slice

SLICES = "/apis/resource.k8s.io/v1/resourceslices"
CLAIMS = "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims"
TEMPLATES = "/apis/resource.k8s.io/v1/namespaces/default/resourceclaimtemplates"


def causes(r: Any) -> list[tuple[str, str]]:
    assert r.status == 422, r.json()
    return [(c["field"], c["message"]) for c in r.json()["details"]["causes"]]


def dynamic_mig_slice() -> dict[str, Any]:
    devices = [gpu_device(0, "gpu-node-0"), mig_device(0, "gpu-node-0", 0)]
    for d in devices:
        d["consumesCounters"] = [{"counterSet": "gpu-0-counter-set", "counters": {"memory-slice-0": {"value": "1"}}}]
    obj = resource_slice("gpu-node-0", devices)
    obj["spec"]["sharedCounters"] = [{"name": "gpu-0-counter-set", "counters": {"memory-slice-0": {"value": "1"}}}]
    return obj


def test_the_drivers_dynamic_mig_slice_is_accepted(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", SLICES + "?fieldValidation=Strict", dynamic_mig_slice())
    assert r.status == 201, r.json()


def test_an_unknown_field_in_a_slice_is_a_strict_decoding_error(kube_emulator: KubeEmulator) -> None:
    obj = dynamic_mig_slice()
    obj["spec"]["devices"][0]["parentUUID"] = "GPU-1"  # an attribute written as a field
    r = raw(kube_emulator, "POST", SLICES + "?fieldValidation=Strict", obj)
    assert r.status == 400
    assert r.json()["message"] == (
        'ResourceSlice in version "v1" cannot be handled as a ResourceSlice: strict decoding error: '
        'unknown field "spec.devices[0].parentUUID"'
    )


def test_a_count_of_the_wrong_type_cannot_be_decoded(kube_emulator: KubeEmulator) -> None:
    obj = claim("train", "default", None, ["", ""])
    obj["spec"]["devices"]["requests"][0]["exactly"]["count"] = "2"
    r = raw(kube_emulator, "POST", CLAIMS, obj)
    assert r.status == 400
    assert r.json()["message"].endswith(
        "json: cannot unmarshal string into Go struct field ExactDeviceRequest.spec.devices.requests.exactly.count "
        "of type int64"
    )


def test_a_slice_placed_on_no_node_is_invalid(kube_emulator: KubeEmulator) -> None:
    obj = resource_slice("gpu-node-0", [gpu_device(0, "gpu-node-0")])
    del obj["spec"]["nodeName"]
    obj["spec"]["pool"]["resourceSliceCount"] = 0
    assert causes(raw(kube_emulator, "POST", SLICES, obj)) == [
        ("spec.pool.resourceSliceCount", "Invalid value: 0: must be greater than zero"),
        (
            "spec",
            "Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` "
            "is required",
        ),
    ]


def test_a_request_for_no_device_and_one_without_a_class_are_invalid(kube_emulator: KubeEmulator) -> None:
    obj = claim("train", "default", None, ["", ""])
    obj["spec"]["devices"]["requests"] = [
        {"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com", "count": 0}},
        {"name": "gpu", "exactly": {"count": 1}},
    ]
    assert causes(raw(kube_emulator, "POST", CLAIMS, obj)) == [
        ("spec.devices.requests[0].exactly.count", "Invalid value: 0: must be greater than zero"),
        ("spec.devices.requests[1]", 'Duplicate value: "gpu"'),
        ("spec.devices.requests[1].exactly.deviceClassName", "Required value"),
    ]


def test_a_claims_spec_is_immutable_and_its_status_is_not(kube_emulator: KubeEmulator) -> None:
    obj = claim("train", "default", None, ["", ""])
    kube_emulator.cluster.create(copy.deepcopy(obj))
    obj["spec"]["devices"]["requests"][0]["exactly"]["count"] = 3
    r = raw(
        kube_emulator,
        "PUT",
        CLAIMS + "/train",
        {
            **obj,
            "metadata": kube_emulator.cluster.get("resource.k8s.io/v1", "ResourceClaim", "default", "train")[
                "metadata"
            ],
        },
    )
    assert [field for field, _ in causes(r)] == ["spec"]
    assert causes(r)[0][1].endswith(": field is immutable")
    status = claim("train", "default", "gpu-node-0", ["gpu-0"])["status"]
    kube_emulator.cluster.patch_status("resource.k8s.io/v1", "ResourceClaim", "default", "train", status)


def test_a_claim_template_is_served_and_validated(kube_emulator: KubeEmulator) -> None:
    template = {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceClaimTemplate",
        "metadata": {"name": "one-gpu"},
        "spec": {
            "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com"}}]}}
        },
    }
    assert raw(kube_emulator, "POST", TEMPLATES, template).status == 201
    template["metadata"]["name"] = "no-class"
    template["spec"]["spec"]["devices"]["requests"][0] = {"name": "gpu"}
    assert causes(raw(kube_emulator, "POST", TEMPLATES, template)) == [
        ("spec.spec.devices.requests[0]", "Required value: exactly one of `exactly` or `firstAvailable` is required")
    ]
