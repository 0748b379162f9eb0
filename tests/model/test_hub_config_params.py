"""``--hub-config`` fills --params-b from the Hub's model info: ``safetensors.total``, asked as
huggingface_hub's ``HfApi.model_info(expand=["safetensors"])`` asks (upstream:
huggingface/huggingface_hub ee0a4510 src/huggingface_hub/hf_api.py model_info, SafeTensorsInfo;
utils/_safetensors.py parameter_count), only where the Hub completes the description and
--params-b is not given."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_fill import INFO, QWEN, TREE

GIB = 1 << 30
DESCRIBED = ("--weights-gib", "15", "--layers", "28", "--attention-heads", "28", "--head-dim", "128")


def _put(hub: HubServer, parameters: dict[str, int] | None = None) -> None:
    hub.repos[REPO] = hf_hub.repo(QWEN, parameters=parameters, **{"model.safetensors": 15 * GIB})  # type: ignore[index]


def _planned(*args: str) -> tuple[dict[str, Any], str]:
    result = invoke("model", "plan", REPO, "--hub-config", "--runtime", "vllm", *args, "-o", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)["model"], result.stderr


def test_the_hubs_safetensors_total_becomes_params_b(hub: HubServer) -> None:
    _put(hub, {"BF16": 7_615_616_512})
    model, stderr = _planned()
    assert model["parameters_b"] == 7.616
    assert "--params-b 7.616 (the Hub's safetensors total)" in stderr
    assert INFO in [path for path, _ in hub.requests]


def test_the_model_info_is_asked_with_the_same_token(hub: HubServer, monkeypatch: Any) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_user")
    _put(hub, {"BF16": 7_615_616_512})
    _planned()
    assert [auth for path, auth in hub.requests if path == INFO] == ["Bearer hf_user"]


def test_a_small_integer_buffer_does_not_stop_the_count(hub: HubServer) -> None:
    _put(hub, {"I64": 512, "F32": 11_683_584})  # a BERT's position_ids beside its weights
    model, _ = _planned()
    assert model["parameters_b"] == 0.012


def test_a_packed_quantized_checkpoint_leaves_params_b_unset(hub: HubServer) -> None:
    # GPTQ packs eight 4-bit weights in one I32: the element count is not the parameter count
    _put(hub, {"I32": 900_000_000, "F16": 1_200_000_000})
    model, stderr = _planned()
    assert model["parameters_b"] is None
    assert "--params-b" not in stderr


def test_params_b_given_wins_and_the_model_info_is_not_asked(hub: HubServer) -> None:
    _put(hub, {"BF16": 7_615_616_512})
    model, _ = _planned("--params-b", "7")
    assert model["parameters_b"] == 7.0
    assert INFO not in [path for path, _ in hub.requests]


def test_a_description_complete_on_the_command_line_asks_only_config_json_and_the_file_list(hub: HubServer) -> None:
    _put(hub, {"BF16": 7_615_616_512})
    model, _ = _planned(*DESCRIBED, "--max-context", "32768")
    assert [path for path, _ in hub.requests] == [f"/{REPO}/resolve/main/config.json", TREE]  # not the model info
    assert model["parameters_b"] is None


def test_a_repo_without_safetensors_files_leaves_params_b_unset(hub: HubServer) -> None:
    hub.repos[REPO] = hf_hub.repo(QWEN, **{"pytorch_model.bin": 15 * GIB})  # type: ignore[index]
    model, _ = _planned()
    assert model["parameters_b"] is None
    assert model["weights_gib"] == 15.0
