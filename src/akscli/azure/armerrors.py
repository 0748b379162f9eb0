"""ARM failures as one AkscliError: Azure's code and message, a hint that fixes it, an exit code.

What Azure said is read by akscli.azure.armfailure (ArmFailure: the two shapes a failure reaches
us in, a synchronous error and a failed long-running operation, with the HTTP class recovered
from the code for the second); here it is classified and given its hint.
"""

from __future__ import annotations

import os
import re
from typing import Any

from akscli import redact
from akscli.azure.armfailure import ArmFailure, failure_of, most_specific, status_of_code
from akscli.errors import (
    AkscliError,
    AuthError,
    ConflictError,
    NotFoundError,
    NotInstalledError,
    QuotaError,
    UsageError,
)

QUOTA_URL = "https://portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade/~/myQuotas"
DEFAULT_ARM_ENDPOINT = "https://management.azure.com"
# The reason a 412 gets (AkscliError.reason, set here and in azure/etags.py), so callers can tell
# it from other conflicts.
PRECONDITION_FAILED = "PreconditionFailed"

# AKS's answer to a VM size not allowed in the subscription and region (a 400 BadRequest; see
# capacity.check): "The VM size of S is not allowed in your subscription in location 'L'. The
# available VM sizes are 'a,b,...' For more details, please visit https://aka.ms/aks/quotas-skus-regions".
_VM_SIZES_ALLOWED = re.compile(r"\s*The available VM sizes are '(?P<list>[^']*)'\.?", re.I)
_VM_SIZE_LOCATION = re.compile(r"is not allowed in your subscription in location '([^']+)'", re.I)
# ARM's answer to a location a resource type is not offered in, which lists the regions it is (a 400;
# Azure/pcs-cli#409 quotes it for managedClusters: "The provided location 'southcentralus' is not
# available for resource type 'Microsoft.ContainerService/managedClusters'. List of available regions
# for the resource type is 'eastus,westeurope,...'."), and NoRegisteredProviderFound's, which names the
# location and ends "The supported locations are 'australiacentral, ..., westus3'." (Azure/azure-cli#28368,
# MicrosoftDocs/azure-docs#23874; learn.microsoft.com azure-resource-manager/troubleshooting/
# error-register-resource-provider).
_LOCATION_GIVEN = re.compile(r"(?:provided location|found for location) '(?P<loc>[^']*)'", re.I)
_LOCATIONS_LISTED = re.compile(
    r"\s*(?:List of available regions for the resource type is|The supported locations are) '(?P<list>[^']*)'\.?",
    re.I,
)
_LOCATION_CODES = ("locationnotavailableforresourcetype", "noregisteredproviderfound")
_VERSION_CODES = ("agentpoolk8sversionnotsupported", "versionnotsupported", "nodepoolmcversionincompatible")
# Compute's words for a quota a VM would exceed, inside AKS's QuotaExceeded ("Preflight validation check
# for resource(s) for container service C in resource group MC_... failed. Message: Operation could not be
# completed as it results in exceeding approved standardBSFamily Cores quota. Additional details - ...",
# cilium/cilium#31859): the family's usage name, "Total Regional" or "Low Priority" (Azure/
# karpenter-provider-azure 352646f pkg/fake/aksmachinesapi.go, pkg/cloudprovider/suite_test.go).
# _QUOTA_FAMILY_CUT finds the family in a message cut short after it (Karpenter keeps 800 characters
# of a launch error, and gpu-provisioner's puts a long URL first).
_QUOTA_FAMILY = re.compile(r"approved (?:quota for )?(.+?) (?:Cores|vCPUs?) quota", re.I)
_QUOTA_FAMILY_CUT = re.compile(r"exceeding approved (\w+Family)\b", re.I)
# Compute also names the spot quota in one word, "exceeding approved LowPriorityCores quota" (Azure/
# karpenter-provider-azure 352646f pkg/fake/aksmachinesapi.go, pkg/providers/instance/offerings/
# errordetailhandlers_test.go; Azure/azure-sdk-for-go-extensions 9a81406 pkg/errors/armerrors_test.go),
# where its other message says "Low Priority Cores quota" (pkg/providers/instancetype/suite_test.go).
_QUOTA_SPOT = re.compile(r"approved LowPriorityCores quota", re.I)
# The usages name.value of the regional quotas the message names in words: what 'az quota update
# --resource-name' takes (Azure/azure-cli-extensions src/quota/README.md names quotas by name.value).
_QUOTA_RESOURCE = {"total regional": "cores", "low priority": "lowPriorityCores"}
_QUOTA_FIELDS = {
    "location": re.compile(r"Location:\s*([\w-]+)", re.I),
    "limit": re.compile(r"Current Limit:\s*(\d+)", re.I),
    "usage": re.compile(r"Current Usage:\s*(\d+)", re.I),
    "required": re.compile(r"Additional Required:\s*(\d+)", re.I),
    "new_limit": re.compile(r"New Limit Required:\s*(\d+)", re.I),
}
# ARM's words for a group that does not exist (upstream: learn.microsoft.com azure-resource-manager
# troubleshooting/error-not-found, ResourceGroupNotFound "Resource group 'NAME' could not be found.").
_GROUP_NOT_FOUND = re.compile(r"Resource group '([^']+)' could not be found", re.I)
# The placeholder of a missing group's hint, which a create that knows its location fills in.
LOCATION_PLACEHOLDER = "-l LOCATION"
_RESOURCE = re.compile(
    r"/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.ContainerService/managedClusters/(?P<cluster>[^/?]+)"
    r"(?:/agentPools/(?P<pool>[^/?]+))?",
    re.I,
)
# A fleet and what lives below it (members, update runs, strategies, profiles, gates).
_FLEET = re.compile(
    r"/resourcegroups/(?P<rg>[^/]+)/providers/Microsoft\.ContainerService/fleets/(?P<fleet>[^/?]+)(?P<child>/[^?]+)?",
    re.I,
)
# A list of one kind of resource in a group (Fleets_ListByResourceGroup, ManagedClusters_ListByResourceGroup).
_GROUP_LIST = re.compile(r"/resourcegroups/[^/]+/providers/(?P<type>[^/?]+/[^/?]+)/?(?:\?|$)", re.I)
# The akscli list that shows each resource of a type with its group (subscription-wide).
_LISTS = {"microsoft.containerservice/managedclusters": "cluster", "microsoft.containerservice/fleets": "fleet"}


