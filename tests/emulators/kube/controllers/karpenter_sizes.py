"""The simulator's own reading of which VM sizes Azure's Karpenter provider offers as instance types
and which labels it gives them, written from upstream for the emulator and not shared with akscli
(upstream: kubernetes-sigs/karpenter;
akscli.nap.sizes is akscli's reading; tests/foundation/test_emulator_cross_check.py runs both over
every size of the GPU catalogue).

- Azure/karpenter-provider-azure pkg/utils/supported-gpus.yaml (every size, its GPU vendor and the
  OSes listed), read through pkg/utils/gpu.go (normalizeVMSize: lower case less "_promo";
  IsGPUSKU, GetGPUManufacturer, IsGPUSKUSupportedOnOS).
- pkg/providers/instancetype/skus.go IsRestrictedSKU (AKSRestrictedVMSizes, karpenterRestrictedVMSKUs);
  instancetypes.go isSupported (hasMinimumCPU >= 2, hasMinimumMemory >= 3.5 GiB, isUnsupportedByAKS,
  isUnsupportedGPU: GPUs but not IsGPUSKU, hasConstrainedCPUs: skewer's CpusConstrained,
  isConfidential: pkg/utils/sku/sku.go IsConfidential, the size starting "DC" or "EC") and
  isInstanceTypeSupportedByImageFamily (a GPU size needs "ubuntu" for pkg/apis/v1beta1/labels.go
  UbuntuFamilies, "azurelinux" or "azurelinux3" for AzureLinux; any other family none).
- instancetype.go computeRequirements (instance-type, arch, os, sku-cpu, sku-memory in MiB and
  their kubernetes.azure.com twins, sku-gpu-count via gpuTotalCount: 0 unless IsGPUSKU, sku-name,
  sku-family and sku-series from skewer), setRequirementsGPU (sku-gpu-manufacturer for nvidia or amd,
  then sku-gpu-name skewer's AcceleratorType), setRequirementsVersion (pkg/utils/utils.go
  ExtractVersionFromVMSize: the version less its "v", "1" where the name has none).
- Azure/skewer vmsize.go skuSizeScheme and GetVMSize (Series = Family + Subfamily +
  AdditiveFeatures + "_" + Version), on the size (the name less "Standard_").
The vCPUs, memory and GPU count of a size are Azure's published SKU facts, which the simulator reads
from the GPU catalogue akscli also ships (akscli.model.skus, from ../shared/data/azure-gpu-skus.csv):
data about Azure, not a reading of the provider's code. arch is amd64: the catalogue holds no Arm size.
"""

from __future__ import annotations

import re

_EVERY_OS = ("ubuntu", "windows", "azurelinux", "azurelinux3")
_GROUPS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    # (vendor, OSes listed, sizes) as Azure/karpenter-provider-azure pkg/utils/supported-gpus.yaml lists them
    ("nvidia", ("ubuntu", "windows", "azurelinux3"), """
        nc16ads_a10_v4 nc32ads_a10_v4 nc8ads_a10_v4 nc24ads_a100_v4 nc48ads_a100_v4 nc96ads_a100_v4
        nc40ads_h100_v5 nc80adis_h100_v5 nd96asr_v4 nd112asr_a100_v4 nd120asr_a100_v4 nv12ads_a10_v5
        nv18ads_a10_v5 nv36adms_a10_v5 nv36ads_a10_v5 nv6ads_a10_v5 nv72ads_a10_v5 nd96amsr_a100_v4
        nd112amsr_a100_v4 nd120amsr_a100_v4 nd96isr_h100_v5 nd96is_h100_v5 nd96is_noib_h100_v5
        nd96is_flex_h100_v5 nd96isf_h100_v5 nd96isrf_h100_v5 nd96ams_v4 nd96ams_a100_flex_v4
        nd96ams_a100_v4 nd96amsf_a100_v4 nd96amsrf_a100_v4 nd96isr_h200_v5 nd96is_h200_v5
        nd96isf_h200_v5 nd96isrf_h200_v5"""),
    ("nvidia", _EVERY_OS, """
        nc16as_t4_v3 nc4as_t4_v3 nc64as_t4_v3 nc8as_t4_v3 nc12s_v3 nc24rs_v3 nc24s_v3 nc6s_v3
        nd40rs_v2 nd40s_v3"""),
    ("nvidia", ("ubuntu", "windows"), """
        nc6 nc12 nc24 nc24r nc12s_v2 nc24rs_v2 nc24s_v2 nc6s_v2 nd6s nd12s nd24s nd24rs nv12 nv24 nv6
        nv24r nv12s_v3 nv24s_v3 nv48s_v3 nv12_promo nv24_promo nv6_promo nc12_promo nc24r_promo
        nc24_promo nc6_promo"""),
    ("nvidia", ("ubuntu",), """
        nd128isr_ndr_gb200_v6 nd128isr_gb300_v6 nc24lds_xl_rtxpro6000bse_v6 nc36ds_xl_rtxpro6000bse_v6
        nc36lds_xl_rtxpro6000bse_v6 nc72ds_xl_rtxpro6000bse_v6 nc72lds_xl_rtxpro6000bse_v6
        nc144ds_xl_rtxpro6000bse_v6 nc144lds_xl_rtxpro6000bse_v6 nc288ds_xl_rtxpro6000bse_v6
        nc288lds_xl_rtxpro6000bse_v6"""),
    ("amd", ("ubuntu",), """
        nv4ads_v710_v5 nv8ads_v710_v5 nv12ads_v710_v5 nv24ads_v710_v5 nv28adms_v710_v5
        nd96isr_mi300x_v5 nd96is_mi300x_v5"""),
)  # fmt: skip
SUPPORTED_GPUS: dict[str, tuple[str, tuple[str, ...]]] = {
    f"standard_{size}": (vendor, oses) for vendor, oses, sizes in _GROUPS for size in sizes.split()
}
RESTRICTED = frozenset(
    {"Standard_A0", "Standard_A1", "Standard_A1_v2", "Standard_B1s", "Standard_B1ms", "Standard_F1", "Standard_F1s"}
    | {f"Basic_A{n}" for n in range(5)}
    | {"Standard_E64i_v3", "Standard_E64is_v3"}
)
# skewer vmsize.go skuSizeScheme, as upstream writes it (groups: 1 Family, 2-3 Subfamily, 4 vCPUs,
# 5 constrained vCPUs, 6 AdditiveFeatures, 7 AcceleratorType, 12 Version)
SCHEME = re.compile(
    r"^([A-Z])([A-Z]?)([A-Z]?)([0-9]+)-?((?:[0-9]+)?)((?:[abcdeilmtspPr]+|C+|NP)?)_?(?:([A-Z][0-9]+)_?)?"
    r"(_cc_)?(_[0-9]+_)?(_MI300X_)?(_H100_)?((?:[vV][1-9])?)?(_Promo)?$"
)


