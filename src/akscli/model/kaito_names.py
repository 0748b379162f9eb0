"""The names KAITO v0.12.0 takes and serves a model under. Plain logic: no Typer, no rich.

A Workspace's ``inference.preset.name`` is valid when it is one of KAITO's legacy preset names or
a Hugging Face id ``org/model`` (upstream: kaito-project/kaito v0.12.0 0894eb2b
pkg/utils/plugin/plugin.go IsValidPreset; the model register starts empty). KAITO resolves a
legacy name to its Hugging Face id (LegacyBuiltinToCatalog) and serves the model under the
lower-cased last part of that id: presets/workspace/models/vllm_model.go GetModelByName and
GetInferenceParameters (VLLM.ModelName is the metadata's Name), presets/workspace/generator/
generator.go NewGenerator (Name = lower-cased last path part), pkg/model/interface.go
buildVLLMInferenceCommand (``--served-model-name`` VLLM.ModelName, unless the Workspace is an
InferenceSet's member). So ``gemma-3-4b-instruct`` is served as ``gemma-3-4b-it``.

A Hugging Face id outside KAITO's own catalog gets a preset KAITO builds from the Hub when its
webhook admits the Workspace (``hub_note`` says what that needs and what akscli cannot check).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from akscli.errors import AkscliError, UsageError
from akscli.model import bounded
from akscli.model.kinds import HELM_RELEASE_NAME_MAX, KAITO_POOL_SUFFIX

if TYPE_CHECKING:
    from akscli.model.catalog import Model

# upstream: kaito-project/kaito v0.12.0 0894eb2b pkg/utils/plugin/plugin.go LegacyBuiltinToCatalog
LEGACY_PRESETS: dict[str, str] = {
    "phi-4": "microsoft/phi-4",
    "phi-4-mini-instruct": "microsoft/phi-4-mini-instruct",
    "llama-3.1-8b-instruct": "meta-llama/llama-3.1-8b-instruct",
    "llama-3.3-70b-instruct": "meta-llama/llama-3.3-70b-instruct",
    "deepseek-r1-distill-llama-8b": "deepseek-ai/deepseek-r1-distill-llama-8b",
    "deepseek-r1-distill-qwen-14b": "deepseek-ai/deepseek-r1-distill-qwen-14b",
    "deepseek-r1-0528": "deepseek-ai/deepseek-r1-0528",
    "deepseek-v3-0324": "deepseek-ai/deepseek-v3-0324",
    "phi-3-mini-4k-instruct": "microsoft/phi-3-mini-4k-instruct",
    "phi-3-mini-128k-instruct": "microsoft/phi-3-mini-128k-instruct",
    "phi-3-medium-4k-instruct": "microsoft/phi-3-medium-4k-instruct",
    "phi-3-medium-128k-instruct": "microsoft/phi-3-medium-128k-instruct",
    "phi-3.5-mini-instruct": "microsoft/phi-3.5-mini-instruct",
    "qwen2.5-coder-7b-instruct": "qwen/qwen2.5-coder-7b-instruct",
    "qwen2.5-coder-32b-instruct": "qwen/qwen2.5-coder-32b-instruct",
    "gpt-oss-20b": "openai/gpt-oss-20b",
    "gpt-oss-120b": "openai/gpt-oss-120b",
    "gemma-3-4b-instruct": "google/gemma-3-4b-it",
    "gemma-3-27b-instruct": "google/gemma-3-27b-it",
    "mistral-7b": "mistralai/mistral-7b-v0.3",
    "mistral-7b-instruct": "mistralai/mistral-7b-instruct-v0.3",
    "ministral-3-3b-instruct": "mistralai/ministral-3-3b-instruct-2512",
    "ministral-3-8b-instruct": "mistralai/ministral-3-8b-instruct-2512",
    "ministral-3-14b-instruct": "mistralai/ministral-3-14b-instruct-2512",
    "mistral-large-3-675b-instruct": "mistralai/mistral-large-3-675b-instruct-2512",
}


# akscli's catalog rows copied from the catalog KAITO embeds (upstream: kaito-project/kaito v0.12.0
# 0894eb2b presets/workspace/models/model_catalog.yaml, the same file as ../shared/data/kaito) carry
# this source; KAITO sizes those models from it without asking the Hub (presets/workspace/generator/
# generator.go Generate, loadFromCatalog: the id compared case-insensitively).
KAITO_CATALOG_SOURCE = "kaito model_catalog.yaml"
# What KAITO reads a generated preset's token limit from: the first of these config.json keys, else
# 2048 (generator.go ParseModelMetadata with DefaultModelTokenLimit; model_catalog.go configKeyMap
# "modelTokenLimit").
TOKEN_LIMIT_KEYS = (
    "max_position_embeddings",
    "n_ctx",
    "seq_length",
    "max_seq_len",
    "max_sequence_length",
    "model_max_length",
)
DEFAULT_TOKEN_LIMIT = 2048


def kaito_row(model: Model) -> Model | None:
    """akscli's copy of the row of the catalog KAITO embeds for this model's id (compared
    case-insensitively, a legacy preset name redirected, as GetModelByName does: kaito-project/kaito
    v0.12.0 0894eb2b presets/workspace/models/vllm_model.go), also for a model described on the
    command line; None where KAITO's catalog has no such id."""
    from akscli.model.catalog import all_models

    if model.source == KAITO_CATALOG_SOURCE:
        return model
    wanted = LEGACY_PRESETS.get(model.id.lower(), model.id.lower())
    return next((m for m in all_models() if m.source == KAITO_CATALOG_SOURCE and m.id.lower() == wanted), None)


