"""Every command that reads a cluster, against one seeded emulator of 3,000 nodes and 8,000 pods,
held to the project's read rules (KubeEmulator.read_rule_breaks): a LIST of nodes, pods, events
or nodeclaims is paged at kubectl's chunk size (upstream: kubernetes/kubectl pkg/cmd/get/get.go
DefaultChunkSize 500, mirror HEAD dee3483; kubernetes/client-go tools/pager/pager.go, 32ce75a), no node
or pod is read by name twice nor one by one, and the checks that ask about a few objects narrow
the list on the server with a label or field selector. Requests are counted, never timed
(tests/bench/bench_cluster_reads.py times them at 75,000 nodes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube.__main__ import build, build_args
from tests.emulators.kube.emulator import KubeEmulator

NODES, PODS = 3000, 8000


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[KubeEmulator, dict[str, str]]]:
    """The emulator `python -m tests.emulators.kube --nodes 3000 --pods 8000` serves (operators
    included), with a KAITO model and two Ray clusters; the env that points akscli at it."""
    work = tmp_path_factory.mktemp("reads")
    args = build_args(nodes=NODES, pods=PODS, request_log=True)
    emu = build(args).start()
    env = {
        "KUBECONFIG": str(emu.write_kubeconfig(work / "kubeconfig")),
        "KUBECACHEDIR": str(work / "kube-cache"),
        "AKSCLI_AUDIT_LOG": str(work / "audit.jsonl"),
    }
    try:
        for setup in (
            ("model", "deploy", "phi-4-mini-instruct", "--vm-size", "Standard_NC24ads_A100_v4", "-y"),
            ("ray", "cluster", "create", "one", "-y"),
            ("ray", "cluster", "create", "two", "-y"),
        ):
            assert invoke(*setup, env=env).exit_code == 0, setup
        # Idle ends as soon as the controllers have nothing due; the cap is for a loaded CI machine
        # (helm install --wait's own default, 300 s), and a set-up still busy at the cap fails here,
        # not later as a miscounted read.
        assert emu.idle(300), "the seeded emulator did not settle"
        yield emu, env
    finally:
        emu.stop()


def reads(seeded: tuple[KubeEmulator, dict[str, str]], *command: str, codes: tuple[int, ...] = (0,)) -> list[Any]:
    """Run one command; its GET requests once the rules hold (asserted here)."""
    emu, env = seeded
    with emu._log_lock:
        emu.request_log.clear()
    result = invoke(*command, env=env)
    assert result.exit_code in codes, result
    assert emu.read_rule_breaks() == [], command
    return emu.requests(method="GET")


def unnarrowed(requests: list[Any], *resources: str) -> list[str]:
    """LISTs of these resources with neither a label nor a field selector."""
    return [
        r.path
        for r in requests
        if r.verb == "list"
        and r.path.rsplit("/", 1)[-1] in resources
        and not ({"labelSelector", "fieldSelector"} & set(r.query))
    ]


@pytest.mark.parametrize(
    "scope", [(), ("--for", "model"), ("--for", "ray"), ("--for", "baremetal"), ("--for", "fleet")]
)
def test_doctor_lists_nodes_and_pods_by_selector_a_page_at_a_time(seeded: Any, scope: tuple[str, ...]) -> None:
    requests = reads(seeded, "doctor", *scope, codes=(0, 9))
    assert unnarrowed(requests, "nodes", "pods", "events") == []


def test_baremetal_doctor_reads_every_node_in_pages_of_500(seeded: Any) -> None:
    requests = reads(seeded, "baremetal", "doctor", codes=(0, 9))
    node_lists = [r for r in requests if r.verb == "list" and r.path == "/api/v1/nodes"]
    assert len(node_lists) == NODES // 500 + 1  # the last page is empty of a continue, not of nodes
    assert unnarrowed(requests, "pods", "events") == []


@pytest.mark.parametrize(
    "command",
    [
        ("model", "deploy", "phi-4-mini-instruct", "--name", "fit", "--runtime", "vllm",
         "--vm-size", "Standard_NC24ads_A100_v4", "--dry-run=server"),
        ("model", "list"),
        ("model", "status", "phi-4-mini-instruct"),
    ],
)  # fmt: skip
def test_model_reads_ask_for_the_nodes_and_pods_they_need(seeded: Any, command: tuple[str, ...]) -> None:
    requests = reads(seeded, *command)
    assert unnarrowed(requests, "nodes", "pods", "events") == []


def test_model_top_reads_the_models_pods_by_selector(seeded: Any) -> None:
    # The emulator's vLLM pod serves no /metrics (exit 1): the reads before it are what is judged.
    requests = reads(seeded, "model", "top", codes=(0, 1))
    assert unnarrowed(requests, "nodes", "pods", "events") == []


@pytest.mark.parametrize(
    "command",
    [("ray", "cluster", "list"), ("ray", "cluster", "status", "one"), ("ray", "cluster", "nodes", "one"),
     ("ray", "workergroup", "list")],
)  # fmt: skip
def test_ray_reads_ask_for_the_clusters_pods_by_label(seeded: Any, command: tuple[str, ...]) -> None:
    requests = reads(seeded, *command)
    assert unnarrowed(requests, "nodes", "pods", "events") == []


def test_ray_cluster_status_reads_the_cluster_and_its_pods_once(seeded: Any) -> None:
    requests = reads(seeded, "ray", "cluster", "status", "one")
    assert len([r for r in requests if r.path.endswith("/rayclusters/one")]) == 1
    assert len([r for r in requests if r.verb == "list" and r.path.endswith("/pods")]) == 1


def test_workergroup_list_of_several_clusters_lists_their_pods_once(seeded: Any) -> None:
    requests = reads(seeded, "ray", "workergroup", "list")
    pod_lists = [r for r in requests if r.verb == "list" and r.path.endswith("/pods")]
    assert [r.query["labelSelector"] for r in pod_lists] == [["ray.io/cluster"]]


def test_gpu_usage_reads_nodes_and_running_pods_a_page_at_a_time(seeded: Any) -> None:
    requests = reads(seeded, "gpu", "usage")
    pod_lists = [r for r in requests if r.verb == "list" and r.path == "/api/v1/pods"]
    assert pod_lists and all("fieldSelector" in r.query for r in pod_lists)


def test_the_pool_a_pods_selector_picks_is_found_without_reading_the_pools_nodes(
    kube_emulator: KubeEmulator, tmp_path: Path
) -> None:
    from akscli.kube import scale_up
    from akscli.kube.client import KubeTarget
    from akscli.kube.connecting import connect

    kube_emulator.generate_cluster(nodes=5000)  # 1,000 nodes of Standard_D16s_v5, all in one pool
    kube = connect(KubeTarget(str(kube_emulator.write_kubeconfig(tmp_path / "kubeconfig"))))
    pages = kube.list_pages
    read: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for page in pages(*args, **kwargs):
            read.append(len(page["items"]))
            yield page

    kube.list_pages = counted  # type: ignore[method-assign]
    pod = {"spec": {"nodeSelector": {"node.kubernetes.io/instance-type": "Standard_D16s_v5"}}}
    assert scale_up._selected_pool(kube, pod) == "cpud16s0"
    assert len(read) == 2 and sum(read) == 1  # one node of the pool, then none outside it
    spread = {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"}}}
    assert scale_up._selected_pool(kube, spread) is None


@pytest.mark.parametrize(
    "command",
    [("ray", "cluster", "create", "waited", "--wait", "--timeout", "60", "-y"),
     ("model", "deploy", "phi-3-mini-4k-instruct", "--vm-size", "Standard_NC24ads_A100_v4", "--wait",
      "--timeout", "120", "-y")],
)  # fmt: skip
def test_a_wait_watches_what_it_waits_for(seeded: Any, command: tuple[str, ...]) -> None:
    requests = reads(seeded, *command)
    assert [r for r in requests if r.verb == "watch"]
    assert unnarrowed(requests, "nodes", "pods", "events") == []


def test_workergroup_list_of_every_cluster_counts_each_clusters_pods_as_its_own_list_does(seeded: Any) -> None:
    from tests.cli import list_items

    _, env = seeded
    every = list_items(invoke("ray", "workergroup", "list", "-A", "-o", "json", env=env).stdout)
    for cluster in ("one", "two"):
        own = list_items(invoke("ray", "workergroup", "list", cluster, "-o", "json", env=env).stdout)
        assert own and [row for row in every if row["cluster"] == cluster] == own
