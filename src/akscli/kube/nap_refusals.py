"""The fix for Karpenter's requirement and resource refusals of a pod, read from its FailedScheduling
text, in a user's terms (what the pods ask for, what the NodePool allows, and the akscli command).

Karpenter's words (upstream: kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/
scheduling/nodeclaim.go): "incompatible requirements, key K, <pod's requirement> not in <NodePool's>"
(CanAdd; pkg/scheduling/requirements.go Compatible, badKeyError) and the InstanceTypeFilterError
texts, "no instance type met all requirements", "... had enough resources or had a required
offering", "... has enough resources", and the like, each followed by ", requirements=REQS,
resources=RES" where REQS is "key Op [v1 v2], ..." (pkg/scheduling/requirement.go String: at most
5 values, then "and N others") and RES the pod's requests as JSON. One error per NodePool, joined
by "; " (multierr). The Azure provider's offerings carry kubernetes.azure.com/scalesetpriority
(Azure/karpenter-provider-azure 352646f pkg/providers/instancetype/instancetypes.go createOfferings).

Plain module (no typer/rich): akscli.kube.scale_up reads it.
"""

from __future__ import annotations

import re

INSTANCE_TYPE = "node.kubernetes.io/instance-type"
SKU_NAME = "karpenter.azure.com/sku-name"
CAPACITY_TYPE = "karpenter.sh/capacity-type"
ZONE = "topology.kubernetes.io/zone"
NODEPOOL = "karpenter.sh/nodepool"
SCALE_SET_PRIORITY = "kubernetes.azure.com/scalesetpriority"
_BAD_KEY = re.compile(r"incompatible requirements, key (\S+), \S+ In \[([^\]]*)\] not in \S+ In \[([^\]]*)\]")
# resources= is one JSON object, or "min={...}, max={...}" where the NodePool's sizes run DaemonSets
# whose requests differ (nodeclaim.go InstanceTypeFilterError.resourcesString).
_FILTERED = re.compile(
    r"(no instance type [^,]*(?:, had a required offering)?), requirements=(.*), "
    r"resources=((?:min=)?\{.*?\}(?:, max=\{.*?\})?)"
)
_REQUIREMENT = re.compile(r"(\S+) (In|NotIn) \[([^\]]*)\]")
# A requirement with bounds (a Gt, Lt, Gte or Lte, requirement.go String: " >=N" and " <=N" after
# "key Exists" or "key NotIn [...]"; Gt N reads >=N+1 and Lt N <=N-1).
_BOUNDS = re.compile(r"(\S+) (?:Exists|NotIn \[[^\]]*\])((?: >=-?\d+)?(?: <=-?\d+)?)(?= minValues|,|$)")
# InstanceTypeFilterError.Error with minValuesIncompatibleErr (pkg/cloudprovider/types.go
# SatisfiesMinValues, awslabs/operatorpkg serrors Error "%s (%s)"); requirement.go String ends a
# requirement with minValues " minValues N".
_MIN_VALUES = re.compile(
    r"minValues requirement is not met for label\(s\) \(label\(s\)=\[(\S+)[^\]]*\]\), requirements=(.*), resources="
)
_ADD = "akscli nodepool add NAME --auto-provision"


def _values(text: str) -> tuple[list[str], bool]:
    """A requirement's values and whether Karpenter cut the list ("and N others")."""
    cut = re.search(r" and \d+ others$", text)
    return (text[: cut.start()] if cut else text).split(), cut is not None


def _requirements(text: str) -> dict[str, tuple[str, list[str], bool]]:
    return {m.group(1): (m.group(2), *_values(m.group(3))) for m in _REQUIREMENT.finditer(text)}


def fix(error: str) -> str | None:
    """The fix for one NodePool's error (one of those "; " joins after "Failed to schedule pod, ")
    where it is a requirement or resource refusal akscli can explain; None otherwise."""
    return _bad_key(error) or _min_values(error) or _filtered(error)


def _min_values(error: str) -> str | None:
    m = _MIN_VALUES.search(error)
    if m is None:
        return None
    key, reqs = m.group(1), m.group(2)
    pool = (_requirements(reqs).get(NODEPOOL) or ("", ["POOL"], False))[1][0]
    least = re.search(rf"{re.escape(key)} [^,]* minValues (\d+)", reqs)
    wants = f"at least {least.group(1)} values of {key}" if least else f"more values of {key}"
    return (
        f"NodePool {pool} wants {wants} (minValues) among the sizes a node may be, and the pods, pinned to one "
        f"size, leave fewer: drop minValues from NodePool {pool}, or add a NodePool for the size "
        f"({_ADD} --vm-size S)"
    )


