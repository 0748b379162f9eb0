"""AI Runway's defaulting webhook fills fields akscli leaves out of a ModelDeployment, and the
fields it and the CRD's schema default belong to no field manager: a second deploy changes
nothing, and a value another manager gave a defaulted field is not fought over (upstream:
ai-runway/airunway v0.7.0 f5fd48d1 controller/internal/webhook/v1alpha1/modeldeployment_webhook.go
ModelDeploymentCustomDefaulter; kubernetes/apimachinery eed236ce pkg/util/managedfields/internal/
structuredmerge.go Apply)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli import invoke
from tests.emulators.kube import admission_airunway
from tests.emulators.kube.controllers.airunway import AIRUNWAY
from tests.model.conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]


def _deploy(*args: str, provider: str = "vllm") -> Any:
    return invoke(
        "model", "deploy", "phi-4", "--runtime", "airunway", "--provider", provider, "--max-model-len", "4096", *args
    )


def _model_deployment(emu: Any) -> dict[str, Any]:
    md = emu.cluster.get(AIRUNWAY, "ModelDeployment", "default", "phi-4")
    assert md is not None
    return md


def _owned_by(md: dict[str, Any], manager: str) -> dict[str, Any]:
    entry = next(m for m in md["metadata"]["managedFields"] if m["manager"] == manager and m["operation"] == "Apply")
    return dict(entry["fieldsV1"]["f:spec"])


# ---- the defaulter, as upstream's Default() -------------------------------------------------


def test_the_defaulter_sets_source_mode_replicas_and_one_gpu() -> None:
    obj: dict[str, Any] = {"spec": {"model": {"id": "org/m"}, "engine": {"type": "vllm"}}}
    admission_airunway.default(obj)
    assert obj["spec"] == {
        "model": {"id": "org/m", "source": "huggingface"},
        "engine": {"type": "vllm"},
        "serving": {"mode": "aggregated"},
        "scaling": {"replicas": 1},
        "resources": {"gpu": {"count": 1, "type": "nvidia.com/gpu"}},
    }


def test_the_defaulter_gives_no_gpu_to_llamacpp_a_custom_image_or_no_engine() -> None:
    for spec in (
        {"model": {"id": "org/m"}, "engine": {"type": "llamacpp"}},
        {"model": {"id": "org/m"}, "engine": {"type": "vllm"}, "image": "registry/own:1"},
        {"model": {"id": "org/m"}},
    ):
        obj: dict[str, Any] = {"spec": spec}
        admission_airunway.default(obj)
        assert "resources" not in obj["spec"], spec


def test_the_defaulter_keeps_what_the_object_sets() -> None:
    spec = {
        "model": {"id": "org/m", "source": "huggingface"},
        "engine": {"type": "vllm"},
        "serving": {"mode": "disaggregated"},
        "resources": {"gpu": {"count": 2, "type": "amd.com/gpu"}},
    }
    obj: dict[str, Any] = {"spec": {k: dict(v) for k, v in spec.items()}}
    admission_airunway.default(obj)
    assert obj["spec"] == spec  # disaggregated: no scaling default either


# ---- what a deploy stores and owns ----------------------------------------------------------


def test_a_deployed_model_deployment_carries_airunways_defaults(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("-y").exit_code == 0
    assert _model_deployment(emu)["spec"]["serving"] == {"mode": "aggregated"}


def test_the_fields_defaulted_on_the_server_belong_to_no_field_manager(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("-y").exit_code == 0
    md = _model_deployment(emu)
    assert md["spec"]["engine"]["enablePrefixCaching"] is True  # the CRD's default
    owned = _owned_by(md, "akscli")
    assert "f:serving" not in owned  # the webhook's default
    assert "f:enablePrefixCaching" not in owned["f:engine"] and "f:type" in owned["f:engine"]


@pytest.mark.parametrize("provider", ["vllm", "kaito"])
def test_a_second_deploy_of_the_same_model_changes_nothing(model_emulator: Start, provider: str) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("-y", provider=provider).exit_code == 0
    result = _deploy("-y", provider=provider)
    assert result.exit_code == 0, result
    assert "modeldeployment.airunway.ai/phi-4 (default): unchanged" in result.stdout + result.stderr
    assert "no change since revision 1" in result.stderr
    assert _model_deployment(emu)["metadata"]["generation"] == 1  # its status moves on; its spec did not


def test_a_server_dry_run_of_the_same_model_shows_no_change(model_emulator: Start) -> None:
    model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("-y").exit_code == 0
    result = _deploy("--dry-run=server")
    assert result.exit_code == 0, result
    assert "modeldeployment.airunway.ai/phi-4 (default): unchanged" in result.stdout
    assert "serving" not in result.stdout


def test_a_defaulted_field_another_manager_set_is_left_to_it(model_emulator: Start) -> None:
    # A platform team turns eager mode on with its own apply. akscli never wrote the field (the
    # CRD's default filled it), so its next deploy neither conflicts nor turns it back.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("-y").exit_code == 0
    emu.cluster.apply(
        {
            "apiVersion": AIRUNWAY,
            "kind": "ModelDeployment",
            "metadata": {"name": "phi-4", "namespace": "default"},
            "spec": {"model": {"id": "microsoft/phi-4"}, "engine": {"enforceEager": True}},
        },
        manager="platform",
        force=False,
    )
    result = _deploy("-y")
    assert result.exit_code == 0, result
    assert "conflict" not in result.stderr.lower()
    assert _model_deployment(emu)["spec"]["engine"]["enforceEager"] is True


def test_an_update_that_leaves_out_model_source_keeps_huggingface(model_emulator: Start) -> None:
    # The CRD's schema default and the defaulter both fill model.source before the validating
    # webhook compares it with the stored one, so leaving it out changes no immutable field.
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    assert _deploy("-y").exit_code == 0
    md = _model_deployment(emu)
    del md["spec"]["model"]["source"]
    emu.cluster.update(md)
    assert _model_deployment(emu)["spec"]["model"]["source"] == "huggingface"
