"""Object lifecycle basics: identity fields, resourceVersion, generation, Status errors."""

from __future__ import annotations

import base64

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap, deployment, raw


def test_create_sets_uid_creation_timestamp_and_resource_version(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps", configmap("a"))
    assert r.status == 201
    md = r.json()["metadata"]
    assert md["uid"] and md["creationTimestamp"].endswith("Z") and int(md["resourceVersion"]) > 0


def test_resource_version_is_monotonic_across_kinds(kube_emulator: KubeEmulator) -> None:
    a = raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps", configmap("a")).json()
    d = raw(kube_emulator, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment("d")).json()
    b = raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps", configmap("b")).json()
    rvs = [int(x["metadata"]["resourceVersion"]) for x in (a, d, b)]
    assert rvs == sorted(rvs) and len(set(rvs)) == 3


def test_generation_bumps_on_spec_change_only(kube_emulator: KubeEmulator) -> None:
    path = "/apis/apps/v1/namespaces/default/deployments"
    raw(kube_emulator, "POST", path, deployment("d", replicas=1))
    labels = raw(
        kube_emulator, "PATCH", f"{path}/d", {"metadata": {"labels": {"x": "y"}}}, "application/merge-patch+json"
    ).json()
    assert labels["metadata"]["generation"] == 1
    spec = raw(kube_emulator, "PATCH", f"{path}/d", {"spec": {"replicas": 3}}, "application/merge-patch+json").json()
    assert spec["metadata"]["generation"] == 2
    status = raw(
        kube_emulator, "PATCH", f"{path}/d/status", {"status": {"replicas": 3}}, "application/merge-patch+json"
    ).json()
    assert status["metadata"]["generation"] == 2


def test_stale_update_is_a_409_conflict_status(kube_emulator: KubeEmulator) -> None:
    path = "/api/v1/namespaces/default/configmaps"
    old = raw(kube_emulator, "POST", path, configmap("a")).json()
    raw(kube_emulator, "PATCH", f"{path}/a", {"data": {"k": "new"}}, "application/merge-patch+json")
    r = raw(kube_emulator, "PUT", f"{path}/a", old)
    body = r.json()
    assert r.status == 409
    assert body["kind"] == "Status" and body["reason"] == "Conflict" and body["code"] == 409
    assert body["message"] == (
        'Operation cannot be fulfilled on configmaps "a": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )
    assert body["details"] == {"name": "a", "kind": "configmaps"}


def test_missing_object_is_a_404_not_found_status(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "GET", "/apis/apps/v1/namespaces/default/deployments/nope")
    assert r.status == 404
    assert r.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'deployments.apps "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "group": "apps", "kind": "deployments"},
        "code": 404,
    }


def test_creating_an_existing_name_is_already_exists(kube_emulator: KubeEmulator) -> None:
    raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps", configmap("a"))
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps", configmap("a"))
    assert (r.status, r.json()["reason"]) == (409, "AlreadyExists")


def test_invalid_name_is_422_with_field_cause(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps", configmap("Bad_Name"))
    body = r.json()
    assert r.status == 422 and body["reason"] == "Invalid"
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["message"].startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')


def test_create_in_missing_namespace_is_404(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/ghost/configmaps", configmap("a", ns="ghost"))
    assert r.status == 404 and r.json()["message"] == 'namespaces "ghost" not found'


def test_dry_run_create_does_not_persist(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps?dryRun=All", configmap("a"))
    assert r.status == 201 and r.json()["metadata"]["name"] == "a"
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") is None


def test_dry_run_patch_and_delete_do_not_persist(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    p = raw(
        kube_emulator,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/a?dryRun=All",
        {"data": {"k": "z"}},
        "application/merge-patch+json",
    )
    assert p.json()["data"] == {"k": "z"}
    d = raw(kube_emulator, "DELETE", "/api/v1/namespaces/default/configmaps/a?dryRun=All")
    assert d.status == 200
    live = kube_emulator.cluster.get("v1", "ConfigMap", "default", "a")
    assert live is not None and live["data"] == {"k": "v"}


def test_secret_string_data_is_stored_base64_in_data(kube_emulator: KubeEmulator) -> None:
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"token": "abc"}}
    out = raw(kube_emulator, "POST", "/api/v1/namespaces/default/secrets", body).json()
    assert "stringData" not in out and base64.b64decode(out["data"]["token"]) == b"abc"


def test_unknown_resource_is_404(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "GET", "/apis/example.com/v1/widgets").status == 404


def test_unemulated_subresource_answers_501_not_success(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
    )
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/pods/p/attach?stdout=true")
    assert r.status == 501 and r.json()["reason"] == "NotImplemented"


def test_status_subresource_ignores_spec_changes(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    body = raw(kube_emulator, "GET", "/apis/apps/v1/namespaces/default/deployments/d").json()
    body["spec"]["replicas"] = 9
    body["status"] = {"replicas": 1}
    del body["metadata"]["resourceVersion"]  # the Deployment controller may write meanwhile
    out = raw(kube_emulator, "PUT", "/apis/apps/v1/namespaces/default/deployments/d/status", body).json()
    assert out["spec"]["replicas"] == 1 and out["status"]["replicas"] == 1


def test_main_resource_update_ignores_status(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    out = raw(
        kube_emulator,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/d",
        {"status": {"replicas": 7}},
        "application/merge-patch+json",
    ).json()
    assert (out.get("status") or {}).get("replicas") != 7


def test_scale_subresource_reads_and_sets_replicas(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    scale = raw(kube_emulator, "GET", "/apis/apps/v1/namespaces/default/deployments/d/scale").json()
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 1
    raw(
        kube_emulator,
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/d/scale",
        {"spec": {"replicas": 4}},
        "application/merge-patch+json",
    )
    got = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "d")
    assert got is not None and got["spec"]["replicas"] == 4


def test_patch_on_a_collection_is_405(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "PATCH", "/api/v1/namespaces/default/configmaps", {}, "application/merge-patch+json")
    assert r.status == 405 and r.json()["reason"] == "MethodNotAllowed"


def test_post_to_a_named_object_is_405(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(configmap("a"))
    assert raw(kube_emulator, "POST", "/api/v1/namespaces/default/configmaps/a", configmap("a")).status == 405
