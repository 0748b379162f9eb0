"""A model KAITO's catalog lacks gets a preset KAITO's webhook builds from the Hugging Face Hub
when it admits the Workspace: the plan says what that needs, which limit akscli checked, and, for
a model described on the command line, what it could not check (upstream: kaito-project/kaito
v0.12.0 0894eb2b presets/workspace/models/vllm_model.go GetModelByName; presets/workspace/
generator/generator.go Generate, loadFromCatalog, ParseModelMetadata; api/v1beta1/
inference_config_validation.go, the max-model-len check)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from akscli.model import catalog, kaito_names
from tests.cli import invoke
from tests.model._shared import kaito_catalog_path

DESCRIBED = [
    "--weights-gib", "14", "--layers", "32", "--attention-heads", "32", "--kv-heads", "8",
    "--head-dim", "128", "--max-context", "32768",
]  # fmt: skip
HUB = "KAITO's catalog has no"


def _kaito_catalog_ids() -> set[str]:
    """The ids in the catalog KAITO embeds, as ../shared holds it (model_catalog.yaml)."""
    data = yaml.safe_load(kaito_catalog_path().read_text())
    return {str(m["name"]).lower() for m in data["models"]}


def _deploy(model: str, *args: str) -> Any:
    return invoke("model", "deploy", model, *args, "--dry-run=client")


def test_from_hub_is_true_exactly_for_the_catalog_models_kaito_lacks() -> None:
    kaito = _kaito_catalog_ids()
    for model in catalog.all_models():
        assert kaito_names.from_hub(model) == (model.id.lower() not in kaito), model.id


def test_a_described_model_says_kaito_reads_its_limit_from_the_hub_and_akscli_cannot() -> None:
    result = _deploy("acme/Fancy-LM-7B", *DESCRIBED)
    assert result.exit_code == 0, result
    assert f"{HUB} acme/Fancy-LM-7B" in result.stderr
    assert "must reach huggingface.co" in result.stderr and "--access-secret" in result.stderr
    assert "KAITO refuses max-model-len 8192 above config.json's token limit" in result.stderr
    assert "max_position_embeddings" in result.stderr and "else 2048" in result.stderr
    assert (
        "akscli did not read config.json (--hub-config reads it): it checked max-model-len 8192 against "
        "--max-context 32768 only"
    ) in result.stderr
    assert "KAITO serves acme/Fancy-LM-7B as fancy-lm-7b" in result.stderr


def test_a_catalog_model_kaito_lacks_says_its_limit_is_its_config_jsons() -> None:
    result = _deploy("falcon-7b-instruct")
    assert result.exit_code == 0, result
    assert f"{HUB} tiiuae/falcon-7b-instruct" in result.stderr
    assert "the limit akscli checked max-model-len 2048 against, 2048, is that config.json's" in result.stderr
    assert "akscli did not read" not in result.stderr


def test_a_model_in_kaitos_catalog_gets_no_hub_note() -> None:
    result = _deploy("phi-4")
    assert result.exit_code == 0, result
    assert HUB not in result.stderr


def test_the_vllm_runtime_gets_no_hub_note() -> None:
    # akscli's own vLLM Deployment reads the model at start; no webhook builds a preset.
    result = _deploy("acme/Fancy-LM-7B", *DESCRIBED, "--runtime", "vllm")
    assert result.exit_code == 0, result
    assert HUB not in result.stderr


def test_ai_runways_kaito_provider_gets_the_hub_note() -> None:
    result = _deploy("acme/Fancy-LM-7B", *DESCRIBED, "--runtime", "airunway", "--provider", "kaito")
    assert result.exit_code == 0, result
    assert f"{HUB} acme/Fancy-LM-7B" in result.stderr


def test_model_plan_lists_the_hub_note_among_its_warnings() -> None:
    result = invoke("model", "plan", "acme/Fancy-LM-7B", *DESCRIBED, "-o", "json")
    assert result.exit_code == 0, result
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w.startswith(f"{HUB} acme/Fancy-LM-7B") for w in warnings), warnings


def _warning_lines(stderr: str) -> list[str]:
    return [line.removeprefix("warning: ") for line in stderr.splitlines() if line.startswith("warning: ")]


def test_each_hub_warning_of_model_plan_is_one_short_line() -> None:
    # Session 24 found one warning of about 1,080 characters: each subject is now a line of its own.
    result = invoke(
        "model", "plan", "acme/chat-7b", "--weights-gib", "14", "--layers", "32", "--attention-heads", "32",
        "--max-context", "8192", "--head-dim", "128",
    )  # fmt: skip
    assert result.exit_code == 0, result
    warnings = _warning_lines(result.stderr)
    assert all(len(w) <= kaito_names.WARNING_WIDTH for w in warnings), [len(w) for w in warnings]
    assert len([w for w in warnings if "KAITO" in w or "vLLM" in w or "config.json" in w]) >= 5, warnings


def test_each_vllm_limit_warning_of_model_plan_is_one_short_line() -> None:
    result = invoke("model", "plan", "acme/chat-7b", *DESCRIBED, "--runtime", "vllm", "-o", "json")
    assert result.exit_code == 0, result
    warnings = json.loads(result.stdout)["warnings"]
    assert any(w.startswith("vLLM's length keys: max_position_embeddings") for w in warnings), warnings
    assert all(len(w) <= kaito_names.WARNING_WIDTH for w in warnings), [len(w) for w in warnings]
