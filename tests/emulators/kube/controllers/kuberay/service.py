"""RayService as ray-project/kuberay v1.7 reconciles it (ray-operator/controllers/ray/rayservice_controller.go).

* Validation first (``validateRayService`` -> ``utils/validation.go ValidateRayServiceMetadata``):
  a bad name sets ``Ready=False`` with reason ``ValidationFailed`` and a Warning event; nothing
  is created.
* Conditions start as ``Ready=False/Initializing`` and ``UpgradeInProgress=False/Initializing``
  (``calculateConditions``); ``Ready`` turns True (``NonZeroServeEndpoints``) once serve endpoints
  exist, and ``UpgradeInProgress`` is True (``BothActivePendingClustersExist``) while two clusters
  exist, False (``NoPendingCluster``) otherwise.
* A new cluster is named ``<service>-<5 chars>`` (``utils/util.go GenerateRayClusterName``) and
  lives in ``pendingServiceStatus`` until its Serve applications run; then the head and serve
  services switch to it and it is promoted to ``activeServiceStatus``
  (``reconcilePromotionAndServingStatus``). A change of ``rayClusterConfig`` starts a new pending
  cluster the same way and the old one is deleted after promotion. One pass writes a new pending
  name (``calculateStatus``, at its end); the next creates that cluster (``reconcileRayCluster``
  finds the name without a cluster), as upstream does.
* Serve applications that fail stay ``DEPLOY_FAILED`` in the pending status: the cluster is
  never promoted and ``Ready`` stays False. One whose import path names a module its image lacks
  (``MISSING_MODULES``: AI Runway's kuberay provider's ``vllm_serve`` on the Ray images checked
  without it) fails so.
* With the ``ray.io/initializing-timeout`` annotation (utils/constant.go), a service still
  initializing after it gets ``Ready=False/InitializingTimeout``, its cluster names are cleared and
  a Warning event is recorded (``markFailedOnInitializingTimeout``): a terminal failure.
* ``spec.suspend`` (``handleSuspend``, after validation): the first pass stages
  ``Suspending=True/SuspendRequested`` (Ready, UpgradeInProgress and RollbackInProgress False with
  SuspendInProgress; both service statuses and the endpoint count cleared); the next passes delete
  the service's RayClusters and Services (``deleteRayServiceOwnedResources``: those labelled as its
  own) until none is listed, then ``Suspended=True/SuspendComplete`` and ``Ready=False/SuspendComplete``.
  ``spec.suspend: false`` on a suspended service sets ``Suspended=False/RayServiceResumed``, a fresh
  ``Ready=False/Initializing`` and reconciles on in the same pass.
* ``upgradeStrategy.type: NewClusterWithIncrementalUpgrade`` (its gate, RayServiceIncrementalUpgrade,
  on from v1.7.0: ray-project/kuberay ray-operator/pkg/features/features.go; the running
  operator's, gates.py): on a cluster
  without the Gateway API the service never gets a status (reconcileGateway fails before
  calculateStatus); with it, the Gateway, HTTPRoute, per-cluster serve services and traffic steps are not simulated.
* The finalizer ``ray.io/rayservice-finalizer`` is added on the first reconcile, before
  validation; a deleted RayService has its RayClusters deleted (``cleanUpRayClusterInstance``:
  every cluster labelled as its own, no deletion delay) and keeps the finalizer until none is
  listed any more, requeued meanwhile (``ServiceDefaultRequeueDuration``, 2 s upstream; one
  simulator delay here).
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from tests.emulators.kube.controllers.finalizers import add_finalizer, remove_finalizer
from tests.emulators.kube.controllers.kuberay.common import (
    RAY,
    find_condition,
    metadata_problem,
    now,
    random_suffix,
    set_condition,
)
from tests.emulators.kube.controllers.kuberay.gates import Gates
from tests.emulators.kube.controllers.kuberay.service_clusters import (
    GATEWAY_API,
    DanglingClusters,
    goal_cluster,
    incremental,
    should_prepare,
    should_update,
    update_in_place,
)
from tests.emulators.kube.controllers.kuberay.services import (
    SERVE_LABEL,
    apply_service,
    owner_head_service,
    serve_service,
)
from tests.emulators.kube.controllers.kuberay.validation import service_spec_problem

TIMEOUT_ANNOTATION = "ray.io/initializing-timeout"
NONZERO = "Number of serve endpoints is greater than 0"
# upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/utils/constant.go
# RayServiceFinalizer; rayservice_controller.go Reconcile adds it before validateRayService and, on
# a deleted RayService, removes it once cleanUpRayClusterInstance finds no RayCluster left.
RAYSERVICE_FINALIZER = "ray.io/rayservice-finalizer"


def _timeout_seconds(text: str) -> float | None:
    # validateInitializingTimeout: a Go duration ("5m", "1h", "90s") or integer seconds.
    if text.isdigit():
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|m|s|ms)", text)
    if not parts or "".join(a + u for a, u in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(a) * scale[u] for a, u in parts)


def _replacing(stored: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """A merge patch that turns ``stored`` (one service status) into ``wanted``."""
    return {**{key: None for key in (stored or {})}, **wanted}


class ServiceReconciler:
    """The RayService part of the simulator; mixed into ``KubeRayController``."""

    failure: str | None
    delay: float
    ttl_scale: float
    dangling: DanglingClusters

    def _service(self, cluster: Any, svc: dict[str, Any], ns: str, name: str) -> None:
        if svc["metadata"].get("deletionTimestamp"):
            self._service_deleted(cluster, svc, ns, name)
            return
        # Reconcile cleans up first (cleanUpRayClusterInstance), with the names the status holds.
        dangling = self.dangling.clean(cluster, svc, self.delete_cluster, self.ttl_scale)
        if RAYSERVICE_FINALIZER not in (svc["metadata"].get("finalizers") or []):
            # Reconcile returns after adding it (RequeueAfter: ServiceDefaultRequeueDuration), or
            # requeues on the Update's conflict; the next pass reconciles the service.
            add_finalizer(cluster, svc, RAYSERVICE_FINALIZER)
            self.requeue(svc, self.delay)
            return
        status = copy.deepcopy(svc.get("status") or {})
        conditions: list[dict[str, Any]] = list(status.get("conditions") or [])
        generation = svc["metadata"].get("generation", 1)
        status_active = (status.get("activeServiceStatus") or {}).get("rayClusterName")
        status_pending = (status.get("pendingServiceStatus") or {}).get("rayClusterName")
        # upstream: ray-project/kuberay v1.7.0 rayservice_controller.go validates the metadata first.
        # validateRayService: the metadata, then ValidateRayServiceSpec; the event names which.
        gates = Gates(cluster)  # the running operator's release and --feature-gates (gates.py)
        problem, reason = metadata_problem(svc), "InvalidRayServiceMetadata"
        if problem is None:
            problem, reason = service_spec_problem(svc, gates), "InvalidRayServiceSpec"
        if problem:
            ready = find_condition(conditions, "Ready") or {}
            if ready.get("reason") != "ValidationFailed" or ready.get("message") != problem:
                cluster.add_event(svc, reason, f"{ns}/{name}: {problem}", type="Warning")
            set_condition(conditions, "Ready", False, "ValidationFailed", problem)
            cluster.update_status_of(svc, {"conditions": conditions, "lastUpdateTime": now()})
            return
        if self._suspend(cluster, svc, status, conditions):
            return
        ready_cond = find_condition(conditions, "Ready")
        if ready_cond is not None and ready_cond.get("reason") == "InitializingTimeout":
            if dangling:  # terminal: "The user must delete and recreate the RayService to recover."
                self.requeue(svc, self.delay)  # "Requeue only if there are still RayClusters to clean up"
            return
        if not conditions:
            set_condition(conditions, "Ready", False, "Initializing", "RayService is initializing")
            set_condition(conditions, "UpgradeInProgress", False, "Initializing", "RayService is initializing")
        active = dict(status.get("activeServiceStatus") or {})
        pending = dict(status.get("pendingServiceStatus") or {})
        # reconcileRayCluster: the clusters the status names, each updated in place when the goal
        # spec only adds worker groups at the end (shouldUpdateCluster).
        active_rc, pending_rc = (
            cluster.get(RAY, "RayCluster", ns, s["rayClusterName"]) if s.get("rayClusterName") else None
            for s in (active, pending)
        )
        # A pending name the status holds without its cluster: the pass that wrote the name did not
        # create it; this one does (createRayClusterInstance) and updates nothing in place.
        if pending.get("rayClusterName") and pending_rc is None:
            pending_rc = self._create_pending(cluster, svc, str(pending["rayClusterName"]))
        else:
            for rc, is_active in ((active_rc, True), (pending_rc, False)):
                if should_update(svc, rc, is_active, conditions):
                    update_in_place(cluster, svc, rc)
        if incremental(svc, gates) and cluster.api.registry.by_api_version_kind(GATEWAY_API, "Gateway") is None:
            # Reconcile -> reconcileGateway reads the service's Gateway before calculateStatus: on a
            # cluster that serves no Gateway API the Get fails (no kind match, not NotFound, so no
            # event), Reconcile returns the error and no status is ever written. Requeued with
            # controller-runtime's backoff; one simulator delay here. (With the Gateway API served,
            # the Gateway, HTTPRoute and traffic steps are not simulated: the service goes on as
            # NewCluster.)
            self.requeue(svc, self.delay)
            return
        serving = False
        if pending_rc is not None:
            pending = self._pending(cluster, svc, pending)  # reconcileServe of the pending cluster
            serving = self._serving(pending)
            if serving:
                if not self._switch_services(cluster, svc, pending["rayClusterName"]):
                    # ray-project/kuberay rayservice_controller.go:
                    # reconcileServicesToReadyCluster's error returns before calculateStatus:
                    # `RequeueAfter: ServiceDefaultRequeueDuration`, no status, no event.
                    self.requeue(svc, self.delay)
                    return
                # reconcilePromotionAndServingStatus; the old active cluster is now dangling.
                active, pending = pending, {}
        # calculateStatus -> shouldPrepareNewCluster, after the promotion: a new pending cluster when
        # there is none, or when the pending (else the active) cluster's hash is not the goal
        # spec's. This pass only writes the name (GenerateRayClusterName); an outdated pending
        # cluster it replaces is left dangling (cleanUpRayClusterInstance deletes it), and the next
        # pass creates the new one.
        if not serving and should_prepare(svc, conditions, active_rc, pending_rc, gates):
            pending = {"rayClusterName": f"{name}-{random_suffix()}"}
        if active.get("rayClusterName"):
            rc = cluster.get(RAY, "RayCluster", ns, active["rayClusterName"])
            if rc is not None:
                active["rayClusterStatus"] = rc.get("status", {})
        endpoints = 0
        if active.get("rayClusterName"):
            endpoints = 1 + int((active.get("rayClusterStatus") or {}).get("readyWorkerReplicas") or 0)
        if endpoints > 0:
            set_condition(
                conditions, "Ready", True, "NonZeroServeEndpoints", "Number of serve endpoints is greater than 0"
            )
        elif (find_condition(conditions, "Ready") or {}).get("status") == "True":
            set_condition(conditions, "Ready", False, "ZeroServeEndpoints", "Number of serve endpoints dropped to 0")
        elif self._initializing_timed_out(cluster, svc, conditions):
            # "Clear cluster names to trigger cleanup": cleanUpRayClusterInstance deletes them.
            active["rayClusterName"] = ""
            pending["rayClusterName"] = ""
        if active.get("rayClusterName") and pending.get("rayClusterName"):
            set_condition(
                conditions,
                "UpgradeInProgress",
                True,
                "BothActivePendingClustersExist",
                "Both active and pending Ray clusters exist",
            )
        elif active.get("rayClusterName"):
            set_condition(
                conditions,
                "UpgradeInProgress",
                False,
                "NoPendingCluster",
                "Active Ray cluster exists and no pending Ray cluster",
            )
        # Reconcile's Status().Update of the RayService as read: a 409 Conflict ends the pass and
        # requeues it, the next pass computes the status again (ray-project/kuberay
        # ray-operator/controllers/ray/rayservice_controller.go Reconcile; cluster.update_status_of)
        cluster.update_status_of(
            svc,
            {
                "serviceStatus": "Running" if endpoints else None,
                "numServeEndpoints": endpoints,
                "conditions": conditions,
                # KubeRay writes the whole status (Status().Update); as a merge patch, what a
                # service status no longer holds is nulled, so a promoted or replaced name goes.
                "activeServiceStatus": _replacing(status.get("activeServiceStatus"), active),
                "pendingServiceStatus": _replacing(status.get("pendingServiceStatus"), pending),
                "observedGeneration": generation,
                "lastUpdateTime": now(),
            },
        )
        if endpoints == 0 and self._timeout(svc) is not None:
            self.requeue(svc, 0.2)
        elif (
            dangling or active.get("rayClusterName") != status_active or pending.get("rayClusterName") != status_pending
        ):
            self.requeue(svc, self.delay)  # clusters left dangling are cleaned up on the next passes

    def _suspend(self, cluster: Any, svc: dict[str, Any], status: dict[str, Any], conditions: list[Any]) -> bool:
        """upstream: ray-project/kuberay v1.7.0 ray-operator/controllers/ray/rayservice_controller.go
        handleSuspend and suspendIsOperative: whether the suspend state machine ends this pass
        (``status`` and ``conditions`` are updated in place for a pass that goes on)."""
        meta = svc["metadata"]
        ns, name, generation = meta["namespace"], meta["name"], meta.get("generation", 1)
        wanted = bool((svc.get("spec") or {}).get("suspend"))
        suspending = (find_condition(conditions, "Suspending") or {}).get("status") == "True"
        if (find_condition(conditions, "Suspended") or {}).get("status") == "True":
            if wanted:
                return True  # "Stay suspended; nothing to reconcile."
            resumed = "RayService is initializing after resuming from suspend."
            set_condition(
                conditions, "Suspended", False, "RayServiceResumed", "Spec.Suspend is false; RayService has resumed."
            )
            # Remove + Set: a fresh lastTransitionTime re-arms the initializing timeout.
            conditions[:] = [c for c in conditions if c.get("type") not in ("Ready", "UpgradeInProgress")]
            set_condition(conditions, "Ready", False, "Initializing", resumed)
            set_condition(conditions, "UpgradeInProgress", False, "Initializing", resumed)
            status["observedGeneration"] = generation
            return False
        if not suspending:
            if not wanted:
                return False
            set_condition(
                conditions,
                "Suspending",
                True,
                "SuspendRequested",
                "Spec.Suspend is true; will delete all Kubernetes resources owned by this RayService.",
            )
            set_condition(conditions, "Ready", False, "SuspendInProgress", "RayService is suspending.")
            set_condition(conditions, "UpgradeInProgress", False, "SuspendInProgress", "No upgrade in progress.")
            set_condition(conditions, "RollbackInProgress", False, "SuspendInProgress", "No rollback in progress.")
            status.update(
                observedGeneration=generation,
                activeServiceStatus={},
                pendingServiceStatus={},
                numServeEndpoints=0,
                serviceStatus=None,
                conditions=conditions,
                lastUpdateTime=now(),
            )
            cluster.update_status_of(svc, status)
            self.requeue(svc, self.delay)
            return True
        # Suspending is stored: delete what the service owns, whatever spec.suspend says now.
        selector = f"ray.io/originated-from-crd=RayService,ray.io/originated-from-cr-name={name}"
        owned = [(RAY, "RayCluster", o) for o in cluster.list(RAY, "RayCluster", ns, label_selector=selector)]
        owned += [("v1", "Service", o) for o in cluster.list("v1", "Service", ns, label_selector=selector)]
        for api, kind, obj in owned:
            if not obj["metadata"].get("deletionTimestamp"):
                cluster.delete(api, kind, ns, obj["metadata"]["name"])
        if owned:
            message = "Waiting for all Kubernetes resources owned by this RayService to be deleted."
            set_condition(conditions, "Suspending", True, "SuspendInProgress", message)
        else:
            done = "All owned resources have been deleted."
            set_condition(conditions, "Suspending", False, "SuspendComplete", done)
            set_condition(conditions, "Suspended", True, "SuspendComplete", done)
            set_condition(conditions, "Ready", False, "SuspendComplete", "RayService is suspended.")
            set_condition(conditions, "UpgradeInProgress", False, "SuspendComplete", "No upgrade in progress.")
            set_condition(conditions, "RollbackInProgress", False, "SuspendComplete", "No rollback in progress.")
        cluster.update_status_of(svc, {"conditions": conditions, "lastUpdateTime": now()})
        self.requeue(svc, self.delay)
        return True

    def _service_deleted(self, cluster: Any, svc: dict[str, Any], ns: str, name: str) -> None:
        """cleanUpRayClusterInstance on a deleted RayService: each of its RayClusters (common/
        association.go RayServiceRayClustersAssociationOptions: the originated-from labels) is
        deleted in the background at once; the finalizer goes only once none is listed."""
        selector = f"ray.io/originated-from-crd=RayService,ray.io/originated-from-cr-name={name}"
        clusters = cluster.list(RAY, "RayCluster", ns, label_selector=selector)
        for rc in clusters:
            # r.Delete each pass, as upstream does; a cluster already terminating is not deleted again here.
            if not rc["metadata"].get("deletionTimestamp"):
                self.delete_cluster(cluster, ns, rc["metadata"]["name"])
                cluster.add_event(svc, "DeletedRayCluster", f"Deleted the RayCluster {ns}/{rc['metadata']['name']}")
        if clusters:
            self.requeue(svc, self.delay)  # "Requeue RayService, waiting for RayClusters to be deleted"
            return
        remove_finalizer(cluster, svc, RAYSERVICE_FINALIZER)

    @staticmethod
    def _create_pending(cluster: Any, svc: dict[str, Any], rc_name: str) -> dict[str, Any]:
        """reconcileRayCluster -> createRayClusterInstance: the cluster the status names as pending,
        made from the goal spec (constructRayClusterForRayService), and its CreatedRayCluster event."""
        ns = svc["metadata"]["namespace"]
        created: dict[str, Any] = cluster.create(goal_cluster(svc, rc_name))
        cluster.add_event(svc, "CreatedRayCluster", f"Created the RayCluster {ns}/{rc_name}")
        return created

    def _pending(self, cluster: Any, svc: dict[str, Any], pending: dict[str, Any]) -> dict[str, Any]:
        """Provision the pending cluster and read its applications."""
        # plumbing: YAML text (tests/foundation/test_emulator_imports); no upstream reading
        from akscli import yamlio

        ns = svc["metadata"]["namespace"]
        rc_name = str(pending["rayClusterName"])
        rc = self.provision(cluster, cluster.get(RAY, "RayCluster", ns, rc_name))
        ready_cluster = (rc.get("status") or {}).get("state") == "ready"
        config = yamlio.load(str((svc.get("spec") or {}).get("serveConfigV2") or "applications: []")) or {}
        apps: dict[str, Any] = {}
        # Application statuses come from the head's dashboard: none before the head is up.
        for app in config.get("applications") or [] if ready_cluster else []:
            app_name = str(app.get("name", "default"))
            missing = _missing_module(svc, app)
            if missing:
                # Ray Serve's build of the app fails on the import (ray-project/ray
                # python/ray/serve/_private/application_state.py: "Deploying app '...' failed with
                # exception:" and the traceback, elided here).
                message = f"Deploying app '{app_name}' failed with exception:\nModuleNotFoundError: {missing}"
                apps[app_name] = {"status": "DEPLOY_FAILED", "message": message}
            elif self.failure == "serve-fail":
                apps[app_name] = {"status": "DEPLOY_FAILED", "message": f"Failed to import {app.get('import_path')}"}
            else:
                apps[app_name] = {
                    "status": "RUNNING",
                    "healthLastUpdateTime": now(),
                    "serveDeploymentStatuses": {app_name: {"status": "HEALTHY", "healthLastUpdateTime": now()}},
                }
        self._serve_labels(cluster, ns, rc_name, bool(apps) and all(a["status"] == "RUNNING" for a in apps.values()))
        return {"rayClusterName": rc_name, "rayClusterStatus": rc.get("status", {}), "applicationStatuses": apps}

    @staticmethod
    def _serving(pending: dict[str, Any]) -> bool:
        apps = pending.get("applicationStatuses") or {}
        return bool(apps) and all(a.get("status") == "RUNNING" for a in apps.values())

    def _switch_services(self, cluster: Any, svc: dict[str, Any], rc_name: str) -> bool:
        """The head and serve services point at the promoted cluster (services.py cites
        common/service.go BuildHeadServiceForRayService and BuildServeService); False where
        KubeRay can build no serve Service (the head Service is made first)."""
        ns = svc["metadata"]["namespace"]
        wanted = (svc.get("spec") or {}).get("rayClusterConfig") or {}
        rc = cluster.get(RAY, "RayCluster", ns, rc_name) or {"spec": wanted}
        apply_service(cluster, owner_head_service("RayService", svc, rc_name, rc.get("spec") or wanted))
        serve = serve_service(svc, rc_name, rc.get("spec") or wanted)
        if serve is None:
            return False
        apply_service(cluster, serve)
        return True

    @staticmethod
    def _serve_labels(cluster: Any, ns: str, rc_name: str, proxy_healthy: bool) -> None:
        """common/pod.go: a RayService's workers get ray.io/serve=true, its head "false" until
        rayservice_controller.go updateHeadPodServeLabel finds the head's proxy actor healthy."""
        for pod in cluster.list("v1", "Pod", ns, label_selector=f"ray.io/cluster={rc_name}"):
            labels = pod["metadata"].setdefault("labels", {})
            head = labels.get("ray.io/node-type") == "head"
            value = ("true" if proxy_healthy else "false") if head else "true"
            if labels.get(SERVE_LABEL) != value:
                labels[SERVE_LABEL] = value
                cluster.update(pod)

    def _timeout(self, svc: dict[str, Any]) -> float | None:
        text = ((svc["metadata"].get("annotations") or {}).get(TIMEOUT_ANNOTATION)) or ""
        return _timeout_seconds(text) if text else None

    def _initializing_timed_out(self, cluster: Any, svc: dict[str, Any], conditions: list[dict[str, Any]]) -> bool:
        timeout = self._timeout(svc)
        ready = find_condition(conditions, "Ready")
        if timeout is None or ready is None or ready.get("reason") != "Initializing":
            return False
        since = datetime.strptime(str(ready.get("lastTransitionTime")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        spent = (datetime.now(UTC) - since).total_seconds()
        if spent < timeout:
            return False
        message = (
            f"RayService failed to become ready within the configured timeout of {timeout:g}s. "
            f"Time spent initializing: {spent:g}s"
        )
        set_condition(conditions, "Ready", False, "InitializingTimeout", message)
        cluster.add_event(
            svc,
            "RayServiceInitializingTimeout",
            f"RayService initializing timeout exceeded after {spent:g}s (configured timeout: {timeout:g}s)",
            type="Warning",
        )
        return True


# Modules some Ray images lack, by the images checked and found without them. AI Runway v0.7.0's kuberay
# provider imports vllm_serve:deployment (ai-runway/airunway providers/kuberay/transformer.go buildSpec)
# on its DefaultImage: ai-runway/airunway issue #399 ("KubeRay imports a missing module from its default
# Ray image") found the pinned rayproject/ray-llm:2.55.0-py311-cu128 without it, and PR #116
# ("ModuleNotFoundError: No module named 'vllm_serve'", "broken since the initial provider
# implementation") the provider's earlier rayproject/ray-ml:2.44.0-py311-gpu. Another image, or an
# app whose runtime_env brings a working_dir or py_modules (ray-project/ray python/ray/serve/schema.py
# ServeApplicationSchema.runtime_env), may have the module: not failed here.
MISSING_MODULES: dict[str, tuple[str, ...]] = {
    "vllm_serve": ("rayproject/ray-llm:2.55.0-py311-cu128", "rayproject/ray-ml:2.44.0-py311-gpu"),
}


def _missing_module(svc: dict[str, Any], app: dict[str, Any]) -> str | None:
    """Python's ImportError text for an app whose module its head's image lacks, else None."""
    module = str(app.get("import_path") or "").partition(":")[0].partition(".")[0]
    runtime_env = app.get("runtime_env") or {}
    if module not in MISSING_MODULES or runtime_env.get("working_dir") or runtime_env.get("py_modules"):
        return None
    head = ((((svc.get("spec") or {}).get("rayClusterConfig") or {}).get("headGroupSpec") or {}).get("template")) or {}
    images = {str(c.get("image") or "") for c in (head.get("spec") or {}).get("containers") or []}
    return f"No module named '{module}'" if images & set(MISSING_MODULES[module]) else None
