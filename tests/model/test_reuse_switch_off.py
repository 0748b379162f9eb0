"""`model deploy --reuse-values --expose=false`: a switch the latest revision recorded is turned off
by giving it false, as a value given now wins over the recorded one (helm upgrade --reuse-values
with --set); akscli's `--expose=false` is kubectl's bool grammar, which Click never sees."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli import invoke

ROUTES = "gateway.networking.k8s.io/v1"


def _latest_options(emu: Any) -> dict[str, Any]:
    records = emu.cluster.list("v1", "ConfigMap", "default", label_selector="akscli.io/model-revision-of=phi-4")
    latest = max(records, key=lambda r: int(r["metadata"]["labels"]["akscli.io/revision"]))
    return dict(json.loads(latest["data"]["params.json"])["options"])


def test_a_recorded_switch_given_false_with_reuse_values_is_off(model_emulator: Callable[..., Any]) -> None:
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--max-model-len", "16384", "--expose", "-y").exit_code == 0
    assert emu.cluster.get(ROUTES, "HTTPRoute", "default", "phi-4") is not None
    result = invoke("model", "deploy", "phi-4", "--reuse-values", "--expose=false", "-y")
    assert result.exit_code == 0, result
    emu.idle()
    assert emu.cluster.get(ROUTES, "HTTPRoute", "default", "phi-4") is None
    assert _latest_options(emu) == {"--max-model-len": 16384}


def test_a_switch_given_false_then_true_is_on(model_emulator: Callable[..., Any]) -> None:
    """The last one wins, as in pflag: `--expose=false --expose` exposes the model."""
    emu = model_emulator()
    assert invoke("model", "deploy", "phi-4", "--expose", "-y").exit_code == 0
    result = invoke("model", "deploy", "phi-4", "--reuse-values", "--expose=false", "--expose", "-y")
    assert result.exit_code == 0, result
    assert _latest_options(emu) == {"--expose": True}
