"""``fleet member list`` reads the clusters behind the members with a bounded number of ARM
requests: one paged listing per subscription and kind (akscli.fleet.member_clusters), not one GET
per member; N+1 reads of a 1,000-member fleet would empty ARM's read bucket
(tests/bench/bench_arm_reads.py measures 200 members)."""

from __future__ import annotations

import threading
from typing import Any

from tests.cli import invoke, list_items
from tests.fleet.armworld import ARM, add_aks_cluster, aks_id, arc_id, seed_member

ONE_CLUSTER = r"/managedClusters/[^/]+$"
ONE_ARC = r"/connectedClusters/[^/]+$"
SUB_LIST = r"^/subscriptions/[^/]+/providers/Microsoft\.ContainerService/managedClusters$"
ARC_SUB_LIST = r"^/subscriptions/[^/]+/providers/Microsoft\.Kubernetes/connectedClusters$"
GROUP_LIST = r"/resourceGroups/[^/]+/providers/Microsoft\.ContainerService/managedClusters$"


def _in_group(emu: Any, name: str, group: str) -> str:
    """An AKS cluster ``name`` in resource group ``group`` (made if missing); its id."""
    emu.add_resource_group(f"/subscriptions/{emu.subscription}/resourceGroups/{group}")
    rid = aks_id(emu, name).replace("/rg-fleet/", f"/{group}/")
    emu.put_resource(rid, {"location": "eastus", "properties": {"kubernetesVersion": "1.33.2"}})
    return rid


def _spread(emu: Any, count: int, name: str = "aks") -> None:
    """``count`` members, each with its cluster in a resource group of its own (rg-0, rg-1 ...):
    more groups than one round of eight requests covers, so their subscription is listed."""
    for n in range(count):
        seed_member(emu, f"m{n}", _in_group(emu, f"{name}-{n}", f"rg-{n}"), "cloud")


def _members(emu: Any, count: int) -> None:
    for n in range(count):
        add_aks_cluster(emu, f"aks-{n}")
        seed_member(emu, f"m{n}", aks_id(emu, f"aks-{n}"), "cloud")


def _rows(*extra: str) -> dict[str, dict[str, Any]]:
    listed = invoke("fleet", "member", "list", *ARM, "-o", "json", *extra)
    assert listed.exit_code == 0, listed
    return {r["name"]: r for r in list_items(listed.stdout)}


def test_member_clusters_in_many_resource_groups_are_read_by_one_subscription_listing(fleet: Any) -> None:
    _spread(fleet, 9)
    rows = _rows()
    assert {r["kubernetesVersion"] for r in rows.values()} == {"1.33.2"}
    assert len(fleet.requests_to(SUB_LIST, "GET")) == 1
    assert fleet.requests_to(GROUP_LIST, "GET") == [] and fleet.requests_to(ONE_CLUSTER, "GET") == []


def test_member_clusters_in_a_few_resource_groups_are_read_by_listing_each_group(fleet: Any) -> None:
    for n in range(6):
        seed_member(fleet, f"m{n}", _in_group(fleet, f"aks-{n}", f"rg-{n % 3}"), "cloud")
    rows = _rows()
    assert {r["kubernetesVersion"] for r in rows.values()} == {"1.33.2"}
    assert len(fleet.requests_to(GROUP_LIST, "GET")) == 3  # one round of requests, not pages in a row
    assert fleet.requests_to(SUB_LIST, "GET") == [] and fleet.requests_to(ONE_CLUSTER, "GET") == []


