"""Test controls: authentication, the 403 rule table, TLS, faults, request log, logs, proxy."""

from __future__ import annotations

import http.client
import json
import threading
import time
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import api_client, configmap, connection, raw

CM = "/api/v1/namespaces/default/configmaps"


def test_request_without_token_is_401(kube_emulator: KubeEmulator) -> None:
    r = raw(kube_emulator, "GET", CM, token=None)
    assert r.status == 401 and r.json()["reason"] == "Unauthorized"


def test_unknown_token_is_401(kube_emulator: KubeEmulator) -> None:
    assert raw(kube_emulator, "GET", CM, token="nope").status == 401


def test_added_token_authenticates_as_its_user(kube_emulator: KubeEmulator) -> None:
    kube_emulator.auth.add_token("t-alice", "alice", ["devs"])
    r = raw(
        kube_emulator,
        "POST",
        "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
        token="t-alice",
    )
    assert r.json()["status"]["userInfo"] == {"username": "alice", "groups": ["devs", "system:authenticated"]}


def test_deny_rule_answers_403_like_rbac(kube_emulator: KubeEmulator) -> None:
    kube_emulator.auth.add_token("t-bob", "bob")
    kube_emulator.auth.deny(user="bob", verb="list", resource="secrets")
    r = raw(kube_emulator, "GET", "/api/v1/namespaces/default/secrets", token="t-bob")
    assert r.status == 403
    assert (
        r.json()["message"]
        == 'secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "default"'
    )
    assert raw(kube_emulator, "GET", CM, token="t-bob").status == 200


def test_access_review_reflects_the_rule_table(kube_emulator: KubeEmulator) -> None:
    kube_emulator.auth.deny(verb="create", resource="deployments", group="apps")
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {
            "resourceAttributes": {"verb": "create", "group": "apps", "resource": "deployments", "namespace": "default"}
        },
    }
    r = raw(kube_emulator, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body)
    assert r.status == 201 and r.json()["status"]["allowed"] is False


def test_python_client_verifies_tls_against_the_emulator_ca(kube_emulator: KubeEmulator, tmp_path: Any) -> None:
    from kubernetes import client

    assert kube_emulator.url.startswith("https://")
    v1 = client.CoreV1Api(api_client(kube_emulator, tmp_path))
    assert v1.read_namespace("default").metadata.name == "default"


def test_plain_http_emulator_without_tls(kube_emulator_factory: Any) -> None:
    emu = kube_emulator_factory(tls=False, crd_dirs=[], builtin_controllers=False)
    assert emu.url.startswith("http://") and raw(emu, "GET", CM).status == 200


def test_fault_429_with_retry_after_hits_count_requests(kube_emulator: KubeEmulator) -> None:
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/", status=429, retry_after=2, count=1)
    kube_emulator.cluster.create(configmap("a"))
    first = raw(kube_emulator, "PATCH", f"{CM}/a", {"data": {"k": "1"}}, "application/merge-patch+json")
    second = raw(kube_emulator, "PATCH", f"{CM}/a", {"data": {"k": "2"}}, "application/merge-patch+json")
    assert first.status == 429 and first.headers["Retry-After"] == "2"
    assert first.json()["reason"] == "TooManyRequests"
    assert second.status == 200


def test_a_flow_control_fault_answers_as_api_priority_and_fairness(kube_emulator: KubeEmulator) -> None:
    # upstream: kubernetes/apiserver 24a394e5 pkg/server/filters/priority-and-fairness.go tooManyRequests
    kube_emulator.faults.add(verb="list", path="configmaps", flow_control=True, retry_after=3)
    answer = raw(kube_emulator, "GET", CM)
    assert answer.status == 429
    assert answer.body == b"Too many requests, please try again later.\n"
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.headers["Retry-After"] == "3"
    assert answer.headers["X-Kubernetes-PF-FlowSchema-UID"] and answer.headers["X-Kubernetes-PF-PriorityLevel-UID"]
    assert raw(kube_emulator, "GET", CM).status == 200


def test_a_flow_control_fault_asks_for_a_second_unless_told(kube_emulator: KubeEmulator) -> None:
    kube_emulator.faults.add(verb="list", path="configmaps", flow_control=True)
    assert raw(kube_emulator, "GET", CM).headers["Retry-After"] == "1"


def test_fault_matches_kubernetes_verb(kube_emulator: KubeEmulator) -> None:
    kube_emulator.faults.add(verb="list", path="configmaps", status=503, count=None)
    assert raw(kube_emulator, "GET", CM).status == 503
    kube_emulator.cluster.create(configmap("a"))
    assert raw(kube_emulator, "GET", f"{CM}/a").status == 200


def test_fault_500(kube_emulator: KubeEmulator) -> None:
    kube_emulator.faults.add(path="configmaps", status=500)
    assert raw(kube_emulator, "GET", CM).json()["code"] == 500


def test_dropped_connection_gives_no_response(kube_emulator: KubeEmulator) -> None:
    kube_emulator.faults.add(path="configmaps", drop_connection=True)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine)):
        raw(kube_emulator, "GET", CM)
    assert raw(kube_emulator, "GET", CM).status == 200


