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
from pathlib import Path
from typing import Any, NamedTuple

from akscli.errors import AkscliError, AuthError, NotFoundError, UsageError
from akscli.redact import remember

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
