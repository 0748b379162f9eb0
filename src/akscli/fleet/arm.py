"""Azure Kubernetes Fleet Manager through ARM (``azure-mgmt-containerservicefleet``, 2026-06-01).

Fleets, members, update runs, update strategies and gate bodies and rows (a run's status read and
its gates: ``fleet/arm_run_status.py``). Everything here works in ARM's REST JSON shape (camelCase
keys) so that output, tests and the recorded examples agree; SDK models are turned into dicts with
``as_dict()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from akscli import validate
from akscli.azure import names
from akscli.concurrency import parallel_map
from akscli.errors import UsageError
from akscli.fleet.member_clusters import UNREADABLE
from akscli.fleet.stages import StageSpec, arm_stages, child_name, stage_groups, stage_steps

AKS_TYPE = "microsoft.containerservice/managedclusters"
ARC_TYPE = "microsoft.kubernetes/connectedclusters"
UPGRADE_TYPES = ("Full", "ControlPlaneOnly", "NodeImageOnly")
NODE_IMAGE_SELECTIONS = ("Latest", "Consistent")
SKIP_TYPES = ("Member", "Group", "Stage", "AfterStageWait")
AUTO_UPGRADE_CHANNELS = ("Stable", "Rapid", "NodeImage", "TargetKubernetesVersion")
# Fleet member labels must be Kubernetes label keys/values; Azure reserves this prefix.
_RESERVED_LABEL_PREFIX = "fleet.azure.com/"
_RESOURCE_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/"
    r"(?P<ns>[^/]+)/(?P<type>[^/]+)/(?P<name>[^/]+)$",
    re.IGNORECASE,
)
FLEET_NAME_MAX = 63


def fleet_name(value: str, what: str = "fleet name") -> str:
    """A fleet's name as the Fleet API's fleetName path parameter takes it: minLength 1, maxLength 63,
    ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (upstream: Azure/azure-rest-api-specs 1dd9b4ac
    specification/containerservice/resource-manager/Microsoft.ContainerService/fleet/stable/2026-06-01/
    fleets.json, Fleets_Get and every path below a fleet). The one line says what is wrong (too long,
    or which characters), as validate.name does for every other name."""
    return validate.name(value, what, max_len=FLEET_NAME_MAX)


def as_dict(obj: Any) -> dict[str, Any]:
    """An SDK model (or a dict already) as REST JSON."""
    if obj is None:
        return {}
    if hasattr(obj, "as_dict"):
        return dict(obj.as_dict())
    return dict(obj)


def fleet_body(name: str, location: str, *, hub: bool, dns_prefix: str | None, vm_size: str | None) -> dict[str, Any]:
    """The body of a new fleet, with a hub profile unless ``hub`` is False."""
    region = location.lower().replace(" ", "")
    if not region.isalnum():
        raise UsageError(f"invalid --location {location!r}", hint="use an Azure region name, e.g. eastus")
    body: dict[str, Any] = {"location": region}
    if not hub:
        if dns_prefix or vm_size:
            raise UsageError("--dns-prefix and --hub-vm-size need a hub", hint="drop --no-hub")
        return body
    profile: dict[str, Any] = {"dnsPrefix": validate.name(dns_prefix or f"{name}-hub", "--dns-prefix")}
    if vm_size:
        if not vm_size.startswith("Standard_"):
            raise UsageError(f"invalid --hub-vm-size {vm_size!r}", hint="for example Standard_D4s_v3")
        profile["agentProfile"] = {"vmSize": vm_size}
    body["properties"] = {"hubProfile": profile}
    return body


def fleet_fields(fleet: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The fields ``fleet show`` prints as a table. The hub's FQDN and Kubernetes version are what
    the service fills in (read-only hubProfile.fqdn, kubernetesVersion: the official example
    Fleets_Get.json, fleet 2026-06-01, a copy in ../shared/data/arm-examples/fleet-2026-06-01/); a
    fleet without a hub, or a value not there yet, prints ``<none>`` as every empty table value does."""
    props = fleet.get("properties") or {}
    hub = props.get("hubProfile") or {}
    return [
        ("name", fleet.get("name")),
        ("location", fleet.get("location")),
        ("state", props.get("provisioningState")),
        ("hub", "yes" if hub else "no"),
        ("hub fqdn", hub.get("fqdn") or None),
        ("kubernetes", hub.get("kubernetesVersion") or None),
        ("id", fleet.get("id")),
    ]


