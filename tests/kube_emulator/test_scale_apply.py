"""Server-side apply on the scale subresource, and the media types a ``/scale`` PATCH takes, as
kube-apiserver serves them (tests/emulators/kube/apiserver_scale.py apply_scale; upstream:
kubernetes/apiserver 24a394e5 pkg/endpoints/installer.go, the PATCH route's supportedTypes for
every path, subresources included; apiextensions-apiserver pkg/apiserver/customresource_handler.go
serveScale with the handler's JSON, merge and apply types; the managedfields ScaleHandler)."""

from __future__ import annotations

import copy
from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import deployment, raw
from tests.kube_emulator.test_crd_schema import CRD
from tests.kube_emulator.test_scale_subresource import SCALE, scale_body

APPLY = "application/apply-patch+yaml"


def _replicas(emu: KubeEmulator) -> int:
    return int(emu.cluster.get("apps/v1", "Deployment", "default", "d")["spec"]["replicas"])


def test_an_apply_of_a_scale_sets_the_replicas(kube_emulator: KubeEmulator) -> None:
    # force: the creator's Update owns spec.replicas (an apply conflicts with Update owners too)
    kube_emulator.cluster.create(deployment("d", replicas=1))
    r = raw(kube_emulator, "PATCH", f"{SCALE}?fieldManager=scaler&force=true", scale_body(3), APPLY)
    assert r.status == 200
    assert (r.json()["kind"], r.json()["spec"]["replicas"]) == ("Scale", 3)
    assert _replicas(kube_emulator) == 3


def test_an_apply_of_a_scale_is_owned_by_its_manager_on_the_scale_subresource(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    raw(kube_emulator, "PATCH", f"{SCALE}?fieldManager=scaler&force=true", scale_body(3), APPLY)
    fields = kube_emulator.cluster.get("apps/v1", "Deployment", "default", "d")["metadata"]["managedFields"]
    entry = next(e for e in fields if e["manager"] == "scaler")
    assert (entry["operation"], entry["subresource"]) == ("Apply", "scale")
    assert entry["fieldsV1"] == {"f:spec": {"f:replicas": {}}}


def test_an_apply_of_a_scale_conflicts_with_another_owner_of_the_replicas(kube_emulator: KubeEmulator) -> None:
    # the Deployment's replicas applied by "deployer"; "scaler" applies another count through /scale
    d = deployment("d", replicas=1)
    path = "/apis/apps/v1/namespaces/default/deployments/d?fieldManager=deployer"
    assert raw(kube_emulator, "PATCH", path, d, APPLY).status == 201
    r = raw(kube_emulator, "PATCH", f"{SCALE}?fieldManager=scaler", scale_body(4), APPLY)
    assert (r.status, r.json()["reason"]) == (409, "Conflict")
    assert r.json()["message"] == 'Apply failed with 1 conflict: conflict with "deployer": .spec.replicas'

    assert _replicas(kube_emulator) == 1
    forced = raw(kube_emulator, "PATCH", f"{SCALE}?fieldManager=scaler&force=true", scale_body(4), APPLY)
    assert forced.status == 200 and _replicas(kube_emulator) == 4


def test_an_apply_of_a_scale_needs_a_field_manager(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    r = raw(kube_emulator, "PATCH", SCALE, scale_body(3), APPLY)
    assert r.status == 422 and "fieldManager" in r.json()["message"]


def test_an_apply_of_another_kind_on_scale_is_a_bad_request(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 3}}
    r = raw(kube_emulator, "PATCH", f"{SCALE}?fieldManager=scaler", body, APPLY)
    assert r.status == 400
    assert _replicas(kube_emulator) == 1


def test_a_scale_patch_of_an_unknown_type_names_apply_among_the_accepted(kube_emulator: KubeEmulator) -> None:
    kube_emulator.cluster.create(deployment("d", replicas=1))
    r = raw(kube_emulator, "PATCH", SCALE, {"spec": {"replicas": 2}}, "text/plain")
    assert r.status == 415
    assert r.json()["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
        "application/apply-patch+yaml"
    )


def gadget_crd() -> dict[str, Any]:
    """test_crd_schema's CRD as Gadget, with printer columns for spec.replicas and spec.size."""
    crd = copy.deepcopy(CRD)
    crd["metadata"]["name"] = "gadgets.example.com"
    crd["spec"]["names"] = {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"}
    crd["spec"]["versions"][0]["additionalPrinterColumns"] = [
        {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
        {"name": "Size", "type": "string", "jsonPath": ".spec.size"},
    ]
    return crd


def _gadget(emu: KubeEmulator, replicas: int = 1) -> None:
    assert raw(emu, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", gadget_crd()).status == 201
    gadget = {
        "apiVersion": "example.com/v1",
        "kind": "Gadget",
        "metadata": {"name": "g"},
        "spec": {"size": "small", "replicas": replicas},
    }
    assert raw(emu, "POST", "/apis/example.com/v1/namespaces/default/gadgets", gadget).status == 201


def test_a_custom_resources_scale_refuses_a_strategic_merge_patch(kube_emulator: KubeEmulator) -> None:
    _gadget(kube_emulator)
    path = "/apis/example.com/v1/namespaces/default/gadgets/g/scale"
    r = raw(kube_emulator, "PATCH", path, {"spec": {"replicas": 2}}, "application/strategic-merge-patch+json")
    assert r.status == 415
    assert r.json()["message"].endswith(
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )


def test_an_apply_of_a_custom_resources_scale_sets_its_replicas_path(kube_emulator: KubeEmulator) -> None:
    _gadget(kube_emulator)
    path = "/apis/example.com/v1/namespaces/default/gadgets/g/scale?fieldManager=scaler&force=true"
    body = {**scale_body(5), "metadata": {"name": "g"}}
    r = raw(kube_emulator, "PATCH", path, body, APPLY)
    assert r.status == 200 and r.json()["spec"]["replicas"] == 5
    assert kube_emulator.cluster.get("example.com/v1", "Gadget", "default", "g")["spec"]["replicas"] == 5


def test_a_custom_resources_scale_table_has_its_printer_columns_read_from_the_scale(
    kube_emulator: KubeEmulator,
) -> None:
    _gadget(kube_emulator, replicas=2)
    table = raw(
        kube_emulator,
        "GET",
        "/apis/example.com/v1/namespaces/default/gadgets/g/scale",
        headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
    ).json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Replicas", "Size", "Age"]
    # the Scale has spec.replicas but no spec.size
    assert table["rows"][0]["cells"][:3] == ["g", 2, None]