def arm_endpoint() -> str:
    return (os.environ.get("AKSCLI_ARM_ENDPOINT") or DEFAULT_ARM_ENDPOINT).rstrip("/")


def is_quota(code: str, message: str) -> bool:
    lcode = code.lower()
    return "quota" in lcode or bool(re.search(r"exceed\w*\s+(?:the\s+)?approved\b.*\bquota", message, re.I))


def quota_error(prefix: str, message: str) -> QuotaError:
    fam = _QUOTA_FAMILY.search(message) or _QUOTA_FAMILY_CUT.search(message)
    fields = {k: (m.group(1) if (m := rx.search(message)) else None) for k, rx in _QUOTA_FIELDS.items()}
    family = "Low Priority" if _QUOTA_SPOT.search(message) else fam.group(1) if fam else None
    where = f" in {fields['location']}" if fields["location"] else ""
    what = f"{family} vCPU quota" if family else "quota"
    if fields["required"] is not None:
        detail = f": limit {fields['limit']}, in use {fields['usage']}, needs {fields['required']} more" + (
            f" (new limit at least {fields['new_limit']})" if fields["new_limit"] else ""
        )
    elif family:
        detail = ""  # the message was cut before its numbers
    else:
        detail = f": {message[:300]}"
    target = f"{family}{where}" if family else f"that VM family{where}"
    resource = _QUOTA_RESOURCE.get(family.lower(), family) if family else None
    command = f"'az quota update --resource-name {resource}'" if resource and " " not in resource else "'az quota'"
    return QuotaError(
        f"{prefix}{what} exceeded{where}{detail}",
        hint=f"request more {target} at {QUOTA_URL} (or {command}), or choose a VM size or region with free quota",
    )


