"""KAITO's pods for a Workspace with ``inference.template`` and for a tuning Workspace, as the
PodSecurity preflight predicts them (akscli.kube.podsecurity_operators; upstream:
kaito-project/kaito 056b8280b pkg/workspace/controllers/workspace_controller.go applyInference,
pkg/workspace/manifests/manifests.go GenerateManifestWithPodTemplate,
pkg/workspace/tuning/preset_tuning.go CreatePresetTuning and its modifiers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from akscli.kube import podsecurity
from akscli.kube.podsecurity_checks import evaluate
from tests.foundation.test_podsecurity_operator_pods import containers

SUPPORTED_MODELS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "kaito" / "supported_models.yaml"
HARDENED = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def template_workspace(spec: dict[str, Any], preset: str | None = "phi-4") -> dict[str, Any]:
    inference: dict[str, Any] = {"template": {"spec": spec}}
    if preset:
        inference["preset"] = {"name": preset}
    return {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": {"name": "ws"}, "inference": inference}


def tuning_workspace(**tuning: Any) -> dict[str, Any]:
    body = {"preset": {"name": "phi-4"}, "method": "lora", **tuning}
    return {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": {"name": "tune"}, "tuning": body}


def test_a_template_workspace_is_checked_as_the_users_pod_template() -> None:
    spec = {"containers": [{"name": "server", "securityContext": HARDENED}]}
    ((where, predicted),) = podsecurity.pod_specs(template_workspace(spec))
    assert where == "KAITO's inference pods (inference.template)"
    assert containers(predicted) == ["server"]  # not the preset's container named after the Workspace
    assert evaluate("restricted", None, predicted) is None


def test_a_template_with_a_host_network_is_refused_by_baseline() -> None:
    spec = {"hostNetwork": True, "containers": [{"name": "server"}]}
    ((_, predicted),) = podsecurity.pod_specs(template_workspace(spec, preset=None))
    assert evaluate("baseline", None, predicted) == "host namespaces (hostNetwork=true)"


def test_an_inference_set_whose_template_has_a_pod_template_is_checked_as_that_template() -> None:
    spec = {"containers": [{"name": "server", "securityContext": {"privileged": True}}]}
    inference_set = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "InferenceSet",
        "metadata": {"name": "set"},
        "spec": {"template": {"inference": {"template": {"spec": spec}}}},
    }
    ((_, predicted),) = podsecurity.pod_specs(inference_set)
    assert (
        evaluate("baseline", None, predicted)
        == 'privileged (container "server" must not set securityContext.privileged=true)'
    )


def test_a_tuning_workspace_makes_a_job_pod_with_the_weights_downloader_and_the_trainer() -> None:
    ((where, predicted),) = podsecurity.pod_specs(tuning_workspace(input={"urls": ["https://example.com/d.parquet"]}))
    assert where == "KAITO's tuning job"
    assert containers(predicted) == ["model-weights-downloader", "data-downloader", "tune"]
    assert [v["name"] for v in predicted["volumes"]] == [
        "dshm",
        "model-weights-volume",
        "config-volume",
        "results-volume",
        "data-volume",
    ]
    assert evaluate("baseline", None, predicted) is None


def test_a_tuning_image_input_and_output_add_the_puller_pusher_and_pause_containers() -> None:
    body = tuning_workspace(
        input={"name": "data", "image": "example.azurecr.io/data:1"},
        output={"image": "example.azurecr.io/adapter:1", "imagePushSecret": "push"},
    )
    ((_, predicted),) = podsecurity.pod_specs(body)
    assert containers(predicted) == ["model-weights-downloader", "puller", "tune", "pusher", "pause"]
    detail = evaluate("restricted", None, predicted) or ""
    assert 'containers "model-weights-downloader", "puller", "tune", "pusher", "pause" must set' in detail


def test_a_tuning_host_path_input_or_output_volume_is_refused_by_baseline() -> None:
    host = {"hostPath": {"path": "/mnt/data"}}
    ((_, read_from),) = podsecurity.pod_specs(tuning_workspace(input={"volumeSource": host}))
    ((_, written_to),) = podsecurity.pod_specs(tuning_workspace(input={"urls": ["u"]}, output={"volumeSource": host}))
    assert evaluate("baseline", None, read_from) == 'hostPath volumes (volume "data-volume")'
    assert evaluate("baseline", None, written_to) == 'hostPath volumes (volume "results-volume")'


def test_every_tuning_preset_supported_models_yaml_lists_is_pulled_by_the_weights_downloader() -> None:
    # GetTuningParameters' metadata is MustGet's (supported_models.yaml); without downloadAtRuntime
    # GenerateModelPullerContainer adds the downloader (transformer_runtime_tuning_parameters.go).
    tuning = {
        "phi-4",
        "phi-4-mini-instruct",
        "phi-3-mini-4k-instruct",
        "phi-3.5-mini-instruct",
        "qwen2.5-coder-7b-instruct",
    }
    listed = yaml.safe_load(SUPPORTED_MODELS.read_text(encoding="utf-8"))["models"]
    assert not [m["name"] for m in listed if m["name"] in tuning and m.get("downloadAtRuntime")]