def from_hub(model: Model) -> bool:
    """Whether KAITO builds this model's preset from the Hugging Face Hub: its id is not in the
    catalog KAITO embeds (a legacy preset name resolves to an id that is)."""
    return kaito_row(model) is None


def check_token_limit(model: Model, context: int) -> None:
    """KAITO's refusal of max-model-len ``context``, made before anything is sent, for a model
    described on the command line whose id is in the catalog KAITO embeds: KAITO takes that
    model's token limit from its catalog's modelTokenLimit (akscli's row holds the same number),
    not from the --max-context typed, and its webhook refuses a larger max-model-len
    (api/v1beta1/inference_config_validation.go validateInferenceConfig)."""
    row = kaito_row(model)
    if row is None or row is model or context <= row.context:
        return
    raise UsageError(
        f"max-model-len {context} is above KAITO's token limit for {row.id}, {row.context} (the modelTokenLimit of "
        f"the catalog KAITO embeds, not --max-context {model.context}): KAITO's webhook refuses it",
        hint=f"use --max-model-len {row.context} or less",
    )


# A warning line akscli prints is at most this long: one subject a line, so a long note reads as lines.
WARNING_WIDTH = bounded.WIDTH


def hub_note(model: Model, context: int) -> tuple[str, ...]:
    """What a KAITO Workspace of a model missing from KAITO's catalog depends on, and what akscli
    could not check, as warning lines of at most WARNING_WIDTH characters, one subject each (the
    Hub, its reach, the limit, how it is checked); none for a model in KAITO's catalog.

    KAITO's webhook builds the preset when it admits the Workspace (kaito-project/kaito v0.12.0
    0894eb2b presets/workspace/models/vllm_model.go GetModelByName, generateHuggingFaceModel):
    it lists the repo's files and reads its config.json from huggingface.co, 30 s per request, with
    the HF_TOKEN of presetOptions.modelAccessSecret (generator.go FetchModelMetadata, fetchURL); the
    workspace controller serves that webhook (charts/kaito/workspace/templates/deployment.yaml). It
    refuses the Workspace when that fails ("failed to get model preset: ...", api/v1beta1/
    workspace_validation.go InferenceSpec.validateCreate), for an architecture vLLM does not run,
    and for a max-model-len above the token limit read from config.json
    (inference_config_validation.go). For a catalog model that limit is the catalog's context, read
    from the same config.json; for a model described on the command line akscli has only the
    --max-context typed. That check reads the inference ConfigMap as stored, so no dry run makes
    it before the ConfigMap exists (akscli.kube.deferred_checks): KAITO makes it when the
    Workspace is created, and vLLM's own rule follows at start (catalog.vllm_limit_rule)."""
    from akscli.model.catalog import DESCRIBED_SOURCE, HUB_SOURCE, vllm_limit_rule

    if not from_hub(model):
        return ()
    # An id runs to 193 characters: shortened, each line stays within WARNING_WIDTH. The served name
    # (at most 96: catalog.validate_hf_id) is kept whole: a client sends it as the request's model.
    shown = bounded.value(model.id)
    notes = [
        f"KAITO's catalog has no {shown}: KAITO's webhook builds its preset from the Hugging Face Hub (the repo's "
        "file list and config.json) when it admits the Workspace",
        f"KAITO serves {shown} as {served_name(model.id)}",
        "KAITO's workspace controller, which serves that webhook, must reach huggingface.co, with --access-secret's "
        "token for a gated repo",
    ]
    if model.source == DESCRIBED_SOURCE:
        notes += [
            f"KAITO refuses max-model-len {context} above config.json's token limit: the first of "
            f"{', '.join(TOKEN_LIMIT_KEYS)}, else {DEFAULT_TOKEN_LIMIT}",
            f"akscli did not read config.json (--hub-config reads it): it checked max-model-len {context} against "
            f"--max-context {model.context} only",
            "no dry run can ask KAITO before the inference ConfigMap is stored, so KAITO checks it when the Workspace "
            "is created",
            *vllm_limit_rule(context),
        ]
    elif model.source == HUB_SOURCE:
        notes.append(
            f"akscli read that config.json (--hub-config) and checked max-model-len {context} against KAITO's "
            "token limit and vLLM's length there"
        )
    else:
        notes.append(
            f"the limit akscli checked max-model-len {context} against, {model.context}, is that config.json's"
        )
    return tuple(notes)


