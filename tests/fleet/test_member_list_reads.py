"""``fleet member list`` reads the clusters behind the members without one GET per member where
they share a resource group (akscli.fleet.member_clusters): N+1 reads of a 1,000-member fleet
would empty ARM's read bucket (tests/bench/bench_arm_reads.py measures 200 members)."""

from __future__ import annotations

from typing import Any

from tests.cli import invoke, list_items
from tests.fleet.armworld import ARM, add_aks_cluster, aks_id, arc_id, seed_member

ONE_CLUSTER = r"/managedClusters/[^/]+$"
GROUP_LIST = r"/resourceGroups/rg-fleet/providers/Microsoft\.ContainerService/managedClusters$"


def _members(emu: Any, count: int) -> None:
    for n in range(count):
        add_aks_cluster(emu, f"aks-{n}")
        seed_member(emu, f"m{n}", aks_id(emu, f"aks-{n}"), "cloud")


def _rows() -> dict[str, dict[str, Any]]:
    listed = invoke("fleet", "member", "list", *ARM, "-o", "json")
    assert listed.exit_code == 0, listed
    return {r["name"]: r for r in list_items(listed.stdout)}


def test_members_whose_clusters_share_a_group_are_read_by_listing_the_group(fleet: Any) -> None:
    _members(fleet, 6)
    rows = _rows()
    assert {r["kubernetesVersion"] for r in rows.values()} == {"1.33.2"}
    assert all(r["healthy"] for r in rows.values())
    assert fleet.requests_to(ONE_CLUSTER, "GET") == []
    assert len(fleet.requests_to(GROUP_LIST, "GET")) == 1


def test_a_group_of_many_clusters_is_listed_only_within_half_the_gets_it_replaces(fleet: Any) -> None:
    fleet.page_size = 1
    for n in range(10):
        add_aks_cluster(fleet, f"other-{n}")  # listed before the members' clusters ("aks-" < "other-")
    _members(fleet, 4)
    fleet.put_resource(aks_id(fleet, "aks-3"), {"location": "eastus", "properties": {"kubernetesVersion": "1.34.1"}})
    fleet.put_resource(aks_id(fleet, "aaa"), {"location": "eastus", "properties": {}})
    rows = _rows()
    assert rows["m3"]["kubernetesVersion"] == "1.34.1"
    assert len(fleet.requests_to(GROUP_LIST, "GET")) == 2  # 4 members: 2 pages at most
    assert len(fleet.requests_to(ONE_CLUSTER, "GET")) == 3  # aks-1..3, after the pages of aaa and aks-0


def test_a_group_list_refused_falls_back_to_reading_each_cluster(fleet: Any) -> None:
    _members(fleet, 3)
    fleet.faults.add("GET", GROUP_LIST, 403)
    rows = _rows()
    assert {r["kubernetesVersion"] for r in rows.values()} == {"1.33.2"}
    assert len(fleet.requests_to(ONE_CLUSTER, "GET")) == 3


def test_a_lone_member_cluster_and_an_arc_cluster_are_read_one_by_one(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    seed_member(fleet, "edge", arc_id(fleet, "edge-1"), "edge")
    rows = _rows()
    assert rows["edge"]["kubernetesVersion"] == "1.32.5"
    assert fleet.requests_to(GROUP_LIST, "GET") == []
    assert len(fleet.requests_to(ONE_CLUSTER, "GET")) == 1


def test_the_clusters_of_members_are_read_at_most_eight_at_a_time(fleet: Any) -> None:
    import threading

    state = {"in_flight": 0, "most": 0}
    lock = threading.Lock()
    never = threading.Event()
    for n in range(12):  # each in a group of its own: one GET each
        group = f"rg-solo{n}"
        fleet.add_resource_group(f"/subscriptions/{fleet.subscription}/resourceGroups/{group}")
        rid = aks_id(fleet, f"solo{n}").replace("/rg-fleet/", f"/{group}/")
        fleet.put_resource(rid, {"location": "eastus", "properties": {"kubernetesVersion": "1.33.2"}})
        seed_member(fleet, f"s{n}", rid, "cloud")

    def held(emu: Any, path: str, query: Any, body: bytes) -> tuple[int, Any]:
        with lock:
            state["in_flight"] += 1
            state["most"] = max(state["most"], state["in_flight"])
        never.wait(0.3)  # hold the request so that the others pile up (nothing sets it)
        with lock:
            state["in_flight"] -= 1
        return 200, emu.get_resource(path)

    fleet.register_route(
        "GET", r"/resourceGroups/rg-solo\d+/providers/Microsoft\.ContainerService/managedClusters/", held
    )
    assert len(_rows()) == 12
    assert 1 < state["most"] <= 8


def test_member_list_keeps_only_the_fields_it_shows_of_each_cluster(fleet: Any, monkeypatch: Any) -> None:
    """Up to 1,000 members (the fleet FAQ's limit): their clusters' agent pool, network and
    addon profiles are dropped as each is read, listed with its group or read alone."""
    from akscli.fleet import arm
    from akscli.fleet.member_clusters import SHOWN

    profiles = {"agentPoolProfiles": [{"name": "system", "count": 3}], "networkProfile": {"networkPlugin": "azure"}}
    for name, group in (("aks-0", "rg-fleet"), ("aks-1", "rg-fleet"), ("solo", "rg-solo")):
        fleet.add_resource_group(f"/subscriptions/{fleet.subscription}/resourceGroups/{group}")
        rid = aks_id(fleet, name).replace("/rg-fleet/", f"/{group}/")
        properties = {"kubernetesVersion": "1.33.2", "powerState": {"code": "Running"}, **profiles}
        fleet.put_resource(rid, {"location": "eastus", "properties": properties})
        seed_member(fleet, f"m-{name}", rid, "cloud")
    seen: list[Any] = []
    health = arm._health
    monkeypatch.setattr(arm, "_health", lambda member, cluster: seen.append(cluster) or health(member, cluster))
    rows = _rows()
    assert {r["kubernetesVersion"] for r in rows.values()} == {"1.33.2"}
    assert len(fleet.requests_to(GROUP_LIST, "GET")) == 1 and len(fleet.requests_to(ONE_CLUSTER, "GET")) == 1
    assert len(seen) == 3
    assert all(set(cluster) == {"properties"} and set(cluster["properties"]) <= set(SHOWN) for cluster in seen)