def test_slow_response_delay(kube_emulator: KubeEmulator) -> None:
    kube_emulator.faults.add(path="configmaps", delay=0.3)
    start = time.monotonic()
    assert raw(kube_emulator, "GET", CM).status == 200
    assert time.monotonic() - start >= 0.3


def test_request_log_records_method_path_query_status_latency(kube_emulator: KubeEmulator) -> None:
    raw(kube_emulator, "GET", f"{CM}?limit=3")
    rec = kube_emulator.requests(path="/configmaps")[-1]
    assert (rec.method, rec.path, rec.query, rec.status, rec.verb) == ("GET", CM, {"limit": ["3"]}, 200, "list")
    assert rec.latency >= 0


def pod(name: str, containers: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": c, "image": "busybox"} for c in containers]},
        "status": {"phase": "Running"},
    }


def test_pod_logs_with_tail_lines(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod("p", ["main"]))
    kube_emulator.cluster.set_pod_logs("default", "p", "one\ntwo\nthree")
    r = raw(kube_emulator, "GET", "/api/v1/namespaces/default/pods/p/log?tailLines=2")
    assert r.body == b"two\nthree\n"


def test_pod_logs_need_a_container_when_there_are_several(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod("p", ["a", "b"]))
    kube_emulator.cluster.set_pod_logs("default", "p", "from b", container="b")
    r = raw(kube_emulator, "GET", "/api/v1/namespaces/default/pods/p/log")
    assert r.status == 400 and "choose one of: [a b]" in r.json()["message"]
    assert raw(kube_emulator, "GET", "/api/v1/namespaces/default/pods/p/log?container=b").body == b"from b\n"


def test_pod_logs_follow_streams_appended_lines_until_pod_finishes(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(pod("p", ["main"]))
    kube_emulator.cluster.set_pod_logs("default", "p", "start")

    def more() -> None:
        kube_emulator.cluster.append_pod_logs("default", "p", "later")
        kube_emulator.cluster.patch_status("v1", "Pod", "default", "p", {"phase": "Succeeded"})

    threading.Timer(0.2, more).start()
    conn = connection(kube_emulator)
    conn.request(
        "GET",
        "/api/v1/namespaces/default/pods/p/log?follow=true",
        headers={"Authorization": f"Bearer {kube_emulator.token}"},
    )
    body = conn.getresponse().read()
    assert body == b"start\nlater\n"


def test_service_proxy_routes_to_registered_handler(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "model"}, "spec": {"ports": [{"port": 80}]}}
    )
    seen: list[tuple[str, str, bytes]] = []

    def handler(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        seen.append((method, path, body))
        return 200, {"Content-Type": "application/json"}, json.dumps({"ok": True}).encode()

    kube_emulator.register_service_proxy("default", "model", 80, handler)
    r = raw(kube_emulator, "POST", "/api/v1/namespaces/default/services/http:model:80/proxy/v1/chat?x=1", b'{"q":1}')
    assert r.status == 200 and r.json() == {"ok": True}
    assert seen == [("POST", "/v1/chat?x=1", b'{"q":1}')]


def test_service_proxy_without_handler_is_503(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "model"}, "spec": {"ports": [{"port": 80}]}}
    )
    r = raw(kube_emulator, "GET", "/api/v1/namespaces/default/services/model:80/proxy/healthz")
    assert r.status == 503 and r.json()["message"] == 'no endpoints available for service "model"'


def test_discovery_is_aggregated_when_asked(kube_emulator: KubeEmulator) -> None:
    r = raw(
        kube_emulator,
        "GET",
        "/apis",
        headers={"Accept": "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"},
    )
    assert r.headers["Content-Type"].startswith("application/json;g=apidiscovery.k8s.io;v=v2")
    groups = {i["metadata"]["name"] for i in r.json()["items"]}
    assert {"apps", "kaito.sh", "ray.io", "placement.kubernetes-fleet.io"} <= groups


def test_legacy_discovery_lists_resources_and_subresources(kube_emulator: KubeEmulator) -> None:
    names = {r["name"] for r in raw(kube_emulator, "GET", "/apis/apps/v1").json()["resources"]}
    assert {"deployments", "deployments/status", "deployments/scale"} <= names
    assert raw(kube_emulator, "GET", "/version").json()["major"] == "1"


def test_openapi_v3_declares_field_validation_on_patch(kube_emulator: KubeEmulator) -> None:
    root = raw(kube_emulator, "GET", "/openapi/v3").json()
    url = root["paths"]["apis/kaito.sh/v1beta1"]["serverRelativeURL"]
    doc = raw(kube_emulator, "GET", url).json()
    patch_ops = [p["patch"] for p in doc["paths"].values() if "patch" in p]
    assert any(
        op["x-kubernetes-group-version-kind"]["kind"] == "Workspace"
        and any(x["name"] == "fieldValidation" for x in op["parameters"])
        for op in patch_ops
    )
