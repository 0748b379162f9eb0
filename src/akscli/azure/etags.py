"""Optimistic concurrency on AKS writes: the eTag a read returned, sent back as If-Match.

AKS keeps an eTag on each managed cluster and each agent pool (an agent pool's in its properties)
and takes If-Match and If-None-Match on their PUT, If-Match on their tags PATCH and DELETE
(upstream: Azure/azure-rest-api-specs specification/containerservice/resource-manager/
Microsoft.ContainerService/aks/stable/2026-08-01/managedClusters.json, ManagedClusters_CreateOrUpdate
"if-match"/"if-none-match", ManagedClusters_UpdateTags and ManagedClusters_Delete "if-match";
ManagedCluster.eTag "Specify an if-match or if-none-match header with the eTag value for a subsequent
request to enable optimistic concurrency"). A value that no longer matches is refused before anything
changes, 412 PreConditionFailed, and "A new GET operation is needed to get the latest eTag"; If-None-Match
"can only be empty or take a value of `*`", and the two headers cannot go together (upstream:
MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-etags.md, "Common Issues").

akscli sends the headers itself, with the value exactly as read or typed, as az does (upstream:
Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/agentpool_decorator.py get_if_match /
get_if_none_match pass the flag through to begin_create_or_update): the SDK's own ``match_condition``
would wrap a bare value such as AKS's GUIDs in quotes (azure-mgmt-containerservice 41.8.0
_utils/utils.py quote_etag).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from akscli.azure.armerrors import PRECONDITION_FAILED
from akscli.errors import ConflictError, UsageError

T = TypeVar("T")
IF_MATCH = "If-Match"
IF_NONE_MATCH = "If-None-Match"
MAX_LEN = 256
# Where each resource's eTag is in its show output (an agent pool's in its properties, 2026-08-01:
# ManagedClusterAgentPoolProfileProperties.eTag).
CLUSTER_ETAG = ".eTag"
POOL_ETAG = ".properties.eTag"


def cluster_show(rg: str, name: str) -> str:
    return f"akscli cluster show {name} -g {rg}"


def pool_show(rg: str, cluster: str, name: str) -> str:
    return f"akscli nodepool show {name} --cluster {cluster} -g {rg}"


def etag_cmd(show: str, path: str) -> str:
    """The command that prints just the eTag: ``show`` with ``-o jsonpath={path}``."""
    return f"{show} -o jsonpath={{{path}}}"


def check_if_match(
    value: str | None, show: str, *, not_with: str | None = None, instead: str | None = None
) -> str | None:
    """--if-match ETAG, checked before anything is sent: an eTag is visible ASCII (an HTTP header
    value; RFC 9110 entity-tag characters), "*" for any. ``not_with``: the flag of a request that
    takes no If-Match (a POST action such as upgradeNodeImageVersion has none in the spec), or of a
    read; ``instead``: what to do to send one, where that is not to drop ``not_with``."""
    if value is None:
        return None
    if not_with:
        raise UsageError(
            f"--if-match does not go with {not_with}: that request takes no If-Match",
            hint=f"drop --if-match, or {instead or f'drop {not_with}'}",
        )
    if not value or len(value) > MAX_LEN or any(not 0x21 <= ord(ch) <= 0x7E for ch in value):
        raise UsageError(
            f"invalid --if-match {value!r}: an eTag is 1 to {MAX_LEN} visible ASCII characters, no spaces",
            hint=f"copy the eTag from '{show}'",
        )
    return value


def check_upgrade_if_match(value: str | None, show: str, *, version: str | None, node_image_only: bool) -> str | None:
    """--if-match on ``cluster upgrade`` or ``nodepool upgrade``: only a version upgrade (-k) is a
    PUT that takes it; a node image upgrade is a POST action, and without -k the command lists the
    versions (a read)."""
    if node_image_only:
        return check_if_match(value, show, not_with="--node-image-only")
    if not version:
        return check_if_match(value, show, not_with="a listing of the upgrades", instead="give -k VERSION to upgrade")
    return check_if_match(value, show)


def check_if_none_match(value: str | None) -> str | None:
    """--if-none-match: only "*" (create only if absent), as AKS takes it (use-etags.md, Scenario 1)."""
    if value is None:
        return None
    if value != "*":
        raise UsageError(
            f"invalid --if-none-match {value!r}: AKS takes only '*' (create only if it does not exist)",
            hint="pass --if-none-match '*' (quoted, so that the shell does not expand it)",
        )
    return value


def of_cluster(cluster: Mapping[str, Any]) -> str | None:
    value = cluster.get("eTag")
    return str(value) if value else None


def of_pool(pool: Mapping[str, Any]) -> str | None:
    """An agent pool's eTag is in its properties (2026-08-01: ManagedClusterAgentPoolProfileProperties.eTag)."""
    value = (pool.get("properties") or {}).get("eTag")
    return str(value) if value else None


def headers(if_match: str | None = None, if_none_match: str | None = None) -> dict[str, str]:
    """The SDK call's ``headers=``: the conditions that are set, nothing for those that are not."""
    out = {}
    if if_match:
        out[IF_MATCH] = if_match
    if if_none_match:
        out[IF_NONE_MATCH] = if_none_match
    return out


def guarded(
    what: str, send: Callable[[], T], *, show: str, given: bool, created: bool = False, path: str = CLUSTER_ETAG
) -> T:
    """Send a conditional write (the SDK call ``send``, through arm.call as ``what``); a 412
    becomes one line saying which condition failed.

    ``given``: the eTag came from --if-match (the user's), else from akscli's own read a moment ago,
    a concurrent change in between. ``created``: the write was a create under If-None-Match "*".
    ``show``: the show command of the resource (no -o); ``path``: where its eTag is (jsonpath).
    Nothing is retried: the change was decided on the state that was read, as kubectl's update
    refuses a stale resourceVersion ("the object has been modified; please apply your changes to the
    latest version and try again", upstream: kubernetes/apiserver 24a394e5
    pkg/registry/generic/registry/store.go OptimisticLockErrorMsg). A 412 on azure-core's own retry
    of the request (after a 5xx or a timeout) may answer akscli's first attempt, which then made the
    change: the line says so rather than "nothing was changed" (upstream: RFC 9110 13.1.1, the
    change "has already succeeded, but the user agent might not be aware of it"; AKS answers such
    an If-Match "200 - OK OR 412", MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-etags.md)."""
    from akscli.azure import arm
    from akscli.azure.armretry import counting_retries

    try:
        with counting_retries() as retried:
            return arm.call(what, send)
    except ConflictError as exc:
        if exc.reason != PRECONDITION_FAILED:
            raise
        if retried[0]:
            message = (
                f"{what}: 412 Precondition Failed on a retry after an attempt Azure did not answer clearly "
                "(a server error or a timeout): that attempt may have made the change"
            )
            hint = f"see what it is now with '{show} -o json' before running the command again"
        elif created:
            message = f"{what}: it already exists (If-None-Match: *); nothing was changed"
            hint = f"see it with '{show} -o json', or create it under another name"
        elif given:
            message = f"{what}: --if-match is not its current eTag (412 Precondition Failed); nothing was changed"
            hint = f"read the current eTag with '{etag_cmd(show, path)}', then run the command again"
        else:
            message = f"{what}: it changed in Azure after akscli read it (412 Precondition Failed); nothing was changed"
            hint = f"run the command again to apply it on top of the new state (see it with '{show} -o json')"
        err = ConflictError(message, hint=hint)
        err.reason = PRECONDITION_FAILED
        raise err from exc
