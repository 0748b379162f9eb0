"""Lists: label and field selectors, pagination with limit/continue, expired tokens."""

from __future__ import annotations

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, raw

CM = "/api/v1/namespaces/default/configmaps"
# The root CA publisher's ConfigMap, in every namespace of a real cluster (namespace_defaults.py):
# a list of a namespace's ConfigMaps has it, after the tests' own (keys sort it there).
ROOT_CA = "kube-root-ca.crt"


@pytest.fixture
def labelled(kube_emulator: KubeEmulator) -> KubeEmulator:
    for name, labels in [
        ("a", {"tier": "web", "env": "prod"}),
        ("b", {"tier": "db", "env": "prod"}),
        ("c", {"tier": "web", "env": "dev"}),
        ("d", {}),
    ]:
        kube_emulator.cluster.create(configmap(name, labels))
    return kube_emulator


def names(emu: KubeEmulator, query: str) -> list[str]:
    r = raw(emu, "GET", f"{CM}?{query}")
    assert r.status == 200, r.body
    return [i["metadata"]["name"] for i in r.json()["items"]]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("tier%3Dweb", ["a", "c"]),
        ("tier%3D%3Dweb,env%3Dprod", ["a"]),
        ("tier!%3Dweb", ["b", "d", ROOT_CA]),
        ("tier+in+(web,db)", ["a", "b", "c"]),
        ("env+notin+(prod)", ["c", "d", ROOT_CA]),
        ("tier", ["a", "b", "c"]),
        ("!tier", ["d", ROOT_CA]),
    ],
)
def test_label_selector_forms(labelled: KubeEmulator, selector: str, expected: list[str]) -> None:
    assert names(labelled, f"labelSelector={selector}") == expected


def test_malformed_label_selector_is_400(labelled: KubeEmulator) -> None:
    r = raw(labelled, "GET", f"{CM}?labelSelector=tier%3D%3D%3Dx")
    assert r.status == 400 and r.json()["reason"] == "BadRequest"


def pod(name: str, node: str, phase: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "busybox"}]},
        "status": {"phase": phase},
    }


def test_field_selector_on_pod_node_and_phase(kube_emulator: KubeEmulator) -> None:
    for name, node, phase in [("p1", "n1", "Running"), ("p2", "n2", "Running"), ("p3", "n1", "Pending")]:
        kube_emulator.cluster.create(pod(name, node, phase))
    r = raw(kube_emulator, "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dn1,status.phase%3DRunning")
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["p1"]
    r = raw(kube_emulator, "GET", "/api/v1/namespaces/default/pods?fieldSelector=status.phase!%3DRunning")
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["p3"]


def test_field_selector_on_metadata_name(labelled: KubeEmulator) -> None:
    assert names(labelled, "fieldSelector=metadata.name%3Db") == ["b"]


def test_unsupported_field_label_is_400(labelled: KubeEmulator) -> None:
    r = raw(labelled, "GET", f"{CM}?fieldSelector=data.k%3Dv")
    assert r.status == 400 and r.json()["message"] == "field label not supported: data.k"


def test_pagination_returns_every_item_once_in_order(kube_emulator: KubeEmulator) -> None:
    for i in range(23):
        kube_emulator.cluster.create(configmap(f"cm-{i:02d}"))
    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        q = "limit=5" + (f"&continue={token}" if token else "")
        body = raw(kube_emulator, "GET", f"{CM}?{q}").json()
        seen += [i["metadata"]["name"] for i in body["items"]]
        pages += 1
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert seen == [*(f"cm-{i:02d}" for i in range(23)), ROOT_CA] and pages == 5


def test_first_page_reports_remaining_item_count(kube_emulator: KubeEmulator) -> None:
    for i in range(7):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    body = raw(kube_emulator, "GET", f"{CM}?limit=3").json()
    assert body["metadata"]["remainingItemCount"] == 5  # 4 of the 7, and ROOT_CA


