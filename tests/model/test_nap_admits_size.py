"""nap_admit.admits_size against the labels Azure's Karpenter provider gives a size.

upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
computeRequirements: sku-gpu-manufacturer and sku-gpu-name are defined for every size as
DoesNotExist, and setRequirementsGPU inserts their values only for a size with NVIDIA GPUs.
"""

import pytest

from akscli import nap_admit

AMD_SIZE = "Standard_NG32ads_V620_v1"  # AMD GPUs: no sku-gpu-manufacturer or sku-gpu-name label
# The label rules are checked for a pod that asks no nvidia.com/gpu: NAP counts no GPU on this size
# (not in supported-gpus.yaml), so a pod asking one is refused whatever the requirements say.


def _pool(key: str, operator: str, values: list[str] | None = None) -> dict[str, object]:
    requirement: dict[str, object] = {"key": key, "operator": operator}
    if values is not None:
        requirement["values"] = values
    return {"spec": {"template": {"spec": {"requirements": [requirement]}}}}


def test_not_in_on_an_unset_gpu_label_admits_the_size() -> None:
    pool = _pool("karpenter.azure.com/sku-gpu-manufacturer", "NotIn", ["nvidia"])
    assert nap_admit.admits_size(pool, AMD_SIZE, 0)


def test_does_not_exist_on_an_unset_gpu_label_admits_the_size() -> None:
    assert nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "DoesNotExist"), AMD_SIZE, 0)


def test_in_or_gt_on_an_unset_gpu_label_refuses_the_size() -> None:
    assert not nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-manufacturer", "In", ["nvidia"]), AMD_SIZE, 0)
    assert not nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "Exists"), AMD_SIZE, 0)
    assert not nap_admit.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "Gt", ["1"]), AMD_SIZE, 0)


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
    from akscli import nap_zones
    from akscli.azure import capacity

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
