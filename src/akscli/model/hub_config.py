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


# The Hub's X-Error-Message for a token it does not know (revoked, expired, mistyped): a 401 on any
# URL, with no X-Error-Code (huggingface/huggingface_hub ee0a4510 src/huggingface_hub/utils/_http.py
# hf_raise_for_status: only a 401 without this message is read as RepoNotFound).
INVALID_TOKEN = "Invalid credentials in Authorization header"


class Answer(NamedTuple):
    """The Hub's last answer: status, body, X-Error-Code, X-Error-Message, and the Link header's
    rel="next" URL (a paged list, huggingface_hub utils/_pagination.py paginate)."""

    status: int
    body: bytes
    code: str
    message: str
    next: str | None = None


def page(model_id: str) -> str:
    return f"{endpoint()}/{model_id}"


def read_config(model_id: str) -> dict[str, Any]:
    """The repo's config.json, as a dict; an AkscliError, one line with its fix, where it cannot be read."""
    found = read_json(model_id, "config.json")
    assert found is not None
    return found


def read_json(model_id: str, path: str, *, optional: bool = False) -> dict[str, Any] | None:
    """The repo's JSON file ``path`` as a dict; None for a file the repo lacks when ``optional`` (the Hub's
    404 EntryNotFound); any other refusal is refused as read_config's is."""
    import json

    secret = token()
    answer = _get(f"{endpoint()}/{model_id}/resolve/main/{path}", secret)
    if optional and answer.status == 404 and answer.code == "EntryNotFound":
        return None
    body = _checked(model_id, path, answer, secret)
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise AkscliError(f"{model_id}'s {path} on Hugging Face is not a JSON object", hint=f"see {page(model_id)}")
    return parsed


MAX_PAGES = 20  # the Hub pages a tree at 1000 entries: 20,000 files is more than any model repo holds
# The file list gives --weights-gib only (it is not read where the flag is given), so where it cannot
# be read the fix is the flag, not a retry: neither a page past MAX_PAGES nor a next page on another
# server changes by waiting.
WEIGHTS_HINT = "give the size of its weight files yourself: --weights-gib GIB"


def list_files(model_id: str) -> list[dict[str, Any]]:
    """The repo's files, as huggingface_hub's HfApi.list_repo_tree lists them (hf_api.py: GET
    ``{endpoint}/api/models/{id}/tree/main`` with ``recursive`` and ``expand`` false, each page's Link
    rel="next" followed, utils/_pagination.py paginate): the entries whose ``type`` is ``file``. A next
    page on another server than the endpoint is refused (the token would go there)."""
    import json

    secret = token()
    url: str | None = f"{endpoint()}/api/models/{model_id}/tree/main?recursive=true&expand=false"
    files: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        if url is None:
            return files
        if not _same_server(url, endpoint()):
            raise AkscliError(f"Hugging Face sent {model_id}'s file list on to another server", hint=WEIGHTS_HINT)
        answer = _get(url, secret)
        body = _checked(model_id, "file list", answer, secret)
        try:
            entries = json.loads(body)
        except ValueError:
            entries = None
        if not isinstance(entries, list):
            raise AkscliError(f"{model_id}'s file list on Hugging Face is not a JSON list", hint="try again later")
        files += [e for e in entries if isinstance(e, dict) and e.get("type") == "file"]
        url = answer.next
    raise AkscliError(f"{model_id}'s file list on Hugging Face runs to more than {MAX_PAGES} pages", hint=WEIGHTS_HINT)


def read_safetensors(model_id: str) -> dict[str, Any] | None:
    """The repo's safetensors parameter counts on the Hub, as huggingface_hub's HfApi.model_info
    asks for them with ``expand=["safetensors"]`` (upstream: huggingface/huggingface_hub ee0a4510
    src/huggingface_hub/hf_api.py model_info: GET ``{endpoint}/api/models/{repo_id}`` with
    ``params["expand"]``, which returns only the properties listed; ModelInfo, SafeTensorsInfo:
    ``parameters`` by dtype and ``total``): ``{"parameters": {dtype: count}, "total": count}``, or None
    where the Hub gives none (a repo without .safetensors files). One GET, with the same token,
    bounds and retries as config.json."""
    import json

    secret = token()
    answer = _get(f"{endpoint()}/api/models/{model_id}?expand=safetensors", secret)
    body = _checked(model_id, "model info", answer, secret)
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise AkscliError(f"{model_id}'s model info on Hugging Face is not a JSON object", hint="try again later")
    found = parsed.get("safetensors")
    return found if isinstance(found, dict) else None


