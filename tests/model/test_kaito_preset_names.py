"""The preset name a KAITO Workspace gets is one KAITO v0.12.0 takes, and akscli names the model
as KAITO's vLLM serves it (upstream: kaito-project/kaito v0.12.0 0894eb2b pkg/utils/plugin/
plugin.go IsValidPreset and LegacyBuiltinToCatalog; presets/workspace/generator/generator.go
NewGenerator; pkg/model/interface.go buildVLLMInferenceCommand)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from akscli.model import catalog, kaito_names
from tests.cli import invoke
from tests.emulators.kube import hf_hub, kaito_presets
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.profiles import hf_token_secret
from tests.emulators.kube.status import ApiError
from tests.emulators.serving import serve_models

from .test_deploy_upstream_fields import _model_deployment

Start = Callable[..., Any]


@pytest.mark.parametrize(
    ("model", "preset"),
    [("falcon-7b-instruct", "tiiuae/falcon-7b-instruct"), ("phi-2", "microsoft/phi-2"), ("phi-4", "phi-4")],
)
def test_a_catalog_preset_kaito_no_longer_takes_is_deployed_by_its_hugging_face_id(
    model_emulator: Start, model: str, preset: str
) -> None:
    # KAITO v0.12.0 refuses falcon-7b-instruct ("Unsupported inference preset name") and phi-2
    # ("deprecated"): neither is a legacy name any more; an org/model id is taken. KAITO's catalog
    # lacks both, so its webhook reads them from the Hub (architecture and token limit as akscli's
    # catalog has them from their config.json).
    emu = model_emulator()
    row = catalog.get(model)
    emu.api.huggingface_hub[row.id.lower()] = hf_hub.repo(
        {"architectures": [row.architecture], "max_position_embeddings": row.context}
    )
    result = invoke("model", "deploy", model, "--max-model-len", "2048", "-y")
    assert result.exit_code == 0, result
    ws = emu.cluster.get(KAITO, "Workspace", "default", model)
    assert ws["inference"]["preset"]["name"] == preset


def test_every_catalog_preset_akscli_writes_is_one_kaito_takes() -> None:
    for model in catalog.all_models():
        if model.preset:
            assert kaito_presets.is_valid_preset(kaito_names.preset_name(model)), model.id


def test_akscli_names_the_served_model_as_kaito_does_for_every_catalog_model() -> None:
    for model in catalog.all_models():
        preset = kaito_names.preset_name(model)
        assert kaito_names.served_name(preset) == kaito_presets.served_model_name(preset), model.id


def test_airunway_on_kaito_routes_by_the_name_kaitos_vllm_serves() -> None:
    # AI Runway's gateway routes by spec.model.servedName (gateway_reconciler.go resolveModelName);
    # KAITO serves gemma-3-4b-instruct as gemma-3-4b-it (LegacyBuiltinToCatalog google/gemma-3-4b-it).
    md = _model_deployment(model="gemma-3-4b-instruct", access_secret="hf-token")
    assert md["spec"]["model"]["id"] == "gemma-3-4b-instruct"
    assert md["spec"]["model"]["servedName"] == "gemma-3-4b-it"


def test_a_model_without_a_preset_is_served_under_its_ids_last_part_lower_cased() -> None:
    assert kaito_names.served_name("meta-llama/Llama-3.1-70B-Instruct") == "llama-3.1-70b-instruct"


def test_the_lab_answers_under_kaitos_served_name(model_emulator: Start) -> None:
    emu = model_emulator()
    serve_models(emu)
    hf_token_secret(emu)
    deployed = invoke(
        "model", "deploy", "gemma-3-4b-instruct", "--access-secret", "hf-token", "--wait", "--timeout", "20s", "-y"
    )
    assert deployed.exit_code == 0, deployed
    result = invoke("model", "endpoint", "gemma-3-4b-instruct", "-o", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["models"] == ["gemma-3-4b-it"]


# ---- the emulated webhook ------------------------------------------------------------------


def _workspace(preset: str) -> dict[str, Any]:
    return {
        "apiVersion": KAITO,
        "kind": "Workspace",
        "metadata": {"name": "w", "namespace": "default"},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4", "labelSelector": {"matchLabels": {"apps": "w"}}},
        "inference": {"preset": {"name": preset}},
    }


def test_the_emulated_webhook_refuses_a_preset_name_kaito_dropped(model_emulator: Start) -> None:
    emu = model_emulator()
    with pytest.raises(ApiError) as denied:
        emu.cluster.create(_workspace("falcon-7b-instruct"))
    assert "Unsupported inference preset name falcon-7b-instruct: inference.presetName" in str(denied.value)


def test_the_emulated_webhook_says_a_deprecated_preset_is_deprecated(model_emulator: Start) -> None:
    emu = model_emulator()
    with pytest.raises(ApiError) as denied:
        emu.cluster.create(_workspace("phi-2"))
    assert "Model phi-2 is deprecated and no longer supported: resource.presetName" in str(denied.value)