def test_namespace_scoped_list_excludes_other_namespaces(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    kube_emulator.cluster.create(configmap("here"))
    kube_emulator.cluster.create(configmap("there", ns="other"))
    assert names(kube_emulator, "limit=10") == ["here", ROOT_CA]
    all_ns = raw(kube_emulator, "GET", "/api/v1/configmaps").json()["items"]
    assert {i["metadata"]["name"] for i in all_ns} == {"here", "there", ROOT_CA}


def test_expired_continue_token_is_410(kube_emulator: KubeEmulator) -> None:
    for i in range(4):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    token = raw(kube_emulator, "GET", f"{CM}?limit=2").json()["metadata"]["continue"]
    kube_emulator.compact()
    r = raw(kube_emulator, "GET", f"{CM}?limit=2&continue={token}")
    assert r.status == 410 and r.json()["reason"] == "Expired"


def test_expired_continue_status_carries_a_token_for_the_rest(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/apiserver v0.35.0 pkg/storage/etcd3/errors.go handleCompactedErrorForPaging
    for i in range(4):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    token = raw(kube_emulator, "GET", f"{CM}?limit=2").json()["metadata"]["continue"]
    kube_emulator.compact()
    status = raw(kube_emulator, "GET", f"{CM}?limit=2&continue={token}").json()
    assert status["metadata"]["continue"] and status["metadata"]["continue"] != token
    assert "use the continue token in this response" in status["message"]


def test_the_expired_statuss_token_lists_the_rest_at_the_latest_version(kube_emulator: KubeEmulator) -> None:
    for i in range(4):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    token = raw(kube_emulator, "GET", f"{CM}?limit=2").json()["metadata"]["continue"]
    kube_emulator.cluster.create(configmap("cm-9"))
    kube_emulator.compact()
    fresh = raw(kube_emulator, "GET", f"{CM}?limit=2&continue={token}").json()["metadata"]["continue"]
    rest = raw(kube_emulator, "GET", f"{CM}?limit=10&continue={fresh}").json()
    assert [i["metadata"]["name"] for i in rest["items"]] == ["cm-2", "cm-3", "cm-9", ROOT_CA]
    assert rest["metadata"]["resourceVersion"] == str(kube_emulator.api.store.rv)


def test_a_list_at_resource_version_0_is_served_whole_whatever_its_limit(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/apiserver 24a394e5 pkg/storage/cacher/cacher.go computeListLimit
    for i in range(5):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    answer = raw(kube_emulator, "GET", f"{CM}?limit=2&resourceVersion=0")
    assert len(answer.json()["items"]) == 6  # the 5 and ROOT_CA
    assert "continue" not in answer.json()["metadata"]
    assert (
        len(
            raw(kube_emulator, "GET", f"{CM}?limit=2&resourceVersion=0&resourceVersionMatch=NotOlderThan").json()[
                "items"
            ]
        )
        == 6
    )


def test_builtin_list_items_carry_no_kind_but_custom_resources_do(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    assert "kind" not in raw(kube_emulator, "GET", CM).json()["items"][0]
    kube_emulator.cluster.create(
        {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {"name": "r"},
            "spec": {
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.9.0"}]}},
                }
            },
        }
    )
    item = raw(kube_emulator, "GET", "/apis/ray.io/v1/namespaces/default/rayclusters").json()["items"][0]
    assert (item["apiVersion"], item["kind"]) == ("ray.io/v1", "RayCluster")


def test_python_client_lists_with_limit_and_continue(kube_emulator: KubeEmulator, tmp_path: object) -> None:
    from kubernetes import client

    from tests.kube_emulator.helpers import api_client

    for i in range(12):
        kube_emulator.cluster.create(configmap(f"cm-{i:02d}"))
    v1 = client.CoreV1Api(api_client(kube_emulator, tmp_path))
    page = v1.list_namespaced_config_map("default", limit=5)
    rest = v1.list_namespaced_config_map("default", limit=50, _continue=page.metadata._continue)
    assert len(page.items) == 5 and len(rest.items) == 8 and rest.metadata._continue is None  # 7 and ROOT_CA


def test_selective_scan_in_small_slices_finds_every_match(kube_emulator: KubeEmulator) -> None:
    kube_emulator.api.store.SCAN_SLICE = 7
    for i in range(40):
        kube_emulator.cluster.create(configmap(f"cm-{i:02d}", {"even": str(i % 2 == 0).lower()}))
    seen: list[str] = []
    token = ""
    while True:
        body = raw(
            kube_emulator, "GET", f"{CM}?labelSelector=even%3Dtrue&limit=3" + (f"&continue={token}" if token else "")
        ).json()
        seen += [i["metadata"]["name"] for i in body["items"]]
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert seen == [f"cm-{i:02d}" for i in range(0, 40, 2)]


def test_later_pages_are_a_snapshot_at_the_first_pages_version(kube_emulator: KubeEmulator) -> None:
    for i in range(6):
        kube_emulator.cluster.create(configmap(f"cm-{i}", data={"v": "old"}))
    first = raw(kube_emulator, "GET", f"{CM}?limit=2").json()
    list_rv = first["metadata"]["resourceVersion"]
    kube_emulator.cluster.delete("v1", "ConfigMap", "default", "cm-3")
    kube_emulator.cluster.patch("v1", "ConfigMap", "default", "cm-4", {"data": {"v": "new"}})
    kube_emulator.cluster.create(configmap("cm-25"))
    rest: list[dict[str, object]] = []
    token = first["metadata"]["continue"]
    while token:
        page = raw(kube_emulator, "GET", f"{CM}?limit=2&continue={token}").json()
        assert page["metadata"]["resourceVersion"] == list_rv
        rest += page["items"]
        token = page["metadata"].get("continue", "")
    assert [i["metadata"]["name"] for i in rest] == ["cm-2", "cm-3", "cm-4", "cm-5", ROOT_CA]
    assert [i["data"]["v"] for i in rest[:4]] == ["old"] * 4


def test_exact_resource_version_serves_the_list_as_it_was(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    rv = raw(kube_emulator, "GET", CM).json()["metadata"]["resourceVersion"]
    kube_emulator.cluster.create(configmap("b"))
    body = raw(kube_emulator, "GET", f"{CM}?resourceVersion={rv}&resourceVersionMatch=Exact").json()
    assert [i["metadata"]["name"] for i in body["items"]] == ["a", ROOT_CA]
    assert body["metadata"]["resourceVersion"] == rv
    kube_emulator.compact()
    gone = raw(kube_emulator, "GET", f"{CM}?resourceVersion={rv}&resourceVersionMatch=Exact")
    assert gone.status == 410


def node(name: str, labels: dict[str, str], unschedulable: bool | None = None) -> dict[str, object]:
    spec = {} if unschedulable is None else {"unschedulable": unschedulable}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}, "spec": spec}


def test_unschedulable_false_selects_nodes_that_do_not_set_the_field(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/kubernetes pkg/registry/core/node/strategy.go NodeToSelectableFields
    # writes fmt.Sprint(node.Spec.Unschedulable): an unset field reads "false".
    kube_emulator.cluster.create(node("plain", {}))
    kube_emulator.cluster.create(node("open", {}, unschedulable=False))
    kube_emulator.cluster.create(node("cordoned", {}, unschedulable=True))
    r = raw(kube_emulator, "GET", "/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse")
    assert sorted(i["metadata"]["name"] for i in r.json()["items"]) == ["open", "plain"]
    r = raw(kube_emulator, "GET", "/api/v1/nodes?fieldSelector=spec.unschedulable%3Dtrue")
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["cordoned"]


def test_host_network_false_selects_pods_that_do_not_set_the_field(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/kubernetes pkg/registry/core/pod/strategy.go ToSelectableFields
    # writes strconv.FormatBool of the pod's hostNetwork, false where unset.
    kube_emulator.cluster.create(pod("p1", "n1", "Running"))
    r = raw(kube_emulator, "GET", "/api/v1/pods?fieldSelector=spec.hostNetwork%3Dfalse")
    assert [i["metadata"]["name"] for i in r.json()["items"]] == ["p1"]


def test_an_events_source_field_is_its_source_component(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/kubernetes e4b6dc5a pkg/registry/core/event/strategy.go EventToSelectableFields:
    # "source" is event.Source.Component, not the EventSource object.
    ref = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "n1"}}
    kube_emulator.cluster.add_event(ref, "Starting", "Starting kubelet.", component="kubelet")
    kube_emulator.cluster.add_event(ref, "Starting", "", component="kube-proxy")
    r = raw(kube_emulator, "GET", "/api/v1/namespaces/default/events?fieldSelector=reason%3DStarting,source%3Dkubelet")
    assert [i["source"]["component"] for i in r.json()["items"]] == ["kubelet"]


def test_a_selected_page_is_filled_with_matches_past_the_first_limit_objects(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go
    # GetList reads on until the page holds `limit` matches ("we're paging but we have filled our
    # bucket"), so a node of a rare size far down the list is on the first page.
    for i in range(30):
        kube_emulator.cluster.create(node(f"a-{i:02d}", {"node.kubernetes.io/instance-type": "common"}))
    kube_emulator.cluster.create(node("z-rare", {"node.kubernetes.io/instance-type": "rare"}))
    r = raw(
        kube_emulator,
        "GET",
        "/api/v1/nodes?limit=1&labelSelector=node.kubernetes.io%2Finstance-type%3Drare",
    )
    body = r.json()
    assert [i["metadata"]["name"] for i in body["items"]] == ["z-rare"]
    assert not body["metadata"].get("continue")


def test_resource_version_match_without_a_resource_version_is_invalid_list_options(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/apimachinery v0.35.0 pkg/apis/meta/internalversion/validation/validation.go
    r = raw(kube_emulator, "GET", f"{CM}?resourceVersionMatch=NotOlderThan")
    assert (r.status, r.json()["reason"], r.json()["details"]["kind"]) == (422, "Invalid", "ListOptions")
    assert r.json()["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
        "resourceVersionMatch is forbidden unless resourceVersion is provided"
    )


def test_resource_version_match_with_a_continue_token_is_invalid_list_options(kube_emulator: KubeEmulator) -> None:
    for i in range(3):
        kube_emulator.cluster.create(configmap(f"cm-{i}"))
    first = raw(kube_emulator, "GET", f"{CM}?limit=1").json()["metadata"]
    r = raw(
        kube_emulator,
        "GET",
        f"{CM}?limit=1&continue={first['continue']}&resourceVersion={first['resourceVersion']}"
        "&resourceVersionMatch=Exact",
    )
    assert r.status == 422
    assert [c["message"] for c in r.json()["details"]["causes"]] == [
        "Forbidden: resourceVersionMatch is forbidden when continue is provided"
    ]


def test_the_read_rules_name_an_unpaged_list_and_a_node_read_twice() -> None:
    from tests.emulators.kube.control import RequestRecord
    from tests.emulators.kube.emulator import KubeEmulator

    emu = KubeEmulator(crd_dirs=[])
    for path, query, verb in [
        ("/api/v1/pods", {}, "list"),
        ("/api/v1/namespaces/a/events", {"limit": ["5000"]}, "list"),
        ("/api/v1/nodes", {"limit": ["500"]}, "list"),
        ("/api/v1/nodes", {"limit": ["500"], "resourceVersion": ["0"]}, "list"),
        ("/api/v1/nodes/n1", {}, "get"),
        ("/api/v1/nodes/n1", {}, "get"),
        ("/api/v1/namespaces/a/pods/p/log", {}, "get"),
        ("/api/v1/namespaces/a/pods/p/log", {}, "get"),
    ]:
        emu.record(RequestRecord("GET", path, query, 200, 0.0, verb))
    assert emu.read_rule_breaks() == [
        "LIST /api/v1/pods without a limit of at most 500: limit=None",
        "LIST /api/v1/namespaces/a/events without a limit of at most 500: limit=5000",
        "LIST /api/v1/nodes at resourceVersion=0: the watch cache ignores its limit",
        "GET /api/v1/nodes/n1 again",
    ]
