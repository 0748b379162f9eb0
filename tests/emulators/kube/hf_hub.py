"""The Hugging Face Hub as KAITO's webhook reads it for a preset outside KAITO's catalog, and the
preset it builds from what it reads (GetModelByName for an ``org/name`` id).

upstream: kaito-project/kaito v0.12.0 (0894eb2b567d48cd2d66afe579acb1542b226af4)
- presets/workspace/models/vllm_model.go GetModelByName: the id lower-cased, a legacy name
  redirected (LegacyBuiltinToCatalog), a registered (catalog) model taken as is, else
  generateHuggingFaceModel; the token is HF_TOKEN of the Secret presetOptions.modelAccessSecret
  names in the Workspace's namespace (GetHFTokenFromSecret; a failure is only logged);
- generateHuggingFaceModel: generator.GeneratePreset, then the architecture check: no
  architectures is taken, else one of them must be in vllm_model_arch_list.txt (embedded by
  vllm_model_arch_list.go; kaito_vllm_archs.txt here is that file unchanged), else
  ``unsupported model architecture for <id>: <a>, <b>``;
- presets/workspace/generator/generator.go Generate, FetchModelMetadata: listRepoFiles GETs
  ``https://huggingface.co/api/models/<id>/tree/main?recursive=true`` (``error listing files:
  <err>``); selectWeightFiles: ``consolidated.*\\.safetensors`` makes a Mistral-format repo and
  only those files count, else ``.*\\.safetensors`` before ``.*\\.bin`` (regexp MatchString: the
  pattern anywhere in the path), none is ``no .safetensors or .bin files found``;
  fetchAndParseConfig reads ``<id>/resolve/main/config.json``, and params.json where that fails
  for a Mistral-format repo (``error fetching config: <err>``); fetchURL: 401 or 403 without a
  token is ``authentication required for accessing <url>``, any other status but 200 ``failed
  to fetch <url>: status <n>``; mergeTextConfig, ParseModelMetadata (token limit:
  admission_kaito_config.hub_token_limit; with no architectures, a name starting
  ``mistral-large-3`` gets MistralLarge3ForCausalLM and one starting ``ministral-3``
  Mistral3ForConditionalGeneration).
- fetchURL's token is getAuthHeader's (upstream: kaito-project/kaito pkg/utils/generator/generator.go):
  the Workspace's (modelAccessSecret), else the HF_TOKEN
  environment variable of the controller that serves the webhook (``os.Getenv("HF_TOKEN")``);
  only with neither is a 401 or 403 "authentication required".
- The Hub answers 401 for a repo that does not exist when the request has no token, 404 with one
  (huggingface/huggingface_hub src/huggingface_hub/utils/_http.py hf_raise_for_status: "401 is
  misleading as it is returned for: private and gated repos if user is not authenticated;
  missing repos"), and 404 for a file a repo lacks.
- A gated repo (https://huggingface.co/docs/hub/models-gated: access requests, granted to
  individual users): anyone may list its files ("Gated model: You can list files but not access
  them" on the repo's tree page; huggingface/huggingface.js issue #945: listing a gated repo's
  files with no or a wrong token no longer fails, the download does), a file is 401 without a
  token and 403 with the token of an account not granted access, both with ``X-Error-Code:
  GatedRepo`` (huggingface_hub src/huggingface_hub/errors.py GatedRepoError: "403 Client Error
  ... Access to model <id> is restricted and you are not in the authorized list. Visit
  https://huggingface.co/<id> to ask for access."). KAITO reads the status only.

- A token the Hub does not know (revoked, expired, mistyped) is a 401 on every URL, public repos
  too, with ``X-Error-Message: Invalid credentials in Authorization header`` and no
  ``X-Error-Code`` (upstream: huggingface/huggingface_hub ee0a4510 src/huggingface_hub/utils/_http.py
  hf_raise_for_status: such a 401 is the one not read as RepoNotFound; the body is
  ``{"error":"Invalid credentials in Authorization header"}``, as huggingface_hub issue #3368
  shows for curl). KAITO reads the status only: ``failed to fetch <url>: status 401``.

- The model info (upstream: huggingface/huggingface_hub ee0a4510 src/huggingface_hub/hf_api.py
  model_info: GET ``/api/models/<id>``, ``expand`` listing the properties returned; ModelInfo,
  SafeTensorsInfo): ``safetensors`` is ``{"parameters": {dtype: count}, "total": count}``, the
  elements of the repo's .safetensors tensors by dtype (utils/_safetensors.py parameter_count; the
  shape as in the Hub's answers recorded in huggingface_hub's tests/cassettes, e.g.
  ``"safetensors":{"parameters":{"I64":512,"F32":11683584},"total":11684096}``), and absent for a repo
  without .safetensors files. Like the file list, a gated repo's info is given without a token.
  Here the counts are the repo's ``PARAMETERS`` where a test gives them, else the .safetensors
  files' bytes read as BF16 (two bytes an element).

A repo here is ``{path: content}``: a JSON file's decoded content, a weight file's size in bytes;
a gated one also holds ``GATED``, the tokens granted access. The Hub's tokens are every token,
unless the mapping holds ``TOKENS`` (``known_tokens``): then only those. Not emulated: JSON the Hub holds that Go's
encoding/json cannot read (sanitizeJSON), and the catalog overrides (catalogOverrides) for ids
akscli's tests do not use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

HUGGING_FACE = "https://huggingface.co"
# The key of a gated repo's tokens granted access (not a file: the file list leaves it out).
GATED = "\0gated"
Repos = Mapping[str, Mapping[str, Any]]
# The key of a repo's safetensors parameter counts by dtype (not a file: the file list leaves it out).
PARAMETERS = "\0parameters"
# The key, beside the repo ids, of the tokens the Hub knows (token -> account); absent: every token.
TOKENS = "\0tokens"
# What answer() gives as the error code of a token the Hub does not know: no X-Error-Code is sent.
INVALID_CREDENTIALS = "\0invalid-credentials"
INVALID_CREDENTIALS_MESSAGE = "Invalid credentials in Authorization header"

_MISTRAL = re.compile(r"consolidated.*\.safetensors")
_SAFETENSORS = re.compile(r".*\.safetensors")
_BIN = re.compile(r".*\.bin")


class HubError(Exception):
    """GetModelByName's error, as KAITO's webhook wraps it: ``failed to get model preset: <it>``."""


def repo(
    config: Mapping[str, Any] | None = None,
    *,
    gated: Iterable[str] | None = None,
    parameters: Mapping[str, int] | None = None,
    **files: Any,
) -> dict[str, Any]:
    """A repo as tests put it in ``ApiServer.huggingface_hub``: config.json, one weight file
    (model.safetensors) unless weights are given, and any other files (``params_json=`` for
    params.json, ``consolidated_safetensors=`` for consolidated.safetensors). ``gated``: the repo
    is gated, and these tokens' accounts have been granted access."""
    named = {k.replace("_json", ".json").replace("_safetensors", ".safetensors"): v for k, v in files.items()}
    out: dict[str, Any] = {} if config is None else {"config.json": dict(config)}
    if not any(_SAFETENSORS.search(p) or _BIN.search(p) for p in named):
        out["model.safetensors"] = 1 << 30
    out.update(named)
    if gated is not None:
        out[GATED] = frozenset(gated)
    if parameters is not None:
        out[PARAMETERS] = dict(parameters)
    return out