def preset_name(model: Model) -> str:
    """What a Workspace names as its preset: the catalog's preset where KAITO still takes that
    name, else the Hugging Face id (catalog presets KAITO dropped, such as falcon-7b-instruct and
    phi-2, are refused by name: "Unsupported inference preset name", or "deprecated")."""
    if model.preset and model.preset.lower() in LEGACY_PRESETS:
        return model.preset
    return model.id


def served_name(preset: str) -> str:
    """The model name KAITO's vLLM answers to for a Workspace of this preset (not a set member)."""
    resolved = LEGACY_PRESETS.get(preset.lower(), preset)
    return resolved.rsplit("/", 1)[-1].lower()


# KAITO's words when the Hub refused the webhook's request (kaito-project/kaito v0.12.0 0894eb2b
# presets/workspace/generator/generator.go: listRepoFiles "error listing files: ",
# fetchAndParseConfig "error fetching config: ", fetchURL "authentication required for accessing "
# for a 401 or 403 sent without a token, "failed to fetch <url>: status <n>" otherwise).
_PRESET_FAILED = "failed to get model preset: "
_LISTING, _CONFIG = "error listing files: ", "error fetching config: "
_NO_TOKEN = "authentication required for accessing "
# fetchURL's status, before knative's ": <field path>"; compiled by re's cache when a refusal is
# read, not as `model plan` loads this module
_STATUS = r"(\d{3})\b"


