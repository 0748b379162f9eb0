"""The labels Azure's Karpenter provider gives an instance type, as far as akscli's GPU data tells
them: which sizes NAP knows as GPU sizes, and the SKU labels of a size. Plain logic: no Typer, no
rich. Moved out of akscli.nap.nodepool as it neared 600 lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# upstream: Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/labels.go LabelSKUName; k8s.io/api
# core/v1 well_known_labels.go LabelInstanceTypeStable.
SKU_NAME = "karpenter.azure.com/sku-name"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"

# The GPU sizes of akscli's data (src/akscli/data/gpu_skus.yaml) that NAP knows as GPU sizes, by
# manufacturer: upstream: Azure/karpenter-provider-azure 352646f pkg/utils/supported-gpus.yaml (read
# by pkg/utils/gpu.go GetGPUManufacturer, IsGPUSKU). It lists no Standard_NCC40ads_H100_v5,
# Standard_NG32ads_V620_v1, Standard_NG32adms_V620_v1 or Standard_NV32as_v4: NAP drops a size with
# GPUs that the file lacks from its instance types altogether (pkg/providers/instancetype/
# instancetypes.go UpdateInstanceTypes, isSupported, isUnsupportedGPU), so it makes no node of them
# (unoffered).
NAP_GPU_MANUFACTURER = {
    size: "nvidia"
    for size in (
        "standard_nc4as_t4_v3",
        "standard_nc8as_t4_v3",
        "standard_nc16as_t4_v3",
        "standard_nc64as_t4_v3",
        "standard_nv36ads_a10_v5",
        "standard_nv72ads_a10_v5",
        "standard_nc24ads_a100_v4",
        "standard_nc48ads_a100_v4",
        "standard_nc96ads_a100_v4",
        "standard_nd96asr_v4",
        "standard_nd96amsr_a100_v4",
        "standard_nc40ads_h100_v5",
        "standard_nc80adis_h100_v5",
        "standard_nd96isr_h100_v5",
        "standard_nd96isr_h200_v5",
        "standard_nv12s_v3",
        "standard_nv24s_v3",
        "standard_nv48s_v3",
    )
}
# The sizes listed with no "azurelinux"/"azurelinux3" OS in supported-gpus.yaml (os: ubuntu, windows):
# an AKSNodeClass of imageFamily AzureLinux gets no instance type of them (instancetypes.go
# isInstanceTypeSupportedByImageFamily, utils.IsGPUSKUSupportedOnOS).
NOT_ON_AZURE_LINUX = frozenset({"standard_nv12s_v3", "standard_nv24s_v3", "standard_nv48s_v3"})
# upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/skus.go IsRestrictedSKU:
# AKSRestrictedVMSizes (low-performance sizes AKS pools may not use) and karpenterRestrictedVMSKUs.
RESTRICTED = frozenset(
    {
        "Standard_A0", "Standard_A1", "Standard_A1_v2", "Standard_B1s", "Standard_B1ms", "Standard_F1",
        "Standard_F1s", "Basic_A0", "Basic_A1", "Basic_A2", "Basic_A3", "Basic_A4", "Standard_E64i_v3",
        "Standard_E64is_v3",
    }
)  # fmt: skip
# The VM size name scheme (the size without "Standard_"): upstream: Azure/skewer 0119bd0 vmsize.go
# skuSizeScheme (karpenter-provider-azure pins skewer v0.0.24, not in the mirror; this is the newest
# v1 module's). Group 1 is the Family (sku-family), group 7 the AcceleratorType (sku-gpu-name).
_SKU_SIZE_SCHEME = re.compile(
    r"^([A-Z])([A-Z]?)([A-Z]?)([0-9]+)-?((?:[0-9]+)?)((?:[abcdeilmtspPr]+|C+|NP)?)_?(?:([A-Z][0-9]+)_?)?"
    r"(_cc_)?(_[0-9]+_)?(_MI300X_)?(_H100_)?((?:[vV][1-9])?)?(_Promo)?$"
)


def gpu_manufacturer(vm_size: str) -> str | None:
    """ "nvidia"/"amd" where NAP knows the size as a GPU size, else None (upstream:
    Azure/karpenter-provider-azure 352646f pkg/utils/gpu.go GetGPUManufacturer: lower case, less a
    "_promo" suffix)."""
    return NAP_GPU_MANUFACTURER.get(vm_size.lower().removesuffix("_promo"))


def unoffered(vm_size: str) -> str | None:
    """Why NAP has no instance type of ``vm_size`` whatever a NodePool asks (None: it may have one;
    akscli cannot tell the SKU API's own filters, at least 2 vCPUs and 3.5 GiB, for a size its GPU
    data lacks). upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/
    instancetypes.go UpdateInstanceTypes (IsRestrictedSKU, then isSupported: isUnsupportedByAKS,
    isUnsupportedGPU, hasConstrainedCPUs, isConfidential) and pkg/utils/sku/sku.go IsConfidential
    (the size, the name less "Standard_", starting "DC" or "EC")."""
    from akscli.model import skus

    size = vm_size.removeprefix("Standard_")
    parsed = _SKU_SIZE_SCHEME.match(size)
    if vm_size in RESTRICTED:
        return "a size AKS and Karpenter restrict"
    if size.startswith(("DC", "EC")):
        return "a confidential VM size (DC, EC), which the Karpenter provider does not support yet"
    if parsed is not None and parsed.group(5):
        return "a constrained-vCPU size"
    sku = skus.get(vm_size)
    if sku is not None and sku.gpus and gpu_manufacturer(vm_size) is None:
        return "a GPU size NAP does not support (not in its supported GPU sizes)"
    return None


def image_family_admits(vm_size: str, image_family: str) -> bool:
    """Whether an AKSNodeClass of ``image_family`` (its spec.imageFamily, the CRD's default Ubuntu)
    gets an instance type of the size (upstream: Azure/karpenter-provider-azure 352646f
    pkg/providers/instancetype/instancetypes.go isInstanceTypeSupportedByImageFamily: a size that
    is no GPU size, any; an Ubuntu family (Ubuntu, Ubuntu2204, Ubuntu2404: pkg/apis/v1beta1/labels.go
    UbuntuFamilies) every listed size; AzureLinux the sizes listed with an azurelinux OS; no other)."""
    if gpu_manufacturer(vm_size) is None:
        return True
    if image_family in ("Ubuntu", "Ubuntu2204", "Ubuntu2404"):
        return True
    return image_family == "AzureLinux" and vm_size.lower().removesuffix("_promo") not in NOT_ON_AZURE_LINUX


def size_labels(vm_size: str) -> dict[str, str]:
    """The labels of an instance type that akscli can tell from a GPU VM size (akscli's GPU data):
    upstream: Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetype.go
    computeRequirements (sku-name, sku-cpu, sku-memory in MiB, sku-gpu-count: 0 for a size
    supported-gpus.yaml lacks; setRequirementsGPU: sku-gpu-manufacturer where the size is listed,
    and then sku-gpu-name where skewer parses an accelerator from the name, so none for
    Standard_ND96asr_v4 or the NVv3 sizes; sku-family: skewer's Family, the first letter; sku-series
    and sku-version: setRequirementsVersion) and pkg/apis/v1beta1/labels.go. A size unoffered
    names is no instance type: its labels are what the name and akscli's data would give."""
    from akscli.model import skus

    parsed = _SKU_SIZE_SCHEME.match(vm_size.removeprefix("Standard_"))
    labels = {
        SKU_NAME: vm_size,
        INSTANCE_TYPE: vm_size,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
    }
    if parsed is not None:
        # skewer GetVMSize: Series is Family, Subfamily, AdditiveFeatures and "_" + Version;
        # karpenter-provider-azure pkg/utils/utils.go ExtractVersionFromVMSize: the version less
        # its "v", "1" where the name has none (its suite_test.go: Standard_NC24ads_A100_v4 is
        # family N, series NCads_v4, version 4).
        family, sub, sub2, features, version = (parsed.group(i) or "" for i in (1, 2, 3, 6, 12))
        labels["karpenter.azure.com/sku-family"] = family
        labels["karpenter.azure.com/sku-series"] = family + sub + sub2 + features + (f"_{version}" if version else "")
        labels["karpenter.azure.com/sku-version"] = version[1:] if version else "1"
    sku = skus.get(vm_size)
    if sku is None:
        return labels
    mib = str(int(sku.memory_gib * 1024))
    manufacturer = gpu_manufacturer(vm_size)
    labels.update(
        {
            "karpenter.azure.com/sku-cpu": str(sku.vcpus),
            "karpenter.azure.com/sku-memory": mib,
            "kubernetes.azure.com/sku-cpu": str(sku.vcpus),
            "kubernetes.azure.com/sku-memory": mib,
            "karpenter.azure.com/sku-gpu-count": str(sku.gpus if manufacturer else 0),
        }
    )
    if manufacturer:
        labels["karpenter.azure.com/sku-gpu-manufacturer"] = manufacturer
        if parsed is not None and parsed.group(7):
            labels["karpenter.azure.com/sku-gpu-name"] = parsed.group(7)
    return labels


def admits_value(requirement: Mapping[str, Any], value: str | None) -> bool:
    """A NodePool requirement against one label value of an instance type (None: the instance
    type leaves the label undefined). upstream: kubernetes-sigs/karpenter 2266468
    pkg/scheduling/requirement.go NewRequirementWithFlexibility (Gt N is Gte N+1, Lt N is Lte N-1),
    Has and withinBounds (a bound admits only an integer within it): In, NotIn, Exists,
    DoesNotExist, Gt, Lt, Gte, Lte (the NodePool CRD's operators, karpenter.sh_nodepools.yaml)."""
    op, values = requirement.get("operator"), [str(v) for v in requirement.get("values") or []]
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in _BOUNDS:
        try:
            have, bound = int(str(value)), int(values[0])
        except (ValueError, IndexError):
            return False
        return _BOUNDS[str(op)](have, bound)
    return False


# requirement.go: Gt and Lt canonicalized to the inclusive Gte and Lte.
_BOUNDS: dict[str, Callable[[int, int], bool]] = {
    "Gt": lambda have, bound: have >= bound + 1,
    "Lt": lambda have, bound: have <= bound - 1,
    "Gte": lambda have, bound: have >= bound,
    "Lte": lambda have, bound: have <= bound,
}