def known_tokens(repos: dict[str, Any], **accounts: str) -> None:
    """The Hub knows only these tokens (account name = token); any other is refused with a 401."""
    repos[TOKENS] = {token: account for account, token in accounts.items()}


@cache
def vllm_architectures() -> frozenset[str]:
    text = (Path(__file__).parent / "kaito_vllm_archs.txt").read_text(encoding="utf-8")
    # the first line names the file it was copied from; the rest is that file, one architecture a line
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def answer(repos: Repos, repo_id: str, path: str | None, token: str) -> tuple[int, Any, str]:
    """What the Hub answers a GET of the file list (path None) or of a file, sent with ``token``
    ("" for none): (status, content, the ``X-Error-Code`` of a refusal; INVALID_CREDENTIALS for a token
    the Hub does not know)."""
    known = repos.get(TOKENS)
    if token and known is not None and token not in known:
        return 401, None, INVALID_CREDENTIALS
    held = repos.get(repo_id)
    if held is None:
        return (404 if token else 401), None, "RepoNotFound"
    if path is None:
        listed = ((p, v) for p, v in held.items() if p not in (GATED, PARAMETERS))
        return 200, [{"path": p, "size": v if isinstance(v, int) else 0, "type": "file"} for p, v in listed], ""
    if GATED in held and token not in held[GATED]:
        return (403 if token else 401), None, "GatedRepo"
    if path not in held:
        return 404, None, "EntryNotFound"
    return 200, held[path], ""


