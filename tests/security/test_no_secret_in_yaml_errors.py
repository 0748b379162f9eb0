"""A file that cannot be read as YAML is refused in one line that says where it broke and what
broke, and nothing of its text: not in the error line, and not in --debug's traceback, where the
parser's own exception used to follow as "the direct cause" with the line it broke on
(ruamel.yaml error.py, StringMark.get_snippet), a duplicate key's values, or the scalar a tag could
not hold. That line can be a Secret's value or a token. kubectl says as little
("error converting YAML to JSON: yaml: line 7: ..."; sigs.k8s.io/yaml through
kubernetes/apimachinery pkg/util/yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli.ray.object_rules import object_problem
from tests.cli import invoke

CANARY = "CanaryYamlSecret-8e4b"
HEAD = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n"

BROKEN = {
    "an unclosed quote": f'  password: "{CANARY}\n  other: x\n',
    "a second colon": f"  password: {CANARY}: x\n",
    "a duplicate key": f"  password: {CANARY}\n  password: {CANARY}-2\n",
}


def _secret_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "secret.yaml"
    path.write_text(HEAD + body)
    return path


@pytest.mark.parametrize("body", BROKEN.values(), ids=BROKEN.keys())
def test_debugs_traceback_of_a_broken_secret_file_quotes_no_line_of_it(tmp_path: Path, body: str) -> None:
    result = invoke("--debug", "apply", "-f", str(_secret_file(tmp_path, body)), "--dry-run=client")
    assert result.exit_code == 2, result
    assert "secret.yaml is not valid YAML: line " in result.stderr
    assert CANARY not in result.stdout + result.stderr


@pytest.mark.parametrize("tag", ["!!int", "!!float"])
def test_a_value_its_tag_cannot_hold_is_refused_without_quoting_it(tmp_path: Path, tag: str) -> None:
    result = invoke("--debug", "apply", "-f", str(_secret_file(tmp_path, f"  password: {tag} {CANARY}\n")))
    assert result.exit_code == 2, result
    assert "has a value YAML cannot read: " in result.stderr
    # float() quotes the value in lower case
    assert CANARY.lower() not in (result.stdout + result.stderr).lower()


def test_a_value_files_broken_line_is_not_quoted_by_render(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(f"name: phi\nhf_token: {CANARY}: x\n")
    result = invoke("--debug", "render", "core/namespace", "--values", str(values))
    assert result.exit_code == 2, result
    assert "is not valid YAML: line 2, column" in result.stderr
    assert CANARY not in result.stdout + result.stderr


JOB: dict[str, Any] = {
    "apiVersion": "ray.io/v1",
    "kind": "RayJob",
    "metadata": {"name": "train"},
    "spec": {
        "entrypoint": "python main.py",
        "rayClusterSpec": {
            "headGroupSpec": {
                "rayStartParams": {},
                "template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0"}]}},
            }
        },
    },
}


def test_kuberays_refusal_of_a_runtime_env_names_the_line_and_not_its_env_vars() -> None:
    # upstream: ray-project/kuberay ray-operator/controllers/ray/utils/dashboardclient/
    # dashboard_httpclient.go UnmarshalRuntimeEnvYAML (the check akscli makes before apply -f sends it)
    job = {**JOB, "spec": {**JOB["spec"], "runtimeEnvYAML": f"env_vars:\n  HF_TOKEN: hf_{CANARY}: x\n"}}
    problem = object_problem(job, True)
    assert problem == (
        "failed to unmarshal RuntimeEnvYAML: error converting YAML to JSON: yaml: line 2: "
        "mapping values are not allowed here"
    )