def wait_command(url: str) -> str | None:
    """The akscli command that waits for the resource a request URL names."""
    m = _RESOURCE.search(url)
    if m is None:
        return None
    if m.group("pool"):
        return f"akscli nodepool show {m.group('pool')} --cluster {m.group('cluster')} -g {m.group('rg')}"
    return f"akscli cluster wait {m.group('cluster')} -g {m.group('rg')}"


# What AKS names as the operation that holds a cluster (a 409 OperationNotAllowed), as users
# reported its messages: "Another agentpool operation (nodepool1 - Creating) is in progress"
# (cilium/cilium#25944), "Another operation (nodepool1 - Updating) is in progress"
# (Azure/azure-workload-identity#417), "Another operation (Creating) is in progress", "there's an in
# progress update managed cluster operation (operation ID: ...) on the managed cluster"
# (Azure/azure-cli-extensions#9855, also what a pool add gets while its cluster updates), "an in
# progress put operation ... on managedClusters 'NAME'" (a write of another type's words).
_RUNNING_POOL = re.compile(r"Another (?:agentpool )?operation \((?P<pool>[^\s()]+) - \w+\)", re.I)
_RUNNING_CLUSTER = re.compile(r"Another operation \(\w+\)|on managedClusters '|managed cluster operation", re.I)


def _running_operation_wait(f: ArmFailure) -> str | None:
    """The command that waits for the operation the 409 names, which need not be the refused
    request's target: a pool added while the cluster is still Creating waits for the cluster
    (``cluster wait``), and one added while another pool changes waits for that pool (the refused
    pool does not exist yet, so ``nodepool show`` of it answers "not found")."""
    m = _RESOURCE.search(f.url)
    if m is None:
        return None
    rg, cluster = m.group("rg"), m.group("cluster")
    if (running := _RUNNING_POOL.search(f.message)) is not None:
        return f"akscli nodepool show {running.group('pool')} --cluster {cluster} -g {rg}"
    if _RUNNING_CLUSTER.search(f.message):
        return f"akscli cluster wait {cluster} -g {rg}"
    return wait_command(f.url)


def _show_command(url: str) -> str:
    m = _RESOURCE.search(url)
    if m is None:
        return "'-o json' on the show command"
    if m.group("pool"):
        return f"'akscli nodepool show {m.group('pool')} --cluster {m.group('cluster')} -g {m.group('rg')} -o json'"
    return f"'akscli cluster show {m.group('cluster')} -g {m.group('rg')} -o json'"


def _tenant_hint(message: str) -> str:
    """InvalidAuthenticationTokenTenant names the subscription's tenant in its message."""
    m = re.search(r"associated with this subscription.*?https://[^/\s']+/([0-9a-f-]{36})", message, re.I)
    m = m or re.search(r"must match the tenant '[^']*?([0-9a-f-]{36})", message, re.I)
    tenant = m.group(1) if m else "TENANT"
    return (
        f"the subscription belongs to tenant {tenant}: pass --tenant {tenant} "
        f"(with the Azure CLI: 'az login --tenant {tenant}')"
    )


def _auth(f: ArmFailure, prefix: str) -> AuthError:
    if f.lcode == "invalidauthenticationtokentenant":
        hint = _tenant_hint(f.message)
    else:
        hint = (
            "sign in again ('az login', or check AZURE_CLIENT_ID/AZURE_CLIENT_SECRET), "
            "or pick another credential with --auth"
        )
    return AuthError(f"{prefix}Azure rejected the credential ({f.code or 'Unauthorized'}): {f.message}", hint=hint)


