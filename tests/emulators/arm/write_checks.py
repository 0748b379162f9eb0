"""What ARM does with a write before the resource type's own rules (split out of routes.py): the body
read as JSON, tag names checked, a busy resource refused, a PATCH merged; and ARM's 404."""

from __future__ import annotations

import copy
import json
import re
import time
from typing import TYPE_CHECKING, Any

from tests.emulators.arm.server import ArmError

if TYPE_CHECKING:
    from tests.emulators.arm.server import ArmEmulator


def not_found(resource_id: str, type_name: str) -> ArmError:
    """ARM's 404 ResourceNotFound in its words (upstream: MicrosoftDocs/azure-docs
    articles/azure-resource-manager/troubleshooting/error-not-found.md; as az prints it: "(ResourceNotFound)
    The Resource 'Microsoft.Compute/virtualMachines/myVMPW' under resource group 'cli-tutorial' was
    not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")."""
    name = resource_id.rstrip("/").split("/")[-1]
    rg = re.search(r"/resourcegroups/([^/]+)", resource_id, re.I)
    where = f" under resource group '{rg.group(1)}'" if rg else ""
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{type_name}/{name}'{where} was not found. For more details please go "
        "to https://aka.ms/ARMResourceNotFoundFix",
    )


def body_json(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        obj = json.loads(body)
    except ValueError as e:
        # ARM's 400 InvalidRequestContent for a body it cannot read, in its words (upstream:
        # MicrosoftDocs/azure-docs articles/azure-resource-manager/troubleshooting/
        # quickstart-troubleshoot-arm-deployment.md: "Code=InvalidRequestContent; Message=The
        # request content was invalid and could not be deserialized: 'Could not find member ...'").
        raise ArmError(
            400, "InvalidRequestContent", f"The request content was invalid and could not be deserialized: {e}"
        ) from e
    if not isinstance(obj, dict):
        raise ArmError(400, "InvalidRequestContent", "The request content must be an object.")
    return obj


# ARM refuses a tag name with < > % & \\ ? / or a control character, on every write, with 400
# InvalidTagNameCharacters. Limits: learn.microsoft.com azure-resource-manager/management/tag-resources
# ("Limitations"); the code and text as Azure/azure-powershell
# src/Migrate/Migrate.Autorest/custom/New-AzMigrateServerReplication.ps1 repeats ARM's error.
_BAD_TAG_NAME = re.compile(r"[<>%&\\?/\x00-\x1f\x7f]")


def check_tag_names(req: dict[str, Any]) -> None:
    tags = req.get("tags")
    if not isinstance(tags, dict):
        return
    bad = [k for k in tags if _BAD_TAG_NAME.search(str(k))]
    if bad:
        raise ArmError(
            400,
            "InvalidTagNameCharacters",
            f"The tag names '{', '.join(bad)}' have reserved characters '<,>,%,&,\\,?,/' or control characters.",
        )


def check_not_busy(emu: ArmEmulator, resource_id: str, type_name: str) -> None:
    """A write to a resource whose operation still runs: 409 OperationNotAllowed. For a managed
    cluster AKS's words, "Operation is not allowed because there's an in progress update managed
    cluster operation (operation ID: e375d315-...) on the managed cluster started on UTC
    2026-05-22T07:19:23Z. Please wait for it to finish before starting a new operation. You can
    also use 'az aks operation-abort ...' to abort the ongoing operation." (upstream:
    Azure/azure-cli-extensions#9855, 2026-05-18; the verb is "update" there: the emulator says
    create or delete while the cluster is Creating or Deleting). Other types: the same shape with
    the type's name (no provider's own words were found)."""
    op_id = emu._busy.get(resource_id.lower())
    if op_id is None:
        return
    op = emu._ops[op_id]
    name = resource_id.split("/")[-1]
    if type_name.lower() == "microsoft.containerservice/managedclusters":
        state = str(((emu.get_resource(resource_id) or {}).get("properties") or {}).get("provisioningState") or "")
        verb = {"Creating": "create", "Deleting": "delete"}.get(state, "update")
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(op.start))
        raise ArmError(
            409,
            "OperationNotAllowed",
            f"Operation is not allowed because there's an in progress {verb} managed cluster operation "
            f"(operation ID: {op.id}) on the managed cluster started on UTC {started}. Please wait for it "
            "to finish before starting a new operation. You can also use 'az aks operation-abort ...' to "
            "abort the ongoing operation.",
        )
    raise ArmError(
        409,
        "OperationNotAllowed",
        f"Operation is not allowed because there's an in progress {op.kind} operation "
        f"(operation id {op.id}) on {type_name.split('/')[-1]} '{name}'. Please wait for "
        "it to finish before starting a new operation.",
    )


def merge(dst: dict[str, Any], patch: dict[str, Any]) -> None:
    """A PATCH body merged as JSON merge patch, RFC 7396: ARM's rule for the fields inside the
    properties envelope (upstream: Azure/azure-resource-manager-rpc 69e229f
    v1.0/resource-api-reference.md "Patch Resource"), so a member PATCH of some labels keeps the
    others. The top-level ``tags`` are not merged (``patched``)."""
    for k, v in patch.items():
        if v is None:
            dst.pop(k, None)
        elif isinstance(v, dict) and isinstance(dst.get(k), dict):
            merge(dst[k], v)
        else:
            dst[k] = copy.deepcopy(v)


def patched(existing: dict[str, Any], req: dict[str, Any]) -> dict[str, Any]:
    """A resource after a PATCH: ``req`` merged (``merge``), but its top-level ``tags`` replace
    the resource's whole: "The behavior for a PATCH of the tags property is to replace all tags
    with the provided tag keys and values" (tag1 and tag2, then a PATCH of tag3: tag3 alone)
    (upstream: Azure/azure-resource-manager-rpc 69e229f v1.0/resource-api-reference.md "Patch
    Resource"). AKS's updateTags (PATCH with a TagsObject, e.g. ManagedClustersUpdateTags.json:
    {"tags": {"archv3": "", "tier": "testing"}}) is such a PATCH."""
    new = copy.deepcopy(existing)
    tags = req.get("tags")
    merge(new, {k: v for k, v in req.items() if k != "tags" or not isinstance(tags, dict)})
    if isinstance(tags, dict):
        new["tags"] = copy.deepcopy(tags)
    return new
