"""Template value declarations (``<name>.values.yaml``): complete, checked, and listed for users."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import render, yamlio
from akscli.errors import UsageError
from tests.cli import invoke, list_items

TEMPLATES = [t.removesuffix(render.TEMPLATE_SUFFIX) for t in render.list_templates()]
KNOWN_TYPES = {
    "name",
    "subdomain",
    "quantity",
    "image",
    "integer",
    "number",
    "choice",
    "bool",
    "text",
    "labels",
    "list",
    "map",
    "object",
}

# A valid example of each type, as a user would type it after --set (objects go in a --values file).
EXAMPLES: dict[str, str] = {
    "name": "demo",
    "subdomain": "demo.v1",
    "quantity": "1Gi",
    "image": "busybox:1.36",
    "bool": "true",
    "text": "hello",
    "labels": "team=ml",
    "map": "team=ml",
}
# Object values whose template reads fields of them; the others get an empty list or mapping.
ANY_EXAMPLES: dict[tuple[str, str], Any] = {
    ("baremetal/clusterpolicy", "images"): {
        c: {"repository": "nvcr.io/nvidia", "image": c.lower(), "version": "v1.0.0"}
        for c in (
            "validator",
            "driver",
            "driverManager",
            "toolkit",
            "devicePlugin",
            "dcgmExporter",
            "gfd",
            "migManager",
        )
    },
    ("ray/workergroup", "group"): {
        "name": "gpu",
        "replicas": 1,
        "min": 1,
        "max": 1,
        "resources": {},
        "node_selector": {},
        "tolerations": [],
    },
}


def example(template: str, key: str, decl: dict[str, Any]) -> Any:
    kind = decl.get("type", "text")
    if kind == "object" or (kind == "list" and decl.get("items")):
        return ANY_EXAMPLES.get((template, key), {} if kind == "object" else [])
    if kind == "list":
        return "{--help}"
    if kind in ("integer", "number"):
        return str(decl.get("min") or 1)
    if kind == "choice":
        return str(decl["choices"][0])
    return EXAMPLES[kind]


def required_only(template: str) -> tuple[list[str], dict[str, Any]]:
    """``--set`` arguments and a values-file mapping that give exactly the required values."""
    sets: list[str] = []
    structured: dict[str, Any] = {}
    for key, decl in render.values_spec(template + render.TEMPLATE_SUFFIX).items():
        if not decl.get("required") or "default" in decl:
            continue
        value = example(template, key, decl)
        if isinstance(value, str):
            sets += ["--set", f"{key}={value}"]
        else:
            structured[key] = value
    return sets, structured


def vllm_args(*extra: str) -> list[str]:
    sets, _ = required_only("model/vllm")
    return ["render", "model/vllm", *sets, "--set", "vllm_args={--help}", *extra]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_has_a_values_declaration(template: str) -> None:
    assert render.values_spec(template + render.TEMPLATE_SUFFIX), f"templates/{template}.values.yaml is missing"


@pytest.mark.parametrize("template", TEMPLATES)
def test_declaration_covers_exactly_the_variables_the_template_reads(template: str) -> None:
    read = render.template_variables(template)
    declared = set(render.values_spec(template + render.TEMPLATE_SUFFIX))
    assert read - declared == set(), "read but not declared"
    assert declared - read == set(), "declared but no longer read"


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_declared_value_has_a_known_type_and_a_help(template: str) -> None:
    for key, decl in render.values_spec(template + render.TEMPLATE_SUFFIX).items():
        assert decl.get("type") in KNOWN_TYPES, key
        assert str(decl.get("help", "")).strip(), key
        if decl["type"] == "choice":
            assert decl.get("choices"), key


def test_an_included_partials_loop_variable_is_not_a_value() -> None:
    assert "group" not in render.template_variables("ray/raycluster")
    assert "group" in render.template_variables("ray/workergroup")


@pytest.mark.parametrize("template", TEMPLATES)
def test_render_with_only_the_required_values_produces_objects(template: str, tmp_path: Path) -> None:
    sets, structured = required_only(template)
    files: list[str] = []
    if structured:
        values = tmp_path / "values.yaml"
        values.write_text(yamlio.dump(structured), encoding="utf-8")
        files = ["--values", str(values)]
    result = invoke("render", template, *sets, *files, "-o", "json")
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    objects = doc["items"] if doc.get("kind") == "List" else [doc]
    assert objects and all(o["kind"] and o["metadata"]["name"] for o in objects)


def test_missing_required_values_are_all_named_in_one_error() -> None:
    result = invoke("render", "model/vllm", "--set", "name=demo")
    assert result.exit_code == 2
    [line] = error_lines(result.stderr)
    for key in ("namespace", "pod_labels", "vllm_args", "node_selector"):
        assert key in line
    assert "'name'" not in line and "model/vllm" in line


def test_missing_values_hint_shows_the_set_form() -> None:
    result = invoke("render", "model/vllm", "--set", "name=demo")
    assert "hint: pass --set namespace=NAME --set pod_labels=KEY=VALUE" in result.stderr
    assert "--help-values" in result.stderr


def test_missing_values_hint_names_the_values_flag_render_has() -> None:
    result = invoke("render", "model/vllm", "--set", "name=demo")
    assert "a --values file" in result.stderr and "-f values file" not in result.stderr


def test_a_negative_replica_count_is_one_line_naming_template_value_and_form() -> None:
    result = invoke(*vllm_args("--set", "replicas=-1"))
    assert result.exit_code == 2
    [line] = error_lines(result.stderr)
    assert "model/vllm" in line and "replicas" in line and "'-1'" in line
    assert "a whole number from 0 to 1000" in line


def test_a_bad_name_is_one_line_naming_template_value_and_form() -> None:
    result = invoke(*[a if a != "name=demo" else "name=Bad_Name" for a in vllm_args()])
    assert result.exit_code == 2
    [line] = error_lines(result.stderr)
    assert "model/vllm" in line and "Bad_Name" in line and "DNS-1123 label" in line


def test_a_bad_label_key_in_a_values_file_is_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("labels: {'bad key!': x}\n", encoding="utf-8")
    result = invoke("render", "core/namespace", "--set", "name=demo", "--values", str(values))
    assert result.exit_code == 2
    assert "labels" in error_lines(result.stderr)[0]


def test_a_label_map_from_a_values_file_renders_as_strings(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("labels: {enabled: true, tier: 2}\n", encoding="utf-8")
    result = invoke("render", "core/namespace", "--set", "name=demo", "--values", str(values), "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["metadata"]["labels"] == {"enabled": "true", "tier": "2"}


def test_a_number_given_as_a_number_keeps_its_type() -> None:
    checked = render.check_values(
        "ray/rayjob.yaml.j2",
        {"name": "j", "namespace": "ml", "entrypoint": "x"}
        | {
            "entrypoint_cpus": 1,
        },
    )
    assert checked["entrypoint_cpus"] == 1 and isinstance(checked["entrypoint_cpus"], int)


def test_help_values_lists_type_default_and_help() -> None:
    result = invoke("render", "model/vllm", "--help-values")
    assert result.exit_code == 0, result
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert set(rows) == set(render.values_spec("model/vllm.yaml.j2"))
    assert "(required)" in rows["name"] and "integer[0..1000]" in rows["replicas"]
    assert "vllm/vllm-openai:v0.24.0" in rows["image"] and "vLLM server image" in rows["image"]


def test_help_values_prints_json_rows_with_o_json() -> None:
    result = invoke("render", "vllm", "--help-values", "-o", "json")
    assert result.exit_code == 0, result
    rows = list_items(result.stdout)
    assert {"key", "type", "required", "default", "help"} <= set(rows[0])
    assert next(r for r in rows if r["key"] == "gpus_per_pod")["default"] == 1


def test_a_template_that_reads_an_unset_namespace_fails_instead_of_rendering_jinjas_global(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "ns.yaml.j2").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: {{ namespace }}\n", encoding="utf-8"
    )
    monkeypatch.setattr(render, "templates_dir", lambda: tmp_path)
    with pytest.raises(UsageError, match="namespace"):
        render.render("demo/ns", {})


# ---- structured values: lists, maps, objects -------------------------------------------------

VLLM = ["render", "model/vllm", "--set", "name=m", "--set", "namespace=default", "--set", "pod_labels=app=m"]
VLLM += ["--set", "node_selector=a=b"]


def rendered_deployment(*extra: str) -> dict[str, Any]:
    result = invoke(*VLLM, *extra, "-o", "json")
    assert result.exit_code == 0, result
    deployment: dict[str, Any] = json.loads(result.stdout)["items"][0]
    return deployment


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return found


def test_a_list_given_with_set_in_helms_brace_form_renders_as_a_list() -> None:
    assert container(rendered_deployment("--set", "vllm_args={--model,x}"))["args"] == ["--model", "x"]


def test_the_yaml_flow_list_form_documented_before_still_renders_as_a_list() -> None:
    assert container(rendered_deployment("--set", "vllm_args=[--model,x]"))["args"] == ["--model", "x"]


def test_a_backslash_keeps_a_comma_inside_a_list_item() -> None:
    args = container(rendered_deployment("--set", "vllm_args={--model,x,--x=a\\,b}"))["args"]
    assert args == ["--model", "x", "--x=a,b"]


def test_numbers_in_a_list_of_strings_from_a_values_file_render_as_strings(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("vllm_args: [--port, 8000, --enforce-eager, true]\n", encoding="utf-8")
    args = container(rendered_deployment("--values", str(values)))["args"]
    assert args == ["--port", "8000", "--enforce-eager", "true"]


def test_a_string_where_a_list_is_declared_is_one_line_naming_value_type_and_example() -> None:
    result = invoke(*VLLM, "--set", "vllm_args=--model")
    assert result.exit_code == 2 and result.stdout == ""
    [line] = error_lines(result.stderr)
    assert "vllm_args" in line and "expected a list of strings" in line and "{--model,ID}" in line


def test_a_map_where_a_list_is_declared_in_a_values_file_is_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("vllm_args: {a: b}\n", encoding="utf-8")
    result = invoke(*VLLM, "--values", str(values))
    assert result.exit_code == 2 and result.stdout == ""
    [line] = error_lines(result.stderr)
    assert "vllm_args" in line and "it is a map" in line and "a list of strings" in line


def test_annotations_that_are_not_a_map_are_refused() -> None:
    result = invoke(*VLLM, "--set", "vllm_args={a}", "--set", "annotations=notamap")
    assert result.exit_code == 2 and result.stdout == ""
    [line] = error_lines(result.stderr)
    assert "annotations" in line and "a map of string to string" in line


def test_a_nested_map_in_annotations_from_a_values_file_is_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("vllm_args: [a]\nannotations: {x: {y: 1}}\n", encoding="utf-8")
    result = invoke(*VLLM, "--values", str(values))
    assert result.exit_code == 2 and result.stdout == ""
    assert "annotations.x is a map, not a string" in error_lines(result.stderr)[0]


def test_an_annotation_key_with_dots_is_set_with_an_escaped_dot() -> None:
    deployment = rendered_deployment("--set", "vllm_args={a}", "--set", "annotations.prometheus\\.io/scrape=true")
    assert deployment["metadata"]["annotations"] == {"prometheus.io/scrape": "true"}


def test_annotations_given_as_key_value_pairs_render_as_a_map() -> None:
    deployment = rendered_deployment("--set", "vllm_args={a}", "--set", "annotations=team=ml,tier=gpu")
    assert deployment["metadata"]["annotations"] == {"team": "ml", "tier": "gpu"}


def test_tolerations_given_with_set_render_as_a_list_of_objects() -> None:
    deployment = rendered_deployment("--set", "vllm_args={a}", "--set", "tolerations=[{key: a, operator: Exists}]")
    assert deployment["spec"]["template"]["spec"]["tolerations"] == [{"key": "a", "operator": "Exists"}]


def test_tolerations_that_are_not_yaml_objects_are_refused() -> None:
    result = invoke(*VLLM, "--set", "vllm_args={a}", "--set", "tolerations=[{key:a}]")
    assert result.exit_code == 2 and result.stdout == ""
    [line] = error_lines(result.stderr)
    assert "has no field 'key:a'" in line and "a list of Toleration objects" in line


def test_a_toleration_field_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("vllm_args: [a]\ntolerations: [{key: a, tolerationSeconds: soon}]\n", encoding="utf-8")
    result = invoke(*VLLM, "--values", str(values))
    assert result.exit_code == 2 and result.stdout == ""
    assert "tolerations[0].tolerationSeconds must be a whole number" in error_lines(result.stderr)[0]


def test_an_object_value_that_is_a_string_is_refused() -> None:
    result = invoke(
        "render",
        "ray/workergroup",
        "--set",
        "cluster=c",
        "--set",
        "namespace=ml",
        "--set",
        "image=ray:1",
        "--set",
        "group=gpu",
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert "group" in error_lines(result.stderr)[0] and "an object" in error_lines(result.stderr)[0]


def test_a_structured_value_cannot_put_a_wrong_type_into_a_rendered_object(tmp_path: Path) -> None:
    # An object value is checked against the object it is rendered into: the head's
    # node_selector is the pod's nodeSelector, a map of string to string (core/v1 PodSpec).
    values = tmp_path / "values.yaml"
    values.write_text(
        "head: {ray_start_params: {}, resources: {}, node_selector: {pool: [a, b]}, tolerations: []}\n",
        encoding="utf-8",
    )
    result = invoke("render", "ray/raycluster", "--set", "name=c", "--set", "namespace=ml", "--values", str(values))
    assert result.exit_code == 2 and result.stdout == ""
    assert "spec.headGroupSpec.template.spec.nodeSelector.pool must be a string" in error_lines(result.stderr)[0]


def test_help_values_names_the_structured_types() -> None:
    result = invoke("render", "model/vllm", "--help-values")
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert "list of strings" in rows["vllm_args"] and "map of string to string" in rows["annotations"]
    assert "list of Toleration objects" in rows["tolerations"]
