"""Azure's answer on the NodeClaim of a KAITO Workspace whose node did not launch, read when a wait
runs out of time (one list of NodeClaims, only then), and the NodeClaim state `model status` shows
while a Workspace's ResourceReady is not True (``status_line``: one list).

KAITO shows a NodeClaim's provisioning error on the Workspace cut to 256 characters
(kaito-project/kaito 056b8280 pkg/utils/nodeclaim/nodeclaim.go FirstNodeClaimProvisioningState,
maxProvisioningErrorMessageLen), which ends inside the agent pool PUT's URL; the NodeClaim keeps 800
(Azure/gpu-provisioner c09a56c0 vendor/sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/lifecycle/
launch.go launchNodeClaim, truncateMessage: Launched Unknown, reason LaunchFailed). That text is
gpu-provisioner's wrapping (pkg/cloudprovider/cloudprovider.go Create "creating instance, %w";
pkg/providers/instance/instance.go Create "agentPool.BeginCreateOrUpdate for %q failed: %w") of
azcore's ResponseError (Azure/gpu-provisioner vendor/github.com/Azure/azure-sdk-for-go/sdk/azcore/
internal/exported/response_error.go Error: the method and URL, "ERROR CODE: X", then the JSON body
with the error's code and message). The NodeClaims of a Workspace carry its name and namespace
labels (readiness.kaito.claim_selector); the first condition of Launched, Registered, Initialized
that is not True, in that order, is the one KAITO shows (FirstNodeClaimProvisioningState).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from akscli import errors
from akscli.azure import armerrors
from akscli.kube.client import Kube
from akscli.kube.readiness import kaito

API_VERSION = "karpenter.sh/v1"
STAGES = ("Launched", "Registered", "Initialized")
_CODE = re.compile(r"^ERROR CODE: (\S+)", re.M)
# The error's message in azcore's indented JSON body; the 800-character cut may end it unterminated.
_MESSAGE = re.compile(r'"message":\s*"((?:[^"\\]|\\.)*)("?)')


@dataclass(frozen=True)
class ClaimError:
    """What a wait's timeout adds: ``said`` to its error, ``fix`` as its hint."""

    said: str
    fix: str


def _azure(text: str) -> tuple[str, str] | None:
    """Azure's error code and message in a launch error, where azcore's text is there."""
    code = _CODE.search(text)
    found = _MESSAGE.search(text, code.end()) if code else None
    if code is None or found is None:
        return None
    raw, closed = found.groups()
    try:
        message = json.loads(f'"{raw}"')
    except json.JSONDecodeError:
        message = raw
    return code.group(1), message if closed else f"{message.rstrip('.')}..."


def _first_error(claims: list[dict[str, Any]]) -> tuple[str, Mapping[str, Any]] | None:
    """(NodeClaim name, condition): FirstNodeClaimProvisioningState's pick, AwaitingReconciliation
    (nothing has failed yet) left out."""
    live = [c for c in claims if not (c.get("metadata") or {}).get("deletionTimestamp")]
    for stage in STAGES:
        for claim in live:
            for cond in (claim.get("status") or {}).get("conditions") or []:
                if cond.get("type") != stage or cond.get("status") == "True" or not cond.get("message"):
                    continue
                if cond.get("reason") != "AwaitingReconciliation":
                    return str((claim.get("metadata") or {}).get("name") or ""), cond
    return None


def _said(cond: Mapping[str, Any]) -> str:
    """A failed condition in a few words: Azure's code and message where azcore's text is there."""
    azure = _azure(str(cond.get("message")))
    if azure is None:
        return f"{cond.get('type')}={cond.get('status')} ({cond.get('reason')}): {cond.get('message')}"
    code, message = azure
    if armerrors.is_quota(code, message):
        return armerrors.quota_error("Azure refused its node: ", message).message
    return f"Azure refused its node: {code}: {message}"


