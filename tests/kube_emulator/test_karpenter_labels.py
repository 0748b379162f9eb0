"""The SKU labels NAP gives a node of each GPU size akscli knows (akscli.nap.sizes.size_labels, which the
Karpenter simulator and the fit check share), as Azure/karpenter-provider-azure derives them:
pkg/utils/supported-gpus.yaml (which sizes are GPU sizes, and whose) and Azure/skewer vmsize.go's
parse of the size name (Family, AcceleratorType)."""

from __future__ import annotations

from akscli.model import skus
from akscli.nap import admit as nap_admit
from akscli.nap import sizes as nap_sizes
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.test_karpenter import (
    A100,
    H100,
    emu,
    gpu_app,
    gpu_pool,
    karpenter_failed_scheduling,
    running_on,
)

__all__ = ["emu"]  # the fixture, shared with test_karpenter.py
NV12 = "Standard_NV12s_v3"
NODE_CLASS = {"apiVersion": "karpenter.azure.com/v1beta1", "kind": "AKSNodeClass"}

K = "karpenter.azure.com/"
# size: (sku-family, sku-gpu-count, sku-gpu-manufacturer, sku-gpu-name); None: no such label.
# Upstream: karpenter-provider-azure 352646f supported-gpus.yaml lists every size here as nvidia but
# NCC40ads_H100_v5, the NG V620 and NVv4 sizes (no instance types at all: instancetypes.go
# isUnsupportedGPU; the labels their names would give are kept in the table); skewer's skuSizeScheme
# finds no accelerator in ND96asr_v4 or the NVv3 names.
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


def test_gpu_count_and_manufacturer_are_those_supported_gpus_yaml_gives() -> None:
    assert {s: _got(s)[1:3] for s in EXPECTED} == {s: e[1:3] for s, e in EXPECTED.items()}


def test_a_gpu_size_supported_gpus_yaml_lacks_is_no_instance_type() -> None:
    # instancetypes.go UpdateInstanceTypes -> isSupported -> isUnsupportedGPU (sku.GPU() > 0, not IsGPUSKU)
    refused = {s for s in EXPECTED if nap_sizes.unoffered(s)}
    assert refused == {s for s, e in EXPECTED.items() if e[2] is None}


# skewer 0119bd0 vmsize.go GetVMSize (Series) and karpenter-provider-azure utils.go ExtractVersionFromVMSize;
# the first two and Standard_D2_v2's version are upstream's own (instancetype suite_test.go: NC24ads_A100_v4
# is series NCads_v4, version 4; D2_v2 version 2), Dpls_v6 labels.go's comment on LabelSKUSeries.
SERIES = {
    "Standard_NC24ads_A100_v4": ("NCads_v4", "4"),
    "Standard_D2_v2": ("D_v2", "2"),
    "Standard_D4pls_v6": ("Dpls_v6", "6"),
    "Standard_ND96isr_H100_v5": ("NDisr_v5", "5"),
    "Standard_NC6": ("NC", "1"),  # no version in the name: "1" backfilled
}


def test_sku_series_and_sku_version_are_skewers_parse_of_the_name() -> None:
    got = {
        s: (nap_sizes.size_labels(s).get(K + "sku-series"), nap_sizes.size_labels(s).get(K + "sku-version"))
        for s in SERIES
    }
    assert got == SERIES


def test_sku_family_is_skewers_family_letter() -> None:
    assert {s: _got(s)[0] for s in EXPECTED} == {s: e[0] for s, e in EXPECTED.items()}


def test_a_nodepool_cannot_give_a_gpu_pod_a_size_nap_counts_no_gpus_of() -> None:
    pool = gpu_pool("gpu", ["Standard_NCC40ads_H100_v5"])
    assert not nap_admit.admits_size(pool, "Standard_NCC40ads_H100_v5", 1)
    assert nap_admit.admits_size(gpu_pool("gpu", ["Standard_NC40ads_H100_v5"]), "Standard_NC40ads_H100_v5", 1)


def test_a_pool_requiring_a_sku_version_gets_a_node_of_that_version(emu: KubeEmulator) -> None:
    # A NodePool may select by karpenter.azure.com/sku-version and sku-series (labels.go
    # AzureWellKnownLabels); the provider gives every size both (instancetype.go computeRequirements).
    pool = gpu_pool("gpu", [H100, A100])
    pool["spec"]["template"]["spec"]["requirements"] += [
        {"key": K + "sku-version", "operator": "In", "values": ["5"]},
        {"key": K + "sku-series", "operator": "In", "values": ["NCads_v5"]},
    ]
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("llm"))
    labels = emu.cluster.get("v1", "Node", None, running_on(emu, "llm"))["metadata"]["labels"]
    assert labels["node.kubernetes.io/instance-type"] == H100  # the cheaper A100 size is v4
    assert (labels[K + "sku-series"], labels[K + "sku-version"]) == ("NCads_v5", "5")


def test_an_azure_linux_class_gets_no_node_of_a_size_listed_for_ubuntu_only(emu: KubeEmulator) -> None:
    # supported-gpus.yaml: standard_nv12s_v3 os [ubuntu, windows]; instancetypes.go
    # isInstanceTypeSupportedByImageFamily drops it for imageFamily AzureLinux.
    emu.cluster.create({**NODE_CLASS, "metadata": {"name": "azl"}, "spec": {"imageFamily": "AzureLinux"}})
    pool = gpu_pool("gpu", [NV12])
    pool["spec"]["template"]["spec"]["nodeClassRef"]["name"] = "azl"
    emu.cluster.create(pool)
    emu.cluster.create(gpu_app("viz", NV12))
    # the pool keeps no instance type, so it has no template (scheduler.go NewScheduler and add)
    assert wait_until(lambda: karpenter_failed_scheduling(emu), timeout=5)
    [event] = karpenter_failed_scheduling(emu)
    assert event["message"] == "Failed to schedule pod, nodepool requirements filtered out all available instance types"
    assert not emu.nap.provisioned


def test_the_default_ubuntu_class_gets_a_node_of_that_size(emu: KubeEmulator) -> None:
    emu.cluster.create(gpu_pool("gpu", [NV12]))
    emu.cluster.create(gpu_app("viz", NV12))
    labels = emu.cluster.get("v1", "Node", None, running_on(emu, "viz"))["metadata"]["labels"]
    assert labels["node.kubernetes.io/instance-type"] == NV12