def _forbidden(f: ArmFailure, prefix: str) -> AuthError:
    if f.lcode == "requestdisallowedbypolicy":
        m = re.search(r'"policyAssignment"\s*:\s*\{\s*"name"\s*:\s*"([^"]+)"', f.message)
        assignment = f" '{m.group(1)}'" if m else ""
        return AuthError(
            f"{prefix}denied by Azure Policy ({f.code}): {f.message[:400]}",
            hint=f"change the request to comply with policy assignment{assignment}, or ask its owner for an "
            "exemption ('az policy exemption create --policy-assignment ID ...'); a role does not override a deny",
        )
    return AuthError(
        f"{prefix}not authorised ({f.code or 'Forbidden'}): {f.message}",
        hint="ask for a role assignment on this scope, e.g. 'Azure Kubernetes Service Contributor Role' on the "
        "resource group",
    )


def _conflict(f: ArmFailure, prefix: str) -> AkscliError:
    lmsg = f.message.lower()
    if f.status == 412:
        # An If-Match / If-None-Match that did not hold (upstream: Azure/azure-resource-manager-rpc
        # 69e229f v1.0/Addendum.md "ETags for Resources"; AKS: MicrosoftDocs/azure-aks-docs fb060abe
        # articles/aks/use-etags.md, PreConditionFailed). azure/etags.py words it for the command.
        err = ConflictError(
            f"{prefix}precondition failed ({f.code or 'PreconditionFailed'}): {f.message}",
            hint="the resource changed since its eTag was read (or exists already, under If-None-Match: *): "
            f"read it again with {_show_command(f.url)} and retry",
        )
        err.reason = PRECONDITION_FAILED
        return err
    if f.lcode == "missingsubscriptionregistration":
        m = re.search(r"namespace '([\w.]+)'", f.message)
        ns = m.group(1) if m else "Microsoft.ContainerService"
        return NotInstalledError(
            f"{prefix}{f.code}: {f.message}",
            hint=f"register the resource provider once per subscription: 'az provider register --namespace {ns}'",
        )
    if f.lcode == "scopelocked":
        return ConflictError(
            f"{prefix}{f.code}: {f.message}",
            hint="a resource lock forbids this change: list locks with 'az lock list -g RESOURCE_GROUP -o table' "
            "and remove the lock (or ask its owner to) before retrying",
        )
    if f.operation_status and f.operation_status.lower() == "canceled":
        return ConflictError(
            f"{prefix}the operation was canceled in Azure ({f.code or 'Canceled'}): {f.message}",
            hint="another operation (an abort or a newer change) replaced it; see the state with "
            f"{_show_command(f.url)} and run the command again",
        )
    in_progress = "in progress" in lmsg or "inprogress" in f.lcode or f.lcode in ("operationpreempted", "etagmismatch")
    if in_progress:
        resume = _running_operation_wait(f)
        wait = f"'{resume}'" if resume else "the show command"
        return ConflictError(
            f"{prefix}another operation is in progress: {f.message}",
            hint=f"wait for it to finish ({wait}), then retry",
        )
    hint = "the resource's current state does not allow this operation"
    if "stopped" in lmsg:
        m = _RESOURCE.search(f.url)
        name = f"{m.group('cluster')} -g {m.group('rg')}" if m else "NAME -g RESOURCE_GROUP"
        hint = f"start the cluster first: akscli cluster start {name}"
    elif "system" in lmsg and "pool" in lmsg:
        hint = "add another System mode node pool first (nodepool add --mode System)"
    return ConflictError(f"{prefix}{f.code}: {f.message}", hint=hint)


def _location_rejected(f: ArmFailure, prefix: str) -> UsageError | None:
    """A location the resource type is not offered in: Azure's sentence with its region list counted
    (it names some sixty), and the regions nearest the one given, from that list, in the hint. None
    where the given location is in the list (NoRegisteredProviderFound then means the API version)."""
    given, listed = _LOCATION_GIVEN.search(f.message), _LOCATIONS_LISTED.search(f.message)
    if given is None or listed is None:
        return None
    location = given.group("loc")
    regions = [r.strip() for r in listed.group("list").split(",") if r.strip()]
    if location.lower().replace(" ", "") in regions:
        return None
    message = f.message[: listed.start()].rstrip().rstrip(".") + f" ({len(regions)} regions offer it)."
    message += f.message[listed.end() :]
    from akscli import suggest

    near = suggest.did_you_mean(location.lower(), regions, margin=0.05)
    return UsageError(
        f"{prefix}Azure rejected the location ({f.code}): {message}",
        hint=f"{near}pass a region that offers it with -l/--location; "
        "list the region names with 'az account list-locations -o table'",
    )


