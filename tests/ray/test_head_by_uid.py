"""The dashboard and the job-log commands tell a cluster's head by the RayCluster's uid, as the
other commands do: a Ready head left by an earlier RayCluster of the same name (its controller
reference carries the earlier uid; not yet garbage collected) runs another Ray and is taken last
(upstream: ray-project/kuberay feeaf72f ray-operator/controllers/ray/raycluster_controller.go,
metav1.IsControlledBy; kubernetes/apimachinery pkg/apis/meta/v1/controller_ref.go compares the uid)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from akscli.ray.dashboard import DashboardForwarder
from akscli.ray.live import head_pod
from akscli.ray.logs import job_output_source

RAY = "ray.io/v1"
LABELS = {"ray.io/cluster": "c", "ray.io/node-type": "head"}


def _head(name: str, uid: str, created: str) -> dict[str, Any]:
    ref = {"apiVersion": RAY, "kind": "RayCluster", "name": "c", "controller": True, "uid": uid}
    meta = {"name": name, "namespace": "ml", "labels": LABELS, "creationTimestamp": created, "ownerReferences": [ref]}
    ready = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    return {"metadata": meta, "spec": {"containers": [{"name": "ray-head"}]}, "status": ready}


MINE = _head("c-head-mine", "u1", "2026-01-01T09:00:00Z")
EARLIER = _head("c-head-earlier", "u0", "2026-01-01T12:00:00Z")  # newer, Ready, another cluster's


class _Kube:
    """The two reads head_pod makes: the RayCluster, then one page of head pods."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def get(self, api: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        self.reads.append(kind)
        return {"metadata": {"name": name, "namespace": namespace, "uid": "u1"}} if kind == "RayCluster" else None

    def list(self, api: str, kind: str, **_: Any) -> Iterator[dict[str, Any]]:
        self.reads.append(kind)
        return iter([MINE, EARLIER])


def test_the_job_logs_head_is_the_one_its_raycluster_controls_read_by_uid() -> None:
    kube = _Kube()
    assert head_pod(kube, "ml", "c")["metadata"]["name"] == "c-head-mine"  # type: ignore[arg-type,index]
    assert kube.reads == ["RayCluster", "Pod"]
    job = {"metadata": {"name": "j", "namespace": "ml"}, "spec": {"submissionMode": "SidecarMode"}}
    job["status"] = {"rayClusterName": "c", "jobDeploymentStatus": "Running"}
    source = job_output_source(_Kube(), job, False, 1.0, lambda _m: None)  # type: ignore[arg-type]
    assert source is not None and source.pod == "c-head-mine"


def test_the_dashboard_forward_does_not_follow_an_earlier_clusters_head() -> None:
    forwarder = DashboardForwarder(_Kube(), "ml", "c", "c-head-svc", owner_uid="u1")  # type: ignore[arg-type]
    try:
        assert forwarder.head_problem() is None
        forwarder._head_event("ADDED", MINE)
        forwarder._head_event("MODIFIED", EARLIER)
        assert (forwarder.head_name, forwarder.restarts) == ("c-head-mine", 0)
    finally:
        forwarder._server.server_close()


def test_without_rbac_to_read_rayclusters_the_head_is_still_found_by_its_labels() -> None:
    from akscli.errors import AuthError

    class _NoClusterRead(_Kube):
        def get(self, api: str, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
            raise AuthError("rayclusters.ray.io is forbidden")

    found = head_pod(_NoClusterRead(), "ml", "c")  # type: ignore[arg-type]
    assert found is not None and found["metadata"]["name"] in ("c-head-mine", "c-head-earlier")
