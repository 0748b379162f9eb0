"""nap.admits_size against the labels Azure's Karpenter provider gives a size.

upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
computeRequirements: sku-gpu-manufacturer and sku-gpu-name are defined for every size as
DoesNotExist, and setRequirementsGPU inserts their values only for a size with NVIDIA GPUs.
"""

from akscli import nap

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
    assert nap.admits_size(pool, AMD_SIZE, 0)


def test_does_not_exist_on_an_unset_gpu_label_admits_the_size() -> None:
    assert nap.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "DoesNotExist"), AMD_SIZE, 0)


def test_in_or_gt_on_an_unset_gpu_label_refuses_the_size() -> None:
    assert not nap.admits_size(_pool("karpenter.azure.com/sku-gpu-manufacturer", "In", ["nvidia"]), AMD_SIZE, 0)
    assert not nap.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "Exists"), AMD_SIZE, 0)
    assert not nap.admits_size(_pool("karpenter.azure.com/sku-gpu-name", "Gt", ["1"]), AMD_SIZE, 0)