def fleet_row(fleet: Mapping[str, Any]) -> dict[str, Any]:
    """The row of ``fleet list``'s table: each fleet is reduced to it as its page arrives, so the
    table holds rows, not fleets (akscli.cli.azopts.emit_resources)."""
    props = fleet.get("properties") or {}
    hub = props.get("hubProfile")
    resource_id = str(fleet.get("id") or "")
    return {
        "name": fleet.get("name"),
        "location": fleet.get("location"),
        "hub": "yes" if hub else "no",
        "provisioningState": props.get("provisioningState"),
        "hubFqdn": (hub or {}).get("fqdn"),
        "resourceGroup": resource_id.split("/")[4] if resource_id else "",
    }


# ---- members ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterRef:
    resource_id: str
    subscription: str
    resource_group: str
    name: str
    arc: bool

    @property
    def kind(self) -> str:
        return "Arc" if self.arc else "AKS"


def cluster_ref(value: str, *, subscription: str | None = None, group: str | None = None) -> ClusterRef:
    """An AKS cluster or an Arc-enabled cluster, from a resource id or a name in ``group``."""
    if value.startswith("/"):
        found = _RESOURCE_ID.match(value.rstrip("/"))
        if not found:
            raise UsageError(
                f"invalid cluster resource id {value!r}",
                hint="use /subscriptions/SUB/resourceGroups/RG/providers/"
                "Microsoft.ContainerService/managedClusters/NAME or "
                ".../Microsoft.Kubernetes/connectedClusters/NAME",
            )
        rtype = f"{found['ns']}/{found['type']}".lower()
        if rtype not in (AKS_TYPE, ARC_TYPE):
            raise UsageError(
                f"{value!r} is a {found['ns']}/{found['type']}, which cannot join a fleet",
                hint="join an AKS cluster (Microsoft.ContainerService/managedClusters) or "
                "an Arc-enabled cluster (Microsoft.Kubernetes/connectedClusters)",
            )
        return ClusterRef(value.rstrip("/"), found["sub"], found["rg"], found["name"], rtype == ARC_TYPE)
    if not subscription or not group:
        raise UsageError(
            f"cannot tell which cluster {value!r} is",
            hint="give its full resource id, or its resource group with --cluster-group",
        )
    # An AKS cluster's name, not a Kubernetes one: letters of either case, digits, '-' and '_'
    # (the AKS API's resourceName path parameter, ^[a-zA-Z0-9]$|^[a-zA-Z0-9][-_a-zA-Z0-9]{0,61}[a-zA-Z0-9]$,
    # max_length 63, as the path checks of azure-mgmt-containerservice builds generated from
    # managedClusters.json carry it; names.cluster_name, as `cluster create` takes it).
    names.cluster_name(value)
    names.resource_group(group)
    rid = (
        f"/subscriptions/{subscription}/resourceGroups/{group}/providers/"
        f"Microsoft.ContainerService/managedClusters/{value}"
    )
    return ClusterRef(rid, subscription, group, value, False)


def member_labels(pairs: Sequence[str]) -> dict[str, str]:
    return validate.labels(pairs, "member label", (_RESERVED_LABEL_PREFIX,), "Fleet Manager")