def _rejected(f: ArmFailure, prefix: str) -> UsageError:
    message = f.message
    if f.lcode in _LOCATION_CODES and (located := _location_rejected(f, prefix)) is not None:
        return located
    if f.lcode in _VERSION_CODES:
        hint = "list the versions AKS offers there with 'az aks get-versions -l LOCATION -o table' and pick one"
    elif f.lcode == "availabilityzonenotsupported":
        hint = "use the zones it names as supported, or leave --zones out"
    elif (sizes := _VM_SIZES_ALLOWED.search(message)) is not None:
        # AKS's answer for a VM size the subscription may not use in the region lists every size it may
        # (hundreds): keep Azure's sentence, count the list, and say how to see it.
        allowed = [s for s in sizes.group("list").split(",") if s.strip()]
        counted = f" ({len(allowed)} sizes are allowed there)"
        message = message[: sizes.start()].rstrip() + counted + message[sizes.end() :]
        where = _VM_SIZE_LOCATION.search(message)
        location = where.group(1) if where else "LOCATION"
        hint = (
            f"pick a size allowed there; list them with 'az vm list-skus -l {location} --resource-type "
            "virtualMachines -o table' (for a GPU, 'akscli model plan' names the sizes that fit)"
        )
    elif "disable local accounts" in message.lower():
        # AKS's answer to listClusterAdminCredential on an Entra-only cluster (BadRequest, "Getting static
        # credential is not allowed because this cluster is set to disable local accounts.":
        # learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad)
        m = _RESOURCE.search(f.url)
        names = f"-g {m.group('rg')} -n {m.group('cluster')}" if m else "-g RESOURCE_GROUP -n CLUSTER"
        hint = (
            "drop --admin: this cluster signs in with Entra ID only (the user credentials do); to allow local "
            f"accounts: 'az aks update {names} --enable-local-accounts'"
        )
    else:
        hint = "fix the value named above and run the command again"
    return UsageError(f"{prefix}Azure rejected the request ({f.code}): {message}", hint=hint)


def _operation_failed(f: ArmFailure, prefix: str) -> AkscliError:
    """A failed operation whose code has no 4xx class: Azure could not finish what it accepted."""
    hint = f"Azure accepted the request but could not finish it; the provisioningError in {_show_command(f.url)}"
    if f.lcode == "vmextensionprovisioningerror":
        hint = (
            "a node failed to join (its bootstrap extension failed, most often outbound network or DNS): see "
            "https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/create-upgrade-delete/"
            "error-code-vmextensionprovisioningerror, fix the cause, then run the command again"
        )
    else:
        hint += " names the failed step; fix it, then run the command again"
    return AkscliError(f"{prefix}failed in Azure ({f.code or 'Failed'}): {f.message}", hint=hint)


def translate(exc: BaseException, what: str | None = None) -> AkscliError:
    """Turn an azure-core / azure-identity / network failure into one AkscliError."""
    if isinstance(exc, AkscliError):
        return exc
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    prefix = f"{what}: " if what else ""
    # ServiceResponseError: sent, and no answer came (a read timeout, a dropped connection).
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return _unreachable(exc, prefix)
    if not isinstance(exc, HttpResponseError):
        return AkscliError(f"{prefix}{type(exc).__name__}: {_short(str(exc))}")
    f = failure_of(exc)
    if isinstance(exc, ClientAuthenticationError):
        return _auth(f, prefix)
    return _classify(f, prefix)


