"""AI Runway's vllm provider gives up on its Deployment after FinalizerTimeout.

ai-runway/airunway v0.7.0 (unchanged at b0d3fb77) providers/vllm/controller.go handleDeletion:
while the Deployment it owns still exists (Terminating behind a finalizer of its own included),
the provider's finalizer on the ModelDeployment goes once ``time.Since(md.DeletionTimestamp) >
FinalizerTimeout`` (5 minutes), without the cleanup. ``akscli model delete`` deletes in the
foreground, so the ModelDeployment then still waits for that Deployment (its ownerReference has
blockOwnerDeletion: providers/vllm/transformer.go buildDeployment; kubernetes/kubernetes
pkg/controller/garbagecollector/garbagecollector.go processDeletingDependentsItem): the wait's
outcome is the same before and after the timeout, and its error names only what still holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.emulators.kube.controllers.airunway import ModelDeploymentController

from .conftest import AIRUNWAY_CRDS

Start = Callable[..., Any]
MD = "airunway.ai/v1alpha1"


def _finalizers(emu: Any) -> list[str]:
    md = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    return list((md or {}).get("metadata", {}).get("finalizers") or [])


def test_after_the_finalizer_timeout_a_delete_still_waits_for_the_held_deployment_naming_only_what_holds_it(
    model_emulator: Start,
) -> None:
    emu = model_emulator(crds=AIRUNWAY_CRDS)
    deployed = invoke("model", "deploy", "phi-4", "--runtime", "airunway", "--provider", "vllm", "-y")
    assert deployed.exit_code == 0, deployed
    assert wait_until(lambda: emu.cluster.get("apps/v1", "Deployment", "default", "phi-4") is not None, timeout=10)
    emu.cluster.patch("apps/v1", "Deployment", "default", "phi-4", {"metadata": {"finalizers": ["example.com/hold"]}})
    first = invoke("model", "delete", "phi-4", "-y", "--timeout", "2s")
    assert first.exit_code == 5, first
    assert "held by finalizers airunway.ai/vllm-provider, foregroundDeletion" in first.stderr
    [controller] = [c for c in emu.controllers.controllers if isinstance(c, ModelDeploymentController)]
    controller.advance(301)
    assert wait_until(lambda: _finalizers(emu) == ["foregroundDeletion"], timeout=10)
    again = invoke("model", "delete", "phi-4", "-y", "--timeout", "2s")
    assert again.exit_code == 5, again
    assert "(held by finalizer foregroundDeletion); still waiting for its dependents: deployment.apps/phi-4" in (
        again.stderr
    )
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["metadata"]["deletionTimestamp"]