def member_label_changes(pairs: Sequence[str]) -> dict[str, str | None]:
    """``fleet member update --labels``: ``key=value`` sets a label, ``key-`` removes one, as kubectl
    label reads them (upstream: kubernetes/kubectl pkg/cmd/label/label.go parseLabels: a trailing '-'
    removes the key; naming a key both ways is refused, "can not both modify and remove a label in
    the same command"). A removal is the key set to null: in a JSON merge patch (RFC 7396 section 2)
    null removes a member, the rule ARM's PATCH follows inside the properties envelope (see
    member_update_body). az fleet member update has no removal form: its --labels takes only
    key[=value] (Azure/azure-cli-extensions src/fleet/azext_fleet/_params.py labels_type)."""
    removed: list[str] = []
    kept: list[str] = []
    for pair in pairs:
        for item in (p for p in pair.split(",") if p):
            if "=" not in item and item.endswith("-"):
                key = validate.label_key(item[:-1].strip(), "member label key")
                reserved = (_RESERVED_LABEL_PREFIX,)
                removed.append(validate.unreserved_label(key, "member label", reserved, "Fleet Manager"))
            else:
                kept.append(item)
    changes: dict[str, str | None] = dict(member_labels(kept))
    both = sorted(set(removed) & set(changes))
    if both:
        raise UsageError(
            f"--labels both sets and removes the member label {both[0]}",
            hint=f"give either {both[0]}=VALUE or {both[0]}-",
        )
    changes.update(dict.fromkeys(removed))
    return changes


def member_body(cluster: ClusterRef, update_group: str | None, labels: Mapping[str, str]) -> dict[str, Any]:
    props: dict[str, Any] = {"clusterResourceId": cluster.resource_id}
    if update_group:
        props["group"] = child_name(update_group, "update group")
    if labels:
        props["labels"] = dict(labels)
    return {"properties": props}


def member_update_body(update_group: str | None, labels: Mapping[str, str | None]) -> dict[str, Any]:
    """The FleetMemberUpdate PATCH body: only what was given, as az fleet member update sends it
    (upstream: Azure/azure-cli-extensions src/fleet/azext_fleet/custom.py update_fleet_member,
    FleetMemberUpdate(group=update_group, labels=member_labels); the SDK leaves out a None).
    upstream: Azure/azure-rest-api-specs 1713bce8 specification/containerservice/resource-manager/
    Microsoft.ContainerService/fleet/fleetmember.tsp, FleetMembers_Update (updateAsync): a PATCH
    of ResourceUpdateModel<FleetMember, FleetMemberProperties>, whose updatable fields are group
    and labels (clusterResourceId is Create and Read only).
    The labels given are set; those not named are kept: ARM's PATCH rule is that fields inside
    the properties envelope follow JSON merge patch, RFC 7396 (upstream: Azure/azure-resource-
    manager-rpc 69e229f v1.0/resource-api-reference.md "Patch Resource"; only the top-level tags
    are replaced whole). No Fleet source says otherwise: fleetmember.tsp gives labels no
    visibility or replace rule, and az sends the map given without reading the member. A label
    given as None (``--labels key-``, member_label_changes) is sent as null, which removes it."""
    props: dict[str, Any] = {}
    if update_group:
        props["group"] = child_name(update_group, "update group")
    if labels:
        props["labels"] = dict(labels)
    if not props:
        raise UsageError(
            "nothing to update: give --update-group or --labels",
            hint="akscli fleet member update NAME --update-group GROUP --labels KEY=VALUE",
        )
    return {"properties": props}


def member_fields(member: Mapping[str, Any], cluster: ClusterRef | None = None) -> list[tuple[str, Any]]:
    """The fields ``fleet member join`` and ``update`` print as a table."""
    props = member.get("properties") or {}
    return [
        ("name", member.get("name")),
        ("type", cluster.kind if cluster else ("Arc" if is_arc(member) else "AKS")),
        # unset: None, which a table prints as <none> like every other unset field (it printed blank)
        ("update group", props.get("group")),
        ("labels", props.get("labels")),  # what the join set, so a re-join that dropped one shows it
        ("state", props.get("provisioningState")),
        ("cluster", props.get("clusterResourceId")),
    ]


def is_arc(member: Mapping[str, Any]) -> bool:
    rid = str((member.get("properties") or {}).get("clusterResourceId") or "")
    return f"/providers/{ARC_TYPE}/" in rid.lower()


