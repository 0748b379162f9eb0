"""What users really put in ``ray job submit --env``: tokens with known prefixes (OpenAI and
Anthropic sk-, GitHub gh?_, AWS AKIA/ASIA) and Azure connection strings and SAS tokens are told apart
from plain values, and a value found to be a secret reaches neither stdout (the printed RayJob's
runtimeEnvYAML shows ``***``), nor a plan's diff, nor an error or a log line (akscli.redact)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from akscli import redact, yamlio
from akscli.kube.plan_diff import diff_objects
from akscli.ray.job import env_secret_warning
from akscli.secret_hints import secret_keys
from tests.ray.test_cli_job import submit

TOKEN = "hf_" + "a1B2c3D4e5F6g7H8i9J0k1L2"

# Shapes as the issuers publish them; the characters after each prefix are made up.
SECRET_VALUES = {
    "openai": "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv",
    "anthropic": "sk-ant-api03-" + "Ab3dEf6hIj9kLm2nOp5qRs8t",
    "github-app": "ghu_" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    "github-refresh": "ghr_" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z",
    "aws-temporary": "ASIA" + "Q3EXAMPLE7KEYID4",
    "service-bus": "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=" + "Ab3d/Ef6+h=",
    "storage-sas-token": "sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-12-31T00:00:00Z&sig=" + "Ab3dEf6hIj9kLm2nOp5q%3D",
    "storage-sas-signature-only": "sig=" + "Ab3dEf6hIj9kLm2nOp5q%3D",
    "database-url": "postgresql://trainer:" + "s3cr3t-pass" + "@db.internal:5432/runs",
}
PLAIN_VALUES = {
    "index": "https://pypi.org/simple",
    "dashboard": "http://demo-head-svc:8265",
    "model": "meta-llama/Llama-3.1-8B-Instruct",
    "task": "task-classification-with-a-long-name",
    "number": "3",
    "storage-url": "https://acct.blob.core.windows.net/models",
}


@pytest.mark.parametrize("value", SECRET_VALUES.values(), ids=SECRET_VALUES.keys())
def test_a_known_token_or_connection_string_shape_is_a_secret_whatever_its_name(value: str) -> None:
    assert secret_keys([f"SETTING={value}"]) == ["SETTING"]


@pytest.mark.parametrize("value", PLAIN_VALUES.values(), ids=PLAIN_VALUES.keys())
def test_plain_values_users_pass_are_no_secret(value: str) -> None:
    assert secret_keys([f"SETTING={value}"]) == []


def test_a_pat_or_sas_name_is_a_secret_name_but_path_is_not() -> None:
    assert secret_keys(["GITHUB_PAT=x", "STORAGE_SAS=y", "PATH=/usr/bin", "PATCH_SIZE=14"]) == [
        "GITHUB_PAT",
        "STORAGE_SAS",
    ]


def test_the_printed_rayjob_of_a_dry_run_shows_the_secret_env_value_as_a_mask(
    ray_emulator: Callable[..., Any],
) -> None:
    ray_emulator()
    result = submit("train", "--env", f"HF_TOKEN={TOKEN}", "--env", "EPOCHS=3", "--dry-run=client", "-o", "yaml")
    assert result.exit_code == 0, result
    assert TOKEN not in result.stdout
    [job] = [d for d in yamlio.load_all(result.stdout, "out") if d.get("kind") == "RayJob"]
    env = yamlio.load(job["spec"]["runtimeEnvYAML"], "runtimeEnvYAML")["env_vars"]
    assert env == {"HF_TOKEN": "***", "EPOCHS": "3"}


def test_the_submitted_rayjob_keeps_the_value_and_its_printed_form_does_not_show_it(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator()
    result = submit("train", "--env", f"SETTINGS={TOKEN}", "-y", "-o", "json")
    assert result.exit_code == 0, result
    assert TOKEN not in result.stdout and TOKEN not in result.stderr
    # KubeRay gets what the user gave: the submitter passes it on as --runtime-env-json.
    assert TOKEN in emu.cluster.get("ray.io/v1", "RayJob", "default", "train")["spec"]["runtimeEnvYAML"]
    shown = json.loads(result.stdout)
    assert "***" in json.dumps(shown)


def test_an_error_or_log_line_that_quotes_a_detected_value_shows_a_mask() -> None:
    assert env_secret_warning([f"HF_TOKEN={TOKEN}"], "default") is not None
    said = redact.scrub(f'admission webhook denied the request: env HF_TOKEN="{TOKEN}" is not allowed')
    assert TOKEN not in said and "***" in said


def test_a_plan_says_a_secret_env_value_changed_without_either_value() -> None:
    def job(value: str) -> dict[str, Any]:
        env = yamlio.dump({"env_vars": {"HF_TOKEN": value, "EPOCHS": "3"}})
        return {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "t"}, "spec": {"runtimeEnvYAML": env}}

    lines = diff_objects(job(TOKEN), job(TOKEN[:-2] + "zz"))
    assert lines == ["~ spec.runtimeEnvYAML: *** (changed)"]
    assert diff_objects(job(TOKEN), job(TOKEN)) == []


def test_a_printed_rayservice_shows_its_serve_applications_secret_env_values_as_a_mask() -> None:
    from akscli.printable import shown

    config = yamlio.dump(
        {"applications": [{"name": "llm", "runtime_env": {"env_vars": {"HF_TOKEN": TOKEN, "MODEL": "llama"}}}]}
    )
    service = {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "llm"},
        "spec": {"serveConfigV2": config},
    }
    printed = shown(service, "yaml")["spec"]["serveConfigV2"]
    assert TOKEN not in printed
    [app] = yamlio.load(printed, "serveConfigV2")["applications"]
    assert app["runtime_env"]["env_vars"] == {"HF_TOKEN": "***", "MODEL": "llama"}
    assert service["spec"]["serveConfigV2"] == config  # the object itself is not changed
