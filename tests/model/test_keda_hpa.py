"""What a user of `model deploy --autoscale` sees the autoscaler do: KEDA makes an HPA for akscli's
ScaledObject and kube-controller-manager's HPA controller scales the model from it
(tests/emulators/kube/controllers/keda.py and hpa.py; upstream: kedacore/keda v2.20.2
controllers/keda/hpa.go, kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.baremetal.nodes import nc_a100_node
from tests.cli import invoke

from ._queue import scraped_queue, vllm_pods
from .test_scraping_and_routing import _eventually

KEDA = "keda.sh/v1alpha1"
HPA = "autoscaling/v2"
Start = Callable[..., Any]


def _deploy(model_emulator: Start) -> Any:
    emu = model_emulator(monitoring=True)
    for i in range(4):  # a pod is Ready only on a node: one A100 node per replica at the most
        emu.cluster.create(nc_a100_node(f"aks-gpua100-{i}"))
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--autoscale", "1:4", "-y")
    assert result.exit_code == 0, result
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    return emu


def _replicas(emu: Any) -> int:
    return int(emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["spec"]["replicas"])


def test_keda_makes_an_hpa_with_the_queue_per_replica_as_its_target_and_a_gentle_scale_down(
    model_emulator: Start,
) -> None:
    emu = _deploy(model_emulator)
    _eventually(lambda: emu.cluster.get(HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4") is not None)
    hpa = emu.cluster.get(HPA, "HorizontalPodAutoscaler", "default", "keda-hpa-phi-4")
    assert hpa["metadata"]["ownerReferences"][0]["kind"] == "ScaledObject"
    spec = hpa["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"], spec["scaleTargetRef"]["name"]) == (1, 4, "phi-4")
    assert spec["metrics"] == [
        {
            "type": "External",
            "external": {
                "metric": {
                    "name": "s0-prometheus",
                    "selector": {"matchLabels": {"scaledobject.keda.sh/name": "phi-4"}},
                },
                "target": {"type": "AverageValue", "averageValue": "5"},
            },
        }
    ]
    # One replica per 300 s after the 300 s window; scale-up keeps the defaults (docs/model.md).
    assert spec["behavior"] == {
        "scaleDown": {
            "stabilizationWindowSeconds": 300,
            "policies": [{"type": "Pods", "value": 1, "periodSeconds": 300}],
        }
    }


def test_the_model_scales_down_one_replica_per_five_minutes_once_the_queue_stayed_low(model_emulator: Start) -> None:
    emu = _deploy(model_emulator)
    scraped_queue(emu, 12)
    _eventually(lambda: _replicas(emu) == 3)
    _eventually(lambda: len(vllm_pods(emu)) == 3)
    scraped_queue(emu, 0)
    assert emu.idle() and _replicas(emu) == 3  # the HPA keeps the highest recommendation of 300 s
    emu.hpa.clock.advance(300)
    emu.hpa.sync_period_passes()
    _eventually(lambda: _replicas(emu) == 2)
    emu.hpa.sync_period_passes()
    assert _replicas(emu) == 2  # one replica per 300 s, not straight to MIN
    emu.hpa.clock.advance(300)
    emu.hpa.sync_period_passes()
    _eventually(lambda: _replicas(emu) == 1)


def _set_replicas(emu: Any) -> int:
    return int(emu.cluster.get("kaito.sh/v1beta1", "InferenceSet", "default", "phi-4")["spec"]["replicas"])


def test_an_inferenceset_whose_queue_reads_zero_loses_one_replica_per_five_minutes(model_emulator: Start) -> None:
    # keda-kaito-scaler v0.6.2's formula reads an idle queue (also while the set becomes ready) as
    # 0.5; the HPA behavior it writes keeps the count for its 300 s window, then removes one replica
    # per 300 s, so a real cluster does not drop the set to its minimum at once.
    emu = model_emulator(serving=True)
    deploy = ("model", "deploy", "phi-4", "--replicas", "3", "--autoscale", "1:4", "--wait", "--timeout", "20s", "-y")
    result = invoke(*deploy)
    assert result.exit_code == 0, result
    _eventually(lambda: emu.cluster.get(KEDA, "ScaledObject", "default", "phi-4") is not None)
    emu.kaito_scaler.poll(emu.cluster)
    emu.keda.poll(emu.cluster, "default", "phi-4")
    emu.hpa.sync_period_passes()
    assert _set_replicas(emu) == 3
    emu.hpa.clock.advance(300)
    emu.hpa.sync_period_passes()
    _eventually(lambda: _set_replicas(emu) == 2)
    emu.hpa.sync_period_passes()
    assert _set_replicas(emu) == 2  # one replica per 300 s