# The member states of a member that is in the fleet: joined, or joined and being updated (labels,
# update group). Joining has not joined yet; Leaving is on its way out; Failed and Canceled ended an
# operation (upstream: Azure/azure-rest-api-specs 1713bce8 specification/containerservice/
# resource-manager/Microsoft.ContainerService/fleet/fleetmember.tsp, FleetMemberProvisioningState).
JOINED_STATES = ("Succeeded", "Updating")


def _health(member: Mapping[str, Any], cluster: Mapping[str, Any] | None) -> tuple[bool, bool, str]:
    """(joined, healthy, why-not) from the member and, when known, its cluster resource."""
    props = member.get("properties") or {}
    joined = props.get("provisioningState") in JOINED_STATES
    error = (props.get("status") or {}).get("lastOperationError") or {}
    if error and error.get("code") not in (None, "", "None"):
        return joined, False, str(error.get("message") or error.get("code"))
    if not joined:
        return False, False, f"member is {props.get('provisioningState', 'not joined')}"
    if cluster is None or UNREADABLE in cluster:
        return True, False, str((cluster or {}).get(UNREADABLE) or "cluster resource not readable")
    cprops = cluster.get("properties") or {}
    if is_arc(member):
        connectivity = cprops.get("connectivityStatus")
        return (
            True,
            connectivity == "Connected",
            "" if connectivity == "Connected" else (f"Arc agent is {connectivity or 'not reporting'}"),
        )
    power = (cprops.get("powerState") or {}).get("code", "Running")
    state = cprops.get("provisioningState", "Succeeded")
    healthy = power == "Running" and state == "Succeeded"
    return True, healthy, "" if healthy else f"cluster is {state}, power {power}"


def member_rows(
    members: Iterable[Mapping[str, Any]],
    read_cluster: Callable[[str], Mapping[str, Any] | None],
    parallel: int = 8,
) -> list[dict[str, Any]]:
    """Rows for ``fleet member list``; cluster resources are read with bounded concurrency."""
    items = list(members)
    ids = [str((m.get("properties") or {}).get("clusterResourceId") or "") for m in items]
    clusters = parallel_map(lambda rid: read_cluster(rid) if rid else None, ids, parallel)
    rows = []
    for member, cluster in zip(items, clusters, strict=True):
        props = member.get("properties") or {}
        cprops = (cluster or {}).get("properties") or {}
        joined, healthy, why = _health(member, cluster)
        user_labels = {
            k: v for k, v in (props.get("labels") or {}).items() if not str(k).startswith(_RESERVED_LABEL_PREFIX)
        }
        rows.append(
            {
                "name": member.get("name"),
                "type": "Arc" if is_arc(member) else "AKS",
                "state": props.get("provisioningState") or "",
                "group": props.get("group") or "",
                "labels": user_labels,
                "kubernetesVersion": cprops.get("currentKubernetesVersion") or cprops.get("kubernetesVersion") or "",
                "joined": joined,
                "healthy": healthy,
                "message": why,
                "clusterResourceId": props.get("clusterResourceId"),
            }
        )
    return rows


# ---- update runs and strategies ---------------------------------------------------------------


def update_run_body(
    *,
    upgrade_type: str,
    kubernetes_version: str | None,
    node_image: str,
    strategy: str | None,
    stages: list[StageSpec] | None,
) -> dict[str, Any]:
    """The body of an upgrade run; a saved ``strategy`` (a name) is added by use_strategy."""
    kind = validate.choice(upgrade_type, UPGRADE_TYPES, "--upgrade-type")
    upgrade: dict[str, Any] = {"type": kind}
    if kind in ("Full", "ControlPlaneOnly"):
        if not kubernetes_version:
            raise UsageError(
                f"--upgrade-type {kind} needs --kubernetes-version",
                hint="for example --kubernetes-version 1.33.2",
            )
        if not re.fullmatch(r"\d+\.\d+(\.\d+)?", kubernetes_version):
            raise UsageError(
                f"invalid --kubernetes-version {kubernetes_version!r}",
                hint="use MAJOR.MINOR[.PATCH], e.g. 1.33.2",
            )
        upgrade["kubernetesVersion"] = kubernetes_version
    elif kubernetes_version:
        raise UsageError(
            "--kubernetes-version does not apply to NodeImageOnly upgrades",
            hint="drop it, or use --upgrade-type Full",
        )
    props: dict[str, Any] = {
        "managedClusterUpdate": {
            "upgrade": upgrade,
            "nodeImageSelection": {
                "type": validate.choice(node_image, NODE_IMAGE_SELECTIONS, "--node-image-selection")
            },
        }
    }
    if strategy and stages:
        raise UsageError(
            "give either --strategy or --stage, not both",
            hint="--strategy reuses a saved update strategy",
        )
    if strategy:
        validate.name(strategy, "strategy name")
    elif stages:
        props["strategy"] = {"stages": arm_stages(stages)}
    return {"properties": props}


