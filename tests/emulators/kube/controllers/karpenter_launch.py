"""The NodeClaim's side of node auto-provisioning in the kube emulator (karpenter.py decides which
pod gets one, from which NodePool and sizes): the NodeClaim made for the sizes that fit, its launch on
the cheapest offering still available, the Node it makes, and Azure's refusals of the VM
(karpenter_errors) with the retries and events that follow. Upstream files: each method names its
own (kubernetes-sigs/karpenter 2266468, Azure/karpenter-provider-azure 352646f)."""

from __future__ import annotations

import secrets
from typing import Any

from tests.emulators.kube.apiserver import now_iso
from tests.emulators.kube.cluster import KUBELET, ClusterState
from tests.emulators.kube.controllers.karpenter_common import (
    CAPACITY_TYPE,
    INSTANCE_TYPE,
    NODECLAIM,
    NODECLASS_LABEL,
    NODEPOOL,
    NODEPOOL_LABEL,
    PLACEMENT_SCOPE,
    REGION_LABEL,
    ZONE_LABEL,
    _template,
    _unless_deleted,
    instance_labels,
    kubelet_status,
)
from tests.emulators.kube.controllers.karpenter_drift import new_claim_annotations
from tests.emulators.kube.controllers.karpenter_emptiness import iso
from tests.emulators.kube.controllers.karpenter_errors import Handled, handle, timing, truncate
from tests.emulators.kube.controllers.karpenter_registration import UNREGISTERED, merge_taints, register
from tests.emulators.kube.controllers.karpenter_termination import FINALIZER, NodeTermination


