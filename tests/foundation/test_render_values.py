"""Template value declarations (``<name>.values.yaml``): complete, checked, and listed for users."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import render, yamlio
from akscli.errors import UsageError
from tests.cli import invoke

TEMPLATES = [t.removesuffix(render.TEMPLATE_SUFFIX) for t in render.list_templates()]
KNOWN_TYPES = {"name", "subdomain", "quantity", "image", "integer", "number", "choice", "bool", "text", "labels", "any"}

# A valid example of each type, as a user would type it after --set (`any` values go in a -f file).
EXAMPLES: dict[str, str] = {
    "name": "demo",
    "subdomain": "demo.v1",
    "quantity": "1Gi",
    "image": "busybox:1.36",
    "bool": "true",
    "text": "hello",
    "labels": "team=ml",
}
# `any` values whose template reads fields of them; the others get an empty list.
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
    if kind == "any":
        return ANY_EXAMPLES.get((template, key), [])
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
    return ["render", "model/vllm", *sets, "--set", "vllm_args=--help", *extra]


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
    assert "vllm/vllm-openai:v0.11.0" in rows["image"] and "vLLM server image" in rows["image"]


def test_help_values_prints_json_rows_with_o_json() -> None:
    result = invoke("render", "vllm", "--help-values", "-o", "json")
    assert result.exit_code == 0, result
    rows = json.loads(result.stdout)
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
