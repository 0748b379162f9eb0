"""The weighed pod's own required pod affinity and anti-affinity in the pinned-deploy fit check
(upstream: kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go,
read at sanposhiho/kubernetes 059ce4e8: getIncomingAffinityAntiAffinityCounts,
podMatchesAllAffinityTerms, mergeAffinityTermNamespacesIfNotEmpty, satisfyPodAffinity,
satisfyPodAntiAffinity, Filter). No pod akscli renders has any: the check is driven with a pod
that does. The pods a term selects are read by its labelSelector in its namespaces
(akscli.model.cluster_affinity); where a read budget stops the check early, it says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import ND_H100, node
from tests.model.test_deploy_cluster_filters import a100, pinned, plan_and_fit

Start = Callable[..., Any]

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"
AFFINITY = "node(s) didn't match pod affinity rules"
ANTI = "node(s) didn't match pod anti-affinity rules"
CACHE = {"labelSelector": {"matchLabels": {"app": "cache"}}}


def placed(emu: Any, name: str, on: str, ns: str = "default", labels: dict[str, str] | None = None) -> None:
    if emu.cluster.get("v1", "Namespace", None, ns) is None:
        emu.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {"app": "cache"}},
            "spec": {"nodeName": on, "containers": [{"name": "app", "image": "app"}]},
            "status": {"phase": "Running"},
        }
    )


def other_node(emu: Any, name: str, zone: str) -> None:
    """A node of another size (not a candidate for the pinned pod) in ``zone``."""
    n = node(name, size=ND_H100)
    n["metadata"]["labels"][ZONE] = zone
    emu.cluster.create(n)


def check(kind: str, **term: Any) -> str | None:
    """The fit check's note for phi-4 pinned to the A100 size, weighing a pod of default labelled
    app=model with one required term of ``kind``."""
    from akscli.kube.connecting import connect
    from akscli.model import cluster_fit

    plan, fit = plan_and_fit()
    spec = pinned(affinity={kind: {"requiredDuringSchedulingIgnoredDuringExecution": [term]}})
    meta = {"namespace": "default", "labels": {"app": "model"}}
    _, note = cluster_fit.fit_to_cluster(connect(), plan, fit, given=True, pod=lambda f: spec, meta=meta)
    return note


def test_its_anti_affinity_keeps_it_off_a_node_with_a_pod_it_selects(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    placed(emu, "cache-0", "a100-0")
    assert f"(1 {ANTI})" in (check("podAntiAffinity", topologyKey=HOST, **CACHE) or "")


def test_its_anti_affinity_over_a_zone_reaches_a_pod_on_another_node_of_the_zone(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100(**{ZONE: "eastus-1"}))
    other_node(emu, "cpu-0", "eastus-1")
    placed(emu, "cache-0", "cpu-0")
    assert f"(1 {ANTI})" in (check("podAntiAffinity", topologyKey=ZONE, **CACHE) or "")


def test_its_anti_affinity_over_a_zone_leaves_other_zones_alone(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100(**{ZONE: "eastus-1"}))
    other_node(emu, "cpu-0", "eastus-2")
    placed(emu, "cache-0", "cpu-0")
    assert check("podAntiAffinity", topologyKey=ZONE, **CACHE) is None


def test_its_anti_affinity_reaches_only_its_own_namespace_by_default(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    placed(emu, "cache-0", "a100-0", ns="team-b")
    assert check("podAntiAffinity", topologyKey=HOST, **CACHE) is None


def test_its_affinity_to_pods_that_run_nowhere_keeps_it_off_every_node(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    assert f"(1 {AFFINITY})" in (check("podAffinity", topologyKey=HOST, **CACHE) or "")


def test_the_first_pod_of_a_group_with_affinity_to_itself_is_placed(model_emulator: Start) -> None:
    # satisfyPodAffinity: nothing counted anywhere and the pod matches its own terms.
    emu = model_emulator()
    emu.cluster.create(a100())
    assert check("podAffinity", topologyKey=HOST, labelSelector={"matchLabels": {"app": "model"}}) is None


def test_its_affinity_is_met_by_a_pod_in_the_nodes_zone(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100(**{ZONE: "eastus-1"}))
    other_node(emu, "cpu-0", "eastus-1")
    placed(emu, "cache-0", "cpu-0")
    assert check("podAffinity", topologyKey=ZONE, **CACHE) is None


def test_its_affinity_to_a_pod_in_another_zone_keeps_it_off(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100(**{ZONE: "eastus-1"}))
    other_node(emu, "cpu-0", "eastus-2")
    placed(emu, "cache-0", "cpu-0")
    assert f"(1 {AFFINITY})" in (check("podAffinity", topologyKey=ZONE, **CACHE) or "")


def test_its_affinity_over_a_key_the_node_lacks_keeps_it_off(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    placed(emu, "cache-0", "a100-0")
    assert f"(1 {AFFINITY})" in (check("podAffinity", topologyKey=ZONE, **CACHE) or "")


def test_its_affinity_reaches_the_namespaces_its_namespace_selector_picks(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "cache", "labels": {"tier": "cache"}}}
    )
    placed(emu, "cache-0", "a100-0", ns="cache")
    selector = {"matchLabels": {"tier": "cache"}}
    assert check("podAffinity", topologyKey=HOST, namespaceSelector=selector, **CACHE) is None


def test_the_pods_a_term_selects_are_read_by_its_selector_in_its_namespace(model_emulator: Start) -> None:
    emu = model_emulator()
    emu.cluster.create(a100())
    emu.record_requests = True
    check("podAntiAffinity", topologyKey=HOST, **CACHE)
    listed = emu.requests("GET", "/api/v1/namespaces/default/pods")
    selected = [(r.query["labelSelector"], r.query.get("limit")) for r in listed if "labelSelector" in r.query]
    assert selected == [(["app=cache"], ["500"])]


def test_the_check_says_so_when_the_node_budget_stops_it_early(model_emulator: Start) -> None:
    # Eleven pods the anti-affinity selects, each on its own node of another zone: the eleventh
    # node is past the 10 GETs, and the note says the check stopped there.
    emu = model_emulator()
    emu.cluster.create(a100(**{ZONE: "eastus-1"}))
    for i in range(11):
        other_node(emu, f"cpu-{i}", "eastus-2")
        placed(emu, f"cache-{i}", f"cpu-{i}")
    note = check("podAntiAffinity", topologyKey=ZONE, **CACHE) or ""
    assert note.startswith("the pod affinity check stopped at its read budget (nodes of placed pods past the first 10")
