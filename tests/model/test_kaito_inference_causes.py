"""Why a KAITO model does not serve, named with what to do: a gated model's weights download that the Hub
refuses (huggingface/huggingface_hub src/huggingface_hub/utils/_http.py hf_raise_for_status,
GatedRepoError; kaito-project/kaito v0.12.0 pkg/workspace/inference/preset_inferences.go SetHFToken) in
`model status`; a crash loop's cause from its previous log at the end of a `--wait` that ran out of time;
the other causes of KAITO's NodePluginsNotReady (pkg/workspace/resource/node.go CheckIfNodePluginsReady:
a NodeClaim's node not Ready, or not of the Workspace's instance type); and an InferenceSet's
Workspaces read once by `model status`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.emulators.kube import hf_hub
from tests.emulators.kube.controllers.kaito import KAITO
from tests.emulators.kube.profiles import hf_token_secret

Start = Callable[..., Any]
LLAMA = "meta-llama/llama-3.1-8b-instruct"  # llama-3.1-8b-instruct's id in KAITO's catalog
A100 = "Standard_NC24ads_A100_v4"
HELD = "NodePluginsNotReady"


def _until(check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not check():
        time.sleep(0.05)
    return check()


def _workspace(emu: Any, name: str) -> dict[str, Any]:
    return emu.cluster.get(KAITO, "Workspace", "default", name) or {}


def _reason(ws: dict[str, Any], kind: str) -> str:
    return next((str(c.get("reason")) for c in ws.get("status", {}).get("conditions", []) if c["type"] == kind), "")


def _gated(emu: Any) -> None:
    """llama-3.1-8b-instruct gated on the emulated Hub, granted to an account whose token no test holds."""
    emu.api.huggingface_hub[LLAMA] = hf_hub.repo({"architectures": ["LlamaForCausalLM"]}, gated=["hf_granted"])


def test_status_of_a_gated_model_whose_workspace_names_no_token_secret_says_deploy_with_access_secret(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _gated(emu)
    # A Workspace made without akscli (akscli asks a gated catalog model for --access-secret).
    resource = {"instanceType": A100, "labelSelector": {"matchLabels": {"apps": "llama"}}}
    meta = {"name": "llama", "namespace": "default"}
    preset = {"preset": {"name": "llama-3.1-8b-instruct"}}
    emu.cluster.create(
        {"apiVersion": KAITO, "kind": "Workspace", "metadata": meta, "resource": resource, "inference": preset}
    )
    assert _until(lambda: _reason(_workspace(emu, "llama"), "InferenceReady") == "ContainerCrashLoopBackOff")
    result = invoke("model", "status", "llama")
    assert result.exit_code == 0, result
    assert (
        "Hugging Face refused the weights download of gated llama-3.1-8b-instruct: the server sent no token, as "
        "the Workspace names no token Secret (presetOptions.modelAccessSecret) (GatedRepoError) (its previous log "
        "says so): deploy it again with --access-secret hf-token, a Secret whose HF_TOKEN is the token of an "
        "account granted access at https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct"
    ) in result.stderr
    assert "kubectl create secret generic hf-token -n default --from-file=HF_TOKEN=/dev/stdin" in result.stderr


def test_status_of_a_gated_model_whose_token_has_no_access_says_ask_for_access_and_hides_the_token(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    _gated(emu)
    hf_token_secret(emu)  # HF_TOKEN hf_fake: not granted
    deployed = invoke("model", "deploy", "llama-3.1-8b-instruct", "--access-secret", "hf-token", "-y")
    assert deployed.exit_code == 0, deployed
    name = "llama-3-1-8b-instruct"
    assert _until(lambda: _reason(_workspace(emu, name), "InferenceReady") == "ContainerCrashLoopBackOff"), (
        emu.cluster.list(KAITO, "Workspace", "default")
    )
    result = invoke("model", "status", name)
    assert result.exit_code == 0, result
    assert (
        "the token in Secret default/hf-token (HF_TOKEN) belongs to an account not granted access to it "
        "(GatedRepoError, 403)"
    ) in result.stderr
    assert "with that token's account, ask for access at https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct" in (
        result.stderr
    )
    assert "hf_fake" not in result.stdout + result.stderr


def test_a_deploy_wait_that_times_out_on_a_crash_loop_gives_the_cause_in_its_previous_log(
    model_emulator: Start,
) -> None:
    emu = model_emulator(failure="inference")  # the simulator's server: CUDA out of memory
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert _until(lambda: _reason(_workspace(emu, "phi-4"), "InferenceReady") == "ContainerCrashLoopBackOff")
    result = invoke("model", "deploy", "phi-4", "--wait", "--timeout", "2s", "-y")
    assert result.exit_code == 5, result
    assert (
        "workspace.kaito.sh/phi-4's server exits: the model does not fit the GPU's memory (CUDA out of memory) "
        "(its previous log says so)"
    ) in result.stderr
    assert "hint: deploy it again on a larger --vm-size or with a shorter --max-model-len; nothing was rolled back" in (
        result.stderr
    )


def test_status_of_an_inference_set_not_ready_lists_its_workspaces_once(model_emulator: Start) -> None:
    emu = model_emulator(failure="plugins")
    assert invoke("model", "deploy", "phi-4", "--replicas", "2", "-y").exit_code == 0
    members = lambda: emu.cluster.list(KAITO, "Workspace", "default")  # noqa: E731
    assert _until(lambda: len(members()) == 2 and all(_reason(w, "ResourceReady") == HELD for w in members()))
    emu.request_log.clear()
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    # The simulator works on the store directly: every request here is akscli's.
    reads = emu.requests(method="GET", path="/workspaces")
    assert len([r for r in reads if r.verb == "list"]) == 1, reads


def _ready_model(emu: Any) -> tuple[dict[str, Any], str]:
    """phi-4 Ready, and the node its NodeClaim brought up."""
    assert invoke("model", "deploy", "phi-4", "-y").exit_code == 0
    assert _until(lambda: (_workspace(emu, "phi-4").get("status") or {}).get("state") == "Ready")
    ws = _workspace(emu, "phi-4")
    [worker] = ws["status"]["workerNodes"]
    return ws, str(worker)


def _byo_node(emu: Any, ws: dict[str, Any]) -> None:
    """A Ready node of the Workspace's labels and size that no NodeClaim made: it makes up targetNodeCount
    (EnsureNodesReady's step 2), so KAITO goes on to CheckIfNodePluginsReady."""
    match = ws["resource"]["labelSelector"]["matchLabels"]
    own = {"kaito.sh/workspace": "phi-4", "kaito.sh/workspacenamespace": "default"}
    labels = {**match, **own, "node.kubernetes.io/instance-type": A100}
    capacity = {"cpu": "24", "memory": "220Gi", "pods": "110", "nvidia.com/gpu": "1"}
    ready = [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]
    status = {"capacity": capacity, "allocatable": dict(capacity), "conditions": ready}
    emu.cluster.create(
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "byo-0", "labels": labels}, "status": status}
    )


