"""``model plan --image`` judges a Hub config for the vLLM release the image names, as ``model deploy
--image`` does (one check, akscli.model.flag_checks.plan_image, and the same hub_describe.resolve), so a
plan and a deploy never disagree; which transformers each image runs (akscli.model.vllm_versions); and the
remote-code Phi4MMConfig's RoPE check (microsoft/Phi-4-multimodal-instruct configuration_phi4mm.py, read
in a copy: hf_defaults.REMOTE_LONGROPE_ONLY)."""

from __future__ import annotations

import pytest

from akscli.errors import UsageError
from akscli.model import config_limits, hf_defaults, vllm_versions
from tests.cli import invoke
from tests.emulators.kube.hf_hub_server import HubServer
from tests.model.test_hub_config import REPO
from tests.model.test_hub_config import hub as hub
from tests.model.test_hub_config_multimodal_defaults import PHI35
from tests.model.test_hub_config_vllm_image import YARN, _put

V0251 = "vllm/vllm-openai:v0.25.1"


def _plan(*args: str) -> object:
    return invoke("model", "plan", REPO, "--hub-config", "--params-b", "4", "-o", "json", *args)


def test_plan_and_deploy_judge_a_phi3_yarn_rope_alike_for_the_image_given(hub: HubServer) -> None:
    _put(hub, {**PHI35, "rope_scaling": YARN})
    deploy = invoke("model", "deploy", REPO, "--hub-config", "--runtime", "vllm", "--params-b", "4", "--image",
                    V0251, "--dry-run", "client", "-o", "name")  # fmt: skip
    plan = _plan("--runtime", "vllm", "--image", V0251)
    assert deploy.exit_code == 0 and plan.exit_code == 0, (deploy, plan)  # type: ignore[attr-defined]
    pinned = _plan("--runtime", "vllm", "--image", "vllm/vllm-openai:v0.11.0")
    assert pinned.exit_code == 2 and "transformers 4's Phi3Config" in pinned.stderr  # type: ignore[attr-defined]


def test_plan_and_deploy_refuse_an_image_they_cannot_run_before_any_request(hub: HubServer) -> None:
    _put(hub, {**PHI35, "rope_scaling": YARN})
    kaito, bad = _plan("--image", V0251), _plan("--runtime", "vllm", "--image", "Bad Image")
    assert kaito.exit_code == bad.exit_code == 2, (kaito, bad)  # type: ignore[attr-defined]
    assert kaito.stderr.splitlines()[0] == (  # type: ignore[attr-defined]
        "error: --image does not apply to --runtime kaito: only --runtime vllm runs the vLLM image it names"
    )
    assert bad.stderr.splitlines()[0] == (  # type: ignore[attr-defined]
        "error: invalid --image 'Bad Image': it is not a container image reference"
    )
    deploy = invoke("model", "deploy", REPO, "--hub-config", "--params-b", "4", "--image", V0251, "--dry-run",
                    "client")  # fmt: skip
    assert deploy.exit_code == 2 and deploy.stderr.startswith(  # type: ignore[attr-defined]
        "error: --image does not apply to --runtime kaito: only --runtime vllm and AI Runway's"
    )
    assert hub.requests == []


def test_vllm_0_19_1_s_image_runs_transformers_5_and_later_either_major_releases_are_not_judged() -> None:
    assert vllm_versions.transformers_major("v0.19.1") == 5
    assert vllm_versions.transformers_major("v0.19.0") == 4 and vllm_versions.transformers_major("v0.20.0") is None


def test_phi4mm_s_remote_config_takes_only_a_longrope_of_three_keys_with_numeric_short_factors() -> None:
    phi4mm = {**PHI35, "model_type": "phi4mm"}
    assert hf_defaults.v4_refused_rope({**phi4mm, "rope_scaling": YARN}) == ("Phi4MMConfig", "yarn")
    # the copy read checks no length and no long_factor: a short list passes
    short = {"type": "su", "short_factor": [1.0], "long_factor": "x"}
    assert hf_defaults.v4_refused_rope({**phi4mm, "rope_scaling": short}) is None
    with pytest.raises(UsageError, match="refused by its own remote-code Phi4MMConfig") as refused:
        config_limits.check_loads(REPO, {**phi4mm, "rope_scaling": YARN}, 4, "v0.11.0")
    assert "type: longrope" in (refused.value.hint or "")
    config_limits.check_loads(REPO, {**phi4mm, "rope_scaling": YARN}, 5, "v0.25.1")  # transformers 5: not judged
