"""Custom resources are validated, defaulted and pruned against their CRD schemas."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import raw

WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"

CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {
                    "status": {},
                    "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"},
                },
                "additionalPrinterColumns": [{"name": "Size", "type": "string", "jsonPath": ".spec.size"}],
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "string", "enum": ["small", "large"]},
                                    "replicas": {"type": "integer", "minimum": 0, "maximum": 10, "default": 1},
                                    "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 8},
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "start": {"type": "string", "format": "date-time"},
                                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                                },
                            },
                            "status": {
                                "type": "object",
                                "properties": {"replicas": {"type": "integer"}, "phase": {"type": "string"}},
                            },
                        },
                    }
                },
            }
        ],
    },
}


def widget(spec: dict[str, Any], name: str = "w") -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec}


def with_crd(emu: KubeEmulator) -> KubeEmulator:
    r = raw(emu, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)
    assert r.status == 201, r.body
    return emu


def test_created_crd_is_established_and_servable(kube_emulator: KubeEmulator) -> None:
    with_crd(kube_emulator)
    crd = kube_emulator.cluster.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, "widgets.example.com")
    assert crd is not None
    assert {c["type"]: c["status"] for c in crd["status"]["conditions"]}["Established"] == "True"
    assert raw(kube_emulator, "GET", WIDGETS).status == 200


def test_deleting_a_crd_stops_serving_it(kube_emulator: KubeEmulator) -> None:
    with_crd(kube_emulator)
    raw(kube_emulator, "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
    assert raw(kube_emulator, "GET", WIDGETS).status == 404


def test_defaults_are_applied(kube_emulator: KubeEmulator) -> None:
    out = raw(with_crd(kube_emulator), "POST", WIDGETS, widget({"size": "small"})).json()
    assert out["spec"]["replicas"] == 1


def test_unknown_fields_are_pruned_with_a_warning(kube_emulator: KubeEmulator) -> None:
    r = raw(with_crd(kube_emulator), "POST", WIDGETS, widget({"size": "small", "colour": "red", "extra": {"free": 1}}))
    assert r.status == 201
    assert "colour" not in r.json()["spec"] and r.json()["spec"]["extra"] == {"free": 1}
    assert 'unknown field \\"spec.colour\\"' in r.headers["Warning"]


def test_strict_field_validation_rejects_unknown_fields(kube_emulator: KubeEmulator) -> None:
    r = raw(
        with_crd(kube_emulator), "POST", WIDGETS + "?fieldValidation=Strict", widget({"size": "small", "colour": "red"})
    )
    assert r.status == 400
    assert (
        r.json()["message"]
        == 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour"'
    )


def test_missing_required_field_is_422(kube_emulator: KubeEmulator) -> None:
    body = raw(with_crd(kube_emulator), "POST", WIDGETS, widget({})).json()
    assert body["code"] == 422
    assert body["details"]["causes"] == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.size"}
    ]


def test_enum_violation_lists_supported_values(kube_emulator: KubeEmulator) -> None:
    body = raw(with_crd(kube_emulator), "POST", WIDGETS, widget({"size": "huge"})).json()
    assert (
        body["message"]
        == 'Widget.example.com "w" is invalid: spec.size: Unsupported value: "huge": supported values: "small", "large"'
    )


def test_type_pattern_bounds_and_format_are_checked(kube_emulator: KubeEmulator) -> None:
    body = raw(
        with_crd(kube_emulator),
        "POST",
        WIDGETS,
        widget({"size": "small", "replicas": 11, "name": "ABC", "start": "yesterday", "port": 1.5}),
    ).json()
    fields = sorted(c["field"] for c in body["details"]["causes"])
    assert fields == ["spec.name", "spec.port", "spec.replicas", "spec.start"]


def test_int_or_string_accepts_both(kube_emulator: KubeEmulator) -> None:
    with_crd(kube_emulator)
    assert raw(kube_emulator, "POST", WIDGETS, widget({"size": "small", "port": 80}, "a")).status == 201
    assert raw(kube_emulator, "POST", WIDGETS, widget({"size": "small", "port": "http"}, "b")).status == 201


def test_status_subresource_of_a_custom_resource(kube_emulator: KubeEmulator) -> None:
    with_crd(kube_emulator)
    raw(kube_emulator, "POST", WIDGETS, widget({"size": "small"}))
    out = raw(
        kube_emulator, "PATCH", f"{WIDGETS}/w/status", {"status": {"phase": "Ready"}}, "application/merge-patch+json"
    ).json()
    assert out["status"]["phase"] == "Ready"
    ignored = raw(
        kube_emulator, "PATCH", f"{WIDGETS}/w", {"status": {"phase": "Lost"}}, "application/merge-patch+json"
    ).json()
    assert ignored["status"]["phase"] == "Ready"


def test_scale_subresource_of_a_custom_resource(kube_emulator: KubeEmulator) -> None:
    with_crd(kube_emulator)
    raw(kube_emulator, "POST", WIDGETS, widget({"size": "small", "replicas": 2}))
    r = raw(
        kube_emulator,
        "PUT",
        f"{WIDGETS}/w/scale",
        {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "w"}, "spec": {"replicas": 5}},
    )
    assert r.json()["spec"]["replicas"] == 5
    assert raw(kube_emulator, "GET", f"{WIDGETS}/w").json()["spec"]["replicas"] == 5


def test_preloaded_kaito_workspace_schema_rejects_bad_types(kube_emulator: KubeEmulator) -> None:
    ws = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "ws"},
        "resource": {"count": "two", "instanceType": "Standard_NC24ads_A100_v4"},
        "inference": {"preset": {"name": "phi-3"}},
    }
    r = raw(kube_emulator, "POST", "/apis/kaito.sh/v1beta1/namespaces/default/workspaces", ws)
    assert r.status == 422
    assert "resource.count" in {c["field"] for c in r.json()["details"]["causes"]}


def test_every_preloaded_crd_is_served(kube_emulator: KubeEmulator) -> None:
    crds = kube_emulator.cluster.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    assert len(crds) >= 30
    for crd in crds:
        spec = crd["spec"]
        v = next(v["name"] for v in spec["versions"] if v.get("served"))
        ns = "/namespaces/default" if spec["scope"] == "Namespaced" else ""
        assert raw(kube_emulator, "GET", f"/apis/{spec['group']}/{v}{ns}/{spec['names']['plural']}").status == 200