def check_no_arc_in_run(
    members: Iterable[Mapping[str, Any]],
    body: Mapping[str, Any],
    strategy: Mapping[str, Any] | None,
) -> None:
    """Refuse an upgrade run that would include Arc-enabled members, and say why."""
    props = body.get("properties") or {}
    stages = (props.get("strategy") or strategy or {}).get("stages")
    groups = stage_groups(list(stages)) if stages else None
    arc = []
    for member in members:
        if not is_arc(member):
            continue
        group = (member.get("properties") or {}).get("group") or "default"
        if groups is None or group in groups:
            arc.append(f"{member.get('name')} (group {group})")
    if arc:
        raise UsageError(
            "update runs upgrade AKS clusters only; Arc-enabled members cannot be upgraded by "
            "Fleet Manager: " + ", ".join(arc),
            hint="put Arc members in an update group that the run's stages do not list "
            "(fleet member join --update-group), and upgrade them with their own tooling",
        )


def groups_without_members(
    members: Iterable[Mapping[str, Any]], body: Mapping[str, Any], strategy: Mapping[str, Any] | None
) -> list[str]:
    """``group G (stage S)`` for each update group a run's stages list that no member is in (a member's
    ``properties.group``, fleetmember.tsp): a typo there was a stage that upgraded nothing, and the
    run Completed without a word. A run without stages (every member) lists none."""
    props = body.get("properties") or {}
    stages = (props.get("strategy") or strategy or {}).get("stages") or []
    joined = {str((m.get("properties") or {}).get("group") or "") for m in members}
    return [
        f"group {g.get('name')} (stage {s.get('name')})"
        for s in stages
        for g in s.get("groups") or []
        if g.get("name") not in joined
    ]


def auto_upgrade_body(channel: str, *, target_version: str | None, node_image: str, disabled: bool) -> dict[str, Any]:
    """The body of an auto-upgrade profile (its strategy id is added once it is read)."""
    chosen = validate.choice(channel, AUTO_UPGRADE_CHANNELS, "--channel")
    props: dict[str, Any] = {
        "channel": chosen,
        "disabled": disabled,
        "nodeImageSelection": {"type": validate.choice(node_image, NODE_IMAGE_SELECTIONS, "--node-image-selection")},
    }
    if chosen == "TargetKubernetesVersion":
        if not target_version or not re.fullmatch(r"\d+\.\d+", target_version):
            raise UsageError(
                "the TargetKubernetesVersion channel needs --target-kubernetes-version MAJOR.MINOR",
                hint="for example --target-kubernetes-version 1.33",
            )
        props["targetKubernetesVersion"] = target_version
    elif target_version:
        raise UsageError(
            "--target-kubernetes-version needs --channel TargetKubernetesVersion", hint="drop it, or change the channel"
        )
    return {"properties": props}


def strategy_id(subscription: str, group: str, fleet: str, name: str) -> str:
    """The resource id of a fleet's saved update strategy, as an update run's ``updateStrategyId``
    names it (the official example UpdateRuns_CreateOrUpdate.json, Microsoft.ContainerService
    fleet 2026-06-01; a copy is in ../shared/data/arm-examples/fleet-2026-06-01/)."""
    return (
        f"/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.ContainerService"
        f"/fleets/{fleet}/updateStrategies/{validate.name(name, 'strategy name')}"
    )


