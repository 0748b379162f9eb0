"""The known members of the bad-input class, each one line and a usage error, nothing sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli import errors, validate
from tests.cli import invoke

RAY_WRONG_TYPE = "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata:\n  name: demo\nspec:\n  headGroupSpec: x\n"


def one_usage_error(result: Any) -> None:
    assert result.exit_code == 2, result
    assert result.stdout == "" and "Traceback" not in result.stderr and "unexpected error" not in result.stderr
    assert result.stderr.count("error: ") == 1 and "hint: " in result.stderr


def test_an_empty_model_name_is_refused() -> None:
    one_usage_error(invoke("model", "plan", ""))


def test_a_max_model_len_out_of_range_names_the_flag_typed() -> None:
    result = invoke("model", "deploy", "phi-4", "--max-model-len", "0", "--dry-run=client")
    one_usage_error(result)
    assert "--max-model-len" in result.stderr


def test_a_price_file_with_the_wrong_columns_is_refused(tmp_path: Path) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("name,cost\nStandard_NC24ads_A100_v4,1.0\n")
    result = invoke("model", "plan", "phi-4", "--price-file", str(prices))
    one_usage_error(result)
    assert "columns" in result.stderr


def test_render_refuses_a_value_the_template_does_not_declare() -> None:
    result = invoke("render", "ray/raycluster", "--set", "name=x", "--set", "namespace=y", "--set", "bogus=1")
    one_usage_error(result)
    assert "bogus" in result.stderr


def test_render_without_a_template_refuses_values_instead_of_listing() -> None:
    one_usage_error(invoke("render", "--set", "name=x"))


def test_a_duration_beyond_a_year_is_refused() -> None:
    with pytest.raises(errors.UsageError):
        validate.duration("99999999999h", "--ttl")
    with pytest.raises(errors.UsageError):
        validate.duration("1" + "0" * 400, "--ttl")


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n", "metadata.name must be a string"),
        ("apiVersion: v1\nkind: [ConfigMap]\nmetadata:\n  name: a\n", "kind must be a string"),
        ("apiVersion: 1\nkind: ConfigMap\nmetadata:\n  name: a\n", "apiVersion must be a string"),
        ("apiVersion: v1\nkind: List\nitems: nope\n", "must be a list"),
        (RAY_WRONG_TYPE, "spec.headGroupSpec must be an object (HeadGroupSpec) (it is a string)"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n", "metadata.name"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: Bad_NS\n", "metadata.namespace"),
    ],
    ids=["name-int", "kind-list", "apiversion-int", "list-items", "nested-wrong-type", "bad-name", "bad-namespace"],
)
def test_a_malformed_manifest_is_one_line_and_nothing_is_sent(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, manifest: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(manifest)
    result = invoke("apply", "-f", str(path))
    one_usage_error(result)
    assert expected in result.stderr
    assert not [e for e in kube_emulator.request_log if e.method in ("POST", "PATCH", "PUT", "DELETE")]


DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: m, namespace: default}\n"
    "spec:\n  selector: {matchLabels: {app: m}}\n  template:\n    metadata: {labels: {app: m}}\n"
    "    spec:\n      containers: [{name: a, image: busybox, args: %s}]\n      tolerations: %s\n"
)


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (DEPLOYMENT % ("'[--model,x]'", "[]"), "spec.template.spec.containers[0].args must be a list of strings"),
        (DEPLOYMENT % ("[a]", "x"), "spec.template.spec.tolerations must be a list of Toleration objects"),
        (DEPLOYMENT % ("[a]", "[{key: a, tolerationSeconds: x}]"), "tolerations[0].tolerationSeconds must be a whole"),
    ],
    ids=["args-string", "tolerations-string", "toleration-seconds-string"],
)
def test_apply_of_a_wrong_typed_field_names_the_field_and_the_type_in_one_line(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path, manifest: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(manifest)
    result = invoke("apply", "-f", str(path))
    one_usage_error(result)
    assert expected in result.stderr and "has no attribute" not in result.stderr
    assert "kubectl explain deployment.spec.template.spec." in result.stderr
    assert not [e for e in kube_emulator.request_log if e.method in ("POST", "PATCH", "PUT", "DELETE")]


def test_policy_check_of_a_wrong_typed_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(DEPLOYMENT % ("'[--model,x]'", "[]"))
    result = invoke("policy", "check", "-f", str(path))
    one_usage_error(result)
    assert f"{path}: Deployment default/m: spec.template.spec.containers[0].args must be a list" in result.stderr
