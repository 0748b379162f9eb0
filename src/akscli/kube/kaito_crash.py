"""Why a KAITO Workspace's inference server keeps exiting (KAITO's ContainerCrashLoopBackOff), read from
the previous log of the crashing container, and what to do: for `model status` (model/kaito_faults.py)
and a wait that runs out of time (wait_report.py). One page of the Workspace's pods and 50 lines of
one log, read only in that state; only akscli's own words are printed, never the log's text.

What a crashed server's last lines say, in the words of the library that wrote them:
- pytorch/pytorch c10/cuda/CUDACachingAllocator.cpp: "CUDA out of memory. Tried to allocate".
- huggingface/huggingface_hub 01dd37b8 src/huggingface_hub/utils/_http.py hf_raise_for_status:
  GatedRepoError "<status> Client Error." then "Cannot access gated repo for url <url>." (401 where
  the request carried no token, 403 where the token's account is not granted access:
  src/huggingface_hub/errors.py GatedRepoError; https://huggingface.co/docs/hub/models-gated),
  RepositoryNotFoundError "Repository Not Found for url"; src/huggingface_hub/file_download.py
  _raise_on_head_call_error: LocalEntryNotFoundError, no answer from the Hub.
- KAITO's vLLM presets download their weights from Hugging Face as the server starts, with the
  HF_TOKEN that SetHFToken takes from the Secret presetOptions.modelAccessSecret names, key HF_TOKEN,
  ``Optional: true``: a Secret or key that is missing starts the container with no token (kaito-project/
  kaito v0.12.0 0894eb2b pkg/model/interface.go buildVLLMInferenceCommand, pkg/workspace/inference/
  preset_inferences.go SetHFToken). The kubelet resolves a container's environment each time it
  starts one (kubernetes/kubernetes pkg/kubelet/kubelet_pods.go makeEnvironmentVariables), so a
  crash-looping server's next restart reads the Secret as it is then.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from akscli.errors import AkscliError
from akscli.kube.client import Kube
from akscli.secret_hints import secret_from_stdin

GATED = "Cannot access gated repo"
# (the log's words, the cause, what to do); GATED's fix is _gated's.
CAUSES = (
    (
        "CUDA out of memory",
        "the model does not fit the GPU's memory (CUDA out of memory)",
        "deploy it again on a larger --vm-size or with a shorter --max-model-len",
    ),
    (
        GATED,
        "Hugging Face refused the weights download: the model is gated (GatedRepoError)",
        "deploy it again with --access-secret naming a Secret whose HF_TOKEN has been granted access",
    ),
    (
        "Repository Not Found for url",
        "Hugging Face has no such repository, or it is private (RepositoryNotFoundError)",
        "check the model's id, or give a token with access (--access-secret)",
    ),
    (
        "An error happened while trying to locate the file on the Hub",
        "the server could not reach Hugging Face to download the weights (LocalEntryNotFoundError)",
        "let the nodes reach huggingface.co over HTTPS (the cluster's egress: firewall, proxy, network rules)",
    ),
)
LOG_LINES = 50  # the previous log's tail read


def _looping(pod: Mapping[str, Any], container: str) -> bool:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    waiting = [
        ((cs.get("state") or {}).get("waiting") or {}).get("reason") for cs in statuses if cs.get("name") == container
    ]
    return "CrashLoopBackOff" in waiting


def _gated(ws: Mapping[str, Any], text: str) -> tuple[str, str]:
    """The gated-repo cause by what the Hub answered (401: no token sent; 403: a token not granted
    access) and the token Secret the Workspace names, and its fix."""
    meta = ws.get("metadata") or {}
    namespace = str(meta.get("namespace") or "default")
    preset = ((ws.get("inference") or {}).get("preset")) or {}
    model = str(preset.get("name") or "the model")
    secret = str((preset.get("presetOptions") or {}).get("modelAccessSecret") or "")
    from akscli.model import catalog  # only here: a catalog preset's Hugging Face id, for its page

    found = catalog.find(model)
    repo = found.id if found is not None else model
    page = f"https://huggingface.co/{repo}" if "/" in repo else f"the model's page on huggingface.co ({model})"
    again = "the server's next restart reads it (the crash loop backs off up to 5 minutes)"
    if "403 Client Error" in text:
        who = f"the token in Secret {namespace}/{secret} (HF_TOKEN)" if secret else "the token it sent"
        return (
            f"Hugging Face refused the weights download of gated {model}: {who} belongs to an account not "
            "granted access to it (GatedRepoError, 403)",
            f"with that token's account, ask for access at {page}, or put the token of an account granted "
            f"access in Secret {secret or 'NAME'} (key HF_TOKEN); {again}",
        )
    if not secret:
        return (
            f"Hugging Face refused the weights download of gated {model}: the server sent no token, as the "
            "Workspace names no token Secret (presetOptions.modelAccessSecret) (GatedRepoError)",
            f"deploy it again with --access-secret hf-token, a Secret whose HF_TOKEN is the token of an account "
            f"granted access at {page}: {secret_from_stdin('hf-token', namespace, 'HF_TOKEN')}",
        )
    return (
        f"Hugging Face refused the weights download of gated {model}: the server sent no token, so Secret "
        f"{namespace}/{secret} or its key HF_TOKEN is missing (KAITO reads it as optional) (GatedRepoError)",
        f"make it with the token of an account granted access at {page}: "
        f"{secret_from_stdin(secret, namespace, 'HF_TOKEN')}; {again}",
    )


def cause(kube: Kube, ws: Mapping[str, Any], message: str) -> tuple[str, str] | None:
    """(cause, fix) from the previous log of the first (by name) of the Workspace's pods whose
    container KAITO names in ``message`` (InferenceReady's) waits in CrashLoopBackOff: one page of its
    pods, one log read of LOG_LINES lines; None where no line is known or nothing can be read."""
    meta = ws.get("metadata") or {}
    name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "default")
    container = message.split('"')[1] if message.count('"') >= 2 else name
    try:
        pods = kube.list("v1", "Pod", namespace=namespace, label_selector=f"kaito.sh/workspace={name}", page_size=50)
        crashing = sorted(str(p["metadata"]["name"]) for p in itertools.islice(pods, 50) if _looping(p, container))
        if not crashing:
            return None
        lines = list(kube.logs(namespace, crashing[0], container=container, tail_lines=LOG_LINES, previous=True))
    except AkscliError:
        return None
    text = "\n".join(lines)
    found = next(((needle, said, fix) for needle, said, fix in CAUSES if needle in text), None)
    if found is None:
        return None
    return _gated(ws, text) if found[0] == GATED else (found[1], found[2])