def from_error(error: dict[str, Any], what: str, url: str = "") -> AkscliError:
    """The error a failed operation left on a resource (``status.provisioningError``), mapped
    like the same code answered by the operation itself."""
    code, message = most_specific(error)
    f = ArmFailure(status_of_code(code), code, redact.folded(message), "Failed", url)
    return _classify(f, f"{what}: ")


def _not_found(f: ArmFailure, prefix: str) -> NotFoundError:
    message = f"{prefix}{f.message}" if f.message else f"{prefix}{f.code}"
    if f.lcode == "subscriptionnotfound":
        # ARM's answer to a subscription that does not exist or that this sign-in cannot see
        # ("The subscription 'ID' could not be found.": Azure/azure-cli#33657; az maps it to
        # ResourceNotFoundError, Azure/azure-cli PR #30164). The fix is which subscription, not the name.
        return NotFoundError(
            message,
            hint="check --subscription (default: $AZURE_SUBSCRIPTION_ID, then the Azure CLI's 'az account set'); "
            "'az account list -o table' lists the subscriptions this sign-in can see, 'az account show' the default",
        )
    if f.lcode != "resourcegroupnotfound":
        return NotFoundError(message, hint="check the name, resource group (-g) and subscription" + _listing(f))
    m = _RESOURCE.search(f.url)
    if m is not None and (m.group("pool") or f.method.upper() != "PUT"):
        # Only the cluster's own PUT (a create) puts a cluster into a group; a read of it, a write to
        # it or to one of its pools names a cluster that a group which does not exist cannot hold.
        return NotFoundError(
            message, hint=f"check the resource group (-g) and subscription: {NO_CLUSTER_THERE % m['cluster']}"
        )
    fleet = _FLEET.search(f.url)
    if fleet is not None and (fleet["child"] or f.method.upper() != "PUT"):
        # As a cluster's: only the fleet's own PUT puts a fleet into a group; its members, runs and
        # the rest live below a fleet, which a group that does not exist cannot hold.
        return NotFoundError(
            message, hint=f"check the resource group (-g) and subscription: {NO_FLEET_THERE % fleet['fleet']}"
        )
    listing = _GROUP_LIST.search(f.url)
    if listing is not None and f.method.upper() == "GET":
        # A list finds nothing a new, empty group would hold: creating the group is no fix.
        noun = _LISTS.get(listing["type"].lower())
        where = (
            f"'akscli {noun} list' (without -g) shows each {noun} of the subscription with its group"
            if noun
            else "'az group list -o table' shows the subscription's groups"
        )
        return NotFoundError(message, hint=f"check the resource group (-g) and subscription: {where}")
    group = _GROUP_NOT_FOUND.search(f.message)
    create = f"az group create -n {group.group(1) if group else 'NAME'} {LOCATION_PLACEHOLDER}"
    return NotFoundError(message, hint=f"check the resource group (-g) and subscription; to create it: '{create}'")


def _listing(f: ArmFailure) -> str:
    """The list to look in after a 404 for a cluster, a pool or a fleet the group holds, as the
    Kubernetes side's not-found names `akscli model list -n NS`: a typed name is the likely cause.
    A PUT of a pool only 404s for its cluster (ARM routes the PUT below the cluster's id,
    Azure/azure-rest-api-specs specification/containerservice AgentPools_CreateOrUpdate), so it
    names the group's clusters; a read, change or delete of a pool names the cluster's pools."""
    path = f.url.split("?", 1)[0]
    m = _RESOURCE.search(path)
    if m is not None and path[m.end() :].count("/") <= 1:  # the resource itself, or one action on it
        pool, cluster, rg = m["pool"], m["cluster"], m["rg"]
        if pool and f.method.upper() != "PUT":
            return f": 'akscli nodepool list --cluster {cluster} -g {rg}' lists the cluster's pools"
        return f": 'akscli cluster list -g {rg}' lists the group's clusters"
    fleet = _FLEET.search(path)
    if fleet is not None and not fleet["child"]:
        return f": 'akscli fleet list -g {fleet['rg']}' lists the group's fleets"
    return ""


