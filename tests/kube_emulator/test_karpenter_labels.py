"""The SKU labels NAP gives a node of each GPU size akscli knows (akscli.nap_sizes.size_labels, which the
Karpenter simulator and the fit check share), as Azure/karpenter-provider-azure derives them:
pkg/utils/supported-gpus.yaml (which sizes are GPU sizes, and whose) and Azure/skewer vmsize.go's
parse of the size name (Family, AcceleratorType)."""

from __future__ import annotations

from akscli import nap_admit, nap_sizes
from akscli.model import skus
from tests.kube_emulator.test_karpenter import gpu_pool

K = "karpenter.azure.com/"
# size: (sku-family, sku-gpu-count, sku-gpu-manufacturer, sku-gpu-name); None: no such label.
# Upstream: karpenter-provider-azure 352646f supported-gpus.yaml lists every size here as nvidia but
# NCC40ads_H100_v5, the NG V620 and NVv4 sizes; skewer's skuSizeScheme finds no accelerator in
# ND96asr_v4 or the NVv3 names.
EXPECTED: dict[str, tuple[str, str, str | None, str | None]] = {
    "Standard_NC4as_T4_v3": ("N", "1", "nvidia", "T4"),
    "Standard_NC8as_T4_v3": ("N", "1", "nvidia", "T4"),
    "Standard_NC16as_T4_v3": ("N", "1", "nvidia", "T4"),
    "Standard_NC64as_T4_v3": ("N", "4", "nvidia", "T4"),
    "Standard_NV36ads_A10_v5": ("N", "1", "nvidia", "A10"),
    "Standard_NV72ads_A10_v5": ("N", "2", "nvidia", "A10"),
    "Standard_NC24ads_A100_v4": ("N", "1", "nvidia", "A100"),
    "Standard_NC48ads_A100_v4": ("N", "2", "nvidia", "A100"),
    "Standard_NC96ads_A100_v4": ("N", "4", "nvidia", "A100"),
    "Standard_ND96asr_v4": ("N", "8", "nvidia", None),
    "Standard_ND96amsr_A100_v4": ("N", "8", "nvidia", "A100"),
    "Standard_NC40ads_H100_v5": ("N", "1", "nvidia", "H100"),
    "Standard_NC80adis_H100_v5": ("N", "2", "nvidia", "H100"),
    "Standard_NCC40ads_H100_v5": ("N", "0", None, None),
    "Standard_ND96isr_H100_v5": ("N", "8", "nvidia", "H100"),
    "Standard_ND96isr_H200_v5": ("N", "8", "nvidia", "H200"),
    "Standard_NG32ads_V620_v1": ("N", "0", None, None),
    "Standard_NG32adms_V620_v1": ("N", "0", None, None),
    "Standard_NV12s_v3": ("N", "1", "nvidia", None),
    "Standard_NV24s_v3": ("N", "2", "nvidia", None),
    "Standard_NV48s_v3": ("N", "4", "nvidia", None),
    "Standard_NV32as_v4": ("N", "0", None, None),
}


def _got(size: str) -> tuple[str | None, str | None, str | None, str | None]:
    labels = nap_sizes.size_labels(size)
    return tuple(labels.get(K + k) for k in ("sku-family", "sku-gpu-count", "sku-gpu-manufacturer", "sku-gpu-name"))  # type: ignore[return-value]


def test_the_table_covers_every_gpu_size_akscli_knows() -> None:
    assert {s.vm_size for s in skus.all_skus()} == set(EXPECTED)


def test_sku_gpu_name_is_the_accelerator_skewer_parses_from_the_name_or_absent() -> None:
    assert {s: _got(s)[3] for s in EXPECTED} == {s: e[3] for s, e in EXPECTED.items()}


def test_a_size_supported_gpus_yaml_lacks_has_gpu_count_0_and_no_manufacturer() -> None:
    assert {s: _got(s)[1:3] for s in EXPECTED} == {s: e[1:3] for s, e in EXPECTED.items()}


def test_sku_family_is_skewers_family_letter() -> None:
    assert {s: _got(s)[0] for s in EXPECTED} == {s: e[0] for s, e in EXPECTED.items()}


def test_a_nodepool_cannot_give_a_gpu_pod_a_size_nap_counts_no_gpus_of() -> None:
    pool = gpu_pool("gpu", ["Standard_NCC40ads_H100_v5"])
    assert not nap_admit.admits_size(pool, "Standard_NCC40ads_H100_v5", 1)
    assert nap_admit.admits_size(gpu_pool("gpu", ["Standard_NC40ads_H100_v5"]), "Standard_NC40ads_H100_v5", 1)