def _checked(model_id: str, what: str, answer: Answer, secret: str | None) -> bytes:
    """The body of a 200; else the Hub's refusal, one line with its fix. The Hub names its refusal in
    X-Error-Code (huggingface_hub utils/_http.py hf_raise_for_status): GatedRepo for a gated repo's file,
    RepoNotFound for a repo it does not have or will not show, EntryNotFound for a file a repo lacks; a
    token it does not know is a 401 whose X-Error-Message is INVALID_TOKEN."""
    status, code = answer.status, answer.code
    if status == 200:
        return answer.body
    at = page(model_id)
    its = f"the {what} of {model_id}" if what in ("file list", "model info") else f"{model_id}'s {what}"
    # hf auth login reads the token at a prompt that does not echo it (huggingface_hub _login.py getpass),
    # so it stays out of the shell's history, where an `export HF_TOKEN=...` line would keep it.
    give = (
        "log in with `hf auth login` (it asks for the token without showing it; or set HF_TOKEN) with the token "
        "of an account that has access"
    )
    if status == 401 and secret and answer.message == INVALID_TOKEN:
        raise AuthError(
            "Hugging Face does not accept the token akscli sent (HF_TOKEN, HUGGING_FACE_HUB_TOKEN or the Hub's token "
            f'file): HTTP 401 "{INVALID_TOKEN}" for {its}',
            hint="the token is revoked, expired or mistyped: make a new one at https://huggingface.co/settings/tokens "
            "and log in with `hf auth login`; a public repo needs none (HF_HUB_DISABLE_IMPLICIT_TOKEN=1 sends none)",
        )
    if status == 401 and not secret and code == "GatedRepo":
        raise AuthError(
            f"{model_id} is gated on Hugging Face: its {what} needs a token (HTTP 401)",
            hint=f"{give} (accept the model's conditions at {at})",
        )
    if status == 401 and not secret and code == "RepoNotFound":
        raise AuthError(
            f"Hugging Face has no public repo {model_id} (HTTP 401)",
            hint=f"check the id at {at}; for a private repo, {give}",
        )
    if status == 401 and not secret:
        raise AuthError(
            f"Hugging Face answered 401 for {its}: the repo is gated or private, or there is no such repo",
            hint=f"check the id at {at}; for a gated or private repo, {give}",
        )
    if status == 401:
        raise AuthError(
            f"Hugging Face answered 401 for {its} with the token akscli sent (HF_TOKEN or the Hub's token file)",
            hint=f"check the id at {at}; if the token is revoked or expired, make a new one at "
            "https://huggingface.co/settings/tokens and log in with `hf auth login`",
        )
    if status == 403:
        raise AuthError(
            f"Hugging Face answered 403 for {its}: the token akscli sent (HF_TOKEN or the Hub's token file) has "
            "no access to it",
            hint=f"with that token's account, ask for access at {at}, or use a token of an account that has access",
        )
    if status == 404:
        raise not_found(model_id, what, secret)
    raise AkscliError(f"Hugging Face answered HTTP {status} for {its}", hint="try again later")


def not_found(model_id: str, what: str, secret: str | None) -> NotFoundError:
    """The Hub's 404 for ``what`` (a file's path, or "file list" / "model info": the repo), as one line with its fix."""
    seen = " that the token can see" if secret else ""
    missing = f"no {model_id}/{what}" if what not in ("file list", "model info") else f"no repo {model_id}"
    return NotFoundError(f"Hugging Face has {missing}{seen} (HTTP 404)", hint=f"check the id at {page(model_id)}")


def _same_server(a: str, b: str) -> bool:
    from urllib.parse import urlsplit

    x, y = urlsplit(a), urlsplit(b)
    return (x.scheme, x.netloc) == (y.scheme, y.netloc)


