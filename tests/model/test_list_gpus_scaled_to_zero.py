"""`model list` of a model scaled to zero (`model deploy --replicas 0`, which KAITO's InferenceSet
takes: kaito-project/kaito v0.12.0 config/crd/bases/kaito.sh_inferencesets.yaml spec.replicas
minimum 0) showed the GPUs of one replica in its GPUS column, though it held none."""

from __future__ import annotations

from typing import Any

from akscli.model import kinds, live


def _set(replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": kinds.KAITO_API,
        "kind": "InferenceSet",
        "metadata": {"name": "phi-4", "namespace": "default", "annotations": {kinds.GPUS_ANNOTATION: "2"}},
        "spec": {"replicas": replicas},
        "status": {"readyReplicas": 0},
    }


def test_a_model_scaled_to_zero_shows_no_gpus() -> None:
    assert live.summary(_set(0))["gpus"] == 0


def test_a_model_of_three_replicas_shows_the_gpus_of_three() -> None:
    assert live.summary(_set(3))["gpus"] == 6
