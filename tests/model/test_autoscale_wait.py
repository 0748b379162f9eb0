"""`apply -f --wait` of a ScaledObject waits for KEDA to take it: its Ready condition True, as
kubectl wait --for=condition=Ready would. (`model deploy --wait` does not follow the ScaledObject:
audit36-lead.md.)

KEDA sets Ready True once it built the scalers and made the HPA, False ScaledObjectCheckFailed with
the error when it cannot (kedacore/keda controllers/keda/scaledobject_controller.go Reconcile), and
requeues: no failure is final, so only --timeout (exit 5) ends the wait, with KEDA's message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke

Start = Callable[..., Any]

BAD_TRIGGER = """\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: queue, namespace: default}
spec:
  scaleTargetRef: {name: phi-4}
  triggers:
  - type: prometheus
    metadata:
      serverAddress: http://prometheus.monitoring:9090
      query: sum(vllm:num_requests_waiting)
"""


def test_apply_wait_of_a_scaledobject_shows_its_bad_trigger_metadata(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator(serving=True)
    manifest = tmp_path / "scaledobject.yaml"
    manifest.write_text(BAD_TRIGGER)
    result = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "2s")
    assert result.exit_code == 5, result
    assert 'error parsing prometheus metadata: missing required parameter "threshold" in [triggerMetadata]' in (
        result.stderr
    )
