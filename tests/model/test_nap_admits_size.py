"""nap_admit.admits_size against the labels Azure's Karpenter provider gives a size.

upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
computeRequirements: sku-gpu-manufacturer and sku-gpu-name are defined for every size as
DoesNotExist, and setRequirementsGPU inserts their values only for a size with NVIDIA GPUs.
"""

import pytest

from akscli.nap import admit as nap_admit

# A size with no GPU: no sku-gpu-manufacturer or sku-gpu-name label. (The AMD Standard_NG32ads_V620_v1
# these tests used is no instance type of NAP's at all: instancetypes.go isUnsupportedGPU.)
CPU_SIZE = "Standard_D8ds_v5"


def _pool(key: str, operator: str, values: list[str] | None = None) -> dict[str, object]:
    requirement: dict[str, object] = {"key": key, "operator": operator}
    if values is not None:
        requirement["values"] = values
    return {"spec": {"template": {"spec": {"requirements": [requirement]}}}}


def test_not_in_on_an_unset_gpu_label_admits_the_size() -> None:
    pool = _pool("karpenter.azure.com/sku-gpu-manufacturer", "NotIn", ["nvidia"])
    assert nap_admit.admits_size(pool, CPU_SIZE, 0)


def test_does_not_exist_on_an_unset_gpu_label_admits_the_size() -> None:
    assert nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "DoesNotExist"), CPU_SIZE, 0)


def test_in_or_gt_on_an_unset_gpu_label_refuses_the_size() -> None:
    assert not nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-manufacturer", "In", ["nvidia"]), CPU_SIZE, 0)
    assert not nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "Exists"), CPU_SIZE, 0)
    assert not nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "Gt", ["1"]), CPU_SIZE, 0)


def _zoned(*zones: str) -> dict[str, object]:
    return _pool("topology.kubernetes.io/zone", "In", list(zones))


def test_a_zone_requirement_none_of_the_sizes_zones_meets_refuses_the_size() -> None:
    # upstream: karpenter scheduler.go NewScheduler (no offering the pool's requirements admit: no template)
    assert not nap_admit.admits_size(_zoned("eastus-1"), "Standard_NC40ads_H100_v5", 1, ("eastus-3", "0"))


def test_a_pool_that_allows_zone_0_takes_the_regional_offering_every_size_has() -> None:
    # upstream: karpenter-provider-azure instancetypes.go instanceTypeZones (zones.Regional for every size)
    assert nap_admit.admits_size(_zoned("eastus-1", "0"), "Standard_NC40ads_H100_v5", 1, ("eastus-3", "0"))


def test_unknown_zones_take_a_zone_requirement_as_met() -> None:
    assert nap_admit.admits_size(_zoned("eastus-1"), "Standard_NC40ads_H100_v5", 1, None)


def test_the_offered_zones_are_read_once_for_every_size_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from akscli.azure import capacity
    from akscli.nap import zones as nap_zones

    reads: list[str] = []
    row = {"name": "Standard_NC40ads_H100_v5", "locationInfo": [{"location": "eastus", "zones": ["3", "1"]}]}

    def sku_rows(target: object, location: str | None = None) -> list[dict[str, object]]:
        reads.append(str(location))
        return [row]

    monkeypatch.setattr(capacity, "sku_rows", sku_rows)
    offered = nap_zones.offered_reader(object(), "East US")  # type: ignore[arg-type]
    assert offered("Standard_NC40ads_H100_v5") == ("eastus-1", "eastus-3", "0")
    assert offered("Standard_NC80adis_H100_v5") == ()  # not offered in the region: no offering at all
    assert reads == ["eastus"]


@pytest.mark.parametrize(
    "size", ["Standard_NCC40ads_H100_v5", "Standard_NG32ads_V620_v1", "Standard_NV32as_v4", "Standard_DC8s_v3"]
)
def test_a_size_nap_has_no_instance_type_of_is_admitted_by_no_pool(size: str) -> None:
    # upstream: karpenter-provider-azure 352646f instancetypes.go UpdateInstanceTypes, isSupported
    # (isUnsupportedGPU: a GPU size supported-gpus.yaml lacks; isConfidential): not an instance type,
    # so even a pool that names it and a pod that asks no GPU get no node of it.
    assert not nap_admit.admits_size(_pool("karpenter.azure.com/sku-name", "In", [size]), size, 0)


class _Cluster:
    """The reads admitting_pool makes: NodePools, DaemonSets (none) and one AKSNodeClass."""

    def __init__(self, pool: dict[str, object], image_family: str) -> None:
        self.pool, self.node_class = pool, {"metadata": {"name": "azl"}, "spec": {"imageFamily": image_family}}

    def resource(self, api_version: str, kind: str) -> None:
        return None

    def list(self, api_version: str, kind: str, **_: object) -> list[dict[str, object]]:
        return [self.pool] if kind == "NodePool" else []

    def get(self, api_version: str, kind: str, name: str) -> dict[str, object]:
        return self.node_class


@pytest.mark.parametrize(("family", "admitted"), [("AzureLinux", None), ("Ubuntu2204", "gpu")])
def test_a_class_whose_image_family_lacks_the_size_makes_no_node_of_it(family: str, admitted: str | None) -> None:
    # supported-gpus.yaml: standard_nv12s_v3 os [ubuntu, windows]; instancetypes.go
    # isInstanceTypeSupportedByImageFamily (UbuntuFamilies: Ubuntu, Ubuntu2204, Ubuntu2404).
    pool = _pool("karpenter.azure.com/sku-name", "In", ["Standard_NV12s_v3"])
    pool["metadata"] = {"name": "gpu"}
    pool["spec"]["template"]["spec"]["nodeClassRef"] = {"name": "azl"}  # type: ignore[index]
    refused: list[str] = []
    kube = _Cluster(pool, family)
    assert nap_admit.admitting_pool(kube, "Standard_NV12s_v3", 1, requests={"cpu": 1000}, refused=refused) == admitted  # type: ignore[arg-type]
    if admitted is None:
        assert refused == [
            "NodePool gpu admits the size, but its AKSNodeClass's imageFamily AzureLinux does not support it"
        ]
