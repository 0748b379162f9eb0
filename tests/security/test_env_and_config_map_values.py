"""A token written as a plain value in a manifest (a container's ``env[].value``, a ConfigMap's
``data``) is a token: akscli shows it as ``***`` in ``-o yaml/json`` and in a plan, by the rules
``--env`` and the ``env-plain-secret`` policy rule use (akscli.secret_words: the name HF_TOKEN,
API_KEY, ..., or the value's shape), and shows every other value as it is. kubectl prints them
(its diff masks only a v1 Secret: kubernetes/kubectl pkg/cmd/diff/diff.go Masker); the EnvVar
shape is kubernetes/api core/v1/types.go EnvVar (name, value, valueFrom)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from akscli import printable
from akscli.kube.plan_diff import diff_objects
from tests.cli import invoke

HF = "hf_CanaryPlainEnvValue0123456789"
OPENAI = "sk-proj-CanaryConfigMapValue0123456789ab"


def deployment(token: str = HF, mode: str = "fast") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "nginx:1.27",
                            "env": [
                                {"name": "HF_TOKEN", "value": token},
                                {"name": "MODE", "value": mode},
                                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
                            ],
                        }
                    ]
                },
            },
        },
    }


def config_map(value: str = OPENAI) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "default"},
        "data": {"OPENAI_API_KEY": value, "settings.yaml": f"model: gpt\nkey: {value}\n", "mode": "fast"},
    }


def _env(obj: Any) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"][0]["env"]
    return env


def test_a_containers_env_value_named_as_a_token_is_shown_masked_and_its_neighbours_as_they_are() -> None:
    env = _env(printable.shown(deployment(), "yaml"))
    assert env[0] == {"name": "HF_TOKEN", "value": "***"}
    assert env[1] == {"name": "MODE", "value": "fast"}
    assert env[2]["valueFrom"] == {"secretKeyRef": {"name": "db", "key": "pw"}}


def test_an_env_value_shaped_like_a_token_is_masked_whatever_its_name() -> None:
    obj = deployment()
    _env(obj)[1]["value"] = HF
    assert _env(printable.shown(obj, "json"))[1]["value"] == "***"


def test_the_object_printed_is_a_copy_and_the_manifest_keeps_its_token() -> None:
    obj = deployment()
    printable.shown(obj, "yaml")
    assert _env(obj)[0]["value"] == HF


def test_a_config_maps_value_under_a_secret_name_or_holding_a_token_is_masked_and_the_rest_kept() -> None:
    data = printable.shown(config_map(), "yaml")["data"]
    assert data == {"OPENAI_API_KEY": "***", "settings.yaml": "***", "mode": "fast"}


def test_the_last_applied_annotation_of_an_object_holding_a_token_is_masked() -> None:
    obj = deployment()
    obj["metadata"]["annotations"] = {printable.LAST_APPLIED: json.dumps(deployment()), "team": "ml"}
    annotations = printable.shown(obj, "yaml")["metadata"]["annotations"]
    assert annotations == {printable.LAST_APPLIED: "***", "team": "ml"}


def test_a_plan_says_a_masked_env_value_changed_without_either_value() -> None:
    lines = diff_objects(deployment(), deployment(HF + "-new", "slow"))
    assert "~ spec.template.spec.containers[0].env[0].value: *** (changed)" in lines
    assert "~ spec.template.spec.containers[0].env[1].value: fast -> slow" in lines
    assert not any(HF in line for line in lines)


def test_a_plan_shows_a_token_added_to_a_config_map_as_masked() -> None:
    before = config_map()
    after = copy.deepcopy(before)
    after["data"]["HF_TOKEN"] = HF
    assert diff_objects(before, after) == ["+ data.HF_TOKEN: ***"]


def test_apply_client_dry_run_prints_neither_token(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(json.dumps(deployment()) + "\n---\n" + json.dumps(config_map()))
    result = invoke("apply", "-f", str(path), "--dry-run=client", "-o", "yaml", "--allow", "env-plain-secret")
    assert result.exit_code == 0, result
    assert HF not in result.stdout + result.stderr and OPENAI not in result.stdout + result.stderr
    assert "value: fast" in result.stdout