def use_strategy(body: dict[str, Any], strategy: Mapping[str, Any] | None) -> dict[str, Any]:
    """``body`` pointing at a saved update strategy (read from ARM), when there is one."""
    if strategy:
        body["properties"]["updateStrategyId"] = strategy.get("id")
    return body


def strategy_fields(strategy: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The fields ``fleet rollout strategy show --fleet`` prints as a table: each stage with its
    update groups, in order (properties.strategy.stages, UpdateStrategies_Get.json, fleet 2026-06-01)."""
    props = strategy.get("properties") or {}
    stages = (props.get("strategy") or {}).get("stages") or []
    return [
        ("name", strategy.get("name")),
        ("state", props.get("provisioningState")),
        (
            "stages",
            "; ".join(
                f"{s.get('name')}: {','.join(g.get('name', '') for g in s.get('groups') or [])}{stage_steps(s)}"
                for s in stages
            )
            or None,
        ),
        ("id", strategy.get("id")),
    ]


def strategy_body(stages: list[StageSpec]) -> dict[str, Any]:
    return {"properties": {"strategy": {"stages": arm_stages(stages)}}}


def skip_body(targets: Sequence[str]) -> dict[str, Any]:
    """``TYPE:NAME`` values -> a skip request (Member, Group, Stage, AfterStageWait)."""
    if not targets:
        raise UsageError(
            "fleet rollout skip needs at least one --target",
            hint="for example --target Member:member-1 or --target Stage:canary",
        )
    result = []
    for text in targets:
        kind, sep, name = text.partition(":")
        if not sep or not name:
            raise UsageError(
                f"invalid --target {text!r}",
                hint="use TYPE:NAME with TYPE one of " + ", ".join(SKIP_TYPES),
            )
        result.append(
            {
                "type": validate.choice(kind, SKIP_TYPES, "skip target type"),
                "name": validate.name(name, "skip target name"),
            }
        )
    return {"targets": result}


# What a skip target's name is, by its type (SkipTarget.name: "To skip a member/group/stage, use the
# member/group/stage's name; to skip an after stage wait, use the parent stage's name").
SKIP_TARGET_WORDS = {"Member": "member", "Group": "update group", "Stage": "stage", "AfterStageWait": "stage"}


def check_skip_targets(run: Mapping[str, Any], name: str, body: Mapping[str, Any], where: str) -> None:
    """Refuse (UsageError, exit 2) a skip target the run does not have, before the skip is sent.

    What Fleet answers for one is not published (Azure/azure-rest-api-specs fleet 2026-06-01
    examples/UpdateRuns_Skip.json shows only known names; the ARM emulator took any name and the
    command printed ``skipped``), so the names are checked against the run's status as
    UpdateRuns_Get.json has it: properties.status.stages[].name, their groups[].name and the
    groups' members[].name. A run whose status lists no stages yet is not checked."""
    stages = [s for s in ((run.get("properties") or {}).get("status") or {}).get("stages") or [] if s.get("name")]
    if not stages:
        return
    groups = [g for s in stages for g in s.get("groups") or [] if g.get("name")]
    known = {
        "Stage": [str(s["name"]) for s in stages],
        "AfterStageWait": [str(s["name"]) for s in stages],
        "Group": [str(g["name"]) for g in groups],
        "Member": [str(m["name"]) for g in groups for m in g.get("members") or [] if m.get("name")],
    }
    for target in body.get("targets") or []:
        kind, target_name = str(target.get("type")), str(target.get("name"))
        have = known.get(kind)
        if have is None or target_name in have:
            continue
        word = SKIP_TARGET_WORDS[kind]
        raise UsageError(
            f"update run {name} has no {word} {target_name!r} (its {word}s: {', '.join(have) or 'none'})",
            hint=f"name one of them as --target {kind}:NAME; see the run: akscli fleet rollout status {name}{where}",
        )
