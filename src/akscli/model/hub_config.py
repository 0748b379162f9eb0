"""``--hub-config``: a model described on the command line, checked against its config.json on the
Hugging Face Hub. Plain logic: no Typer, no rich. Imported only when the flag is given, and it
imports its HTTP client (urllib3) and json only when it reads.

One GET of ``<endpoint>/<id>/resolve/main/config.json``, as huggingface_hub builds the URL
(upstream: huggingface/huggingface_hub ee0a4510f4bc15e26cb722be2efc2bdb01383ca0
src/huggingface_hub/constants.py: ``ENDPOINT = os.getenv("HF_ENDPOINT", "https://huggingface.co")
.rstrip("/")``, ``HUGGINGFACE_CO_URL_TEMPLATE``). Bounded: a timeout per request
(``DEFAULT_DOWNLOAD_TIMEOUT = 10`` there), a size cap, and retries of a 408, 429 and 5xx answer or a
dropped connection (utils/_http.py ``_DEFAULT_RETRY_ON_STATUS_CODES``), with full-jitter backoff
(akscli.kube.retry.RetryPolicy) that never comes back before a Retry-After. A redirect on the same
host (a renamed repo) is followed with the token, one to another host (a CDN) without it, as
huggingface_hub does (utils/_http.py ``_httpx_follow_relative_redirects_with_backoff``;
file_download.py: "If url domain is different => we are downloading from a CDN => url is signed =>
don't send auth"), at most 5.

The token is huggingface_hub's (utils/_auth.py ``get_token``, ``_get_token_from_environment``,
``_get_token_from_file``, ``_clean_token``): ``HF_TOKEN``, else ``HUGGING_FACE_HUB_TOKEN``, else the
file ``HF_TOKEN_PATH``, else ``$HF_HOME/token`` (HF_HOME defaults to
``$XDG_CACHE_HOME/huggingface``, else ``~/.cache/huggingface``); CR and LF removed, blanks
stripped, empty is none; ``HF_HUB_DISABLE_IMPLICIT_TOKEN`` sends none (constants.py). It is never
printed, logged or put in an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from akscli.errors import AkscliError, AuthError, NotFoundError, UsageError
from akscli.redact import remember

if TYPE_CHECKING:
    from akscli.model.catalog import Model

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT_S = 10.0  # huggingface_hub constants.py DEFAULT_DOWNLOAD_TIMEOUT, per connect and per read
MAX_BYTES = 2 << 20  # config.json files run to tens of KiB; more is not a config
ATTEMPTS = 4
MAX_RETRY_AFTER_S = 60.0  # a longer Retry-After is reported, not waited
MAX_REDIRECTS = 5
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_TRUE = {"1", "on", "yes", "true"}  # huggingface_hub constants.py ENV_VARS_TRUE_VALUES


def endpoint() -> str:
    value = os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")
    if not value.startswith(("https://", "http://")):
        # Not quoted: a token put in the wrong variable would be printed.
        raise UsageError(
            "HF_ENDPOINT is not an http(s) URL (its value is not shown)",
            hint="unset it, or set it to https://huggingface.co",
        )
    if "@" in value:  # a mirror's user:password in the URL is a credential: masked wherever a URL is said
        from urllib.parse import urlsplit

        password = urlsplit(value).password
        if password:
            remember(password)
    return value


def _clean(token: str | None) -> str | None:
    return (token or "").replace("\r", "").replace("\n", "").strip() or None


def token() -> str | None:
    """The token huggingface_hub would send (None: none), remembered by akscli.redact so that no
    message shows it, whatever echoes it (as azure/pipelines.py does with the job token)."""
    found = _token()
    if found:
        remember(found)
        if not (found.isascii() and found.isprintable()):  # http.client would raise UnicodeEncodeError
            raise UsageError(
                "the Hugging Face token (HF_TOKEN, HUGGING_FACE_HUB_TOKEN or the token file) has a character an "
                "HTTP header cannot carry (the token is not shown)",
                hint="copy the token again from https://huggingface.co/settings/tokens",
            )
    return found


def _token() -> str | None:
    if os.environ.get("HF_HUB_DISABLE_IMPLICIT_TOKEN", "").lower() in _TRUE:
        return None
    found = _clean(os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN"))
    if found:
        return found
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface"
    )
    path = os.environ.get("HF_TOKEN_PATH") or os.path.join(os.path.expandvars(os.path.expanduser(home)), "token")
    path = os.path.expandvars(os.path.expanduser(path))
    try:
        return _clean(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UsageError(
            f"cannot read the Hugging Face token file {path}: {reason}",
            hint="fix its permissions, or set HF_TOKEN instead",
        ) from None


def read_config(model_id: str) -> dict[str, Any]:
    """The repo's config.json, as a dict; an AkscliError, one line with its fix, where it cannot be read."""
    import json

    url = f"{endpoint()}/{model_id}/resolve/main/config.json"
    secret = token()
    status, body, code = _get(url, secret)
    page = f"{endpoint()}/{model_id}"
    # hf auth login reads the token at a prompt that does not echo it (huggingface_hub _login.py getpass),
    # so it stays out of the shell's history, where an `export HF_TOKEN=...` line would keep it.
    give = (
        "log in with `hf auth login` (it asks for the token without showing it; or set HF_TOKEN) with the token "
        "of an account that has access"
    )
    # The Hub names its refusal in X-Error-Code (huggingface_hub utils/_http.py hf_raise_for_status):
    # GatedRepo for a gated repo's file, RepoNotFound for a repo it does not have or will not show.
    if status == 401 and not secret and code == "GatedRepo":
        raise AuthError(
            f"{model_id} is gated on Hugging Face: its config.json needs a token (HTTP 401)",
            hint=f"{give} (accept the model's conditions at {page})",
        )
    if status == 401 and not secret and code == "RepoNotFound":
        raise AuthError(
            f"Hugging Face has no public repo {model_id} (HTTP 401)",
            hint=f"check the id at {page}; for a private repo, {give}",
        )
    if status == 401 and not secret:
        raise AuthError(
            f"Hugging Face answered 401 for {model_id}'s config.json: the repo is gated or private, or there is no "
            "such repo",
            hint=f"check the id at {page}; for a gated or private repo, {give}",
        )
    if status in (401, 403):
        raise AuthError(
            f"Hugging Face answered {status} for {model_id}'s config.json: the token akscli sent (HF_TOKEN or the "
            "Hub's token file) has no access to it",
            hint=f"with that token's account, ask for access at {page}, or use a token of an account that has access",
        )
    if status == 404:
        raise NotFoundError(
            f"Hugging Face has no {model_id}/config.json{' that the token can see' if secret else ''} (HTTP 404)",
            hint=f"check the id at {page}",
        )
    if status != 200:
        raise AkscliError(f"Hugging Face answered HTTP {status} for {model_id}'s config.json", hint="try again later")
    try:
        config = json.loads(body)
    except ValueError:
        config = None
    if not isinstance(config, dict):
        raise AkscliError(f"{model_id}'s config.json on Hugging Face is not a JSON object", hint=f"see {page}")
    return config


