"""Azure Resource Manager: SDK client factory, long-running operations, error translation.

Every ARM call of akscli goes through ``management_client`` (official SDKs) or ``raw_client``
(API versions the SDKs lack); both share one credential, retry and polling configuration,
and every failure comes back through ``translate_arm_error`` as one line with a fix.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from akscli.azure import armerrors, identity
from akscli.azure.armerrors import arm_endpoint
from akscli.errors import AkscliError, OperationInterrupted, OperationTimedOut, UsageError, WaitTimeoutError

if TYPE_CHECKING:
    from azure.core.configuration import Configuration
    from azure.core.polling import LROPoller
    from azure.core.rest import HttpRequest
    from azure.mgmt.core import ARMPipelineClient

ARM_SCOPE = "https://management.azure.com/.default"
DEFAULT_POLL_INTERVAL = 60.0
# provisioningState has three terminal states; any other is an operation still running, and no
# provisioningState at all means Succeeded (upstream: Azure/azure-resource-manager-rpc 69e229f
# v1.0/async-api-reference.md, "ProvisioningState property").
TERMINAL_STATES = ("Succeeded", "Failed", "Canceled")
T = TypeVar("T")


@dataclass(frozen=True)
class AzureTarget:
    """Which subscription, as whom: the ``--subscription/--auth/--tenant`` flags."""

    subscription: str | None = None
    auth: str | None = None
    tenant: str | None = None

    def subscription_id(self) -> str:
        if offline() and self.subscription in (None, SUBSCRIPTION_PLACEHOLDER):
            try:
                return identity.resolve_subscription(None)
            except UsageError:
                return SUBSCRIPTION_PLACEHOLDER  # an offline dry run names no subscription it need not
        return identity.resolve_subscription(self.subscription)

    def validated(self) -> AzureTarget:
        """Check every value before anything is sent (raises UsageError)."""
        identity.check_auth(self.auth)
        identity.check_tenant(self.tenant)
        return AzureTarget(self.subscription_id(), self.auth, self.tenant)


def arm_scope() -> str:
    # A sovereign cloud has its own ARM audience; the emulator accepts the public one.
    return os.environ.get("AKSCLI_ARM_SCOPE") or ARM_SCOPE


class DryRunRequest(AkscliError):
    """--dry-run: the first request that would change something, stopped before it is sent.
    An AkscliError so that every layer that passes akscli's errors on passes it on; the
    command's dry_run_scope prints it (should one escape, it still names the request)."""

    def __init__(self, method: str, url: str, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(f"dry run: stopped before {method} {url}")
        self.request = printed_request(method, url, body, headers)


class DryRunRequests(AkscliError):
    """--dry-run of a command that sends several writes (``each_write``): every one of them, in
    order, each stopped before it is sent; the command's dry_run_scope prints them all."""

    def __init__(self, requests: list[dict[str, Any]]) -> None:
        super().__init__(f"dry run: stopped before {len(requests)} requests")
        self.requests = requests


def each_write(sends: list[Callable[[], T]]) -> list[T]:
    """Send each write in turn and return what each returns; within a dry run, have each one
    built and stopped (DryRunRequest), then stop with all of them (DryRunRequests), so that the
    dry run prints every write the command sends, not only the first."""
    if not _DRY_RUN[-1]:
        return [send() for send in sends]
    stopped: list[dict[str, Any]] = []
    for send in sends:
        try:
            send()
        except DryRunRequest as stop:
            stopped.append(stop.request)
            continue
        raise AkscliError("dry run: a write was not stopped")  # _stop_writes stops every write
    raise DryRunRequests(stopped)


# The request headers a dry run prints: the conditions that decide whether the write happens
# (azure/etags.py); the rest (authorization, user agent, content type) are the client's own.
PRINTED_HEADERS = ("If-Match", "If-None-Match")


def printed_request(method: str, url: str, body: Any, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The one shape in which every ARM command's --dry-run prints a request: its method, its URL
    with the api-version, its conditional headers where it has any (If-Match, If-None-Match), its
    body (docs/grammar.md)."""
    request: dict[str, Any] = {"method": method, "url": url}
    conditions = {name: str(headers[name]) for name in PRINTED_HEADERS if headers and headers.get(name)}
    if conditions:
        request["headers"] = conditions
    request["body"] = body
    return request


def request_url(path: str, api_version: str) -> str:
    """The URL ``raw_call``/``raw_begin`` send a request for ``path`` to (for requests printed
    without being built by a client)."""
    return f"{arm_endpoint()}/{path.lstrip('/')}?api-version={api_version}"


# Set while a command runs with --dry-run (client): "reads" (reads go out, the first write
# stops) or "offline" (nothing goes out: no token, no read; the first request stops).
_DRY_RUN: list[str] = [""]
# Where a dry run offline has no subscription to name (none given, none configured).
SUBSCRIPTION_PLACEHOLDER = "{subscriptionId}"


@contextmanager
def dry_run(enabled: bool = True, *, offline: bool = False) -> Iterator[None]:
    """Within: every PUT/PATCH/POST/DELETE to ARM raises DryRunRequest instead of being sent.

    ``offline``: the clients made within sign in with no one (``_NoSignIn``) and no request
    goes out at all, for commands whose request needs no read: the SDK still builds it (URL,
    api-version, body), so what is printed is what it would send.
    """
    _DRY_RUN.append(("offline" if offline else "reads") if enabled else "")
    try:
        yield
    finally:
        _DRY_RUN.pop()


def offline() -> bool:
    """Whether this is a dry run that contacts nothing."""
    return _DRY_RUN[-1] == "offline"


class _NoSignIn:
    """The credential of an offline dry run: a placeholder token, no sign-in, no network."""

    def get_token(self, *_scopes: str, **_kw: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("dry-run", int(time.time()) + 3600)


def _stop_writes(request: Any) -> None:
    """azure-core's raw_request_hook: runs on every request of every ARM client akscli makes."""
    http = request.http_request
    if not _DRY_RUN[-1]:
        return
    if http.method in ("GET", "HEAD"):
        if offline():
            raise AkscliError(f"dry run (client) reads nothing, and this command would first read {http.url}")
        return
    raw = http.body if isinstance(http.body, (str, bytes)) else None
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode() if isinstance(raw, bytes) else raw
    url = str(http.url).replace(quote(SUBSCRIPTION_PLACEHOLDER, safe=""), SUBSCRIPTION_PLACEHOLDER)
    raise DryRunRequest(http.method, url, body, http.headers)


def _credential(target: AzureTarget) -> Any:
    if offline():
        return _NoSignIn()
    from akscli.azure.tabtoken import Kept  # the Azure CLI's tokens kept for a <TAB>

    subscription = target.subscription_id()
    inner = identity.credential(target.auth, target.tenant, subscription=subscription)
    return Kept(inner, (target.auth, target.tenant, subscription))


def _client_kwargs() -> dict[str, Any]:
    raw = os.environ.get("AKSCLI_ARM_RETRIES", "4")
    if not raw.isdigit() or int(raw) > 20:
        raise UsageError(f"invalid AKSCLI_ARM_RETRIES {raw!r}", hint="a whole number of retries from 0 to 20, e.g. 4")
    retries = int(raw)
    # azure-core caps retries on 408/429/5xx at retry_status (default 3) whatever retry_total
    # says (azure/core/pipeline/policies/_retry.py), so both carry the user's number.
    from akscli.azure.armretry import ReachableRetryPolicy

    kw: dict[str, Any] = {
        "retry_total": retries,
        "retry_status": retries,
        "retry_policy": ReachableRetryPolicy(retry_total=retries, retry_status=retries),
        "user_agent": "akscli",
        "raw_request_hook": _stop_writes,
    }
    # Between polls of a long-running operation the SDK waits Retry-After when Azure sends it, else
    # this interval: the RPC's default of 60 s (Azure/azure-resource-manager-rpc
    # v1.0/async-api-reference.md, "202 Accepted and Location Headers" step 3).
    interval = os.environ.get("AKSCLI_LRO_POLL_INTERVAL", str(DEFAULT_POLL_INTERVAL))
    try:
        kw["polling_interval"] = float(interval)
    except ValueError:
        raise UsageError(f"invalid AKSCLI_LRO_POLL_INTERVAL {interval!r}", hint="seconds, e.g. 60") from None
    # The wait between polls, Retry-After included, bounded as a retry's (armretry.poll_transport).
    from akscli.azure.armretry import poll_transport

    kw["transport"] = poll_transport(kw["polling_interval"])
    return kw


def management_client(client_class: type[T], target: AzureTarget, **kw: Any) -> T:
    """An SDK management client (e.g. ContainerServiceClient) for ``target``."""
    cred = _credential(target)
    options = {**_client_kwargs(), **kw}
    return client_class(  # type: ignore[call-arg]
        cred,
        target.subscription_id(),
        base_url=arm_endpoint(),
        credential_scopes=[arm_scope()],
        **options,
    )


def pipeline_config(kw: dict[str, Any]) -> Configuration[Any, Any]:
    """The pipeline settings every akscli client shares: headers, user agent, proxy, redirects and the
    retries of ``kw`` (``_client_kwargs``). Its authentication policy is the caller's."""
    from azure.core.configuration import Configuration
    from azure.core.pipeline import policies

    config: Configuration[Any, Any] = Configuration()
    config.headers_policy = policies.HeadersPolicy()
    config.user_agent_policy = policies.UserAgentPolicy(sdk_moniker="akscli")
    config.proxy_policy = policies.ProxyPolicy()
    config.redirect_policy = policies.RedirectPolicy()
    config.retry_policy = kw["retry_policy"]
    return config


def raw_client(target: AzureTarget) -> ARMPipelineClient[Any, Any]:
    """An ARM pipeline client with the same credential, retries and LRO polling as the SDKs,
    for API versions no installed SDK has. Use with ``raw_call`` / ``raw_begin``."""
    from azure.core.pipeline import policies
    from azure.mgmt.core import ARMPipelineClient
    from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy, ARMHttpLoggingPolicy

    kw = _client_kwargs()
    config = pipeline_config(kw)
    config.custom_hook_policy = policies.CustomHookPolicy(raw_request_hook=_stop_writes)
    config.logging_policy = policies.NetworkTraceLoggingPolicy()
    config.http_logging_policy = ARMHttpLoggingPolicy()
    config.authentication_policy = ARMChallengeAuthenticationPolicy(_credential(target), arm_scope())
    config.polling_interval = kw["polling_interval"]
    client: ARMPipelineClient[Any, Any] = ARMPipelineClient(
        base_url=arm_endpoint(), config=config, transport=kw["transport"]
    )
    client._akscli_subscription = target.subscription_id()  # type: ignore[attr-defined]
    return client


def raw_call(
    client: ARMPipelineClient[Any, Any],
    method: str,
    path: str,
    api_version: str,
    body: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """One ARM request; returns the JSON body (None for an empty one)."""
    from azure.core.rest import HttpRequest

    params = {} if "api-version=" in path else {"api-version": api_version}
    response = _send(client, HttpRequest(method, _url(client, path), params=params, json=body))
    if not response.content:
        return None
    data = response.json()
    return data if isinstance(data, dict) else {"value": data}


def raw_pages(target: AzureTarget, path: str, api: str, params: str = "") -> list[dict[str, Any]]:
    """Every item of an ARM collection GET, following its ``nextLink`` pages."""
    client = raw_client(target)
    rows: list[dict[str, Any]] = []
    url: str | None = path + params
    while url:
        page = raw_call(client, "GET", url, api) or {}
        rows.extend(page.get("value") or [])
        url = page.get("nextLink")
    return rows


def raw_begin(
    client: ARMPipelineClient[Any, Any],
    method: str,
    path: str,
    api_version: str,
    body: dict[str, Any] | None = None,
) -> LROPoller[Any]:
    """Start a long-running ARM request (PUT/PATCH/DELETE/POST action); wait with wait_lro."""
    from azure.core.polling import LROPoller
    from azure.core.rest import HttpRequest
    from azure.mgmt.core.polling.arm_polling import ARMPolling

    request = HttpRequest(method, _url(client, path), params={"api-version": api_version}, json=body)
    response = _send(client, request, _return_pipeline_response=True)

    def deserialize(pipeline_response: Any) -> Any:
        resp = pipeline_response.http_response
        try:
            return resp.json() if resp.content else None
        except ValueError:
            return None

    interval = client._config.polling_interval
    return LROPoller(client, response, deserialize, ARMPolling(interval))


def identity_of(client: Any) -> dict[str, str]:
    """Who an SDK client acts as, from its ARM token's claims (oid, upn, appid); never the token.

    The credential caches the token the client just used, so this costs no sign-in.
    """
    from akscli.kube.client import jwt_claims

    try:
        token = client._config.credential.get_token(arm_scope()).token
    except Exception:  # identity is a nice-to-have in the audit log, never a reason to fail
        return {}
    claims = jwt_claims(token)
    return {key: str(claims[key]) for key in ("oid", "upn", "appid", "preferred_username") if key in claims}


def call(what: str, fn: Callable[[], T]) -> T:
    """Run one SDK call; any failure comes back as one AkscliError naming ``what``."""
    try:
        return fn()
    except (DryRunRequest, DryRunRequests):
        raise
    except Exception as exc:
        raise translate_arm_error(exc, what=what) from exc


def _send(client: ARMPipelineClient[Any, Any], request: HttpRequest, **kw: Any) -> Any:
    """Send one request; an error status or a network failure becomes one AkscliError."""
    try:
        response = client.send_request(request, **kw)
        getattr(response, "http_response", response).raise_for_status()
    except DryRunRequest:
        raise
    except Exception as exc:
        raise translate_arm_error(exc) from exc
    return response


def _url(client: ARMPipelineClient[Any, Any], path: str) -> str:
    if path.startswith("https://"):
        return path
    return client._base_url.rstrip("/") + "/" + path.lstrip("/")


def operation_url(poller: Any) -> str | None:
    """Where Azure reports a long-running operation: the Azure-AsyncOperation URL of the accepted
    write, else its Location (upstream: Azure/azure-resource-manager-rpc 69e229f
    v1.0/async-api-reference.md, "Azure-AsyncOperation" and "202 Accepted and Location Headers"),
    with only its api-version kept: the URL is the provider's to make, and a query parameter
    other than api-version may be a signature (a token), which must not reach a log. None when
    Azure answered at once (no operation to follow)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        headers = poller.polling_method()._initial_response.http_response.headers
    except AttributeError:
        return None
    url = headers.get("Azure-AsyncOperation") or headers.get("Location")
    if not url:
        return None
    parts = urlsplit(str(url))
    kept = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k.lower() == "api-version"])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, kept, ""))


class Deadline:
    """A command's --timeout, shared by every operation it waits for in turn (the node image
    upgrade of each pool, each step of a bare-metal create). The clock starts at the first wait,
    not at a confirmation before it: a retry's wait of the request that begins the operation
    included (armbound.bound_by); ``left`` is what remains for the next one. The clock is the ARM
    retries' (armretry.clock), whose waits it bounds."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends: float | None = None

    def left(self) -> float:
        from akscli.azure import armretry

        if self._ends is None:
            self._ends = armretry.clock() + self.seconds
        return max(0.0, self._ends - armretry.clock())

    def passed(self) -> bool:
        return self.left() <= 0

    def text(self) -> str:
        return duration_text(self.seconds)


def duration_text(seconds: float) -> str:
    """A --timeout as it is typed back: 90s, 30m, 2h."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


def wait_lro(
    poller: LROPoller[T],
    what: str,
    progress: Callable[[str], None] | None = None,
    *,
    deadline: Deadline | None = None,
    follow: str | None = None,
) -> T:
    """Wait for a long-running operation, reporting its state when it changes; errors become
    AkscliErrors. ``progress`` gets the state alone: the status line or spinner it feeds adds the
    time elapsed itself, and repeats the line while the state stays the same (output.status).

    ``deadline`` (--timeout) bounds the wait as the one wait rule bounds a Kubernetes --wait
    (kube/wait.py): past it, OperationTimedOut (exit 5) names the operation still running, says
    that it continues in Azure and that nothing was rolled back, and gives ``follow``, the command
    that follows it. Ctrl-C raises OperationInterrupted, which says the same to the audit line and
    the last line (cli/common.py audited, cli/main.py)."""
    from akscli.azure import armretry

    last = ""
    state = "InProgress"
    try:
        if deadline is not None:
            deadline.left()  # its clock starts with the first wait
        while not poller.done():
            poller.wait(1.0 if deadline is None else min(1.0, deadline.left()))
            state = str(poller.status())
            if progress is not None and state != last:
                progress(f"{what}: {state}")
                last = state
            if deadline is not None and deadline.passed() and not poller.done():
                raise OperationTimedOut(
                    f"{what} is still running in Azure ({state}) after {deadline.text()}: "
                    "akscli stopped waiting, the operation continues",
                    hint=(f"follow it with '{follow}'" if follow else "check on it later")
                    + "; nothing was rolled back",
                    what=what,
                    operation=operation_url(poller),
                )
        # The state ARM reported last, also for an operation done before its first poll: the wait
        # ends on it as `nodepool add`'s does (az aks create ends with the resource, its
        # provisioningState in it: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/custom.py
        # aks_create returns the LRO's result).
        if progress is not None and (final := str(poller.status())) != last:
            progress(f"{what}: {final}")
        return poller.result()
    except KeyboardInterrupt:
        raise OperationInterrupted(what, operation_url(poller), state) from None
    except armretry.PollWaitTooLong as exc:
        raise WaitTimeoutError(f"{what}: {exc.message}", hint=exc.hint) from None
    except AkscliError:
        raise
    except Exception as exc:
        raise translate_arm_error(exc, what=what) from exc
    finally:
        # A wait cut by --timeout or Ctrl-C leaves no azure-core thread polling on in this
        # process, and the command's exit does not wait for that thread (stop_polling).
        stop_polling(poller)


def stop_polling(poller: Any) -> None:
    """Stop the thread of an azure-core LROPoller that akscli no longer follows, without waiting
    for it. azure-core 1.41 has no public cancel: ``LROPoller.__init__`` starts ``self._thread``
    (a daemon, named ``LROPoller(<uuid>)``) unless the polling method is already finished, and
    the thread polls until the operation ends (azure/core/polling/_poller.py). Its waits and requests
    go through akscli's transport and retry policy, which end it (armretry.stop_polling). A poller
    made with ``polling=False`` (--no-wait) has no thread."""
    from akscli.azure import armretry

    armretry.stop_polling(getattr(poller, "_thread", None))


def begun_status(poller: Any) -> str:
    """The operation's state as Azure's answer to the write gives it: what ``poller.status()`` says
    of a polling poller before its first poll. A --no-wait write is sent with ``polling=False``, as
    az sends it (Azure/azure-cli src/azure-cli-core/azure/cli/core/util.py ``sdk_no_wait``:
    ``kwargs.update({'polling': False})``), and azure-core's NoPolling then says "succeeded" of
    anything (azure/core/polling/_poller.py _SansIONoPolling.status); so the state is read from
    the response NoPolling keeps, as ARMPolling reads it when it starts (azure-core
    azure/core/polling/base_polling.py LROBasePolling.initialize, set_initial_status; no request)."""
    from azure.core.polling import NoPolling
    from azure.mgmt.core.polling.arm_polling import ARMPolling

    method = poller.polling_method()
    if not isinstance(method, NoPolling):
        return str(poller.status())

    def read() -> str:
        reader: Any = ARMPolling()  # its client is never used: initialize sends nothing
        reader.initialize(None, method._initial_response, lambda response: response)
        return str(reader.status())

    return call("the operation Azure accepted", read)


def translate_arm_error(exc: BaseException, what: str | None = None) -> AkscliError:
    """Turn an azure-core / azure-identity / network failure into one AkscliError."""
    return armerrors.translate(exc, what)
