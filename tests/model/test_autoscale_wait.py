"""`model deploy --wait` of an autoscaled model, and `apply -f --wait` of a ScaledObject, wait for
KEDA to take it: its Ready condition True, as kubectl wait --for=condition=Ready would.

KEDA sets Ready True once it built the scalers and made the HPA, False ScaledObjectCheckFailed with
the error when it cannot (kedacore/keda controllers/keda/scaledobject_controller.go Reconcile), and
requeues: no failure is final, so only --timeout (exit 5) ends the wait, with KEDA's message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli import invoke

from ._queue import scraped_queue, vllm_pods
from .test_autoscale_workspace import DEPLOY, _eventually
from .test_keda_identity_workspace import NO_CREDENTIAL, _lab, _ready

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


def test_deploy_wait_holds_until_the_scaledobject_reads_its_trigger(model_emulator: Start) -> None:
    # Before the collector's first scrape the workspace answers an empty result, which akscli's
    # trigger (ignoreNullValues false) makes an error: Ready False TriggerError, and KEDA's Event
    # names the cause (kedacore/keda pkg/scaling/executor/scale_scaledobjects.go RequestScale).
    emu = _lab(model_emulator, federated=True)
    result = invoke(*DEPLOY, "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert "target may be lost, the result is empty" in result.stderr
    _eventually(lambda: len(vllm_pods(emu)) == 1)
    scraped_queue(emu, 0)
    result = invoke(*DEPLOY, "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    assert result.stderr.rstrip().endswith("\nready")
    assert _ready(emu)["status"] == "True"


def test_deploy_wait_shows_why_keda_cannot_take_the_model_until_the_timeout(model_emulator: Start) -> None:
    _lab(model_emulator, federated=False)
    result = invoke(*DEPLOY, "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert not result.stderr.rstrip().endswith("\nready")
    assert "scaledobject" in result.stderr.lower()
    assert f"failed to ensure HPA is correctly created for ScaledObject: {NO_CREDENTIAL}" in result.stderr


def test_apply_wait_of_a_scaledobject_shows_its_bad_trigger_metadata(model_emulator: Start, tmp_path: Path) -> None:
    model_emulator(serving=True)
    manifest = tmp_path / "scaledobject.yaml"
    manifest.write_text(BAD_TRIGGER)
    result = invoke("apply", "-f", str(manifest), "--wait", "--timeout", "2s")
    assert result.exit_code == 5, result
    assert 'error parsing prometheus metadata: missing required parameter "threshold" in [triggerMetadata]' in (
        result.stderr
    )