def test_the_listing_follows_next_link_and_stops_once_every_member_cluster_is_found(fleet: Any) -> None:
    fleet.page_size = 4
    for n in range(6):  # listed after the members' clusters and aks-gpu (rg-fleet < rg-other)
        _in_group(fleet, f"other-{n}", "rg-other")
    _spread(fleet, 9)
    fleet.put_resource(
        aks_id(fleet, "aks-8").replace("/rg-fleet/", "/rg-8/"),
        {"location": "eastus", "properties": {"kubernetesVersion": "1.34.1"}},
    )
    rows = _rows()
    assert rows["m8"]["kubernetesVersion"] == "1.34.1"
    pages = fleet.requests_to(SUB_LIST, "GET")
    assert len(pages) == 3  # rg-0..3 | rg-4..7 | rg-8, aks-gpu, other-0, other-1; not the rest of rg-other
    assert [any(k.lower() == "$skiptoken" for k in p.query) for p in pages] == [False, True, True]
    assert fleet.requests_to(ONE_CLUSTER, "GET") == []


def test_a_subscription_of_many_clusters_is_listed_only_within_half_the_gets_it_replaces(fleet: Any) -> None:
    fleet.page_size = 1
    for n in range(10):
        _in_group(fleet, f"aaa-{n}", "rg-0")  # listed before the members' clusters
    _spread(fleet, 9, name="zz")
    rows = _rows()
    assert {r["kubernetesVersion"] for r in rows.values()} == {"1.33.2"}
    assert len(fleet.requests_to(SUB_LIST, "GET")) == 4  # 9 members: 4 pages at most
    assert len(fleet.requests_to(ONE_CLUSTER, "GET")) == 9


def test_a_subscription_listing_refused_falls_back_to_listing_each_resource_group(fleet: Any) -> None:
    _spread(fleet, 9)
    for n in range(2):  # a second member cluster in rg-0 and in rg-1
        seed_member(fleet, f"twin{n}", _in_group(fleet, f"twin-{n}", f"rg-{n}"), "cloud")
    fleet.faults.add("GET", SUB_LIST, 403)  # a reader whose role is on the groups, not the subscription
    rows = _rows()
    assert {r["kubernetesVersion"] for r in rows.values()} == {"1.33.2"}
    assert len(fleet.requests_to(GROUP_LIST, "GET")) == 2  # rg-0 and rg-1
    assert len(fleet.requests_to(ONE_CLUSTER, "GET")) == 7  # rg-2..rg-8, one member cluster each


def test_arc_member_clusters_are_read_by_one_connected_clusters_listing(fleet: Any) -> None:
    for n in range(9):
        fleet.add_resource_group(f"/subscriptions/{fleet.subscription}/resourceGroups/rg-{n}")
        rid = arc_id(fleet, f"edge-{n}").replace("/rg-fleet/", f"/rg-{n}/")
        status = "Offline" if n == 8 else "Connected"
        fleet.put_resource(rid, {"location": "eastus", "properties": {"connectivityStatus": status}})
        seed_member(fleet, f"edge{n}", rid, "edge")
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    rows = _rows()
    assert rows["edge0"]["healthy"] and rows["gpu"]["kubernetesVersion"] == "1.33.2"
    assert not rows["edge8"]["healthy"] and rows["edge8"]["message"] == "Arc agent is Offline"
    assert len(fleet.requests_to(ARC_SUB_LIST, "GET")) == 1 and fleet.requests_to(ONE_ARC, "GET") == []
    assert len(fleet.requests_to(ONE_CLUSTER, "GET")) == 1  # aks-gpu, the only AKS member
    assert fleet.requests_to(SUB_LIST, "GET") == []


def test_a_member_cluster_this_identity_cannot_read_is_listed_and_says_403(fleet: Any) -> None:
    seed_member(fleet, "gpu", aks_id(fleet, "aks-gpu"), "cloud")
    fleet.faults.add("GET", r"/managedClusters/aks-gpu$", 403)
    row = _rows()["gpu"]  # exit 0: asserted by _rows
    assert row["joined"] and not row["healthy"] and row["kubernetesVersion"] == ""
    assert row["message"] == "cluster not readable: this identity has no read access to it (403)"