def _same_server(a: str, b: str) -> bool:
    from urllib.parse import urlsplit

    x, y = urlsplit(a), urlsplit(b)
    return (x.scheme, x.netloc) == (y.scheme, y.netloc)


def _get(url: str, secret: str | None) -> tuple[int, bytes, str]:
    """GET with the retries and redirects above; (status, body, X-Error-Code) of the last answer. A failed
    connection is retried as akscli's other transports retry one (akscli.netfail.classify)."""
    from urllib.parse import urljoin, urlsplit

    import urllib3

    from akscli import netfail
    from akscli.kube import retry

    policy = retry.RetryPolicy(attempts=ATTEMPTS, base_delay=1.0, max_delay=8.0)
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=TIMEOUT_S, read=TIMEOUT_S), retries=False)
    origin = url
    redirects = attempt = 0
    while True:
        headers = {"User-Agent": "akscli"}
        if secret and _same_server(url, origin):
            headers["Authorization"] = f"Bearer {secret}"
        retry_after: float | None = None
        server = urlsplit(url).netloc
        try:
            response = pool.request("GET", url, headers=headers, redirect=False, preload_content=False)
        except urllib3.exceptions.HTTPError as exc:
            failed = netfail.classify(exc)
            failure, retryable = failed.reason, failed.retryable(server)
        else:
            netfail.answered(server)
            try:
                status = response.status
                location = response.headers.get("Location")
                if 300 <= status < 400 and location and redirects < MAX_REDIRECTS:
                    redirects += 1
                    url = urljoin(url, location)
                    continue
                if status not in RETRY_STATUSES:
                    return status, _read_capped(response, url), response.headers.get("X-Error-Code", "")
                retry_after = retry.parse_retry_after(response.headers.get("Retry-After"))
            finally:
                response.release_conn()
            failure, retryable = f"HTTP {status}", True
        attempt += 1
        if not retryable or attempt >= ATTEMPTS or (retry_after or 0) > MAX_RETRY_AFTER_S:
            waited = f", which asked to wait {retry_after:g}s" if retry_after else ""
            tries = f" after {attempt} tries" if attempt > 1 else ""
            raise AkscliError(
                f"could not read {origin} from Hugging Face{tries} (last: {failure}{waited})",
                hint="try again later, or leave out --hub-config",
            )
        retry.sleep(policy.delay(attempt - 1, retry_after))


def _read_capped(response: Any, url: str) -> bytes:
    url = url.split("?", 1)[0]  # a CDN's URL is signed in its query
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > MAX_BYTES:
        raise AkscliError(f"{url} is {int(length)} bytes, more than a config.json ({MAX_BYTES} at most)")
    body = bytes(response.read(MAX_BYTES + 1))
    if len(body) > MAX_BYTES:
        raise AkscliError(f"{url} is more than {MAX_BYTES} bytes, more than a config.json")
    return body


