"""A catalog model's config.json facts (models.yaml ``model_type``, ``auto_config``) judged under
``--runtime vllm`` as a Hub config is (akscli.model.remote_code), per transformers major: nemotron_h's
config class is only in transformers 5, so the default image (vLLM v0.11.0, transformers 4) cannot load
NVIDIA-Nemotron-3-Nano-30B-A3B's config.json without the repo's own code."""

from __future__ import annotations

import pytest

from akscli import datafiles
from akscli.errors import UsageError
from akscli.model import catalog, remote_code, vllm_archs, vllm_versions
from tests.cli import invoke

NANO = "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"


def test_a_type_only_transformers_5_maps_is_refused_on_a_transformers_4_image_with_the_image_that_loads_it() -> None:
    config = catalog.config_of(NANO)
    assert config == {
        "model_type": "nemotron_h",
        "architectures": ["NemotronHForCausalLM"],
        "auto_map": {"AutoConfig": "configuration_nemotron_h.NemotronHConfig"},
    }
    with pytest.raises(
        UsageError, match=r"neither the image's transformers 4 nor vLLM v0\.11\.0's own configs"
    ) as refused:
        remote_code.check(NANO, config, "v0.11.0", trusted=False)
    assert "use --image vllm/vllm-openai:v0.24.0," in (refused.value.hint or "")
    assert remote_code.check(NANO, config, "v0.24.0", trusted=False) is None
    unsure = remote_code.check(NANO, config, "v0.20.0", trusted=False)  # wheel allows either major
    assert unsure is not None and "does not know which major" in unsure
    # vLLM v0.11.0 loads deepseek_v32 (transformers 5 only) with its own config class
    assert remote_code.check("x/y", {**config, "model_type": "deepseek_v32"}, "v0.11.0", trusted=False) is None
    assert catalog.config_of("deepseek-ai/DeepSeek-V4-Pro") is None  # model_type read, auto_map not: not judged


def test_the_recorded_facts_are_in_step_with_their_sources_and_the_data() -> None:
    rows = [r for r in datafiles.load("models")["models"] if "model_type" in r or "auto_config" in r]
    assert rows
    for row in rows:
        assert row.get("config_source") and "model_type" in row, row["id"]
    assert not remote_code._type_sections()["4"] & remote_code._type_sections()["5"]
    assert remote_code._type_sections()["5.5.3"] <= remote_code.transformers_types()
    named = {name for name, _ in vllm_archs.sections(remote_code.VLLM_CONFIGS)}
    assert named <= vllm_versions.RELEASES


def test_deploy_and_plan_refuse_the_catalog_model_under_the_default_image() -> None:
    for command in ("deploy", "plan"):
        refused = invoke(
            "model", command, NANO, "--runtime", "vllm", *(["--dry-run", "client"] * (command == "deploy"))
        )
        assert refused.exit_code == 2, refused
        lines = refused.stderr.splitlines()
        assert lines[0] == (
            f"error: {NANO}'s config.json needs the repo's own code (model_type nemotron_h, auto_map AutoConfig), "
            "which neither the image's transformers 4 nor vLLM v0.11.0's own configs know: without "
            "--trust-remote-code vLLM exits at start"
        )
        assert lines[1] == f"hint: {remote_code.hint(image='v0.24.0')}" and refused.stdout == ""
