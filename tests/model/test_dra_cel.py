"""DeviceClass selectors as the allocator evaluates them (akscli.dra_cel, akscli.dra_classes), on
the expressions NVIDIA's DRA driver publishes, and which class an extended resource name maps to.
upstream: kubernetes/dynamic-resource-allocation v0.34.9 cel/compile.go (DeviceMatches,
parseQualifiedName, the empty-map default for a missing domain);
deviceclass/extendedresourcecache/extendedresourcecache.go (the newer class wins, then the lower
name; the implicit deviceclass.resource.kubernetes.io/<class> name)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import dra_cel, dra_classes
from tests.model.test_deploy_cluster_dra import WHOLE_GPUS
from tests.ops.test_gpu_usage_dra import gpu_device, mig_device

DRIVER = "gpu.nvidia.com"
# upstream: NVIDIA/k8s-dra-driver-gpu 22407113 deployments/helm/dra-driver-nvidia-gpu/templates/
# deviceclass-mig.yaml, deviceclass-compute-domain-default-channel.yaml;
# demo/specs/extended-resources/mig-1g-12gb.yaml
MIG = "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'"
CHANNEL = (
    "device.driver == 'compute-domain.nvidia.com' && device.attributes['compute-domain.nvidia.com'].type == 'channel'"
    " && device.attributes['compute-domain.nvidia.com'].id == 0"
)
PROFILE = f"{MIG} && device.attributes['gpu.nvidia.com'].profile == '1g.10gb'"


def matches(expression: str, device: dict[str, Any], driver: str = DRIVER) -> bool:
    return dra_cel.compile_selector(expression).matches(device, driver)


def test_the_drivers_gpu_class_selects_whole_gpus_only() -> None:
    assert matches(WHOLE_GPUS, gpu_device(0, "n"))
    assert not matches(WHOLE_GPUS, mig_device(0, "n", 0))


def test_the_per_profile_mig_class_selects_its_profile() -> None:
    assert matches(PROFILE, mig_device(0, "n", 0))
    assert not matches(PROFILE.replace("1g.10gb", "2g.20gb"), mig_device(0, "n", 0))


def test_an_attribute_named_with_its_domain_is_the_same_attribute() -> None:
    device = {"attributes": {"gpu.nvidia.com/type": {"string": "gpu"}}}
    assert matches(WHOLE_GPUS, device)


def test_another_drivers_device_is_not_selected_rather_than_an_error() -> None:
    # false && error is false: the missing domain is an empty map, its key an error
    channel = {"attributes": {"type": {"string": "channel"}, "id": {"int": 0}}}
    assert not matches(WHOLE_GPUS, channel, "compute-domain.nvidia.com")
    assert matches(CHANNEL, channel, "compute-domain.nvidia.com")
    assert not matches(CHANNEL, gpu_device(0, "n"))


def test_a_missing_attribute_is_a_runtime_error_in_cels_words() -> None:
    with pytest.raises(dra_cel.CelError, match=r"^no such key: profile$"):
        matches("device.attributes['gpu.nvidia.com'].profile == '1g.10gb'", gpu_device(0, "n"))


def test_values_of_different_types_are_not_equal() -> None:
    device = {"attributes": {"index": {"int": 0}, "driverVersion": {"version": "550.90.7"}}}
    assert not matches("device.attributes['gpu.nvidia.com'].index == '0'", device)
    assert not matches("device.attributes['gpu.nvidia.com'].driverVersion == '550.90.7'", device)


def test_negation_binds_tighter_than_equality() -> None:
    # CEL's grammar: !a == b is (!a) == b
    device = {"attributes": {"flag": {"bool": False}}}
    assert matches("!device.attributes['gpu.nvidia.com'].flag == true", device)


def test_a_result_that_is_not_a_bool_is_an_error() -> None:
    with pytest.raises(dra_cel.CelError, match="could not be converted to bool"):
        matches("device.attributes['gpu.nvidia.com'].type", gpu_device(0, "n"))


@pytest.mark.parametrize(
    "expression",
    [
        "has(device.attributes['gpu.nvidia.com'].profile)",
        "device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('40Gi')) >= 0",
        "device.attributes['gpu.nvidia.com'].productName.lowerAscii().matches('^.*a100.*$')",
        "device.attributes['gpu.nvidia.com'].index < 4",
        "device.attributes['gpu.nvidia.com'].type in ['gpu', 'vfio']",
    ],
)
def test_an_expression_outside_the_subset_is_refused_not_guessed(expression: str) -> None:
    with pytest.raises(dra_cel.Unsupported):
        dra_cel.compile_selector(expression)


def device_class(name: str, created: str, resource: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"selectors": [{"cel": {"expression": WHOLE_GPUS}}]}
    if resource:
        spec["extendedResourceName"] = resource
    return {"metadata": {"name": name, "creationTimestamp": created}, "spec": spec}


def test_of_two_classes_naming_one_resource_the_newer_is_used() -> None:
    classes = dra_classes.mapping(
        [
            device_class("a-old", "2026-01-01T00:00:00Z", "nvidia.com/gpu"),
            device_class("b-new", "2026-02-01T00:00:00Z", "nvidia.com/gpu"),
        ]
    )
    assert classes.by_resource["nvidia.com/gpu"] == "b-new"


def test_of_two_classes_made_at_once_the_lower_name_is_used() -> None:
    classes = dra_classes.mapping(
        [
            device_class("b", "2026-01-01T00:00:00Z", "nvidia.com/gpu"),
            device_class("a", "2026-01-01T00:00:00Z", "nvidia.com/gpu"),
        ]
    )
    assert classes.by_resource["nvidia.com/gpu"] == "a"


def test_every_class_maps_its_implicit_name() -> None:
    classes = dra_classes.mapping([device_class("gpu.nvidia.com", "2026-01-01T00:00:00Z", "nvidia.com/gpu")])
    assert classes.by_resource["deviceclass.resource.kubernetes.io/gpu.nvidia.com"] == "gpu.nvidia.com"
