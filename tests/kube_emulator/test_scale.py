"""Scale: generated clusters served through paginated lists and selective reads."""

from __future__ import annotations

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import connection


@pytest.fixture
def big(kube_emulator_factory: object) -> KubeEmulator:
    emu: KubeEmulator = kube_emulator_factory(crd_dirs=[], builtin_controllers=False, tls=False)  # type: ignore[operator]
    emu.generate_cluster(nodes=2000, pods=8000, gpu_fraction=0.25)
    return emu


def test_every_generated_node_is_listed_once_in_pages_of_500(big: KubeEmulator) -> None:
    import json

    conn = connection(big)
    names: list[str] = []
    token = ""
    pages = 0
    while True:
        conn.request(
            "GET",
            "/api/v1/nodes?limit=500" + (f"&continue={token}" if token else ""),
            headers={"Authorization": f"Bearer {big.token}"},
        )
        body = json.loads(conn.getresponse().read())
        assert len(body["items"]) <= 500
        names += [n["metadata"]["name"] for n in body["items"]]
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert pages == 4 and len(names) == len(set(names)) == 2000


def test_gpu_share_and_capacity_of_generated_nodes(big: KubeEmulator) -> None:
    gpu = big.cluster.list("v1", "Node", label_selector="kubernetes.azure.com/accelerator")
    assert len(gpu) == 500
    # Every GPU node advertises some GPU resource (whole, MIG or AMD); the no-plugin pool advertises 0.
    units = [
        sum(int(v) for k, v in n["status"]["capacity"].items() if k.endswith("/gpu") or k.startswith("nvidia.com/mig-"))
        for n in gpu
    ]
    assert all(u >= 1 for u in units)


def test_pods_are_spread_over_cpu_and_gpu_nodes(big: KubeEmulator) -> None:
    first_cpu = big.cluster.list("v1", "Node", label_selector="!kubernetes.azure.com/accelerator")[0]["metadata"][
        "name"
    ]
    first_gpu = big.cluster.list("v1", "Node", label_selector="kubernetes.azure.com/accelerator")[0]["metadata"]["name"]
    for node in (first_cpu, first_gpu):
        entries, _, _, _ = big.api.list_entries(big.api.rt("v1", "Pod"), None, None, f"spec.nodeName={node}", 0, None)
        assert entries, node


def test_a_continued_page_deep_in_the_store_is_the_next_500(big: KubeEmulator) -> None:
    # How fast it is, on a shared machine, is a benchmark's question: tests/bench/bench_emulator_pages.py
    rt = big.api.rt("v1", "Pod")
    first, token, _, _ = big.api.list_entries(rt, None, None, None, 7000, None)
    entries, _, _, _ = big.api.list_entries(rt, None, None, None, 500, token)
    assert len(entries) == 500
    assert not {e.obj()["metadata"]["name"] for e in entries} & {e.obj()["metadata"]["name"] for e in first}
