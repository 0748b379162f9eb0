"""`model deploy --runtime airunway --wait` with AI Runway's CRDs but no controller running waited
its whole timeout on `phase=Pending`: only AI Runway's controller moves a ModelDeployment on
(ai-runway/airunway v0.7.0 controller/internal/controller/modeldeployment_controller.go). It is
checked before anything is applied, as KAITO's controller is for --runtime kaito."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]


def test_waiting_without_ai_runways_controller_is_refused_at_once(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.delete("v1", "Pod", "default", "airunway-controller-manager-0")
    started = time.monotonic()
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 7, result
    assert time.monotonic() - started < 10
    assert "AI Runway's controller is not running (no operator pod" in result.stderr
    assert "deploy without --wait" in result.stderr
    assert emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "default", "phi-4") is None


def test_without_wait_the_model_deployment_is_applied_anyway(model_emulator: Start) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    emu.cluster.delete("v1", "Pod", "default", "airunway-controller-manager-0")
    result = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get("airunway.ai/v1alpha1", "ModelDeployment", "default", "phi-4") is not None
