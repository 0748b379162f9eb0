"""The emulator's scheduler runs kube-scheduler's InterPodAffinity filter (upstream:
kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go; the emulator's
copy is tests/emulators/kube/controllers/pod_affinity.py): a new pod's required pod affinity and
anti-affinity, and the required anti-affinity of the pods already placed, with their topology
keys, namespaces, namespaceSelector and matchLabelKeys."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import deployment
from tests.kube_emulator.test_scheduling import node, pending_message, pods, seed

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


def term(selector: dict[str, Any], key: str = HOST, **extra: Any) -> dict[str, Any]:
    return {"labelSelector": selector, "topologyKey": key, **extra}


def with_affinity(d: dict[str, Any], kind: str, *terms: dict[str, Any]) -> dict[str, Any]:
    d["spec"]["template"]["spec"]["affinity"] = {kind: {"requiredDuringSchedulingIgnoredDuringExecution": list(terms)}}
    return d


def running_on(emu: KubeEmulator, app: str, ns: str = "default") -> list[str]:
    return sorted(
        p["spec"]["nodeName"]
        for p in emu.cluster.list("v1", "Pod", ns, label_selector=f"app={app}")
        if p["spec"].get("nodeName")
    )


def placed(emu: KubeEmulator, app: str, count: int, ns: str = "default") -> list[str]:
    assert wait_until(lambda: len(running_on(emu, app, ns)) == count), running_on(emu, app, ns)
    return running_on(emu, app, ns)


def test_replicas_with_anti_affinity_to_each_other_take_one_node_each(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a"), node("b"))
    spread = with_affinity(deployment("web", replicas=3), "podAntiAffinity", term({"matchLabels": {"app": "web"}}))
    kube_emulator.cluster.create(spread)
    assert placed(kube_emulator, "web", 2) == ["a", "b"]
    assert pending_message(kube_emulator, "web") == (
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are "
        "available: 2 No preemption victims found for incoming pod."
    )


def test_a_placed_pods_anti_affinity_keeps_a_matching_pod_out_of_its_zone(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a", labels={ZONE: "1"}), node("b", labels={ZONE: "1"}), node("c", labels={ZONE: "2"}))
    guard = with_affinity(
        deployment("guard", replicas=1), "podAntiAffinity", term({"matchLabels": {"app": "web"}}, ZONE)
    )
    guard["spec"]["template"]["spec"]["nodeSelector"] = {HOST: "a"}
    kube_emulator.cluster.create(guard)
    placed(kube_emulator, "guard", 1)
    kube_emulator.cluster.create(deployment("web", replicas=2))
    assert placed(kube_emulator, "web", 2) == ["c", "c"]


def test_a_pod_in_the_zone_of_a_repelling_pod_only_stays_pending_with_the_schedulers_words(
    kube_emulator: KubeEmulator,
) -> None:
    seed(kube_emulator, node("a", labels={ZONE: "1"}), node("b", labels={ZONE: "1"}))
    guard = with_affinity(
        deployment("guard", replicas=1), "podAntiAffinity", term({"matchLabels": {"app": "web"}}, ZONE)
    )
    kube_emulator.cluster.create(guard)
    placed(kube_emulator, "guard", 1)
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert pending_message(kube_emulator, "web") == (
        "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 "
        "nodes are available: 2 No preemption victims found for incoming pod."
    )


def test_a_pod_with_affinity_to_pods_that_do_not_exist_stays_pending(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a"))
    kube_emulator.cluster.create(
        with_affinity(deployment("web", replicas=1), "podAffinity", term({"matchLabels": {"app": "cache"}}))
    )
    assert pending_message(kube_emulator, "web") == (
        "0/1 nodes are available: 1 node(s) didn't match pod affinity rules. preemption: 0/1 nodes are "
        "available: 1 Preemption is not helpful for scheduling."
    )


def test_the_first_pod_of_a_group_with_affinity_to_itself_schedules_and_the_rest_follow(
    kube_emulator: KubeEmulator,
) -> None:
    seed(kube_emulator, node("a", labels={ZONE: "1"}), node("b", labels={ZONE: "2"}))
    together = with_affinity(deployment("web", replicas=3), "podAffinity", term({"matchLabels": {"app": "web"}}, ZONE))
    kube_emulator.cluster.create(together)
    assert len(set(placed(kube_emulator, "web", 3))) == 1


def test_affinity_to_a_pod_places_the_pod_in_its_zone(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a", labels={ZONE: "1"}), node("b", labels={ZONE: "2"}))
    cache = deployment("cache", replicas=1)
    cache["spec"]["template"]["spec"]["nodeSelector"] = {HOST: "b"}
    kube_emulator.cluster.create(cache)
    placed(kube_emulator, "cache", 1)
    kube_emulator.cluster.create(
        with_affinity(deployment("web", replicas=2), "podAffinity", term({"matchLabels": {"app": "cache"}}, ZONE))
    )
    assert placed(kube_emulator, "web", 2) == ["b", "b"]


def test_anti_affinity_reaches_only_the_terms_namespaces(kube_emulator: KubeEmulator) -> None:
    # No namespaces and no namespaceSelector: the term reaches its own pod's namespace only.
    seed(kube_emulator, node("a"))
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    guard = with_affinity(deployment("guard", replicas=1), "podAntiAffinity", term({"matchLabels": {"app": "web"}}))
    kube_emulator.cluster.create(guard)
    placed(kube_emulator, "guard", 1)
    kube_emulator.cluster.create(deployment("web", replicas=1, ns="team"))
    assert placed(kube_emulator, "web", 1, ns="team") == ["a"]


def test_anti_affinity_with_a_namespace_selector_reaches_the_namespaces_it_selects(
    kube_emulator: KubeEmulator,
) -> None:
    seed(kube_emulator, node("a"))
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team", "labels": {"tier": "gpu"}}}
    )
    guard = with_affinity(
        deployment("guard", replicas=1),
        "podAntiAffinity",
        term({"matchLabels": {"app": "web"}}, namespaceSelector={"matchLabels": {"tier": "gpu"}}),
    )
    kube_emulator.cluster.create(guard)
    placed(kube_emulator, "guard", 1)
    kube_emulator.cluster.create(deployment("web", replicas=1, ns="team"))
    message = pending_message_in(kube_emulator, "web", "team")
    assert "1 node(s) didn't satisfy existing pods anti-affinity rules" in message


def test_match_label_keys_narrow_anti_affinity_to_pods_with_the_same_value(kube_emulator: KubeEmulator) -> None:
    # upstream: pkg/registry/core/pod/strategy.go applyMatchLabelKeysAndMismatchLabelKeys.
    seed(kube_emulator, node("a"))
    for name, rev in (("one", "1"), ("two", "2")):
        d = with_affinity(
            deployment(name, replicas=1),
            "podAntiAffinity",
            term({"matchLabels": {"group": "web"}}, matchLabelKeys=["rev"]),
        )
        d["spec"]["template"]["metadata"]["labels"].update({"group": "web", "rev": rev})
        kube_emulator.cluster.create(d)
    assert placed(kube_emulator, "one", 1) == ["a"] and placed(kube_emulator, "two", 1) == ["a"]


def pending_message_in(emu: KubeEmulator, app: str, ns: str) -> str:
    def pending() -> list[dict[str, Any]]:
        return [
            p
            for p in emu.cluster.list("v1", "Pod", ns, label_selector=f"app={app}")
            if p["status"].get("phase") == "Pending" and p["status"].get("conditions")
        ]

    assert wait_until(lambda: bool(pending()))
    return str(pending()[0]["status"]["conditions"][0]["message"])


def test_pods_placed_elsewhere_do_not_count_once_they_are_gone(kube_emulator: KubeEmulator) -> None:
    seed(kube_emulator, node("a"))
    guard = with_affinity(deployment("guard", replicas=1), "podAntiAffinity", term({"matchLabels": {"app": "web"}}))
    kube_emulator.cluster.create(guard)
    placed(kube_emulator, "guard", 1)
    kube_emulator.cluster.delete("apps/v1", "Deployment", "default", "guard")
    assert wait_until(lambda: not pods(kube_emulator, "guard"))
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert placed(kube_emulator, "web", 1) == ["a"]