def _normal(vm_size: str) -> str:
    return vm_size.lower().removesuffix("_promo")


def manufacturer(vm_size: str) -> str | None:
    """GetGPUManufacturer: "nvidia", "amd", or None for a size Azure/karpenter-provider-azure
    pkg/utils/supported-gpus.yaml lacks."""
    found = SUPPORTED_GPUS.get(_normal(vm_size))
    return found[0] if found else None


def offered(vm_size: str) -> bool:
    """Whether the provider lists an instance type of the size at all (IsRestrictedSKU, isSupported);
    the minimums are judged where the catalogue knows the size."""
    from akscli.model import skus  # Azure's SKU facts (vCPUs, GiB, GPUs): data, see the docstring

    size = vm_size.removeprefix("Standard_")
    parts = SCHEME.match(size)
    if vm_size in RESTRICTED or size.startswith(("DC", "EC")) or (parts is not None and parts.group(5)):
        return False
    sku = skus.get(vm_size)
    if sku is None:
        return True
    return sku.vcpus >= 2 and sku.memory_gib >= 3.5 and not (sku.gpus > 0 and manufacturer(vm_size) is None)


def image_family_supports(vm_size: str, image_family: str) -> bool:
    """isInstanceTypeSupportedByImageFamily."""
    found = SUPPORTED_GPUS.get(_normal(vm_size))
    if found is None:
        return True
    if image_family in ("Ubuntu", "Ubuntu2204", "Ubuntu2404"):
        return "ubuntu" in found[1]
    if image_family == "AzureLinux":
        return "azurelinux" in found[1] or "azurelinux3" in found[1]
    return False


def instance_type_labels(vm_size: str) -> dict[str, str]:
    """The single-valued labels computeRequirements gives an instance type of the size."""
    from akscli.model import skus  # Azure's SKU facts: data, see the docstring

    out = {
        "node.kubernetes.io/instance-type": vm_size,
        "karpenter.azure.com/sku-name": vm_size,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
    }
    parts = SCHEME.match(vm_size.removeprefix("Standard_"))
    if parts is not None:
        version = parts.group(12) or ""
        out["karpenter.azure.com/sku-family"] = parts.group(1)
        out["karpenter.azure.com/sku-series"] = "".join(
            (parts.group(1), parts.group(2), parts.group(3), parts.group(6), f"_{version}" if version else "")
        )
        out["karpenter.azure.com/sku-version"] = version[1:] if version else "1"
    sku = skus.get(vm_size)
    if sku is None:
        return out
    vendor = manufacturer(vm_size)
    for domain in ("karpenter.azure.com", "kubernetes.azure.com"):
        out[f"{domain}/sku-cpu"] = str(sku.vcpus)
        out[f"{domain}/sku-memory"] = str(int(sku.memory_gib * 1024))
    out["karpenter.azure.com/sku-gpu-count"] = str(sku.gpus) if vendor else "0"
    if vendor:
        out["karpenter.azure.com/sku-gpu-manufacturer"] = vendor
        if parts is not None and parts.group(7):
            out["karpenter.azure.com/sku-gpu-name"] = parts.group(7)
    return out
