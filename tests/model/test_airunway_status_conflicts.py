"""An AI Runway provider's handleDeletion writes phase Terminating with Status().Update of the
ModelDeployment as its reconcile read it and only logs the error (ai-runway/airunway
providers/vllm/controller.go handleDeletion, "Failed to update status to Terminating"): a writer
that came between keeps what it wrote, and the deletion of what the provider made goes on."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube.controllers.airunway_providers import handle_deletion

from ._shared import crd_dir

MD = "airunway.ai/v1alpha1"


def model_deployment(emu: Any) -> dict[str, Any]:
    emu.cluster.create(
        {
            "apiVersion": MD,
            "kind": "ModelDeployment",
            "metadata": {"name": "phi-4", "namespace": "default", "finalizers": ["airunway.ai/vllm-provider"]},
            "spec": {"model": {"id": "microsoft/phi-4"}, "provider": {"name": "vllm"}},
        }
    )
    emu.cluster.patch_status(MD, "ModelDeployment", "default", "phi-4", {"phase": "Running"})
    made = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")
    owner = {"apiVersion": MD, "kind": "ModelDeployment", "name": "phi-4", "uid": made["metadata"]["uid"]}
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            # held by a finalizer of its own, as on a cluster whose GC is slow: the provider waits
            "metadata": {
                "name": "phi-4",
                "namespace": "default",
                "ownerReferences": [owner],
                "finalizers": ["test/hold"],
            },
            "spec": {
                "selector": {"matchLabels": {"app": "phi-4"}},
                "template": {
                    "metadata": {"labels": {"app": "phi-4"}},
                    "spec": {"containers": [{"name": "vllm", "image": "vllm/vllm-openai"}]},
                },
            },
        }
    )
    emu.cluster.delete(MD, "ModelDeployment", "default", "phi-4")
    return emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")


def test_a_terminating_write_overtaken_keeps_the_other_writers_status_and_the_deletion_goes_on(
    kube_emulator_factory: Any,
) -> None:
    emu = kube_emulator_factory(crd_dirs=[crd_dir() / "airunway"], tls=False)
    read = model_deployment(emu)
    emu.cluster.patch_status(MD, "ModelDeployment", "default", "phi-4", {"message": "by another writer"})
    assert handle_deletion(emu.cluster, read, "vllm") is True
    status = emu.cluster.get(MD, "ModelDeployment", "default", "phi-4")["status"]
    assert (status["phase"], status["message"]) == ("Running", "by another writer")
    assert emu.cluster.get("apps/v1", "Deployment", "default", "phi-4")["metadata"].get("deletionTimestamp")
