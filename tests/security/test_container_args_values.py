"""A token typed into a container's ``command`` or ``args`` (``vllm serve --api-key sk-...``,
``sh -c 'curl -u user:PASSWORD ...'``) is a token: akscli shows each word that holds one as ``***``
in ``-o yaml/json`` and in a plan, by the rules the audit log hides a command line's credentials
by (akscli.argv_credentials, akscli.audit_argv.redact_value), and every other word as it is. The
fields are kubernetes/api core/v1/types.go Container ``Command`` and ``Args`` (lists of strings);
kubectl prints them as they are (its diff masks only a v1 Secret: kubernetes/kubectl
pkg/cmd/diff/diff.go Masker)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from akscli import printable
from akscli.kube.plan_diff import diff_objects
from tests.cli import invoke

KEY = "sk-proj-CanaryContainerArgs0123456789ab"


def deployment(containers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}},
        },
    }


def containers_of(obj: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = obj["spec"]["template"]["spec"]["containers"]
    return found


def vllm(key: str = KEY, model: str = "microsoft/phi-4") -> dict[str, Any]:
    return {"name": "vllm", "image": "vllm/vllm-openai:v0.11.0", "args": ["--model", model, "--api-key", key]}


def test_an_args_value_after_a_flag_named_as_a_secret_is_masked_and_the_rest_kept() -> None:
    shown = printable.shown(deployment([vllm()]), "yaml")
    assert containers_of(shown)[0]["args"] == ["--model", "microsoft/phi-4", "--api-key", "***"]


def test_a_token_shaped_word_in_a_command_is_masked_whatever_flag_precedes_it() -> None:
    container = {"name": "c", "image": "busybox", "command": ["serve", "--credential-of-mine", KEY]}
    assert containers_of(printable.shown(deployment([container]), "json"))[0]["command"] == [
        "serve",
        "--credential-of-mine",
        "***",
    ]


def test_a_password_inside_a_shell_script_argument_is_masked_in_place() -> None:
    container = {"name": "c", "image": "curl", "command": ["sh", "-c"], "args": ["curl -u bob:s3cret-pass https://x"]}
    assert containers_of(printable.shown(deployment([container]), "yaml"))[0]["args"] == ["curl -u bob:*** https://x"]


def test_a_container_without_credentials_is_printed_as_it_is() -> None:
    container = {"name": "c", "image": "python:3.12", "command": ["python", "train.py"], "args": ["--epochs", "2"]}
    obj = deployment([container])
    assert printable.shown(obj, "yaml")["spec"] is obj["spec"]


def test_the_manifest_keeps_its_token_and_the_printed_object_is_a_copy() -> None:
    obj = deployment([vllm()])
    printable.shown(obj, "yaml")
    assert containers_of(obj)[0]["args"][-1] == KEY


def test_a_plan_says_a_masked_argument_changed_without_either_value() -> None:
    lines = diff_objects(deployment([vllm()]), deployment([vllm(KEY + "-new")]))
    assert lines == ["~ spec.template.spec.containers[0].args: *** (changed)"]


def test_a_plan_of_arguments_that_change_beside_a_token_shows_the_token_masked() -> None:
    lines = diff_objects(deployment([vllm()]), deployment([vllm(KEY + "-new", "microsoft/phi-4-mini")]))
    assert lines == [
        '~ spec.template.spec.containers[0].args: ["--model", "microsoft/phi-4", "--api-key", "***"] -> '
        '["--model", "microsoft/phi-4-mini", "--api-key", "***"]'
    ]


def test_apply_client_dry_run_prints_no_argument_token(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(json.dumps(deployment([vllm()])))
    result = invoke("apply", "-f", str(path), "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert KEY not in result.stdout + result.stderr
    assert "- --api-key\n" in result.stdout and "- microsoft/phi-4\n" in result.stdout
