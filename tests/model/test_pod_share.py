"""akscli's vLLM pod (model.runtime_values.pod_share) is sized to what a node of its VM size
gives pods: the smaller of AKS's allocatable (AKS 1.29+, 250 max pods) and Karpenter's, less a
margin for AKS's DaemonSets (akscli.node_room)."""

from __future__ import annotations

import pytest

from akscli import node_room
from akscli.kube.resources import amount
from akscli.model import skus
from akscli.model.runtime_values import pod_share
from akscli.nap import fit as nap_fit

T4 = "Standard_NC4as_T4_v3"
MI, GI = 1 << 20, 1 << 30


def test_aks_reserves_20mib_a_max_pod_plus_50mib_and_evicts_at_100mib() -> None:
    # upstream: MicrosoftDocs/azure-aks-docs node-resource-reservations.md (AKS 1.29 and later);
    # the capacity is 28 GiB less 7.5% (Karpenter's vm-memory-overhead-percent)
    capacity = 28 * GI - (28 * GI * 75 + 999) // 1000  # rounded up
    assert node_room.aks_allocatable(T4) == {"cpu": 4000 - 140, "memory": capacity - (5050 + 100) * MI}
    assert node_room.aks_allocatable(T4, max_pods=30) == {"cpu": 3860, "memory": capacity - (650 + 100) * MI}


def test_aks_reserves_at_most_a_quarter_of_the_memory() -> None:
    # the docs' second example: 4 GB and 70 pods reserve 25% (1000 MB), less than 20 x 70 + 50
    capacity = 28 * GI - (28 * GI * 75 + 999) // 1000  # rounded up
    room = node_room.aks_allocatable(T4, max_pods=400)
    assert room is not None and room["memory"] == capacity - 7 * GI - 100 * MI


def test_aks_cpu_reservations_are_the_published_table() -> None:
    # node-resource-reservations.md: 1, 2, 4, 8, 16, 32, 64 cores reserve 60 ... 740 millicores
    table = {1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740}
    assert {cores: nap_fit.reserved_cpu(cores) for cores in table} == table


def test_the_t4_pod_asks_19gi_not_the_22gi_no_node_has_for_pods() -> None:
    # 80% of 28 GiB is 22Gi; Karpenter counts 21.85 GiB for pods and AKS 1.29+ 20.87 GiB
    assert pod_share(T4, 1) == {"cpu_request": "3", "memory_request": "19Gi"}


def test_a_size_with_room_to_spare_keeps_eighty_percent_of_its_share() -> None:
    assert pod_share("Standard_NC24ads_A100_v4", 1) == {"cpu_request": "19", "memory_request": "176Gi"}


@pytest.mark.parametrize("sku", skus.all_skus(), ids=lambda s: s.vm_size)
def test_every_gpu_sizes_pods_fit_what_its_node_gives_pods_with_the_daemonset_margin(sku: skus.GpuSku) -> None:
    aks, karpenter = node_room.aks_allocatable(sku.vm_size), nap_fit.allocatable(sku.vm_size)
    assert aks is not None and karpenter is not None
    for gpus in range(1, sku.gpus + 1):
        share, pods = pod_share(sku.vm_size, gpus), sku.gpus // gpus
        asked = {
            "cpu": pods * amount("cpu", share["cpu_request"]),
            "memory": pods * amount("memory", share["memory_request"]),
        }
        for name, margin in node_room.DAEMONSET_MARGIN.items():
            assert asked[name] + margin <= min(aks[name], karpenter[name]), (gpus, name)