# A missing group's hint where the command acts on a cluster that would be in it.
NO_CLUSTER_THERE = (
    "cluster %s cannot be in a group that does not exist ('akscli cluster list' shows each cluster's group)"
)


def group_missing(exc: AkscliError) -> bool:
    """Whether ``exc`` is ARM's ResourceGroupNotFound (its message names the group)."""
    return isinstance(exc, NotFoundError) and _GROUP_NOT_FOUND.search(exc.message) is not None


# The same for a command on a fleet or what lives below it.
NO_FLEET_THERE = "fleet %s cannot be in a group that does not exist ('akscli fleet list' shows each fleet's group)"


def create_fleet_first(exc: AkscliError, fleet: str, rg: str) -> None:
    """A command that adds to a fleet (`fleet member join`, `fleet rollout create --fleet`) in a missing
    group: the fix is the fleet first, as create_cluster_first says for a pool."""
    if isinstance(exc, NotFoundError) and exc.hint and exc.hint.endswith(NO_FLEET_THERE % fleet):
        exc.hint += f"; or create the fleet first: 'akscli fleet create {fleet} -g {rg} -l LOCATION'"


def create_cluster_first(exc: AkscliError, cluster: str, rg: str) -> None:
    """A command that adds to a cluster (`nodepool add`) in a missing group: the fix is the cluster
    first, which ``cluster create`` makes (and its own hint then says how to create the group)."""
    if isinstance(exc, NotFoundError) and exc.hint and exc.hint.endswith(NO_CLUSTER_THERE % cluster):
        exc.hint += f"; or create the cluster first: 'akscli cluster create {cluster} -g {rg}'"


def in_location(exc: AkscliError, location: str) -> None:
    """Put the location a create was given into a missing group's hint (`az group create -n rg-ml
    -l westus3`), so that the hint is a command to run as it is."""
    if isinstance(exc, NotFoundError) and exc.hint and LOCATION_PLACEHOLDER in exc.hint:
        exc.hint = exc.hint.replace(LOCATION_PLACEHOLDER, f"-l {location}")


def _classify(f: ArmFailure, prefix: str) -> AkscliError:
    if f.status == 401:
        return _auth(f, prefix)
    if f.status == 403 or f.lcode in ("authorizationfailed", "linkedauthorizationfailed"):
        return _forbidden(f, prefix)
    if f.status == 429:
        # Before the conflict rule: Compute's throttling 429 has the code OperationNotAllowed.
        return _throttled(f, prefix)
    if is_quota(f.code, f.message):
        return quota_error(prefix, f.message)
    if f.lcode in ("skunotavailable", "allocationfailed", "zonalallocationfailed", "overconstrainedallocationrequest"):
        return QuotaError(
            f"{prefix}{f.code}: {f.message}",
            hint="choose another VM size, region or zones; see where it is offered with "
            "'az vm list-skus --size SIZE --all -o table'",
        )
    if f.status == 404:
        return _not_found(f, prefix)
    if f.status in (409, 412) or f.lcode == "operationnotallowed":
        return _conflict(f, prefix)
    if f.status is not None and 400 <= f.status < 500:
        return _rejected(f, prefix)
    if f.operation_status is not None:
        return _operation_failed(f, prefix)
    return AkscliError(
        f"{prefix}Azure error {f.status} {f.code}: {f.message}",
        hint="retry; if it persists, check https://status.azure.com",
    )


# ARM's own codes for a request over the subscription's or tenant's limit, as users quote them
# (MicrosoftDocs/azure-docs issues #51431 and #105248: "SubscriptionRequestsThrottled").
_ARM_THROTTLED = ("subscriptionrequeststhrottled", "tenantrequeststhrottled")