def hub_refusal_hint(message: str, model_id: str, namespace: str, access_secret: str | None) -> str | None:
    """The fix for KAITO's webhook refusing a Workspace because the Hugging Face Hub refused its
    request for the repo (None for any other message). The Hub lists a gated repo's files to
    anyone and answers 401 for a file without a token, 403 with a token whose account has no
    access; it answers 401 without a token and 404 with one for a repo it does not have, or a
    private repo the token cannot see (huggingface/huggingface_hub src/huggingface_hub/utils/_http.py
    hf_raise_for_status, errors.py GatedRepoError; https://huggingface.co/docs/hub/models-gated).
    The token is named, never shown: KAITO's message has only the URL."""
    at = message.find(_PRESET_FAILED)
    if at < 0:
        return None
    cause = message[at + len(_PRESET_FAILED) :]
    page = f"https://huggingface.co/{model_id}"
    secret = f"Secret {namespace}/{access_secret} (--access-secret)" if access_secret else ""
    from akscli.secret_hints import secret_from_stdin  # here: an error's hint, not `model plan`'s start

    create = (
        f"{secret_from_stdin('hf-token', namespace, 'HF_TOKEN')} (type the token at the silent prompt), then "
        "add --access-secret hf-token"
    )
    # Without --access-secret a token reached the Hub only from the controller's own HF_TOKEN
    # (generator.go getAuthHeader); the model's pods get none, so they need --access-secret anyway.
    token = (
        f"the token in {secret}"
        if secret
        else "the HF_TOKEN of KAITO's workspace controller (no --access-secret given)"
    )
    if cause.startswith(_CONFIG + _NO_TOKEN):
        return (
            f"{model_id} is gated or private on Hugging Face: its files need a token. {create} (the token's "
            f"account must have access: accept the model's conditions at {page})"
        )
    status = re.match(_STATUS, cause.split(": status ", 1)[-1]) if ": status " in cause else None
    code = status.group(1) if status else ""
    # A 401 to a request that carried a token: the Hub does not know the token ("Invalid credentials in
    # Authorization header", on every URL; huggingface_hub utils/_http.py hf_raise_for_status). With a
    # token it knows, a gated file is 403 and a missing repo 404. The file list is asked first, so
    # that is where it shows.
    if cause.startswith((_LISTING, _CONFIG)) and code == "401" and access_secret:
        return (
            f"Hugging Face does not know {token} (HTTP 401: revoked, expired or mistyped): make a new token at "
            "https://huggingface.co/settings/tokens and put it in the Secret's key HF_TOKEN"
        )
    if cause.startswith((_LISTING, _CONFIG)) and code == "401":
        return (
            f"Hugging Face does not know {token} (HTTP 401: revoked, expired or mistyped): replace it, or give "
            f"the webhook a token of your own, which it sends instead: {create}"
        )
    if cause.startswith(_CONFIG) and code == "403" and access_secret:
        return (
            f"{token} has no access to {model_id}: with that token's account, ask for access at {page}, or put "
            "a token of an account that has access in the Secret's key HF_TOKEN"
        )
    if cause.startswith(_CONFIG) and code == "403":
        return (
            f"{token} has no access to {model_id}, and the model's pods get no token from it: {create}, with the "
            f"token of an account that has access (ask for it at {page})"
        )
    if cause.startswith(_LISTING + _NO_TOKEN):
        return (
            f"Hugging Face has no public repo {model_id}: check the id at {page}; a private repo needs a token "
            f"({create})"
        )
    if cause.startswith(_LISTING) and code == "404":
        return (
            f"Hugging Face has no repo {model_id} that {token} can see: check the id at {page}, "
            "and that the token's account can read a private repo"
        )
    return None


@contextmanager
def hub_refusals(model_id: str | None, namespace: str, access_secret: str | None) -> Iterator[None]:
    """Errors within get hub_refusal_hint's fix as their hint, for a model KAITO serves
    (``model_id`` None: any other runtime, nothing changes)."""
    try:
        yield
    except AkscliError as exc:
        hint = hub_refusal_hint(exc.message, model_id, namespace, access_secret) if model_id else None
        if hint is not None:
            exc.hint = hint
        raise


# The longest InferenceSet name KAITO can run: its Workspaces are generateName NAME- (5 characters added;
# kaito-project/kaito pkg/utils/inferenceset/inferenceset.go NewWorkspaceForInferenceSet, kubernetes/kubernetes
# staging/src/k8s.io/apiserver/pkg/storage/names/generate.go), and each Workspace gets a headless Service
# WORKSPACE-headless (pkg/workspace/manifests/manifests.go), a Service name being a DNS-1035 label of at most
# 63 characters: 63 - len("-headless") - 6.
SET_NAME_MAX = 48


def check_set_name(name: str) -> None:
    """Refuse an InferenceSet name whose Workspaces' headless Services could not be made: KAITO would create
    the set and its Workspaces and then fail each Workspace's reconcile, so nothing would ever serve."""
    if len(name) <= SET_NAME_MAX:
        return
    raise UsageError(
        f"invalid model deployment name {name!r}: it is {len(name)} characters long, and KAITO's InferenceSet names "
        f"its Workspaces NAME-xxxxx and their headless Services NAME-xxxxx-headless, which must fit 63: at most "
        f"{SET_NAME_MAX} allowed",
        hint=f"shorten it to {SET_NAME_MAX} characters or fewer",
    )


def pool_name(name: str) -> str:
    """The InferencePool KAITO's HelmRelease NAME-inferencepool makes: the release's name, which
    Flux shortens past 53 characters (kinds.HELM_RELEASE_NAME_MAX), so for a set named with more
    than 39 characters it is not NAME-inferencepool."""
    release = f"{name}{KAITO_POOL_SUFFIX}"
    if len(release) <= HELM_RELEASE_NAME_MAX:
        return release
    # hashlib is imported here, for the long names only: it loads OpenSSL (_hashlib), about 2 ms
    # and 10 M instructions, and `model plan` loads this module (tests/foundation/test_startup.py).
    import hashlib

    digest = hashlib.sha256(release.encode()).hexdigest()[:12]
    return f"{release[: HELM_RELEASE_NAME_MAX - 13]}-{digest}"
