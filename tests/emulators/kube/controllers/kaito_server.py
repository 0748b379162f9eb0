"""How the KAITO simulator's inference server starts, or exits: the log it leaves and the status the
kubelet shows for a container that keeps exiting (kaito.py runs it).

- KAITO's vLLM presets download the weights as the server starts (upstream: kaito-project/kaito
  v0.12.0 0894eb2b pkg/model/interface.go buildVLLMInferenceCommand: ``--model REPO`` and
  ``--download-dir`` for DownloadAtRuntime; pkg/workspace/inference/preset_inferences.go
  SetModelDownloadInfo adds no init container for them). The only token the server sends is the
  HF_TOKEN that SetHFToken takes from the Secret presetOptions.modelAccessSecret names, key
  ``HF_TOKEN``, ``Optional: true``: no Secret named, or a Secret or key that is missing, starts the
  container with no token at all.
- The Hub answers the download of a gated repo's file 401 without a token and 403 with the token of
  an account not granted access, ``X-Error-Code: GatedRepo`` (hf_hub.answer), and huggingface_hub
  raises GatedRepoError: ``"<status> Client Error."``, a blank line, ``"Cannot access gated repo for
  url <url>."``, then the server's message (upstream: huggingface/huggingface_hub 01dd37b8
  src/huggingface_hub/utils/_http.py hf_raise_for_status, _format). The 403 message is the one
  huggingface_hub's GatedRepoError documents (src/huggingface_hub/errors.py GatedRepoError: "Access
  to model <id> is restricted and you are not in the authorized list. Visit
  https://huggingface.co/<id> to ask for access."); the Hub's 401 message is not published, so none
  is written. The first file the server reads is config.json.
- Only a repo the emulated Hub holds (``ApiServer.huggingface_hub``, lower-cased id) is checked: the
  Hub's other repos are not modelled at the download, so they download.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tests.emulators.kube import hf_hub, kaito_presets
from tests.emulators.kube.controllers.kaito_common import DOWNLOAD_LOG

# failure="inference": the inference server exits on start (a model too large for the GPU).
CRASH_EXIT_CODE = 1
CRASH_LOG = "ERROR torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n"


def repo_id(ws: dict[str, Any]) -> str:
    """The Hugging Face repo a Workspace's vLLM downloads: its preset's id, a catalog (legacy) name
    redirected to its id, lower-cased (presets/workspace/models/vllm_model.go GetModelByName)."""
    name = str((((ws.get("inference") or {}).get("preset")) or {}).get("name") or "").lower()
    return kaito_presets.LEGACY_BUILTIN_TO_CATALOG.get(name, name)


def pod_token(cluster: Any, ws: dict[str, Any]) -> str:
    """The HF_TOKEN the inference container starts with: SetHFToken's optional secretKeyRef, "" for
    no Secret named, no such Secret or no such key."""
    options = (((ws.get("inference") or {}).get("preset")) or {}).get("presetOptions") or {}
    name = options.get("modelAccessSecret")
    if not name:
        return ""
    secret = cluster.get("v1", "Secret", ws["metadata"]["namespace"], name) or {}
    raw = (secret.get("data") or {}).get("HF_TOKEN")
    if raw is None:
        return str((secret.get("stringData") or {}).get("HF_TOKEN") or "")
    try:
        return base64.b64decode(raw).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ""


def gated_log(cluster: Any, ws: dict[str, Any]) -> str | None:
    """The server's last log lines where the Hub refuses its download of a gated repo (GatedRepoError);
    None where it is not refused so."""
    repos = cluster.api.huggingface_hub
    rid = repo_id(ws)
    if not rid or rid not in repos:
        return None
    status, _, code = hf_hub.answer(repos, rid, "config.json", pod_token(cluster, ws))
    if code != "GatedRepo":
        return None
    url = f"{hf_hub.HUGGING_FACE}/{rid}/resolve/main/config.json"
    said = (
        f"\nAccess to model {rid} is restricted and you are not in the authorized list. Visit "
        f"{hf_hub.HUGGING_FACE}/{rid} to ask for access."
        if status == 403
        else ""
    )
    error = f"huggingface_hub.errors.GatedRepoError: {status} Client Error."
    return f"{error}\n\nCannot access gated repo for url {url}.{said}\n"


def crash_log(cluster: Any, ws: dict[str, Any], failure: str | None) -> str | None:
    """What the server leaves in its log as it exits on start: the simulator's failure mode's
    ("inference": CUDA out of memory; "download": the Hub not reached), else the Hub's refusal of a
    gated repo; None where it starts."""
    if failure == "inference":
        return CRASH_LOG
    if failure == "download":
        return DOWNLOAD_LOG
    return gated_log(cluster, ws)


def crash_status(container: str, pod: str) -> dict[str, Any]:
    """A serving pod's status as the kubelet shows a container that keeps exiting: Waiting
    CrashLoopBackOff with doBackOff's message, last state Terminated
    (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go)."""
    return {
        "phase": "Running",
        "conditions": [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}],
        "containerStatuses": [
            {
                "name": container,
                "ready": False,
                "restartCount": 3,
                "state": {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": f"back-off 40s restarting failed container={container} pod={pod}",
                    }
                },
                "lastState": {"terminated": {"exitCode": CRASH_EXIT_CODE, "reason": "Error"}},
            }
        ],
    }