def _throttled(f: ArmFailure, prefix: str) -> AkscliError:
    """A 429, named for who sent it. "Throttling happens at two levels": Azure Resource Manager's
    limits per subscription and tenant, then the resource provider's own (upstream: MicrosoftDocs/
    azure-docs articles/azure-resource-manager/management/request-limits-and-throttling.md). Which
    one: "inspect the x-ms-ratelimit-remaining-subscription-reads [or -writes] ... If the remaining
    call count is approaching 0, the subscription's general call limit defined by Azure Resource
    Manager has been reached ... Otherwise, the throttling is coming from the target resource
    provider (the one addressed by the /providers/<RP> segment of the request URL)" (articles/
    virtual-machines/troubleshooting/troubleshooting-throttling-errors.md). A provider's 429 may also
    report "a temporary problem" (request-limits-and-throttling.md: the network provider's
    RetryableErrorDueToAnotherOperation), so its code is shown as it came."""
    from akscli.azure.armretry import MAX_RETRY_AFTER_S

    longer = f.retry_after is not None and f.retry_after > MAX_RETRY_AFTER_S
    wait = f"Azure asks to wait {f.retry_after:.0f}s, longer than akscli waits; retry then" if longer else ""
    hint = f"{wait or 'retry in a minute'}; fewer parallel commands reduce throttling"
    if f.lcode in _ARM_THROTTLED or f.arm_left == 0:
        return AkscliError(f"{prefix}Azure Resource Manager is throttling requests: {f.message}", hint=hint)
    code = f" ({f.code})" if f.code else ""
    if f.arm_left is None:
        return AkscliError(f"{prefix}Azure is throttling requests{code}: {f.message}", hint=hint)
    provider = re.findall(r"/providers/([^/?]+)", f.url, re.I)
    who = provider[-1] if provider else "the resource provider"
    return AkscliError(
        f"{prefix}{who} is throttling requests{code}: {f.message}",
        hint=f"{wait or 'retry in a minute'}; this is {who}'s own limit (or a temporary condition it reports), "
        f"not Azure Resource Manager's: {f.arm_left} requests are left to the subscription there",
    )


def _unreachable(exc: BaseException, prefix: str) -> AkscliError:
    """One line for a request that reached no server (akscli.netfail), never urllib3's repr."""
    from akscli import netfail

    failure = netfail.classify(exc)
    where = f"{prefix}cannot reach Azure Resource Manager at {arm_endpoint()}"
    if failure.kind == "refused":
        return AkscliError(
            f"{where}: the connection was refused", hint="check AKSCLI_ARM_ENDPOINT (unset it for Azure)"
        )
    if failure.kind == "dns":
        return AkscliError(f"{where}: {failure.reason}", hint="check AKSCLI_ARM_ENDPOINT, your DNS or VPN")
    if failure.timed_out:
        seconds = netfail.timeout_seconds(exc)
        within = f"within {seconds:g}s" if seconds is not None else f"in time ({failure.reason})"
        doing = "did not accept the connection" if failure.kind == "connect-timeout" else "did not answer"
        return AkscliError(
            f"{prefix}Azure Resource Manager at {arm_endpoint()} {doing} {within}",
            hint="check the network or proxy (HTTPS_PROXY) and AKSCLI_ARM_ENDPOINT, then try again",
        )
    if failure.is_tls:
        return AkscliError(
            f"{where}: TLS failed: {netfail.TLS_HINTS[failure.kind]} ({failure.reason})",
            hint="a proxy that inspects TLS needs its CA in REQUESTS_CA_BUNDLE; check AKSCLI_ARM_ENDPOINT",
        )
    return AkscliError(
        f"{where}: {failure.reason if failure.kind != 'other' else _short(str(exc))}",
        hint="check the network or proxy (HTTPS_PROXY) and AKSCLI_ARM_ENDPOINT",
    )


def _short(text: str) -> str:
    """A network error's text on one line, cut: what akscli.redact.server_text hides is hidden first,
    while the text still has its line breaks (a YAML line, a block scalar) and before the cut could
    split a token's shape."""
    return " ".join(redact.server_text(text).split())[:300]