def _get(url: str, secret: str | None) -> Answer:
    """GET with the retries and redirects above; the last answer. A failed
    connection is retried as akscli's other transports retry one (akscli.netfail.classify)."""
    from urllib.parse import urljoin, urlsplit

    import urllib3

    from akscli import netfail
    from akscli.kube import retry

    policy = retry.RetryPolicy(attempts=ATTEMPTS, base_delay=1.0, max_delay=8.0)
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=TIMEOUT_S, read=TIMEOUT_S), retries=False)
    origin = url
    redirects = attempt = timeouts = 0
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
            failure, retryable = failed.reason, failed.retryable(server, timeouts=timeouts)
            timeouts += failed.timed_out
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
                    head = response.headers
                    return Answer(
                        status,
                        _read_capped(response, url),
                        head.get("X-Error-Code", ""),
                        head.get("X-Error-Message", ""),
                        _next_page(head.get("Link"), url),
                    )
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


def _next_page(link: str | None, url: str) -> str | None:
    """The rel="next" URL of a Link header (RFC 8288, as httpx's Response.links reads it), made absolute."""
    from urllib.parse import urljoin

    for part in (link or "").split(","):
        target, _, params = part.partition(";")
        rels = [p.split("=", 1)[1].strip().strip('"') for p in params.split(";") if p.strip().startswith("rel=")]
        if "next" in rels and target.strip().startswith("<") and target.strip().endswith(">"):
            return urljoin(url, target.strip()[1:-1])
    return None


# A config.json, tokenizer_config.json or file-list page is a few KiB; more is not one of them.
_TOO_BIG = (
    "describe the model with flags instead (--layers, --max-context, --weights-gib ...) and leave out --hub-config"
)


def _read_capped(response: Any, url: str) -> bytes:
    url = url.split("?", 1)[0]  # a CDN's URL is signed in its query
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > MAX_BYTES:
        raise AkscliError(
            f"{url} is {int(length)} bytes, more than akscli reads from the Hub ({MAX_BYTES} at most)", hint=_TOO_BIG
        )
    body = bytes(response.read(MAX_BYTES + 1))
    if len(body) > MAX_BYTES:
        raise AkscliError(f"{url} is more than akscli reads from the Hub ({MAX_BYTES} bytes at most)", hint=_TOO_BIG)
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


def vllm_limit(
    config: Mapping[str, Any], tokenizer: Mapping[str, Any] | None = None, transformers: int | None = 5
) -> tuple[int | None, str]:
    """vLLM's derived max_model_len and the key it came from (catalog.py's rule, VLLM_TOKEN_LIMIT_KEYS
    cites it: vllm-project/vllm v0.11.0 and v0.25.1 vllm/config/model.py _get_and_verify_max_len),
    read from the text config (vllm/transformers_utils/config.py get_hf_text_config: a multimodal
    model's ``text_config``). ``tokenizer``: tokenizer_config.json where vLLM reads it
    (reads_tokenizer_config): its ``model_max_length`` lowers the length, and gives it where config.json
    names none, before the RoPE factor (``derived_max_model_len = min(derived_max_model_len,
    tokenizer_model_max_length)``). The RoPE type is ``rope_type``, else the legacy ``type``, ``su`` read
    as longrope and ``mrope`` as default (config.py patch_rope_scaling_dict). A ``rope_parameters`` nested by
    layer type is read as v0.25.1 reads it: each layer type's (not longrope, llama3) factor, the last one
    winning, and a yarn one's original_max_position_embeddings (a Phi3 one's from the top level:
    hf_defaults.TOP_ORIGINAL). A key config.json leaves out is its
    transformers config class's default where akscli holds it (akscli.model.hf_defaults). ``transformers``
    4 (an image with transformers v4, as vLLM v0.11.0's): the RoPE is ``rope_scaling`` only, which is what
    v0.11.0 reads (vllm/config/model.py _get_and_verify_max_len: ``getattr(hf_config, "rope_scaling",
    None)``), and a yarn one's original length is its own. Not here: a sliding window vLLM is told to disable."""
    from akscli.model import hf_defaults
    from akscli.model.catalog import VLLM_TOKEN_LIMIT_KEYS

    seen = hf_defaults.text_config(config, transformers)
    text = seen.values
    derived: float | None = None
    key = ""
    for k in VLLM_TOKEN_LIMIT_KEYS:
        value = _number(text.get(k))
        if value is not None and (derived is None or value < derived):
            derived, key = value, k
    command_r = _number(text.get("model_max_length"))
    if command_r:
        derived, key = command_r, "model_max_length"
    if key in seen.defaulted:
        key = f"{key}, {seen.source}'s default"
    lowered = _number(tokenizer.get("model_max_length")) if tokenizer is not None else None
    if lowered is not None and (derived is None or lowered < derived):
        derived, key = lowered, "tokenizer_config.json model_max_length"
    if derived is None:
        return None, ""
    # transformers v5's configs name it rope_parameters (vLLM v0.25.1 reads that), either one dict or
    # one per layer type (is_rope_parameters_nested: its keys are all transformers' layer types)
    field = "rope_scaling" if text.get("rope_scaling") or transformers == 4 else "rope_parameters"
    rope = text.get(field)
    if field in seen.defaulted:
        field = f"{seen.source}'s default rope_parameters"
    model_type = str(text.get("model_type") or config.get("model_type") or "")
    if not isinstance(rope, Mapping) or not rope or "gemma3" in model_type:
        return int(derived), key
    nested = set(rope).issubset(LAYER_TYPES)
    factor, factor_at = 1.0, field
    for layer, params in rope.items() if nested else [("", rope)]:
        if not isinstance(params, Mapping):
            continue
        at = f"{field}.{layer}" if layer else field
        rope_type = str(params.get("rope_type") or params.get("type") or "")
        rope_type = {"su": "longrope", "mrope": "default"}.get(rope_type, rope_type)
        if rope_type in ("longrope", "llama3"):
            continue
        if "factor" in params:  # "assumes all layer types have the same scaling factor": the last one
            factor, factor_at = _number(params.get("factor")) or 1.0, at
        original, original_at = _number(params.get("original_max_position_embeddings")), f"{at}."
        if not nested and model_type in hf_defaults.TOP_ORIGINAL and transformers != 4:  # v5 standardize_rope_params
            original, original_at = _number(text.get("original_max_position_embeddings")), ""
            if "original_max_position_embeddings" in seen.defaulted:
                original_at = f"{seen.source}'s default "
        if rope_type == "yarn" and original is not None:
            derived, key = original, f"{original_at}original_max_position_embeddings"
    if factor != 1.0:
        derived, key = derived * factor, f"{key} × {factor_at}.factor {factor:g}"
    return int(derived), key


