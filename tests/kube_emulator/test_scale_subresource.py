"""The scale subresource as kube-apiserver serves it (tests/emulators/kube/apiserver_scale.py; upstream:
kubernetes/kubernetes pkg/registry/apps/deployment/storage/storage.go ScaleREST, scaleUpdatedObjectInfo;
staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/etcd.go ScaleREST)."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import deployment, raw
from tests.kube_emulator.test_crd_schema import CRD

SCALE = "/apis/apps/v1/namespaces/default/deployments/d/scale"
GADGETS = "/apis/example.com/v1/namespaces/default/gadgets"


def scale_body(replicas: int, **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": {"name": "d", **meta},
        "spec": {"replicas": replicas},
    }


def test_a_deployments_scale_names_its_spec_selector(kube_emulator: KubeEmulator) -> None:
    d = deployment("d", replicas=1)
    d["spec"]["selector"]["matchExpressions"] = [{"key": "tier", "operator": "In", "values": ["web", "api"]}]
    d["spec"]["template"]["metadata"]["labels"]["tier"] = "web"
    kube_emulator.cluster.create(d)
    scale = raw(kube_emulator, "GET", SCALE).json()
    # metav1.LabelSelectorAsSelector(spec.selector).String(): requirements sorted by key
    assert scale["status"]["selector"] == "app=d,tier in (api,web)"


def test_a_scale_put_at_a_stale_resource_version_is_a_conflict(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    read = raw(kube_emulator, "GET", SCALE).json()
    kube_emulator.cluster.patch("apps/v1", "Deployment", "default", "d", {"metadata": {"labels": {"x": "y"}}})
    r = raw(kube_emulator, "PUT", SCALE, {**read, "spec": {"replicas": 5}})
    assert (r.status, r.json()["reason"]) == (409, "Conflict")
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "d")["spec"]["replicas"] == 1


def test_a_scale_put_at_the_read_resource_version_scales(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    # The Deployment controller's own writes (revision annotation, status: kubernetes/kubernetes
    # pkg/controller/deployment/sync.go) move the resourceVersion; read once they are done, or the
    # PUT races them into a 409.
    assert kube_emulator.idle()
    read = raw(kube_emulator, "GET", SCALE).json()
    out = raw(kube_emulator, "PUT", SCALE, {**read, "spec": {"replicas": 3}}).json()
    assert out["spec"]["replicas"] == 3 and out["metadata"]["resourceVersion"] != read["metadata"]["resourceVersion"]


def test_a_scale_put_with_another_uid_is_a_conflict(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    r = raw(kube_emulator, "PUT", SCALE, scale_body(4, uid="00000000-0000-0000-0000-000000000000"))
    assert r.status == 409 and "Precondition failed: UID in precondition" in r.json()["message"]


def test_a_scale_write_is_recorded_as_the_scale_subresource_in_managed_fields(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    raw(
        kube_emulator,
        "PATCH",
        f"{SCALE}?fieldManager=scaler",
        {"spec": {"replicas": 2}},
        "application/merge-patch+json",
    )
    got = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "d")
    entry = next(e for e in got["metadata"]["managedFields"] if e["manager"] == "scaler")
    assert (entry["operation"], entry["subresource"], entry["apiVersion"]) == ("Update", "scale", "apps/v1")
    assert entry["fieldsV1"] == {"f:spec": {"f:replicas": {}}}


def test_a_custom_resource_without_spec_replicas_cannot_be_patched_without_them(kube_emulator: KubeEmulator) -> None:
    crd = copy.deepcopy(CRD)
    crd["metadata"]["name"] = "gadgets.example.com"
    crd["spec"]["names"] = {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"}
    del crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["replicas"][
        "default"
    ]
    assert raw(kube_emulator, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"size": "small"}}
    assert raw(kube_emulator, "POST", GADGETS, gadget).status == 201
    r = raw(
        kube_emulator,
        "PATCH",
        f"{GADGETS}/g/scale",
        {"metadata": {"labels": {"a": "b"}}},
        "application/merge-patch+json",
    )
    assert (r.status, r.json()["message"]) == (400, 'the spec replicas field ".spec.replicas" cannot be empty')
    ok = raw(kube_emulator, "PATCH", f"{GADGETS}/g/scale", {"spec": {"replicas": 2}}, "application/merge-patch+json")
    assert ok.json()["spec"]["replicas"] == 2
