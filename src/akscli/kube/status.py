"""Kubernetes Status bodies (``kind: Status``) turned into akscli errors with readable messages."""

from __future__ import annotations

import json
import re
from typing import Any

from akscli import errors
from akscli.kube.retry import FIELD_MANAGER
from akscli.redact import folded, hide_tokens

# The field manager the Ray autoscaler's writes get (see _conflict_hint).
RAY_AUTOSCALER = "python-requests"

# A 500 with one of these is about the request, not the server: retrying cannot help.
# kubernetes/apimachinery pkg/util/managedfields/internal/structuredmerge.go ("failed to create
# typed patch object"), sigs.k8s.io/structured-merge-diff typed/validation.go ("field not
# declared in schema"), k8s.io/apiserver pkg/endpoints/handlers ("strict decoding error").
REQUEST_IS_WRONG = ("failed to create typed patch object", "field not declared in schema", "strict decoding error")


def _status_of(status: int, body: bytes | str | None, what: str) -> tuple[str, str, dict[str, Any]]:
    """(message, reason, details) of a Kubernetes Status body."""
    message, reason = f"{what} failed with HTTP {status}", ""
    details: dict[str, Any] = {}
    try:
        parsed = json.loads(body or b"{}")
        if isinstance(parsed, dict):
            message = str(parsed.get("message") or message)
            reason = str(parsed.get("reason") or "")
            details = parsed.get("details") or {}
    except (ValueError, TypeError):
        text = (body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")).strip()
        if text:
            message = f"{message}: {text[:300]}"
    return message, reason, details


def _list_continue(body: bytes | str | None) -> str:
    """The Status's ``metadata.continue``: an expired list's token for the rest (upstream:
    kubernetes/apiserver v0.35.0 pkg/storage/etcd3/errors.go, handleCompactedErrorForPaging)."""
    try:
        meta = json.loads(body or b"{}").get("metadata") or {}
    except (ValueError, TypeError, AttributeError):
        return ""
    return str(meta.get("continue") or "") if isinstance(meta, dict) else ""


def conflicts_line(message: str) -> str:
    """A server-side apply conflict on one line, every field under its manager. The API server
    writes one conflict on one line and several as lines, each manager's on its own line followed by
    its fields as "- PATH" lines (kubernetes/apimachinery pkg/util/managedfields/internal/conflict.go
    getConflictMessage): here they become ``conflicts with "m": .a, .b; conflicts with "n": .c``."""
    if "\n" not in message:
        return message
    # What a server quotes in the lines (a YAML line, a block scalar) is hidden while it has them.
    masked = hide_tokens(message)
    lines = masked.split("\n")
    groups: list[str] = []
    for line in lines:
        if line.startswith("- ") and groups:
            groups[-1] += (" " if groups[-1].endswith(":") else ", ") + line[2:]
        elif line.endswith(":"):
            groups.append(line)
        else:
            return " ".join(masked.split())
    return "; ".join(groups)


def _conflict_hint(message: str) -> str:
    """What to do about a conflict: kubectl's first two ways (kubernetes/kubectl pkg/cmd/apply/apply.go,
    errors.IsConflict: re-run with --force-conflicts, or edit the manifest to leave the fields out),
    with the writer named where akscli knows who it is."""
    if re.search(f'conflicts? with "{re.escape(FIELD_MANAGER)}" using ', message):
        # akscli's own patches (ray cluster scale, workergroup add ...) are Update entries of
        # the same name, which the API server counts as another manager than akscli's applies
        # (kubernetes/apimachinery pkg/util/managedfields/internal/managedfields.go
        # BuildManagerIdentifier: name, operation, subresource).
        return (
            "an akscli command that changes objects in place (such as ray cluster scale) set these fields "
            "after this manifest was applied; re-run with --force-conflicts to apply the manifest's values"
        )
    if re.search(f'conflicts? with "{RAY_AUTOSCALER}" using ray.io/', message):
        # The Ray autoscaler's JSON patches of a RayCluster's worker groups carry requests' default
        # user agent, so the API server names their manager python-requests (ray-project/ray
        # python/ray/autoscaler/_private/kuberay/node_provider.py KubernetesHttpApiClient.patch;
        # kubernetes/apiserver pkg/endpoints/handlers/create.go prefixFromUserAgent).
        return (
            "the Ray autoscaler (field manager python-requests) changed the worker groups after this manifest "
            "was applied; re-run with --force-conflicts to apply the manifest's values, and the autoscaler "
            "scales from those"
        )
    return (
        "re-run with --force-conflicts to take these fields from their managers, or leave them out of "
        "the manifest to keep the live values"
    )


def _webhook_denial(message: str) -> bool:
    """``admission webhook "NAME" denied the request``: ToStatusErr's words for a denial."""
    return message.startswith('admission webhook "') and "denied the request" in message


def request_is_wrong(status: int, body: bytes | str | None) -> bool:
    """A 500 whose Status says the request itself is wrong (retrying cannot help)."""
    if status != 500:
        return False
    message = _status_of(status, body, "request")[0]
    return any(marker in message for marker in REQUEST_IS_WRONG)


def api_error(status: int, body: bytes | str | None, what: str = "request") -> errors.AkscliError:
    """Turn a Kubernetes Status body into the matching akscli error with a readable message."""
    error = _api_error(status, body, what)
    error.reason = _status_of(status, body, what)[1]
    return error


def _api_error(status: int, body: bytes | str | None, what: str) -> errors.AkscliError:
    message, reason, details = _status_of(status, body, what)
    if request_is_wrong(status, body):
        # "... Kind=RayCluster): .spec.foo: field not declared in schema": one line naming the field
        return errors.UsageError(
            folded(message),  # hidden before the fold, which takes away the line breaks a YAML block has
            "remove or fix the field the server names: the object's schema does not declare it",
        )
    causes = details.get("causes") or []
    if causes and status == 422:
        fields = "; ".join(f"{c.get('field', '?')}: {c.get('message', '')}" for c in causes[:5])
        message = f"{message} ({fields})" if fields not in message else message
    if status == 404 and details.get("kind") == "namespaces" and details.get("name"):
        # The NamespaceLifecycle admission plugin refuses a create in a namespace that does not
        # exist with the namespace's own NotFound (upstream: kubernetes/apiserver 24a394e5
        # pkg/admission/plugin/namespace/lifecycle/admission.go Admit), a Status whose details
        # name the namespace.
        name = details["name"]
        return errors.NotFoundError(
            message, f"create it first (kubectl create namespace {name}), or pick another with -n"
        )
    if status == 404:
        return errors.NotFoundError(message)
    if status == 409:
        if reason == "AlreadyExists":
            return errors.ConflictError(message, "the object exists already; apply it instead of creating it")
        if "apply failed" in message.lower() or "conflict with" in message.lower():
            return errors.ConflictError(conflicts_line(message), _conflict_hint(message))
        return errors.ConflictError(message, "the object changed meanwhile; run the command again")
    causes_reasons = {str(c.get("reason")) for c in causes if isinstance(c, dict)}
    if status == 403 and "NamespaceTerminating" in causes_reasons:
        # k8s.io/apiserver pkg/admission/plugin/namespace/lifecycle/admission.go: Forbidden with
        # the cause NamespaceTerminating; not a matter of signing in.
        namespace = next((str(c.get("message", "")) for c in causes if c.get("reason") == "NamespaceTerminating"), "")
        return errors.ConflictError(
            f"{namespace or 'the namespace is being deleted'}: nothing new can be created in it",
            "wait until the namespace is gone (kubectl get namespace), then run again, or use another namespace",
        )
    if status == 403 and _webhook_denial(message):
        # A validating webhook's "no": controller-runtime's admission.Denied answers 403 Forbidden
        # (kubernetes-sigs/controller-runtime v0.22.4 pkg/webhook/admission/response.go,
        # ValidationResponse), the API server prefixes the webhook's name (kubernetes/kubernetes
        # staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/errors/statuserror.go,
        # ToStatusErr). KubeFleet's placement webhook denies this way: the object is wrong, not
        # the user's credentials or role.
        return errors.UsageError(message, "fix what the webhook names and run again")
    if status in (401, 403):
        hint = (
            "sign in again (akscli cluster credentials) or check your RBAC role bindings"
            if status == 403
            else "your credentials were rejected: refresh them with akscli cluster credentials"
        )
        return errors.AuthError(message, hint)
    if status in (400, 422):
        return errors.UsageError(message, "fix the value the server names and run again")
    if status == 410:
        return errors.ExpiredError(message, "the list or watch expired; run the command again", _list_continue(body))
    if status == 429:
        # API Priority and Fairness turned it away before it was served (a text body, no Status:
        # kubernetes/apiserver 24a394e5 pkg/server/filters/priority-and-fairness.go tooManyRequests),
        # or a watch cache still starting (pkg/storage/cacher/cacher.go GetList, NewTooManyRequests).
        return errors.AkscliError(
            message,
            "the API server is overloaded and turned the request away each time it was sent: try again in a minute",
        )
    if status == 504 or reason == "Timeout":
        return errors.WaitTimeoutError(message, "raise --request-timeout or try again")
    return errors.AkscliError(message, "the API server failed; try again, or run with --debug")
