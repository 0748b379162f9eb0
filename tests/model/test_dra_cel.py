"""DeviceClass selectors as the allocator evaluates them (akscli.gpu.dra_cel, akscli.gpu.dra_classes), on
the expressions NVIDIA's DRA driver publishes, and which class an extended resource name maps to.
upstream: kubernetes/dynamic-resource-allocation v0.34.9 cel/compile.go (DeviceMatches,
parseQualifiedName, the empty-map default for a missing domain);
deviceclass/extendedresourcecache/extendedresourcecache.go (the newer class wins, then the lower
name; the implicit deviceclass.resource.kubernetes.io/<class> name)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.gpu import dra_cel, dra_classes
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
    assert not matches("'550.90.7' == device.attributes['gpu.nvidia.com'].driverVersion", device)
    assert matches("device.attributes['gpu.nvidia.com'].driverVersion != '550.90.7'", device)


def test_a_version_on_the_left_of_equality_with_a_string_is_no_such_overload() -> None:
    # cel-go compare.go Equal is lhs.Equal(rhs); apiserver pkg/cel/semver.go Equal: another kind
    # is MaybeNoSuchOverloadErr
    device = {"attributes": {"driverVersion": {"version": "550.90.7"}}}
    with pytest.raises(dra_cel.CelError, match="no such overload"):
        matches("device.attributes['gpu.nvidia.com'].driverVersion == '550.90.7'", device)


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
        "device.capacity['gpu.nvidia.com'].memory.add(quantity('1Gi')).isGreaterThan(quantity('1Gi'))",
        "device.attributes['gpu.nvidia.com'].productName.split(' ').size() > 1",
        "device.attributes['gpu.nvidia.com'].productName.matches('(?i)a100')",
        "device.attributes['gpu.nvidia.com'].productName.matches(device.driver)",
        "cel.bind(d, device.attributes['gpu.nvidia.com'], d.type == 'gpu')",
        "device.attributes['gpu.nvidia.com'].productName.size",
        "has(device.attributes['gpu.nvidia.com']['profile'])",  # has() takes a field selection only
        "'gpu.nvidia.com' in device.attributes",
        "device.attributes['gpu.nvidia.com'].type in [device.driver]",
        "device.attributes['gpu.nvidia.com'] == 'x'",
    ],
)
def test_an_expression_outside_the_subset_is_refused_not_guessed(expression: str) -> None:
    with pytest.raises(dra_cel.Unsupported):
        dra_cel.compile_selector(expression)


def test_has_tells_whether_the_device_has_the_attribute() -> None:
    # google/cel-spec doc/langdef.md "Field Selection": has(e.f) on a map is whether f is a key;
    # a domain the device has nothing in is the empty map (cel/compile.go newStringInterfaceMapWithDefault)
    assert matches("has(device.attributes['gpu.nvidia.com'].profile)", mig_device(0, "n", 0))
    assert not matches("has(device.attributes['gpu.nvidia.com'].profile)", gpu_device(0, "n"))
    assert not matches("has(device.attributes['other.example.com'].type)", gpu_device(0, "n"))


def test_has_guards_an_attribute_another_device_lacks() -> None:
    guarded = f"{WHOLE_GPUS} || has(device.attributes['gpu.nvidia.com'].profile) && " + (
        "device.attributes['gpu.nvidia.com'].profile == '1g.10gb'"
    )
    assert matches(guarded, gpu_device(0, "n"))
    assert matches(guarded, mig_device(0, "n", 0))


def test_in_a_list_is_membership_by_cels_equality() -> None:
    assert matches("device.attributes['gpu.nvidia.com'].type in ['gpu', 'vfio']", gpu_device(0, "n"))
    assert not matches("device.attributes['gpu.nvidia.com'].type in ['vfio']", gpu_device(0, "n"))
    # heterogeneous equality: an int is in no list of strings, and that is false, not an error
    assert not matches("device.attributes['gpu.nvidia.com'].index in ['0']", {"attributes": {"index": {"int": 0}}})


def test_in_a_domain_is_whether_the_attribute_is_there() -> None:
    assert matches("'profile' in device.attributes['gpu.nvidia.com']", mig_device(0, "n", 0))
    assert not matches("'profile' in device.attributes['gpu.nvidia.com']", gpu_device(0, "n"))


def test_ints_and_strings_are_ordered_and_other_pairs_are_an_error() -> None:
    device = {"attributes": {"index": {"int": 3}, "driverVersion": {"version": "550.90.7"}}}
    assert matches("device.attributes['gpu.nvidia.com'].index < 4", device)
    assert not matches("device.attributes['gpu.nvidia.com'].index >= 4", device)
    assert matches("'a100' <= 'h100'", device)
    with pytest.raises(dra_cel.CelError, match="no such overload"):
        matches("device.attributes['gpu.nvidia.com'].index < '4'", device)
    with pytest.raises(dra_cel.CelError, match="no such overload"):
        matches("device.attributes['gpu.nvidia.com'].driverVersion > '500'", device)


@pytest.mark.parametrize(
    ("expression", "drivers"),
    [
        (WHOLE_GPUS, {"gpu.nvidia.com"}),
        ("'gpu.nvidia.com' == device.driver", {"gpu.nvidia.com"}),
        ("device.driver in ['a.example.com', 'b.example.com']", {"a.example.com", "b.example.com"}),
        (
            "(device.driver == 'a.example.com' || device.driver == 'b.example.com') && true",
            {"a.example.com", "b.example.com"},
        ),
        ("device.driver == 'a.example.com' || device.attributes['a.example.com'].type == 'gpu'", None),
        ("!(device.driver == 'a.example.com')", None),
        ("device.driver != 'a.example.com'", None),
        ("device.attributes['gpu.nvidia.com'].type == 'gpu'", None),
    ],
)
def test_a_selector_pins_the_drivers_a_conjunct_names(expression: str, drivers: set[str] | None) -> None:
    # another driver's device is then false whatever the rest says (false && error is false)
    pinned = dra_cel.compile_selector(expression).drivers
    assert pinned == (frozenset(drivers) if drivers is not None else None)


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


def test_before_1_35_the_implicit_name_of_a_class_with_its_own_name_maps_nothing() -> None:
    # kubernetes/kubernetes dynamicresources/extended DeviceClassMapping at 1.34: the implicit name
    # only for a class without extendedResourceName
    explicit = device_class("gpu.nvidia.com", "2026-01-01T00:00:00Z", "nvidia.com/gpu")
    plain = device_class("other.example.com", "2026-01-01T00:00:00Z")
    classes = dra_classes.mapping([explicit, plain], lambda: False)
    assert classes.for_resource("deviceclass.resource.kubernetes.io/gpu.nvidia.com") is None
    assert classes.for_resource("deviceclass.resource.kubernetes.io/other.example.com") is plain
    assert classes.for_resource("nvidia.com/gpu") is explicit


class VersionOnly:
    def __init__(self, answer: dict[str, str]) -> None:
        self.answer = answer

    def request(self, method: str, path: str, **_: Any) -> dict[str, str]:
        assert (method, path) == ("GET", "/version")
        return self.answer


@pytest.mark.parametrize(
    ("major", "minor", "every"),
    [("1", "34", False), ("1", "34+", False), ("1", "35", True), ("1", "36+", True), ("2", "0", True), ("", "", True)],
)
def test_the_rule_follows_the_servers_version(major: str, minor: str, every: bool) -> None:
    kube: Any = VersionOnly({"major": major, "minor": minor})
    assert dra_classes.maps_every_implicit_name(kube) is every
