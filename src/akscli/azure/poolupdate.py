"""`akscli nodepool update`: what `az aks nodepool update` changes on a pool that `nodepool add` sets
(labels, taints, mode, upgradeSettings), as a read-modify-write of the pool under its eTag.

upstream: Azure/azure-cli src/azure-cli/azure/cli/command_modules/acs/agentpool_decorator.py,
AKSAgentPoolUpdateDecorator: update_label_tag_taint replaces nodeLabels and nodeTaints with the values
given (an empty --node-taints "" clears them, as MicrosoftDocs/azure-aks-docs articles/aks/use-node-taints.md
"Remove all node taints" shows), update_vm_properties sets mode, update_upgrade_settings sets each
upgradeSettings value given and keeps the others. The autoscaler range is `nodepool scale`'s."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.azure import names
from akscli.azure.nodepools import MODES, RESERVED_LABEL_PREFIXES, get_pool, list_pools
from akscli.azure.poolchecks import _taint
from akscli.azure.poolupgrades import _check_settings, _is_zero
from akscli.errors import UsageError

if TYPE_CHECKING:
    from azure.mgmt.containerservice import ContainerServiceClient

# A spot pool's own label and taint, which AKS sets and a GET returns (upstream: MicrosoftDocs/azure-aks-docs
# fb060abe articles/aks/spot-node-pool.md, Limitations); "Modifications to system taints aren't allowed"
# (articles/aks/use-node-taints.md): a replacement keeps them.
SPOT_LABEL = "kubernetes.azure.com/scalesetpriority"
SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"


@dataclass
class PoolUpdate:
    """The changes asked for, each checked; None: left as it is."""

    labels: dict[str, str] | None = None
    taints: list[str] | None = None
    mode: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)


def parse(
    *, labels: list[str] | None, taints: list[str] | None, mode: str | None, settings: Mapping[str, Any]
) -> PoolUpdate:
    """Check every flag before anything is read (raises UsageError). ``--labels ""`` and ``--taints ""``
    clear them; taints are also comma-separated, as az's --node-taints."""
    if labels is None and taints is None and mode is None and not settings:
        raise UsageError(
            "nothing to change",
            hint="pass --labels, --taint, --mode, or an upgrade setting (--max-surge, --max-unavailable, "
            "--drain-timeout, --node-soak-duration, --undrainable-node-behavior)",
        )
    label_map = None
    if labels is not None:
        label_map = validate.labels([v for v in labels if v], "--labels", RESERVED_LABEL_PREFIXES, "AKS")
    taint_list = None
    if taints is not None:
        taint_list = []
        for t in (t.strip() for value in taints for t in value.split(",")):
            if t and _taint(t) not in taint_list:
                taint_list.append(_taint(t))
    return PoolUpdate(
        labels=label_map,
        taints=taint_list,
        mode=validate.choice(mode, MODES, "--mode") if mode is not None else None,
        settings=dict(settings),
    )


def update_body(
    c: ContainerServiceClient, rg: str, cluster: str, name: str, change: PoolUpdate
) -> tuple[dict[str, Any], bool, list[str]]:
    """The pool as read and changed, whether anything changed, and the NoExecute taints it adds (they
    evict the pods on its nodes that do not tolerate them: kubernetes/kubernetes
    pkg/controller/tainteviction/taint_eviction.go, so akscli asks first); refuses what AKS refuses,
    before the PUT (and before any question)."""
    pool = get_pool(c, rg, cluster, name)
    props = pool["properties"]
    before = copy.deepcopy(props)
    spot = props.get("scaleSetPriority") == "Spot"
    if change.labels is not None:
        own = {k: v for k, v in (props.get("nodeLabels") or {}).items() if spot and k == SPOT_LABEL}
        props["nodeLabels"] = {**change.labels, **own}
    if change.taints is not None:
        own_taints = [SPOT_TAINT] if spot and SPOT_TAINT in (props.get("nodeTaints") or []) else []
        props["nodeTaints"] = change.taints + [t for t in own_taints if t not in change.taints]
    if change.settings:
        props.setdefault("upgradeSettings", {}).update(change.settings)
    if change.mode is not None and change.mode != props.get("mode"):
        _check_mode(c, rg, cluster, name, props, change.mode)
        props["mode"] = change.mode
    _check_settings(
        pool,
        rg,
        cluster,
        name,
        max_surge=change.settings.get("maxSurge"),
        max_unavailable=change.settings.get("maxUnavailable"),
    )
    old_taints = before.get("nodeTaints") or []
    evicting = [t for t in props.get("nodeTaints") or [] if t.endswith(":NoExecute") and t not in old_taints]
    return pool, props != before, evicting


def _check_mode(
    c: ContainerServiceClient, rg: str, cluster: str, name: str, props: Mapping[str, Any], mode: str
) -> None:
    """upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/use-system-pools.md: "Change a system
    node pool to be a user node pool, provided you have another system node pool"; "Spot node pools require
    user node pools"; "B series VMs aren't supported for system node pools"; upgrade-aks-node-pools-rolling.md:
    "You can't set max unavailable on system node pools"."""
    if mode == "User":
        others = [p for p in list_pools(c, rg, cluster) if p.get("name") != name]
        if not any((p.get("properties") or {}).get("mode") == "System" for p in others):
            raise UsageError(
                f"node pool {name} is the only System pool of cluster {cluster}, and a cluster needs one",
                hint=f"add another System pool first (akscli nodepool add NAME -c {cluster} -g {rg} --mode System "
                "--vm-size SIZE), then make this one User",
            )
        return
    if props.get("scaleSetPriority") == "Spot":
        raise UsageError(f"node pool {name} is a spot pool, and a System pool cannot be spot", hint="keep it User")
    names.system_vm_size(str(props.get("vmSize") or ""), "--mode")
    floor = props.get("minCount") if props.get("enableAutoScaling") else props.get("count")
    if int(floor or 0) < 1:
        raise UsageError(
            f"node pool {name} can have no node, and a System pool needs at least one",
            hint=f"scale it first: akscli nodepool scale {name} -c {cluster} -g {rg} --count 1 (or --min 1)",
        )
    unavailable = (props.get("upgradeSettings") or {}).get("maxUnavailable")
    if not _is_zero(unavailable):
        raise UsageError(
            f"node pool {name} would have maxUnavailable {unavailable}; AKS takes none on a System pool",
            hint="pass --max-unavailable 0 with --mode System (and --max-surge 1 or more if its maxSurge is 0)",
        )
