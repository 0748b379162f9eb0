"""Server-side apply and the other patch types."""

from __future__ import annotations

import json
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, deployment, raw

APPLY = "application/apply-patch+yaml"
CM = "/api/v1/namespaces/default/configmaps"


def apply(emu: KubeEmulator, path: str, obj: dict[str, Any], manager: str, force: bool = False, extra: str = "") -> Any:
    q = f"?fieldManager={manager}" + ("&force=true" if force else "") + extra
    return raw(emu, "PATCH", path + q, obj, APPLY)


def test_apply_creates_the_object_owned_by_the_manager(kube_emulator: KubeEmulator) -> None:
    r = apply(kube_emulator, f"{CM}/a", configmap("a", data={"x": "1"}), "alice")
    assert r.status == 201
    mf = r.json()["metadata"]["managedFields"]
    assert [(m["manager"], m["operation"]) for m in mf] == [("alice", "Apply")]
    assert mf[0]["fieldsV1"] == {"f:data": {"f:x": {}}}


def test_reapplying_the_same_config_changes_nothing(kube_emulator: KubeEmulator) -> None:
    first = apply(kube_emulator, f"{CM}/a", configmap("a"), "alice").json()
    second = apply(kube_emulator, f"{CM}/a", configmap("a"), "alice")
    assert second.status == 200
    assert second.json()["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_apply_accepts_yaml_bodies(kube_emulator: KubeEmulator) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: b\n"
    r = raw(kube_emulator, "PATCH", f"{CM}/y?fieldManager=m", body, APPLY)
    assert r.status == 201 and r.json()["data"] == {"a": "b"}


def test_conflicting_managers_get_409_naming_manager_and_field(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "one"}), "alice")
    r = apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "two"}), "bob")
    body = r.json()
    assert r.status == 409 and body["reason"] == "Conflict"
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "alice": .data.k'
    assert body["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "alice"', "field": ".data.k"}
    ]


def test_conflict_with_an_update_manager_names_its_api_version(kube_emulator: KubeEmulator) -> None:
    raw(kube_emulator, "POST", f"{CM}?fieldManager=kubectl-create", configmap("a", data={"k": "one"}))
    r = apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "two"}), "bob")
    assert r.json()["message"] == 'Apply failed with 1 conflict: conflict with "kubectl-create" using v1: .data.k'


def test_same_value_from_two_managers_is_shared_not_a_conflict(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "same"}), "alice")
    r = apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "same"}), "bob")
    assert r.status == 200
    assert {m["manager"] for m in r.json()["metadata"]["managedFields"]} == {"alice", "bob"}


def test_force_takes_ownership_from_the_other_manager(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "one", "z": "1"}), "alice")
    r = apply(
        kube_emulator,
        f"{CM}/a",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "two"}},
        "bob",
        force=True,
    )
    body = r.json()
    assert r.status == 200 and body["data"] == {"k": "two", "z": "1"}
    owners = {m["manager"]: m["fieldsV1"] for m in body["metadata"]["managedFields"]}
    assert "f:k" in owners["bob"]["f:data"] and "f:k" not in owners["alice"]["f:data"]


def test_field_dropped_from_applied_config_is_removed(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, f"{CM}/a", configmap("a", data={"keep": "1", "drop": "2"}), "alice")
    r = apply(kube_emulator, f"{CM}/a", configmap("a", data={"keep": "1"}), "alice")
    assert r.json()["data"] == {"keep": "1"}


def test_field_also_owned_by_another_manager_survives_removal(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "v", "shared": "s"}), "alice")
    apply(
        kube_emulator,
        f"{CM}/a",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"shared": "s"}},
        "bob",
    )
    r = apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "v"}), "alice")
    assert r.json()["data"] == {"k": "v", "shared": "s"}


def test_apply_merges_containers_by_name(kube_emulator: KubeEmulator) -> None:
    path = "/apis/apps/v1/namespaces/default/deployments/d"
    apply(kube_emulator, path, deployment("d"), "alice")
    sidecar = deployment("d")
    sidecar["spec"] = {
        "selector": sidecar["spec"]["selector"],
        "template": {
            "metadata": sidecar["spec"]["template"]["metadata"],
            "spec": {"containers": [{"name": "side", "image": "envoy:1"}]},
        },
    }
    r = apply(kube_emulator, path, sidecar, "bob")
    names = [c["name"] for c in r.json()["spec"]["template"]["spec"]["containers"]]
    assert names == ["main", "side"]


def test_apply_without_field_manager_is_rejected(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "PATCH", f"{CM}/a", configmap("a"), APPLY)
    assert r.status == 422 and "fieldManager: Required value" in r.json()["message"]


def test_apply_dry_run_does_not_persist(kube_emulator: KubeEmulator) -> None:
    r = apply(kube_emulator, f"{CM}/a", configmap("a"), "alice", extra="&dryRun=All")
    assert r.status in (200, 201) and kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") is None