def _held(emu: Any) -> None:
    # KAITO watches no Node: its next reconcile of the Workspace sees the change.
    emu.cluster.patch(KAITO, "Workspace", "default", "phi-4", {"metadata": {"annotations": {"touch": "1"}}})
    assert _until(lambda: _reason(_workspace(emu, "phi-4"), "ResourceReady") == HELD)


def test_status_names_a_nodeclaims_node_not_ready_that_holds_kaito_on_node_plugins_not_ready(
    model_emulator: Start,
) -> None:
    emu = model_emulator()
    ws, worker = _ready_model(emu)
    _byo_node(emu, ws)
    current = (emu.cluster.get("v1", "Node", None, worker) or {})["status"]["conditions"]
    notready = {"type": "Ready", "status": "False", "reason": "KubeletNotReady"}
    emu.cluster.patch_status(
        "v1", "Node", None, worker, {"conditions": [c for c in current if c["type"] != "Ready"] + [notready]}
    )
    _held(emu)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert (
        f"workspace.kaito.sh/phi-4 waits for its nodes (KAITO's {HELD}, whose check needs every NodeClaim's node "
        f"Ready): node {worker} is not Ready; kubectl describe node {worker} says why"
    ) in result.stderr


def test_status_names_a_nodeclaims_node_of_another_instance_type(model_emulator: Start) -> None:
    emu = model_emulator()
    ws, worker = _ready_model(emu)
    _byo_node(emu, ws)
    h100 = "Standard_NC40ads_H100_v5"
    emu.cluster.patch("v1", "Node", None, worker, {"metadata": {"labels": {"node.kubernetes.io/instance-type": h100}}})
    _held(emu)
    result = invoke("model", "status", "phi-4")
    assert result.exit_code == 0, result
    assert (
        f"node {worker} is labelled node.kubernetes.io/instance-type={h100}, not {A100}; AKS labels a node with "
        "its VM size"
    ) in result.stderr