def _bad_key(error: str) -> str | None:
    m = _BAD_KEY.search(error)
    if m is None:
        return None
    key, asked, allowed = m.group(1), m.group(2).split(), m.group(3).split()
    asked_text, allowed_text = ", ".join(asked), ", ".join(allowed)
    if key == CAPACITY_TYPE:
        spot = " --spot" if "spot" in asked else ""
        return (
            f"the pods ask for {asked_text} capacity and a NodePool makes {allowed_text} nodes: add a NodePool "
            f"that makes {asked_text} ones ({_ADD} --gpu F{spot}), or drop the pods' {CAPACITY_TYPE} selector"
        )
    if key in (INSTANCE_TYPE, SKU_NAME):
        return (
            f"the pods ask for size {asked_text} and a NodePool allows only {allowed_text}: deploy with --vm-size of "
            f"one it allows, or add a NodePool for it ({_ADD} --vm-size {asked[0] if asked else 'S'})"
        )
    if key == ZONE:
        return (
            f"the pods ask for zone {asked_text} and a NodePool allows {allowed_text}: widen the NodePool's --zones "
            f"({_ADD} --gpu F --zones ...), or drop the pods' zone selector"
        )
    return f"the pods ask for {key} {asked_text} and a NodePool allows {allowed_text}: align the two"


def _filtered(error: str) -> str | None:
    m = _FILTERED.search(error)
    if m is None:
        return None
    head, reqs, resources = m.group(1), _requirements(m.group(2)), m.group(3)
    pool = (reqs.get(NODEPOOL) or ("", ["POOL"], False))[1][0]
    pinned = reqs.get(INSTANCE_TYPE) or reqs.get(SKU_NAME)
    allowed = reqs.get(SKU_NAME)
    capacity = (reqs.get(CAPACITY_TYPE) or ("", [], False))[1]
    if (reqs.get(SCALE_SET_PRIORITY) or ("", [], False))[1] == ["spot"] and "spot" not in (capacity or ["spot"]):
        return (
            f"the pods ask for spot nodes ({SCALE_SET_PRIORITY}=spot) and NodePool {pool} makes only "
            f"{', '.join(capacity)} ones: add a spot NodePool ({_ADD} --gpu F --spot), or run them without --spot"
        )
    if "met all requirements" in head and pinned and reqs.get(INSTANCE_TYPE) and (out := _out_of_bounds(
            pool, pinned[1][0], m.group(2))):  # fmt: skip
        return out
    if "met all requirements" in head and pinned and reqs.get(INSTANCE_TYPE) and allowed:
        size = pinned[1][0]
        if size not in allowed[1] and not allowed[2]:
            return (
                f"NodePool {pool} allows {', '.join(allowed[1])}, not {size}, which the pods ask for (nodeSelector "
                f"{INSTANCE_TYPE}): deploy with --vm-size of a size it allows, or add a NodePool for {size} "
                f"({_ADD} --vm-size {size})"
            )
        if size in allowed[1]:
            zones = (reqs.get(ZONE) or ("", [], False))[1]
            where = f" in zones {', '.join(zones)}" if zones else ""
            return (
                f"NodePool {pool} allows {size} but has no offering of it available{where} (not offered there, or "
                "marked unavailable for up to hours after a quota or capacity failure): widen the NodePool's --zones "
                f"(0 adds the regional offering), or deploy with --vm-size of another size it allows"
            )
    if head in ("no instance type has enough resources", "no instance type met the scheduling requirements or had "
                "enough resources"):  # fmt: skip
        return (
            f"no size NodePool {pool} allows has room for the pods' requests {resources}: lower them, or add a "
            f"NodePool of a larger size ({_ADD} --vm-size S); Karpenter counts a size's allocatable (its capacity "
            "less kube-reserved and eviction) less the requests of the DaemonSets that would run on the node"
        )
    return None


def _out_of_bounds(pool: str, size: str, reqs: str) -> str | None:
    """A NodePool's bounds on a numeric label (karpenter.azure.com/sku-cpu Gt 8) the pinned size's
    label falls outside (requirement.go withinBounds, on the size's labels as the Azure provider
    gives them: akscli.nap.sizes.size_labels); None where the size is unknown or within them."""
    from akscli.nap.sizes import size_labels

    labels = size_labels(size)
    for m in _BOUNDS.finditer(reqs):
        key, bounds = m.group(1), m.group(2)
        value = labels.get(key)
        if not bounds.strip() or value is None or not value.lstrip("-").isdigit():
            continue
        gte = [int(n) for n in re.findall(r">=(-?\d+)", bounds)]
        lte = [int(n) for n in re.findall(r"<=(-?\d+)", bounds)]
        if any(int(value) < n for n in gte) or any(int(value) > n for n in lte):
            wants = " and ".join([f"at least {n}" for n in gte] + [f"at most {n}" for n in lte])
            return (
                f"NodePool {pool} wants {key} {wants} (its requirement {key}{bounds}) and {size}, which the pods ask "
                f"for, has {value}: deploy with --vm-size of a size within those bounds, or add a NodePool for "
                f"{size} ({_ADD} --vm-size {size})"
            )
    return None