def test_a_member_whose_cluster_was_deleted_is_listed_as_not_found(fleet: Any) -> None:
    _members(fleet, 1)
    seed_member(fleet, "gone", aks_id(fleet, "deleted"), "cloud")
    rows = _rows()
    assert rows["m0"]["healthy"]
    assert not rows["gone"]["healthy"] and rows["gone"]["kubernetesVersion"] == ""
    assert rows["gone"]["message"].startswith("cluster not found")
    assert len(fleet.requests_to(GROUP_LIST, "GET")) == 1
    assert len(fleet.requests_to(ONE_CLUSTER, "GET")) == 1  # the one the listing did not have


def test_member_names_read_no_cluster(fleet: Any) -> None:
    _members(fleet, 3)
    seed_member(fleet, "edge", arc_id(fleet, "edge-1"), "edge")
    listed = invoke("fleet", "member", "list", *ARM, "-o", "name")
    assert listed.exit_code == 0, listed
    assert sorted(listed.stdout.split()) == ["member/edge", "member/m0", "member/m1", "member/m2"]
    assert fleet.requests_to(r"/(managedClusters|connectedClusters)(/[^/]+)?$", "GET") == []


def test_the_clusters_of_members_are_read_at_most_eight_at_a_time(fleet: Any) -> None:
    state = {"in_flight": 0, "most": 0}
    lock = threading.Lock()
    never = threading.Event()
    for n in range(12):  # each in a group of its own, the subscription's listing refused: one GET each
        seed_member(fleet, f"s{n}", _in_group(fleet, f"solo{n}", f"rg-solo{n}"), "cloud")
    fleet.faults.add("GET", SUB_LIST, 403)

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
    addon profiles are dropped as each is read, listed or read alone."""
    from akscli.fleet import arm
    from akscli.fleet.member_clusters import SHOWN

    profiles = {"agentPoolProfiles": [{"name": "system", "count": 3}], "networkProfile": {"networkPlugin": "azure"}}
    for name in ("aks-0", "aks-1"):
        properties = {"kubernetesVersion": "1.33.2", "powerState": {"code": "Running"}, **profiles}
        fleet.put_resource(aks_id(fleet, name), {"location": "eastus", "properties": properties})
        seed_member(fleet, f"m-{name}", aks_id(fleet, name), "cloud")
    fleet.put_resource(
        arc_id(fleet, "edge-1"), {"location": "eastus", "properties": {"connectivityStatus": "Connected", **profiles}}
    )
    seed_member(fleet, "edge", arc_id(fleet, "edge-1"), "edge")
    seen: list[Any] = []
    health = arm._health
    monkeypatch.setattr(arm, "_health", lambda member, cluster: seen.append(cluster) or health(member, cluster))
    rows = _rows()
    assert rows["m-aks-0"]["kubernetesVersion"] == "1.33.2" and rows["edge"]["healthy"]
    assert len(fleet.requests_to(GROUP_LIST, "GET")) == 1 and len(fleet.requests_to(ONE_ARC, "GET")) == 1
    assert len(seen) == 3
    assert all(set(cluster) == {"properties"} and set(cluster["properties"]) <= set(SHOWN) for cluster in seen)


def test_member_clusters_in_two_subscriptions_are_read_by_one_listing_each(fleet: Any) -> None:
    other = "11111111-1111-1111-1111-111111111111"
    _spread(fleet, 9)
    for n in range(9):
        fleet.add_resource_group(f"/subscriptions/{other}/resourceGroups/rg-{n}")
        rid = aks_id(fleet, f"far-{n}").replace(fleet.subscription, other).replace("/rg-fleet/", f"/rg-{n}/")
        fleet.put_resource(rid, {"location": "eastus", "properties": {"kubernetesVersion": "1.34.1"}})
        seed_member(fleet, f"far{n}", rid, "cloud")
    rows = _rows()
    assert rows["m0"]["kubernetesVersion"] == "1.33.2" and rows["far8"]["kubernetesVersion"] == "1.34.1"
    assert sorted(e.path.split("/")[2] for e in fleet.requests_to(SUB_LIST, "GET")) == sorted(
        [other, fleet.subscription]
    )
    assert fleet.requests_to(ONE_CLUSTER, "GET") == []
