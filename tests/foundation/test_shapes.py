"""akscli.shapes: the field types of rendered and applied objects, checked against the
Kubernetes OpenAPI definitions (kubernetes/kubernetes api/openapi-spec, as the kubernetes-validate
package ships it for v1.32) so that every type written there is the one the API declares."""

from __future__ import annotations

from typing import Any

import pytest

from akscli import shapes
from tests.emulators.kube import builtin_schema

VERSIONS = {"": "v1", "apps": "v1", "batch": "v1", "policy": "v1"}
BUILT_IN = sorted(key for key in shapes.SPECS if key[0] in VERSIONS)


def _agrees(shape: shapes.Shape, node: Any, path: str) -> list[str]:
    """Where ``shape`` differs from the OpenAPI node, as paths."""
    if isinstance(shape, str):
        expected = {
            shapes.STRING: lambda n: n.type == "string" and not n.int_or_string and not n.quantity,
            shapes.INTEGER: lambda n: n.type == "integer",
            shapes.BOOLEAN: lambda n: n.type == "boolean",
            shapes.QUANTITY: lambda n: n.quantity,
            shapes.INT_OR_STRING: lambda n: n.int_or_string,
            shapes.OBJECT: lambda n: n.type == "object",
        }[shape]
        return [] if expected(node) else [f"{path}: {shape} but OpenAPI says {node.type or node.go}"]
    if isinstance(shape, shapes.ListOf):
        if node.type != "array":
            return [f"{path}: a list but OpenAPI says {node.type}"]
        return _agrees(shape.item, node.items, path + "[]")
    if isinstance(shape, shapes.MapOf):
        if node.map_values is None:
            return [f"{path}: a map but OpenAPI has no additionalProperties"]
        return _agrees(shape.value, node.map_values, path + ".*")
    if node.props is None:
        return [f"{path}: {shape.name} but OpenAPI has no properties"]
    found: list[str] = []
    if shape.closed and set(shape.fields) != set(node.props):
        found.append(f"{path}: {shape.name} is closed but OpenAPI has {sorted(node.props)}")
    for key, field in shape.fields.items():
        if key not in node.props:
            found.append(f"{path}.{key}: not in OpenAPI")
        else:
            found += _agrees(field, node.props[key], f"{path}.{key}")
    return found


@pytest.mark.parametrize(("group", "kind"), BUILT_IN, ids=[k for _, k in BUILT_IN])
def test_each_declared_field_has_the_type_the_kubernetes_openapi_declares(group: str, kind: str) -> None:
    root = builtin_schema.root(group, VERSIONS[group], kind)
    assert root is not None and root.props is not None
    assert _agrees(shapes.OBJECT_META, root.props["metadata"], "metadata") == []
    assert _agrees(shapes.SPECS[(group, kind)], root.props["spec"], "spec") == []


@pytest.mark.parametrize("kind", ["ConfigMap", "Secret"])
def test_top_level_fields_have_the_openapi_types(kind: str) -> None:
    root = builtin_schema.root("", "v1", kind)
    assert root is not None and root.props is not None
    for key, field in shapes.TOP_LEVEL[("", kind)].items():
        assert _agrees(field, root.props[key], key) == []


def test_a_list_of_strings_given_as_a_string_names_the_path_and_the_types() -> None:
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "m"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "args": "[--model,x]"}]}}},
    }
    assert shapes.problem(obj) == "spec.template.spec.containers[0].args must be a list of strings (it is a string)"


def test_a_nested_map_in_annotations_is_named() -> None:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "annotations": {"x": {"y": 1}}}}
    assert shapes.problem(obj) == "metadata.annotations.x must be a string (it is a map)"


def test_a_ray_worker_groups_pod_template_is_checked() -> None:
    obj = {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "r"},
        "spec": {"workerGroupSpecs": [{"groupName": "g", "template": {"spec": {"tolerations": "x"}}}]},
    }
    assert shapes.problem(obj) == (
        "spec.workerGroupSpecs[0].template.spec.tolerations must be a list of Toleration objects (it is a string)"
    )


def test_a_key_a_closed_type_does_not_have_is_named_with_the_yaml_flow_colon_hint() -> None:
    found = shapes.check([{"key:a": None}], shapes.ListOf(shapes.TOLERATION), "tolerations")
    assert found is not None
    assert "tolerations[0] has no field 'key:a'" in found and "space after the colon" in found


def test_null_is_accepted_where_a_field_is_optional() -> None:
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "m", "labels": None}, "spec": None}
    assert shapes.problem(obj) is None


def test_an_unknown_kind_has_only_its_metadata_checked() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": {"args": "x"}}
    assert shapes.problem(obj) is None


def test_the_shape_of_a_kind_is_built_once_for_all_its_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    # #16: policy checks every object of an apply; 500 ConfigMaps share one root shape.
    built: list[str] = []
    real = shapes.Fields

    def counted(name: str, *args: Any, **kwargs: Any) -> shapes.Fields:
        built.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(shapes, "Fields", counted)
    widget = {"apiVersion": "example.com/v1", "kind": "ShapeOnceWidget", "metadata": {"name": "a"}}
    assert shapes.problem(widget) is None
    assert shapes.problem({**widget, "metadata": {"name": "b"}}) is None
    assert built == ["ShapeOnceWidget"]


def test_a_null_field_is_not_checked_and_a_wrong_one_still_is() -> None:
    assert shapes.problem({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": None}}) is None
    found = shapes.problem({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": "x"}})
    assert found is not None and found.startswith("metadata.labels must be a map of string to string")