class NodeClaimLauncher:
    """Mixed into karpenter.NodeAutoProvisioner, whose state (the clock, the failures and
    unavailable offerings tests set, the provision mode) and pass methods (_candidates, _status,
    offering_zones, queue_pass) it uses."""

    # Provided by NodeAutoProvisioner and its PassController base.
    _candidates: Any
    _class: Any
    _status: Any
    offering_zones: Any
    queue_pass: Any
    _manager: Any
    delay: float
    failures: dict[tuple[str, str | None], str]
    quota_reached: set[str]
    quota_zero: set[str]
    provision_mode: str
    hold_initialization: bool
    provisioned: list[tuple[str, str, str]]
    unavailable: dict[tuple[str, str, str], float]
    now: float
    spot_unavailable_until: float
    _retry_at: float
    termination: NodeTermination

    def _create_claim(
        self, cluster: ClusterState, pool: dict[str, Any], templates: list[dict[str, Any]], capacity_type: str
    ) -> tuple[dict[str, Any] | None, str]:
        """The NodeClaim for the sizes that fit the pod, cheapest first, then its launch. Its labels
        are the template's, the NodePool's and the node class's: a well-known label such as the
        instance type is set only at launch (upstream: kubernetes-sigs/karpenter 2266468
        pkg/controllers/provisioning/scheduling/nodeclaimtemplate.go ToNodeClaim: the instance
        types, ordered by price, as one node.kubernetes.io/instance-type In requirement;
        resolveCustomLabelsFromRequirements leaves well-known labels out; pkg/controllers/nodeclaim/
        lifecycle/launch.go PopulateNodeClaimDetails adds the cloud's labels once launched)."""
        pool_name = pool["metadata"]["name"]
        meta, spec = _template(pool)
        claim_name = f"{pool_name}-{secrets.token_hex(3)[:5]}"
        claim_labels = {
            **{str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
            NODEPOOL_LABEL: pool_name,
            NODECLASS_LABEL: str((spec.get("nodeClassRef") or {}).get("name") or ""),
        }
        sizes = [t["metadata"]["labels"][INSTANCE_TYPE] for t in templates]
        cluster.create(
            {
                "apiVersion": NODECLAIM[0],
                "kind": "NodeClaim",
                "metadata": {
                    "name": claim_name,
                    "labels": claim_labels,
                    # the template's annotations and the hashes drift compares (karpenter_drift)
                    "annotations": new_claim_annotations(pool, self._class(cluster, pool)),
                    # kubernetes-sigs/karpenter pkg/controllers/nodeclaim/lifecycle/controller.go
                    # Reconcile adds it before the launch
                    "finalizers": [FINALIZER],
                    "ownerReferences": [
                        {
                            "apiVersion": NODEPOOL[0],
                            "kind": "NodePool",
                            "name": pool_name,
                            "uid": pool["metadata"].get("uid", ""),
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "nodeClassRef": dict(spec.get("nodeClassRef") or {}),
                    "requirements": [
                        *[dict(r) for r in spec.get("requirements") or [] if r.get("key") != CAPACITY_TYPE],
                        {"key": CAPACITY_TYPE, "operator": "In", "values": [capacity_type]},
                        {"key": INSTANCE_TYPE, "operator": "In", "values": sizes},
                    ],
                    **({"taints": [dict(t) for t in spec["taints"]]} if spec.get("taints") else {}),
                    # nodeclaimtemplate.go ToNodeClaim: the template's spec, terminationGracePeriod with it
                    **{k: spec[k] for k in ("terminationGracePeriod",) if spec.get(k)},
                },
            }
        )
        return self._launch(cluster, claim_name)

    def _launch(self, cluster: ClusterState, claim_name: str) -> tuple[dict[str, Any] | None, str]:
        """Launch the NodeClaim on the cheapest offering still available among its sizes (upstream:
        Azure/karpenter-provider-azure 352646f pkg/cloudprovider/cloudprovider.go resolveInstanceTypes:
        the claim's instance types with an available offering; pkg/providers/instance/vminstance.go
        beginLaunchInstance). A size out of quota fails, its offerings are marked unavailable in
        every zone (commonerrorhandlers.go handleSKUFamilyQuotaError) and the launch is retried
        (karpenter launch.go returns the error: the controller requeues the NodeClaim), so it
        takes the next size the claim allows. With no size left it is deleted with an
        InsufficientCapacityError event (see below)."""
        claim = cluster.get(*NODECLAIM, None, claim_name)
        if claim is None or any(
            c.get("type") == "Launched" and c.get("status") == "True"
            for c in (claim.get("status") or {}).get("conditions") or []
        ):
            return None, claim_name
        pool_name = claim["metadata"]["labels"][NODEPOOL_LABEL]
        pool = cluster.get(*NODEPOOL, None, pool_name)
        if pool is None:
            return None, claim_name
        requirements = (claim.get("spec") or {}).get("requirements") or []
        sizes = next(list(r.get("values") or []) for r in requirements if r.get("key") == INSTANCE_TYPE)
        capacity_type = next(r["values"][0] for r in requirements if r.get("key") == CAPACITY_TYPE)
        templates = self._candidates(cluster, pool, capacity_type, sizes)
        if not templates:
            # upstream: Azure/karpenter-provider-azure 352646f pkg/cloudprovider/cloudprovider.go Create
            # (no instance type left: an InsufficientCapacityError); kubernetes-sigs/karpenter 2266468
            # pkg/controllers/nodeclaim/lifecycle/launch.go launchNodeClaim deletes the NodeClaim and
            # events.go InsufficientCapacityErrorEvent records it (Warning).
            # InsufficientCapacityError.Error() is "insufficient capacity, %s" (karpenter pkg/cloudprovider/types.go).
            message = (
                f"NodeClaim {claim_name} event: insufficient capacity, all requested instance types were unavailable "
                "during launch"
            )
            cluster.add_event(claim, "InsufficientCapacityError", message, type="Warning", component="karpenter")
            self._delete_claim(cluster, claim_name)
            # The pod is still pending: karpenter's pod controller requeues a provisionable pod every
            # 10 s (pkg/controllers/provisioning/controller.go PodController.Reconcile), so the
            # provisioner looks at it again; the simulator does so at once.
            self.queue_pass()
            return None, claim_name
        template = templates[0]
        labels = dict(template["metadata"]["labels"])
        node_name = f"aks-{claim_name}"
        t = now_iso()  # the kubelet's clock (the node's Ready)
        # Karpenter's clock for the NodeClaim's conditions (operatorpkg status.WithClock: the simulator's,
        # karpenter_drain.Drain.now), which consolidateAfter is measured from (karpenter_emptiness)
        kt = iso(self.termination.now())
        size = labels[INSTANCE_TYPE]
        zone = labels[ZONE_LABEL]
        code = self.failures.get((size, zone)) or self.failures.get((size, None))
        code = code or ("SKUFamilyQuota" if size in self.quota_reached else None)
        mode = self.provision_mode
        if code is not None and timing(code, mode) == "sync":
            zero = size in self.quota_zero
            failure = handle(code, size, zone, labels[CAPACITY_TYPE], self.offering_zones(size), zero, mode)
            self._failed_launch(cluster, claim, failure)
            return None, claim_name
        labels["kubernetes.io/hostname"] = node_name
        ready = {"status": "True", "lastTransitionTime": kt, "reason": "", "message": ""}
        # PopulateNodeClaimDetails (launch.go): the cloud's labels of the launched instance, the size's
        # single-valued requirement labels among them (Azure/karpenter-provider-azure 352646f
        # pkg/cloudprovider/cloudprovider.go vmInstanceToNodeClaim, GetAllSingleValuedRequirementLabels:
        # sku-name, os, arch, the SKU labels), which drift's requirement check reads (karpenter_drift).
        wanted = {*instance_labels(size), INSTANCE_TYPE, CAPACITY_TYPE, ZONE_LABEL, REGION_LABEL, PLACEMENT_SCOPE}
        cloud = {k: labels[k] for k in sorted(wanted) if k in labels}
        if code is not None:
            # The create was accepted (Launched True, no node), then its operation fails:
            # cloudprovider.go handleInstancePromise.
            cluster.patch(*NODECLAIM, None, claim_name, {"metadata": {"labels": cloud}})
            launched = {"type": "Launched", **ready, "reason": "Launched"}
            cluster.patch_status(*NODECLAIM, None, claim_name, {"conditions": [launched]})
            zero = size in self.quota_zero
            failure = handle(code, size, zone, labels[CAPACITY_TYPE], self.offering_zones(size), zero, mode)
            self._later(lambda c: self._failed_launch(c, c.get(*NODECLAIM, None, claim_name) or claim, failure))
            return None, claim_name
        # As its kubelet registers it (karpenter_registration.register): the launch's labels, the
        # NodeClaim's taints with karpenter.sh/unregistered (ExtractTaints); Karpenter's registration
        # adds the finalizer, the owner reference and karpenter.sh/registered after.
        taints = merge_taints((claim.get("spec") or {}).get("taints") or [], [UNREGISTERED])
        node = {
            **template,
            "metadata": {"name": node_name, "labels": labels},
            "spec": {**template["spec"], "taints": taints, "providerID": f"azure:///aks/{node_name}"},
            "status": {  # the kubelet's, not Karpenter's estimate (kubelet_status)
                **kubelet_status(template["status"], labels[INSTANCE_TYPE], self.provision_mode),
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "lastTransitionTime": t}],
            },
        }
        conditions = [{"type": c, **ready, "reason": c} for c in ("Launched", "Registered", "Initialized", "Ready")]
        if self.hold_initialization:
            # The kubelet has not posted Ready yet: kubernetes-sigs/karpenter v1.14.0
            # pkg/controllers/nodeclaim/lifecycle/initialization.go sets Initialized Unknown
            # "NodeNotReady", "Node status is NotReady"; the root Ready follows (awslabs/operatorpkg
            # status/condition_set.go recomputeRootCondition: Unknown, ReconcilingDependents,
            # "Initialized=Unknown"). ``initialize`` finishes it.
            node["status"]["conditions"] = [
                {"type": "Ready", "status": "False", "reason": "KubeletNotReady", "lastTransitionTime": t}
            ]
            unknown = {"status": "Unknown", "lastTransitionTime": kt}
            conditions[2:] = [
                {"type": "Initialized", **unknown, "reason": "NodeNotReady", "message": "Node status is NotReady"},
                {"type": "Ready", **unknown, "reason": "ReconcilingDependents", "message": "Initialized=Unknown"},
            ]
        # kubernetes-sigs/karpenter pkg/controllers/nodeclaim/lifecycle/launch.go PopulateNodeClaimDetails
        # before registration.go reads the NodeClaim.
        launched_claim = cluster.patch(*NODECLAIM, None, claim_name, {"metadata": {"labels": cloud}})
        node = register(cluster, launched_claim, node)
        cluster.patch_status(
            *NODECLAIM,
            None,
            claim_name,
            {
                "nodeName": node_name,
                "providerID": node["spec"]["providerID"],
                "capacity": dict(template["status"]["capacity"]),
                "allocatable": dict(template["status"]["allocatable"]),
                "conditions": conditions,
            },
        )
        self.provisioned.append((pool_name, claim_name, labels[INSTANCE_TYPE]))
        self._status(cluster, cluster.get(*NODEPOOL, None, pool_name) or pool)
        return node, claim_name

    def initialize(self, cluster: ClusterState, claim_name: str) -> None:
        """A NodeClaim launched with ``hold_initialization``: its kubelet posts Ready (KubeletReady), so
        initialization.go sets Initialized True and the root Ready follows."""
        claim = cluster.get(*NODECLAIM, None, claim_name) or {}
        node_name = (claim.get("status") or {}).get("nodeName") or ""
        t = now_iso()
        ready = {"type": "Ready", "status": "True", "reason": "KubeletReady", "lastTransitionTime": t}
        cluster.patch_status("v1", "Node", None, node_name, {"conditions": [ready]}, manager=KUBELET)
        conditions = [
            c
            for c in (claim.get("status") or {}).get("conditions") or []
            if c.get("type") not in ("Initialized", "Ready")
        ]
        kt = iso(self.termination.now())  # Karpenter's clock (karpenter_emptiness)
        conditions += [
            {"type": c, "status": "True", "reason": c, "lastTransitionTime": kt} for c in ("Initialized", "Ready")
        ]
        cluster.patch_status(*NODECLAIM, None, claim_name, {"conditions": conditions}, manager="karpenter")

    def _delete_claim(self, cluster: ClusterState, name: str) -> None:
        """A NodeClaim that did not launch deleted: the lifecycle controller's finalize finds no node
        and no instance and removes the finalizer (karpenter_termination.finalize_claim), here at once."""
        cluster.delete(*NODECLAIM, None, name)
        self.termination.finalize_claim(cluster, name)

    def _later(self, work: Any) -> None:
        if self._manager is not None:
            self._manager.call_later(self, lambda c: _unless_deleted(lambda: work(c)), self.delay)

    def _failed_launch(self, cluster: ClusterState, claim: dict[str, Any], failure: Handled) -> None:
        """Azure refused the VM (karpenter_errors.handle): the offerings are marked; then an answer
        to the create sets Launched Unknown with the reason and message and the launch is retried
        (kubernetes-sigs/karpenter 2266468 launch.go launchNodeClaim: a CreateError), unless it is an
        InsufficientCapacityError, which deletes the NodeClaim with its event (launch.go, events.go
        InsufficientCapacityErrorEvent); a failed operation deletes the launched NodeClaim with a
        Warning AsyncProvisioningError "Failed to register: ..." (Azure/karpenter-provider-azure
        352646f pkg/cloudprovider/cloudprovider.go handleInstancePromise, events/events.go
        NodeClaimFailedToRegister)."""
        name = claim["metadata"]["name"]
        for offering, ttl in failure.marks.items():
            self.unavailable[offering] = self.now + ttl
        if failure.all_spot_ttl is not None:
            self.spot_unavailable_until = self.now + failure.all_spot_ttl
        if failure.insufficient_capacity or failure.asynchronous:
            # The AKS machine is named after the NodeClaim (aksmachineinstanceutils.go, up to 34 characters).
            error = failure.async_error(self.provision_mode, name)
            reason, text = ("AsyncProvisioningError", f"Failed to register: {truncate(error, 500)}")
            if not failure.asynchronous:
                reason, text = ("InsufficientCapacityError", f"NodeClaim {name} event: {truncate(failure.error)}")
            if not failure.marks and failure.all_spot_ttl is None:
                # Nothing is marked: the provisioner would make the same NodeClaim again at its next
                # look at the pod, 10 s on (provisioning/controller.go): on the clock here.
                self._retry_at = self.now + 10
            cluster.add_event(claim, reason, text, type="Warning", component="karpenter")
            self._delete_claim(cluster, name)
            self.queue_pass()
            return
        unknown = {"status": "Unknown", "lastTransitionTime": now_iso()}
        launched = {"type": "Launched", **unknown, "reason": failure.reason, "message": truncate(failure.message)}
        cluster.patch_status(*NODECLAIM, None, name, {"conditions": [launched]})
        self._later(lambda c: self._launch(c, name))  # launch.go returns the error: requeued