def _stage(claim: Mapping[str, Any]) -> str | None:
    """A NodeClaim's state while it is not Ready: its first of Launched, Registered, Initialized that is
    not True, with reason and message; with no condition at all, the launch in flight (Azure/gpu-provisioner
    c09a56c0 pkg/providers/instance/instance.go Create holds the reconcile on the agent pool PUT, and
    Karpenter's lifecycle/controller.go Reconcile writes the status after it returns). None once Ready."""
    name = str((claim.get("metadata") or {}).get("name") or "")
    conds = {str(c.get("type")): c for c in (claim.get("status") or {}).get("conditions") or []}
    if (conds.get("Ready") or {}).get("status") == "True":
        return None
    if not conds:
        return f"launching: gpu-provisioner is creating agent pool {name}, no condition yet"
    for stage in STAGES:
        cond = conds.get(stage)
        if cond is not None and cond.get("status") != "True":
            return f"{stage}={cond.get('status')} ({cond.get('reason')}): {cond.get('message') or ''}".rstrip(": ")
    return "not Ready"


def nodes_pending(obj: Mapping[str, Any]) -> bool:
    """A Workspace whose ResourceReady is not True (kaito-project/kaito 056b8280 pkg/nodeprovision/
    gpu-provisioner/gpu_provisioner.go CollectNodeStatusInfo: True only with enough Ready NodeClaims and
    nodes), so its NodeClaims are worth a read."""
    if obj.get("kind") != "Workspace" or not str(obj.get("apiVersion") or "").startswith("kaito.sh/"):
        return False
    conds = {str(c.get("type")): c for c in (obj.get("status") or {}).get("conditions") or []}
    return (conds.get("ResourceReady") or {}).get("status") != "True"


def status_line(kube: Kube, workspace: Mapping[str, Any]) -> str | None:
    """`model status`'s NodeClaim line for a Workspace whose nodes are not all Ready: the NodeClaim KAITO
    shows (FirstNodeClaimProvisioningState's failed condition, Azure's answer parsed), else the first not
    Ready, by name and state; with how many are not Ready where there are more. One list by the
    Workspace's labels (readiness.kaito.claim_selector); None when all are Ready, there are none, or
    they cannot be read (403, no CRD)."""
    try:
        claims = list(kube.list(API_VERSION, "NodeClaim", label_selector=kaito.claim_selector(workspace)))
    except errors.AkscliError:
        return None
    live = sorted(
        (c for c in claims if not (c.get("metadata") or {}).get("deletionTimestamp")),
        key=lambda c: str((c.get("metadata") or {}).get("name") or ""),
    )
    waiting = [(c, state) for c in live if (state := _stage(c)) is not None]
    if not waiting:
        return None
    failed = _first_error(live)
    if failed is not None:
        name, said = failed[0], _said(failed[1])
    else:
        name, said = str(waiting[0][0]["metadata"]["name"]), waiting[0][1]
    more = f" ({len(waiting)} of {len(live)} NodeClaims not Ready)" if len(live) > 1 else ""
    return f"NodeClaim {name}: {said}{more}"


def launch_error(kube: Kube, workspace: Mapping[str, Any]) -> ClaimError | None:
    """The error of the Workspace's NodeClaim that did not launch, with the NodeClaim named; None when
    none is found or the NodeClaims cannot be read."""
    try:
        claims = list(kube.list(API_VERSION, "NodeClaim", label_selector=kaito.claim_selector(workspace)))
    except errors.AkscliError:
        return None
    found = _first_error(claims)
    if found is None:
        return None
    name, cond = found
    describe = f"kubectl describe nodeclaim {name}"
    azure = _azure(str(cond.get("message")))
    if azure is None:
        return ClaimError(f"; NodeClaim {name}: {cond.get('reason')}", f"read its whole error with {describe}")
    code, message = azure
    if armerrors.is_quota(code, message):
        quota = armerrors.quota_error(f"NodeClaim {name}: Azure refused its node: ", message)
        return ClaimError(f"; {quota.message}", f"{quota.hint}; the whole error: {describe}")
    return ClaimError(
        f"; NodeClaim {name}: Azure refused its node: {code}: {message}", f"read the whole error with {describe}"
    )