def model_info(repos: Repos, repo_id: str, token: str) -> tuple[int, Any, str]:
    """What the Hub answers ``GET /api/models/<id>?expand=safetensors``: (status, the info, the
    ``X-Error-Code`` of a refusal), refused as the file list is."""
    status, listed, code = answer(repos, repo_id, None, token)
    if status != 200:
        return status, listed, code
    held = repos[repo_id]
    counts = held.get(PARAMETERS)
    if counts is None:
        size = sum(f["size"] for f in listed if _SAFETENSORS.search(f["path"]))
        counts = {"BF16": size // 2} if size else None
    info: dict[str, Any] = {"_id": f"id-{repo_id}", "id": repo_id}
    if counts:
        info["safetensors"] = {"parameters": dict(counts), "total": sum(counts.values())}
    return 200, info, ""


def _fetch(repos: Repos, repo_id: str, path: str | None, token: str) -> Any:
    """generator.go fetchURL of the file list (path None) or of a file."""
    url = (
        f"{HUGGING_FACE}/api/models/{repo_id}/tree/main?recursive=true"
        if path is None
        else f"{HUGGING_FACE}/{repo_id}/resolve/main/{path}"
    )
    status, content, _ = answer(repos, repo_id, path, token)
    if status == 200:
        return content
    if status in (401, 403) and not token:
        raise HubError(f"authentication required for accessing {url}")
    raise HubError(f"failed to fetch {url}: status {status}")


def preset(repos: Repos, repo_id: str, token: str = "") -> dict[str, Any]:
    """The config generateHuggingFaceModel builds the preset from (text_config merged), with
    ``architectures`` as ParseModelMetadata sets them; HubError as KAITO fails. ``token``: the one
    getAuthHeader sends (the Workspace's, else the controller's HF_TOKEN; "" for none)."""
    try:
        files = _fetch(repos, repo_id, None, token)
    except HubError as exc:
        raise HubError(f"error listing files: {exc}") from None
    paths = [f["path"] for f in files]
    mistral = [p for p in paths if _MISTRAL.search(p)]
    weights = mistral or [p for p in paths if _SAFETENSORS.search(p)] or [p for p in paths if _BIN.search(p)]
    if not weights:
        raise HubError("no .safetensors or .bin files found")
    try:
        try:
            config = _fetch(repos, repo_id, "config.json", token)
        except HubError:
            if not mistral:
                raise
            config = _fetch(repos, repo_id, "params.json", token)
    except HubError as exc:
        raise HubError(f"error fetching config: {exc}") from None
    merged = dict(config) if isinstance(config, Mapping) else {}
    nested = merged.get("text_config")
    if not isinstance(nested, Mapping):
        nested = merged.get("llm_config")
    if isinstance(nested, Mapping):
        merged.update({k: v for k, v in nested.items() if k not in merged})
    listed = merged.get("architectures")
    archs = [a for a in listed if isinstance(a, str)] if isinstance(listed, list) else []
    name = repo_id.rsplit("/", 1)[-1]
    if not archs and name.startswith("mistral-large-3"):
        archs = ["MistralLarge3ForCausalLM"]
    elif not archs and name.startswith("ministral-3"):
        archs = ["Mistral3ForConditionalGeneration"]
    if archs and not any(a in vllm_architectures() for a in archs):
        raise HubError(f"unsupported model architecture for {repo_id}: {', '.join(archs)}")
    merged["architectures"] = archs
    return merged
