"""Why Karpenter's provisioner made no NodeClaim for a pod, in its own words: the error its
Warning FailedScheduling event quotes after "Failed to schedule pod, " (upstream:
kubernetes-sigs/karpenter 2266468 pkg/controllers/provisioning/scheduling/events.go
PodFailedToScheduleEvent).

The NodePools are tried in weight order (scheduler.go NewScheduler, OrderByWeight); a pool none of
whose instance types has an available offering its requirements admit has no template and no word
(NoCompatibleInstanceTypes); with no template left the error is "nodepool requirements filtered out
all available instance types" (scheduler.go add). Otherwise each pool's error, joined by "; "
(multierr.Combine in scheduler.go addToNewNodeClaim):

- a limit on nodes used up: "node limits have been exhausted for nodepool (NodePool=NAME)";
- no instance type within the remaining limits: "all available instance types exceed limits for
  nodepool (NodePool=NAME)" (both scheduler.go addToNewNodeClaim, checked before the pod; the
  parenthesis is awslabs/operatorpkg 7a13865 serrors/serrors.go Error: "%s (%s)" of key=value);
- a taint of the pool the pod does not tolerate: "did not tolerate taint (taint=KEY=VALUE:EFFECT)"
  for each (pkg/scheduling/taints.go Tolerates; pkg/utils/pretty/pretty.go Taint), first of
  nodeclaim.go CanAdd.

- past those, "incompatible requirements, ..." or the InstanceTypeFilterError ("no instance type
  met ..., requirements=..., resources=...") of nodeclaim.go CanAdd, as karpenter_requirements
  gives them; where it cannot (see there), no message is
  made (the simulator posts no FailedScheduling rather than a guessed one).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from tests.emulators.kube.controllers.karpenter_common import INSTANCE_TYPE, _capacity_type, _template
from tests.emulators.kube.controllers.karpenter_daemons import overhead
from tests.emulators.kube.controllers.karpenter_requirements import min_values, pool_error, unmet_min_values
from tests.emulators.kube.controllers.node_filters import _tolerates, admitted_tolerations, fit_reasons
from tests.emulators.kube.controllers.scheduling import quantity

if TYPE_CHECKING:
    from tests.emulators.kube.cluster import ClusterState
    from tests.emulators.kube.controllers.karpenter import NodeAutoProvisioner

FILTERED_OUT = "nodepool requirements filtered out all available instance types"


def _taint(taint: dict[str, Any]) -> str:
    key, value, effect = taint.get("key", ""), taint.get("value", ""), taint.get("effect", "")
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def _sizes(templates: list[dict[str, Any]]) -> list[str]:
    return [str(t["metadata"]["labels"][INSTANCE_TYPE]) for t in templates]


def pod_error(sim: NodeAutoProvisioner, cluster: ClusterState, spec: dict[str, Any], need: Counter[str]) -> str | None:
    """Karpenter's error for a pod no NodePool made a NodeClaim for, or None where a pool's error is
    one the simulator does not model (see the module docstring)."""
    errors: list[str] = []
    templates = 0
    ready = [p for p in sim._pools(cluster) if sim._ready_class(cluster, p)]
    if not ready:
        return None  # no NodePool to schedule with: the provisioner does not try
    for pool in ready:
        capacity_type = _capacity_type(pool)
        candidates = sim._candidates(cluster, pool, capacity_type, within_limits=False)
        if not candidates or unmet_min_values(sim, _sizes(candidates), min_values(pool)):
            continue  # no template (NoCompatibleInstanceTypes; filterInstanceTypesByRequirements, minValues)
        templates += 1
        name = pool["metadata"]["name"]
        limit = ((pool.get("spec") or {}).get("limits") or {}).get("nodes")
        if limit is not None and sim._used(cluster, name)["nodes"] >= quantity(limit):
            errors.append(f"node limits have been exhausted for nodepool (NodePool={name})")
            continue
        within = sim._candidates(cluster, pool, capacity_type)
        if not within:
            errors.append(f"all available instance types exceed limits for nodepool (NodePool={name})")
            continue
        tolerations = admitted_tolerations(spec)
        untolerated = [t for t in _template(pool)[1].get("taints") or [] if not _tolerates(tolerations, t)]
        if untolerated:
            errors += [f"did not tolerate taint (taint={_taint(t)})" for t in untolerated]
            continue
        fitting = [t for t in within if not fit_reasons(spec, need, t, lambda t=t: overhead(cluster, t))[0]]
        if fitting and not unmet_min_values(sim, _sizes(fitting), min_values(pool)):
            return None  # the pool fits the pod: no error of Karpenter's to give
        # upstream: kubernetes-sigs/karpenter pkg/controllers/provisioning/scheduling/nodeclaim.go (CanAdd)
        said = pool_error(sim, cluster, pool, within, spec, need, candidates)
        if said is None:
            # what this model cannot say of kubernetes-sigs/karpenter 2266468 nodeclaim.go CanAdd
            # (karpenter_requirements)
            return None
        errors.append(said)
    if not templates:
        return FILTERED_OUT
    return "; ".join(errors) or None