class Limits(NamedTuple):
    """What a config.json says about a model's length and kind. ``vllm``: the max-model-len vLLM
    derives (None where config.json names no length key: vLLM then takes its config class's
    default, which akscli does not hold); ``kaito``: the token limit KAITO's webhook builds a
    preset with; ``architecture``: ``architectures[0]``."""

    vllm: int | None
    vllm_key: str
    kaito: int
    kaito_key: str
    architecture: str | None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def vllm_limit(config: Mapping[str, Any]) -> tuple[int | None, str]:
    """vLLM's derived max_model_len and the key it came from (catalog.py's rule, VLLM_TOKEN_LIMIT_KEYS
    cites it: vllm-project/vllm v0.11.0 and v0.25.1 vllm/config/model.py _get_and_verify_max_len),
    read from the text config (vllm/transformers_utils/config.py get_hf_text_config: a multimodal
    model's ``text_config``). The RoPE type is ``rope_type``, else the legacy ``type``, ``su`` read
    as longrope and ``mrope`` as default (config.py patch_rope_scaling_dict). Not here: a
    tokenizer_config.json model_max_length (a second file), a sliding window vLLM is told to disable."""
    from akscli.model.catalog import VLLM_TOKEN_LIMIT_KEYS

    nested = config.get("text_config")
    text: Mapping[str, Any] = nested if isinstance(nested, Mapping) else config
    derived: float | None = None
    key = ""
    for k in VLLM_TOKEN_LIMIT_KEYS:
        value = _number(text.get(k))
        if value is not None and (derived is None or value < derived):
            derived, key = value, k
    command_r = _number(text.get("model_max_length"))
    if command_r:
        derived, key = command_r, "model_max_length"
    if derived is None:
        return None, ""
    # transformers v5's configs name it rope_parameters (vLLM v0.25.1 reads that; a per-layer-type
    # nested one is not read here)
    field = "rope_scaling" if text.get("rope_scaling") else "rope_parameters"
    rope = text.get(field)
    model_type = str(text.get("model_type") or config.get("model_type") or "")
    if isinstance(rope, Mapping) and "gemma3" not in model_type:
        rope_type = str(rope.get("rope_type") or rope.get("type") or "")
        rope_type = {"su": "longrope", "mrope": "default"}.get(rope_type, rope_type)
        if rope_type not in ("longrope", "llama3"):
            factor = _number(rope.get("factor")) or 1.0
            original = _number(rope.get("original_max_position_embeddings"))
            if rope_type == "yarn" and original is not None:
                derived, key = original, f"{field}.original_max_position_embeddings"
            if factor != 1.0:
                derived, key = derived * factor, f"{key} × {field}.factor {factor:g}"
    return int(derived), key


def kaito_limit(config: Mapping[str, Any]) -> tuple[int, str]:
    """The token limit KAITO's webhook gives a preset it builds from this config.json: the first of
    kaito_names.TOKEN_LIMIT_KEYS, ``text_config`` (else ``llm_config``) merged under the top
    level's keys, else 2048 (kaito-project/kaito v0.12.0 0894eb2b presets/workspace/generator/
    generator.go mergeTextConfig, ParseModelMetadata, getInt)."""
    from akscli.model.kaito_names import DEFAULT_TOKEN_LIMIT, TOKEN_LIMIT_KEYS

    merged = dict(config)
    nested = config.get("text_config")
    if not isinstance(nested, Mapping):
        nested = config.get("llm_config")
    if isinstance(nested, Mapping):
        merged.update({k: v for k, v in nested.items() if k not in config})
    for k in TOKEN_LIMIT_KEYS:
        value = merged.get(k)
        if isinstance(value, str) and value.lstrip("+-").isdigit():
            return int(value), k
        number = _number(value)
        if number is not None:
            return int(number), k
    return DEFAULT_TOKEN_LIMIT, f"KAITO's default, {DEFAULT_TOKEN_LIMIT}"


def limits(config: Mapping[str, Any]) -> Limits:
    listed = config.get("architectures")
    archs = [a for a in listed if isinstance(a, str)] if isinstance(listed, list) else []
    return Limits(*vllm_limit(config), *kaito_limit(config), archs[0] if archs else None)


def checked(model: Model, config: Mapping[str, Any], kaito: bool) -> Model:
    """``model`` (a catalog.Model described on the command line) with its architecture from
    config.json, or a UsageError where its --max-context is above what config.json allows: vLLM
    exits at start above its derived length, and for KAITO (``kaito``) its webhook also refuses a
    max-model-len above its own token limit (api/v1beta1/inference_config_validation.go)."""
    found = limits(config)
    bounds = []
    if found.vllm is not None:
        bounds.append((found.vllm, f"{found.vllm} ({found.vllm_key}), above which vLLM exits at start"))
    if kaito:
        bounds.append((found.kaito, f"{found.kaito} ({found.kaito_key}), above which KAITO's webhook refuses it"))
    for limit, said in sorted(bounds, key=lambda b: b[0]):
        if model.context > limit:
            raise UsageError(
                f"--max-context {model.context} is above {model.id}'s limit in its config.json on Hugging Face: {said}",
                hint=f"use --max-context {limit}",
            )
    from akscli.model.catalog import HUB_SOURCE

    return model._replace(architecture=found.architecture, source=HUB_SOURCE)