def test_update_transfers_ownership_of_changed_fields(kube_emulator: KubeEmulator) -> None:
    apply(kube_emulator, f"{CM}/a", configmap("a", data={"k": "one"}), "alice")
    r = raw(
        kube_emulator, "PATCH", f"{CM}/a?fieldManager=editor", {"data": {"k": "two"}}, "application/merge-patch+json"
    )
    mf = {m["manager"]: m for m in r.json()["metadata"]["managedFields"]}
    assert mf["editor"]["operation"] == "Update" and mf["editor"]["fieldsV1"] == {"f:data": {"f:k": {}}}
    assert "f:data" not in mf.get("alice", {}).get("fieldsV1", {})


def test_json_merge_patch_removes_null_fields(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"x": "1", "y": "2"}))
    r = raw(kube_emulator, "PATCH", f"{CM}/a", {"data": {"x": None}}, "application/merge-patch+json")
    assert r.json()["data"] == {"y": "2"}


def test_json_patch_operations_apply_in_order(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"x": "1"}))
    ops = [
        {"op": "add", "path": "/data/y", "value": "2"},
        {"op": "remove", "path": "/data/x"},
        {"op": "test", "path": "/data/y", "value": "2"},
    ]
    r = raw(kube_emulator, "PATCH", f"{CM}/a", ops, "application/json-patch+json")
    assert r.json()["data"] == {"y": "2"}


def test_failed_json_patch_test_is_422_and_changes_nothing(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a", data={"x": "1"}))
    r = raw(
        kube_emulator,
        "PATCH",
        f"{CM}/a",
        [{"op": "test", "path": "/data/x", "value": "9"}],
        "application/json-patch+json",
    )
    assert r.status == 422


def test_strategic_merge_patch_merges_container_lists_by_name(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d"))
    patch = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "main", "image": "nginx:2"}, {"name": "extra", "image": "busybox"}]}
            }
        }
    }
    r = raw(
        kube_emulator,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/d",
        patch,
        "application/strategic-merge-patch+json",
    )
    assert [(c["name"], c["image"]) for c in r.json()["spec"]["template"]["spec"]["containers"]] == [
        ("main", "nginx:2"),
        ("extra", "busybox"),
    ]


def test_strategic_merge_patch_on_custom_resource_is_415(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(
        {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": "ScaledObject",
            "metadata": {"name": "s"},
            "spec": {"scaleTargetRef": {"name": "d"}, "triggers": [{"type": "cpu", "metadata": {"value": "50"}}]},
        }
    )
    r = raw(
        kube_emulator,
        "PATCH",
        "/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects/s",
        {"spec": {}},
        "application/strategic-merge-patch+json",
    )
    assert r.status == 415


def test_python_client_apply_via_call_api(kube_emulator: KubeEmulator, tmp_path: Any) -> None:
    from tests.kube_emulator.helpers import api_client

    c = api_client(kube_emulator, tmp_path)
    method, url, headers, body, post = c.param_serialize(
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/d",
        query_params=[("fieldManager", "akscli"), ("force", "true")],
        header_params={"Content-Type": APPLY, "Accept": "application/json"},
        body=deployment("d"),
        auth_settings=["BearerToken"],
    )
    resp = c.call_api(method, url, headers, body, post)
    resp.read()
    assert resp.status == 201
    assert json.loads(resp.data)["metadata"]["managedFields"][0]["manager"] == "akscli"


def test_apply_with_managed_fields_in_the_body_is_400(kube_emulator: KubeEmulator) -> None:
    body = configmap("a")
    body["metadata"]["managedFields"] = [{"manager": "x"}]
    r = apply(kube_emulator, f"{CM}/a", body, "alice")
    assert r.status == 400 and r.json()["message"] == "metadata.managedFields must be nil"


def test_apply_to_the_status_subresource_owns_status_fields_only(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d"))
    status = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"replicas": 9},
        "status": {"observedGeneration": 1},
    }
    r = apply(kube_emulator, "/apis/apps/v1/namespaces/default/deployments/d/status", status, "operator", force=True)
    body = r.json()
    assert r.status == 200 and body["spec"]["replicas"] == 2
    mine = next(m for m in body["metadata"]["managedFields"] if m["manager"] == "operator")
    assert mine["subresource"] == "status" and mine["fieldsV1"] == {"f:status": {"f:observedGeneration": {}}}


PORTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ports": {
            "type": "array",
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
            "items": {
                "type": "object",
                "properties": {
                    "containerPort": {"type": "integer"},
                    "protocol": {"type": "string", "default": "TCP"},
                    "appProtocol": {"type": "string", "default": "http"},
                },
            },
        },
        "enabled": {"type": "boolean", "default": True},
    },
}


def test_an_apply_patch_is_keyed_by_a_map_keys_default_and_otherwise_not_defaulted() -> None:
    # structured-merge-diff keys a map-list item that leaves out a defaulted key by the default
    # (typed/helpers.go keyedAssociativeListItemToPathElement); the rest is defaulted only after
    # the merge (apimachinery managedfields/internal/structuredmerge.go Apply).
    from tests.emulators.kube import schema as schemamod

    patch = {"ports": [{"containerPort": 8000}]}
    keyed = schemamod.default_list_map_keys(patch, PORTS_SCHEMA)
    assert keyed == {"ports": [{"containerPort": 8000, "protocol": "TCP"}]}
    assert patch == {"ports": [{"containerPort": 8000}]}  # the caller's patch is left alone