# transformers v5.17.0 src/transformers/configuration_utils.py ALLOWED_LAYER_TYPES (the attention
# and MLP layer types): the keys of a rope_parameters nested by layer type (vLLM v0.25.1
# vllm/transformers_utils/config.py is_rope_parameters_nested).
LAYER_TYPES = frozenset(
    {
        "full_attention", "sliding_attention", "chunked_attention", "window_attention", "compressed_sparse_attention",
        "heavily_compressed_attention", "minimax_m3_sparse", "conv", "moe", "hybrid", "hybrid_sliding",
        "deepseek_sparse_attention", "qwen_sparse_attention", "linear_attention", "sparse", "dense",
    }
)  # fmt: skip


# vLLM's default runner by an architecture's suffix (vllm-project/vllm v0.25.1 vllm/config/model.py
# _SUFFIX_TO_DEFAULTS, in its order: the first suffix that matches decides).
_RUNNER_BY_SUFFIX = (
    ("ForCausalLM", "generate"),
    ("ForConditionalGeneration", "generate"),
    ("ChatModel", "generate"),
    ("LMHeadModel", "generate"),
    ("ForTextEncoding", "pooling"),
    ("EmbeddingModel", "pooling"),
    ("ForSequenceClassification", "pooling"),
    ("ForTokenClassification", "pooling"),
    ("ForAudioClassification", "pooling"),
    ("ForImageClassification", "pooling"),
    ("ForVideoClassification", "pooling"),
    ("ClassificationModel", "pooling"),
    ("ForRewardModeling", "pooling"),
    ("RewardModel", "pooling"),
    ("Model", "pooling"),
)


