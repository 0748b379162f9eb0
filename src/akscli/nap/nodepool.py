"""GPU node pools on node auto-provisioning (NAP) clusters: a Karpenter NodePool (karpenter.sh/v1)
that references an AKSNodeClass (karpenter.azure.com/v1beta1), applied with Kubernetes. Plain
logic: no Typer, no rich.

upstream: MicrosoftDocs/azure-aks-docs fb060abe articles/aks/node-auto-provisioning-node-pools.md
(NodePools, the default one, well-known labels and SKU selectors, limits, weights) and
articles/aks/node-auto-provisioning-aksnodeclass.md ("Each NodePool resource must reference an
AKSNodeClass using spec.template.spec.nodeClassRef. You can have multiple NodePools that point to
the same AKSNodeClass"): a GPU pool refers to the AKSNodeClass NAP creates, ``default``, whose GPU
settings (spec.gpu.mode, default Driver: NAP installs the driver) fit a GPU node; no upstream page
asks a GPU pool for a class of its own (aks-managed-gpu-nodes.md makes one only to tag it for the
managed GPU preview).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from akscli import validate
from akscli.errors import NotFoundError, NotInstalledError, UsageError
from akscli.nap import node_class as nap_class
from akscli.nap import zones as nap_zones
from akscli.nap.sizes import SKU_NAME, gpu_manufacturer, unoffered

if TYPE_CHECKING:
    from akscli.kube.client import Kube

API_VERSION = "karpenter.sh/v1"
KIND = "NodePool"
TEMPLATE = "nodepool/nap-gpu"
NODE_CLASS = nap_class.NODE_CLASS
STACK_PREFIX = "nodepool-"
# upstream: kubernetes-sigs/karpenter 2266468 pkg/apis/v1/labels.go CapacityTypeLabelKey, NodePoolLabelKey.
CAPACITY_TYPE = "karpenter.sh/capacity-type"
NODEPOOL_LABEL = "karpenter.sh/nodepool"
# A deleted NodeClaim's termination time: its deletionTimestamp plus spec.terminationGracePeriod
# (upstream: kubernetes-sigs/karpenter v1.14.0 pkg/apis/v1/labels.go
# NodeClaimTerminationTimestampAnnotationKey; nodeclaim/lifecycle/controller.go writes it, RFC 3339).
TERMINATION_TIME = "karpenter.sh/nodeclaim-termination-timestamp"
GPU_RESOURCE = "nvidia.com/gpu"
NOT_ENABLED_HINT = (
    "enable it: az aks update -g GROUP -n CLUSTER --node-provisioning-mode Auto (or akscli cluster create "
    "--node-provisioning auto); or add an ARM pool: drop --auto-provision and give --cluster and -g"
)
# The flags of `nodepool add` that only ARM pools have, by parameter: (flag, its default).
ARM_ONLY = {
    "cluster": "--cluster",
    "resource_group": "-g/--resource-group",
    "count": "--count",
    "mode": "--mode",
    "min_count": "--min",
    "max_count": "--max",
    "enable_autoscaler": "--enable-cluster-autoscaler",
    "gpu_driver": "--gpu-driver",
    "enable_managed_gpu": "--enable-managed-gpu",
    "gpu_instance_profile": "--gpu-instance-profile",
    "os_sku": "--os-sku",
    "spot_max_price": "--spot-max-price",
    "kubernetes_version": "--kubernetes-version",
    "drain_timeout": "--drain-timeout",
    "node_soak_duration": "--node-soak-duration",
    "undrainable_node_behavior": "--undrainable-node-behavior",
    "if_none_match": "--if-none-match",
    "if_match": "--if-match",
    "no_wait": "--no-wait",
    "timeout": "--timeout",
    "subscription": "--subscription",
    "auth": "--auth",
    "tenant": "--tenant",
}
NAP_ONLY = {
    "max_gpus": "--max-gpus",
    "node_class": "--node-class",
    "os_disk_size": "--os-disk-size",
    "weight": "--weight",
    "consolidation_policy": "--consolidation-policy",
    "consolidate_after": "--consolidate-after",
    "disruption_budget": "--disruption-budget",
    "expire_after": "--expire-after",
    "termination_grace_period": "--termination-grace-period",
    "kubeconfig": "--kubeconfig",
    "kube_context": "--context",
    "request_timeout": "--request-timeout",
    # delete: an ARM DELETE names one agent pool (nodepool delete)
    "selector": "-l/--selector",
    "all_": "--all",
    "all_namespaces_ignored": "-A/--all-namespaces",
}
# How Karpenter may disrupt a GPU pool's nodes. A model server evicted by consolidation reloads tens
# of GB of weights, so a GPU pool consolidates only empty nodes (upstream: kubernetes-sigs/karpenter
# 2266468 pkg/apis/v1/nodepool.go ConsolidationPolicy: WhenEmpty considers only nodes without
# workload pods; pkg/controllers/disruption/emptiness.go), after an empty node has stayed empty for
# CONSOLIDATE_AFTER (pkg/controllers/nodeclaim/disruption/consolidation.go: Consolidatable once
# lastPodEventTime + consolidateAfter has passed), so a rollout or a scale-up within it lands on the
# node it left. Karpenter's defaults would be WhenEmptyOrUnderutilized (a node with a model pod may be
# replaced by a cheaper one) and consolidateAfter 0s (the NodePool CRD's defaults,
# Azure/karpenter-provider-azure 352646f pkg/apis/crds/karpenter.sh_nodepools.yaml).
# expireAfter Never as NAP's own default NodePool (MicrosoftDocs/azure-aks-docs fb060abe
# articles/aks/node-auto-provisioning-node-pools.md): the CRD's default, 720h, replaces every node
# after 30 days by force, budgets and PDBs notwithstanding (node-auto-provisioning-disruption.md,
# Expiration).
CONSOLIDATION_POLICIES = ("WhenEmpty", "WhenEmptyOrUnderutilized")
GPU_CONSOLIDATION_POLICY = "WhenEmpty"
GPU_CONSOLIDATE_AFTER = "10m"
GPU_EXPIRE_AFTER = "Never"
# The CRD's patterns on consolidateAfter, expireAfter, terminationGracePeriod (which has no Never: unset,
# Karpenter waits for the drain indefinitely) and budgets[].nodes are the template's value declarations
# (templates/nodepool/nap-gpu.values.yaml, each citing karpenter.sh_nodepools.yaml): a flag is checked by
# the same entry `render nodepool/nap-gpu --set` is (akscli.render.value_matches), with a flag's hint.


def check_flags(given: Mapping[str, Any], *, auto_provision: bool) -> None:
    """One usage line for a flag the other kind of pool has (before anything is read or sent)."""
    table = ARM_ONLY if auto_provision else NAP_ONLY
    # 0 is a value typed (--min 0), and 0 == False: the check is by identity.
    typed = [flag for key, flag in table.items() if _typed(given.get(key))]
    if not typed:
        return
    if auto_provision:
        raise UsageError(
            f"{typed[0]} applies to ARM node pools, not to --auto-provision (a Karpenter NodePool on the "
            "cluster of --context)",
            hint=_DRAIN_HINTS.get(typed[0], f"drop {typed[0]}, or drop --auto-provision for an ARM agent pool"),
        )
    raise UsageError(
        f"{typed[0]} applies to node auto-provisioning pools",
        hint=f"add --auto-provision, or drop {typed[0]}",
    )


# An ARM pool's upgrade drain settings (AgentPoolUpgradeSettings) have one Karpenter counterpart: the
# NodePool's terminationGracePeriod bounds every drain of its nodes, after which the pods left are deleted
# even where PDBs or karpenter.sh/do-not-disrupt block their eviction (upstream: kubernetes-sigs/karpenter
# v1.14.0 pkg/apis/v1/nodepool.go TerminationGracePeriod; pkg/controllers/node/termination/terminator/
# terminator.go DeleteExpiringPods). Karpenter has no soak time: a drained node's instance is deleted.
_GRACE_FLAG = "--termination-grace-period DURATION"
_DRAIN_HINTS = {
    "--drain-timeout": f"drop it: a NodePool bounds its nodes' drains with {_GRACE_FLAG}, after which the pods "
    "left are deleted, PDBs notwithstanding; or drop --auto-provision for an ARM agent pool",
    "--undrainable-node-behavior": "drop it: a NodePool waits on a node it cannot drain, for no longer than "
    f"{_GRACE_FLAG} if given (then the pods left are deleted); or drop --auto-provision for an ARM agent pool",
    "--node-soak-duration": "drop it: Karpenter has no soak time (a NodePool bounds its nodes' drains with "
    f"{_GRACE_FLAG}); or drop --auto-provision for an ARM agent pool",
}


def _typed(value: Any) -> bool:
    return value is not None and value is not False and value not in ([], "")


def _flag_labels(pairs: Sequence[str]) -> dict[str, str]:
    """``--labels`` parsed, each key checked against the template's rules for spec.template.metadata.labels
    (nap-gpu.values.yaml ``labels``: the NodePool CRD's x-kubernetes-validations, upstream
    Azure/karpenter-provider-azure pkg/apis/crds/karpenter.sh_nodepools.yaml, and AKS's kubernetes.io/), so
    the error names the flag the user typed and the rule, not the template value, and comes before any output."""
    from akscli import render, value_types

    labels = validate.labels(pairs, "--labels")
    decl = render.values_spec(TEMPLATE)["labels"]
    for key in labels:
        value_types.reserved(key, decl, "--labels")
    return labels


@dataclass
class NapPoolSpec:
    name: str
    sku_names: list[str]
    gpu: bool
    capacity_types: list[str] = field(default_factory=lambda: ["on-demand"])
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict[str, str]] = field(default_factory=list)
    max_gpus: int | None = None
    weight: int | None = None
    zones: list[str] = field(default_factory=list)
    consolidation_policy: str = GPU_CONSOLIDATION_POLICY
    consolidate_after: str = GPU_CONSOLIDATE_AFTER
    disruption_budget: str | None = None
    expire_after: str = GPU_EXPIRE_AFTER
    termination_grace_period: str | None = None
    node_class: str = NODE_CLASS
    os_disk_size: int | None = None

    @classmethod
    def from_flags(
        cls,
        *,
        name: str,
        vm_size: str | None,
        gpu: str | None,
        gpus_per_node: int | None,
        spot: bool = False,
        labels: Sequence[str] = (),
        taints: Sequence[str] = (),
        no_gpu_taint: bool = False,
        max_gpus: int | None = None,
        weight: int | None = None,
        zones: Sequence[str] = (),
        consolidation_policy: str | None = None,
        consolidate_after: str | None = None,
        disruption_budget: str | None = None,
        expire_after: str | None = None,
        termination_grace_period: str | None = None,
        node_class: str | None = None,
        os_disk_size: int | None = None,
    ) -> NapPoolSpec:
        """Validate every flag (raises UsageError) and turn --gpu into the VM sizes NAP may make."""
        from akscli.azure.nodepools import GPU_TAINT
        from akscli.azure.poolchecks import GPU_SHORTCUTS, vm_size_for
        from akscli.model import skus

        if gpu and gpus_per_node is None and not vm_size:
            # No count: every size of the family akscli's GPU data knows; NAP picks the cheapest
            # that fits the pod (upstream: kubernetes-sigs/karpenter 2266468 pkg/cloudprovider/
            # types.go InstanceTypes.OrderByPrice).
            family = validate.choice(gpu, GPU_SHORTCUTS, "--gpu")
            # Only the sizes NAP offers: one supported-gpus.yaml lacks (the confidential
            # Standard_NCC40ads_H100_v5) is no instance type of NAP's (akscli.nap.sizes.unoffered;
            # pkg/utils/gpu.go GetGPUManufacturer).
            sizes = sorted(
                {s.vm_size for s in skus.all_skus() if s.gpu_family == family and gpu_manufacturer(s.vm_size)}
            )
        else:
            size, _ = vm_size_for(vm_size, gpu, gpus_per_node)
            why = unoffered(size)
            if why:
                # A NodePool of it would never make a node: refused before anything is rendered.
                raise UsageError(
                    f"node auto-provisioning makes no {size} node: it is {why}",
                    hint="pick a size NAP offers, e.g. --gpu h100 (every H100 size it makes), or drop "
                    "--auto-provision for an ARM pool (--cluster and -g)",
                )
            sizes = [size]
        is_gpu = all(skus.get(s) is not None for s in sizes)
        taint_list = [validate.user_pool_taint(t) for t in taints]  # NAP pools run user pods
        if is_gpu and not no_gpu_taint:
            key, rest = GPU_TAINT.split("=", 1)
            value, effect = rest.split(":", 1)
            default = {"key": key, "value": value, "effect": effect}
            if default not in taint_list:
                # NAP skips a NodePool whose taints the pod does not tolerate (upstream:
                # MicrosoftDocs/azure-aks-docs fb060abe articles/aks/node-auto-provisioning-node-pools.md,
                # Key behaviors): so a pod asking for no GPU is never given a GPU node by this pool.
                taint_list.append(default)
        if max_gpus is not None:
            validate.integer(max_gpus, "--max-gpus", 0, 100000)
        if weight is not None:
            # upstream: Azure/karpenter-provider-azure 352646f pkg/apis/crds/karpenter.sh_nodepools.yaml
            # spec.weight: int32, minimum 1, maximum 100 (no weight counts as 0).
            validate.integer(weight, "--weight", 1, 100)
        pool_name = validate.subdomain(name, "NodePool name")
        class_name, disk = nap_class.resolve(pool_name, node_class, os_disk_size)
        return cls(
            name=pool_name,
            node_class=class_name,
            os_disk_size=disk,
            sku_names=sizes,
            gpu=is_gpu,
            # upstream: Azure/karpenter-provider-azure 352646f pkg/apis/v1beta1/labels.go
            # WellKnownValuesForRequirements[CapacityTypeLabelKey] = on-demand, spot.
            capacity_types=["spot"] if spot else ["on-demand"],
            labels=_flag_labels(labels),
            taints=taint_list,
            max_gpus=max_gpus,
            weight=weight,
            zones=nap_zones.parse(zones),
            consolidation_policy=validate.choice(
                consolidation_policy or GPU_CONSOLIDATION_POLICY, CONSOLIDATION_POLICIES, "--consolidation-policy"
            ),
            consolidate_after=_karpenter_duration(
                consolidate_after, GPU_CONSOLIDATE_AFTER, "--consolidate-after", "consolidate_after"
            ),
            disruption_budget=_budget(disruption_budget),
            expire_after=_karpenter_duration(expire_after, GPU_EXPIRE_AFTER, "--expire-after", "expire_after"),
            termination_grace_period=_grace_period(termination_grace_period),
        )

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "node_class": self.node_class,
            "os_disk_size_gb": self.os_disk_size,
            "sku_names": list(self.sku_names),
            "capacity_types": list(self.capacity_types),
            "labels": dict(self.labels),
            "taints": [dict(t) for t in self.taints],
            "max_gpus": self.max_gpus,
            "weight": self.weight,
            "zones": list(self.zones),
            "consolidation_policy": self.consolidation_policy,
            "consolidate_after": self.consolidate_after,
            "disruption_budget": self.disruption_budget,
            "expire_after": self.expire_after,
            "termination_grace_period": self.termination_grace_period,
        }


def _matches(key: str, value: str) -> bool:
    from akscli import render

    return render.value_matches(TEMPLATE, key, value)


def _karpenter_duration(value: str | None, default: str, flag: str, key: str) -> str:
    """A duration as the NodePool CRD spells it: 30s, 10m, 1h30m, or Never."""
    if value is None:
        return default
    text = value.strip()
    if text.lower() == "never":
        return "Never"
    if not _matches(key, text):
        raise UsageError(
            f"invalid {flag} {value!r}: Karpenter takes whole s, m and h units, or Never",
            hint=f"e.g. {flag} 10m, {flag} 1h30m, or {flag} Never",
        )
    return text


def _grace_period(value: str | None) -> str | None:
    """--termination-grace-period, checked with the CRD's own pattern before rendering."""
    if value is None or _matches("termination_grace_period", value):
        return value
    hint = "e.g. --termination-grace-period 1h, or 1h30m"
    if value.strip().lower() == "never":
        hint = "leave it out: without it Karpenter waits for a node's drain indefinitely"
    raise UsageError(
        f"invalid --termination-grace-period {value!r}: Karpenter takes whole s, m and h units (no Never)", hint=hint
    )


def _budget(value: str | None) -> str | None:
    """--disruption-budget: the most nodes of the pool Karpenter may disrupt at once, a count or a
    percentage (upstream: karpenter.sh_nodepools.yaml disruption.budgets[].nodes; unset: one budget
    of 10%)."""
    if value is None:
        return None
    text = value.strip()
    if not _matches("disruption_budget", text):
        raise UsageError(
            f"invalid --disruption-budget {value!r}: it is a node count or a percentage up to 100%",
            hint="e.g. --disruption-budget 1, or --disruption-budget 20%; 0 blocks voluntary disruption",
        )
    return text


def objects(spec: NapPoolSpec) -> list[dict[str, Any]]:
    from akscli import render

    return render.render(TEMPLATE, spec.values())


def stack(name: str) -> str:
    return f"{STACK_PREFIX}{name}"


def require_api(kube: Kube) -> None:
    """One line where the cluster serves no karpenter.sh/v1 NodePool: NAP is not enabled."""
    try:
        kube.resource(API_VERSION, KIND)
    except NotInstalledError as exc:
        raise NotInstalledError(
            f"node auto-provisioning is not enabled on this cluster: it serves no {API_VERSION} {KIND}",
            hint=NOT_ENABLED_HINT,
        ) from exc


def list_pools(kube: Kube, label_selector: str | None = None) -> Iterator[dict[str, Any]]:
    require_api(kube)
    yield from kube.list(API_VERSION, KIND, label_selector=label_selector)


def get_pool(kube: Kube, name: str) -> dict[str, Any]:
    require_api(kube)
    pool = kube.get(API_VERSION, KIND, validate.subdomain(name, "NodePool name"))
    if pool is None:
        raise NotFoundError(
            f"NodePool {name} not found", hint="akscli nodepool list --auto-provision lists the cluster's NodePools"
        )
    return pool


def requirements(pool: Mapping[str, Any]) -> list[dict[str, Any]]:
    template = ((pool.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [r for r in template.get("requirements") or [] if isinstance(r, dict)]


def _values(pool: Mapping[str, Any], key: str) -> list[str]:
    return [str(v) for r in requirements(pool) if r.get("key") == key for v in r.get("values") or []]


def summary(pool: Mapping[str, Any]) -> dict[str, Any]:
    """One row: the printer columns of the NodePool CRD (NodeClass, Nodes, Ready, Weight) and
    what akscli's add wrote (VM sizes, capacity type, the GPU limit)."""
    spec, status = pool.get("spec") or {}, pool.get("status") or {}
    template = (spec.get("template") or {}).get("spec") or {}
    ready = next((c.get("status") for c in status.get("conditions") or [] if c.get("type") == "Ready"), "")
    taints = [f"{t.get('key')}={t.get('value', '')}:{t.get('effect')}" for t in template.get("taints") or []]
    return {
        "name": (pool.get("metadata") or {}).get("name", ""),
        "nodeClass": (template.get("nodeClassRef") or {}).get("name", ""),
        "vmSizes": ",".join(_values(pool, SKU_NAME)) or "any",
        "capacityType": ",".join(_values(pool, CAPACITY_TYPE)) or "any",
        "nodes": status.get("nodes", 0),
        # None where the NodePool leaves it unset: the table writes <none>, as kubectl does.
        "maxGpus": (spec.get("limits") or {}).get(GPU_RESOURCE),
        "weight": spec.get("weight"),
        "ready": ready or None,
        "taints": ",".join(taints) or None,
        # What bounds a node's life and its drain (upstream: kubernetes-sigs/karpenter v1.14.0
        # pkg/apis/v1/nodepool.go NodeClaimTemplateSpec ExpireAfter, TerminationGracePeriod).
        "expireAfter": template.get("expireAfter"),
        "terminationGracePeriod": template.get("terminationGracePeriod"),
    }


def usage(pool: Mapping[str, Any]) -> str:
    """Resources in use against spec.limits (status.resources: the counter controller's sum of
    the pool's nodes, kubernetes-sigs/karpenter 2266468 pkg/controllers/nodepool/counter)."""
    limits = (pool.get("spec") or {}).get("limits") or {}
    used = (pool.get("status") or {}).get("resources") or {}
    keys = [*limits, *(k for k in (GPU_RESOURCE, "cpu", "memory", "nodes") if k in used and k not in limits)]
    return ", ".join(f"{k} {used.get(k, 0)}" + (f" of {limits[k]}" if k in limits else "") for k in keys) or "none"