def reads_tokenizer_config(config: Mapping[str, Any]) -> bool:
    """Whether vLLM reads tokenizer_config.json's model_max_length for this model: only a pooling model
    whose config says ``position_embedding_type: absolute`` (vllm-project/vllm v0.11.0 and v0.25.1
    vllm/config/model.py get_and_verify_max_len: "Consider max_model_len in tokenizer_config only when
    pooling models use absolute position_embedding"). The runner is vLLM's default for the first
    architecture whose suffix it knows (_get_default_runner_type, try_match_architecture_defaults). Not
    held: vLLM's registry, which decides first for the architectures it serves, and a sentence-transformers
    modules.json, which makes any model a pooling one (get_pooling_config)."""
    if config.get("position_embedding_type") != "absolute":
        return False
    listed = config.get("architectures")
    for arch in listed if isinstance(listed, list) else []:
        for suffix, runner in _RUNNER_BY_SUFFIX:
            if isinstance(arch, str) and arch.endswith(suffix):
                return runner == "pooling"
    return False


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


def limits(
    config: Mapping[str, Any], tokenizer: Mapping[str, Any] | None = None, transformers: int | None = 5
) -> Limits:
    listed = config.get("architectures")
    archs = [a for a in listed if isinstance(a, str)] if isinstance(listed, list) else []
    return Limits(*vllm_limit(config, tokenizer, transformers), *kaito_limit(config), archs[0] if archs else None)


def check_loads(model_id: str, config: Mapping[str, Any], transformers: int | None, vllm_version: str | None) -> None:
    """A UsageError where the image's transformers refuses the config: v4's Phi3Config and
    Phi4MultimodalConfig take no RoPE but a longrope one (hf_defaults.v4_refused_rope), so vLLM exits at
    start on an image with transformers v4 (``transformers`` 4), as v0.11.0 (akscli's pinned one before v0.24.0)."""
    from akscli.model import bounded, hf_defaults, vllm_versions

    refused = hf_defaults.v4_refused_rope(config) if transformers == 4 else None
    if refused is not None:
        remote = refused[0] in hf_defaults.REMOTE_LONGROPE_ONLY.values()
        raise UsageError(
            f"{bounded.value(model_id, 48)}'s rope_scaling ({bounded.value(refused[1], 24)}) is refused by "
            + (f"its own remote-code {refused[0]}" if remote else f"transformers 4's {refused[0]}")
            + f" (longrope only), which vLLM {vllm_version}'s image runs: vLLM exits at start",
            hint="the repo's code takes only rope_scaling {type: longrope, short_factor, long_factor}"
            if remote
            else "use --runtime kaito (vLLM v0.25.1, transformers 5), or --image vllm/vllm-openai:v0.24.0 or later"
            + vllm_versions.driver_note("v0.24.0"),
        )


def checked(
    model: Model,
    config: Mapping[str, Any],
    kaito: bool,
    tokenizer: Mapping[str, Any] | None = None,
    transformers: int | None = 5,
    vllm_from: str = "",
    kaito_from: tuple[Mapping[str, Any], str] | None = None,
) -> Model:
    """``model`` (a catalog.Model described on the command line) with its architecture from
    config.json, or a UsageError where its --max-context is above what config.json allows: vLLM
    exits at start above its derived length, and for KAITO (``kaito``) its webhook also refuses a
    max-model-len above its own token limit (api/v1beta1/inference_config_validation.go). ``vllm_from``: the
    file ``config`` was built from where it is not config.json (params.json), said before vLLM's length key;
    ``kaito_from``: what KAITO's generator read and its file, where that is not ``config``."""
    found = limits(config, tokenizer, transformers)
    kaito_file = vllm_from or "config.json"
    if kaito_from is not None:
        (limit, key), kaito_file = kaito_limit(kaito_from[0]), kaito_from[1]
        found = found._replace(kaito=limit, kaito_key=key)
    bounds = []
    if found.vllm is not None:
        key = f"{vllm_from} {found.vllm_key}" if vllm_from else found.vllm_key
        bounds.append(
            (found.vllm, f"{found.vllm} ({key}), above which vLLM exits at start", vllm_from or "config.json")
        )
    if kaito:
        said = f"{found.kaito} ({found.kaito_key}), above which KAITO's webhook refuses it"
        bounds.append((found.kaito, said, kaito_file))
    for limit, said, file in sorted(bounds, key=lambda b: b[0]):
        if model.context > limit:
            raise UsageError(
                f"--max-context {model.context} is above {model.id}'s limit in its {file} on Hugging Face: {said}",
                hint=f"use --max-context {limit}",
            )
    from akscli.model.catalog import HUB_SOURCE

    return model._replace(architecture=found.architecture, source=HUB_SOURCE)
