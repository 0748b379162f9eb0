"""An AI Runway simulator for the Kubernetes emulator (airunway.ai/v1alpha1 ModelDeployment), with
its kaito, vllm and llmd providers. Each behaviour names its upstream file in ai-runway/airunway at
v0.7.0 (f5fd48d134a510a2af1ef237ced13103ba27c076), the release akscli renders for:

* providers/kaito/transformer.go: a Workspace named after the ModelDeployment, owned by it,
  labelled ``airunway.ai/model-deployment`` and friends plus ``spec.podTemplate.metadata``'s labels
  (its annotations as the Workspace's); ``resource.count`` from
  ``spec.scaling.replicas``; ``resource.labelSelector`` ``kubernetes.io/os: linux`` plus
  ``nvidia.com/gpu.present: "true"`` when GPUs are asked for; ``inference.preset.name`` is
  ``spec.model.id``; ``spec.provider.overrides`` deep-merged last. Nothing else of the spec
  reaches the Workspace: not ``engine.contextLength``, not ``secrets.huggingFaceToken`` (read
  only on the llama.cpp path, buildEnvVars), so a gated preset needs the secret in overrides.
* providers/kaito/controller.go (Reconcile, createOrUpdateResource): an existing Workspace it
  owns is updated where what it writes changed, labels and annotations too (airunway_kaito.update_workspace); a
  Workspace the API server
  refuses, made or updated (KAITO's webhook), makes the phase Failed, "Failed to create
  Workspace: <error>", condition ResourceCreated False (CreateFailed).
* providers/kaito/status.go: the phase from the Workspace's ``status.state`` when KAITO writes
  one (mapStateToPhase: Ready -> Running, NotReady -> Deploying, Failed -> Failed, Pending ->
  Pending), else from its conditions (mapConditionsToPhase: WorkspaceSucceeded True -> Running,
  False -> Failed with its message; ResourceReady True -> Deploying; else Pending), and
  ``status.endpoint`` = Service NAME, port 80, and ``status.replicas`` the Workspace's
  ``resource.count``, all ready or none (ai-runway/airunway v0.7.0 providers/kaito/status.go
  extractReplicas: airunway_kaito.replicas).
  providers/kaito/controller.go (Reconcile,
  syncStatus): a phase that is neither Running nor Failed becomes Deploying, "Workspace created,
  waiting for pods to be ready", and the Ready condition follows the phase. KAITO writes a state
  for every Workspace it reconciles, so a crash-looping inference pod (state Pending) leaves the
  ModelDeployment Deploying, never Failed.
* providers/vllm/transformer.go (transformAggregated): a Deployment and a Service, both named after
  the ModelDeployment and labelled with buildLabels (``airunway.ai/deployment``, not
  ``airunway.ai/model-deployment``); the pods carry ``airunway.ai/deployment`` and ``app`` only,
  the Deployment's selector; one container ``vllm``, its image ``spec.engine.image`` else
  ``vllm/vllm-openai:cu130-nightly`` (getImage), with port ``http`` 8000 and ``--host 0.0.0.0
  --port 8000 --model ID --served-model-name NAME --max-model-len N --tensor-parallel-size GPUs``,
  ``spec.nodeSelector`` and ``spec.tolerations`` copied to the pod, HF_TOKEN from
  ``secrets.huggingFaceToken`` (key HF_TOKEN). providers/vllm/status.go: Available True ->
  Running, Progressing False (ProgressDeadlineExceeded) -> Failed, Progressing True -> Deploying,
  else Pending; ``status.endpoint`` = Service NAME, port 8000; controller.go (Reconcile) the
  same Deploying default as the kaito provider, "Deployments created, waiting for pods to be ready",
  and the same ResourceConflict for a Deployment or Service of the name another owner holds
  (createOrUpdateResource, verifyOwnerReference; its message names the owners).
* controller/internal/controller/gateway_reconciler.go and modeldeployment_controller.go (step 10):
  only while the phase is Running, unless ``spec.gateway.enabled`` is false, and only when the
  InferencePool and HTTPRoute APIs are served (internal/gateway/detection.go, checkCRDs; else
  GatewayReady False, CRDsNotAvailable): the Gateway is the only one in the cluster, or the one
  labelled ``airunway.ai/inference-gateway: "true"`` (resolveGatewayConfig; else GatewayReady
  False, NoGateway, with its message). It patches the Gateway's listeners to admit routes from the
  model's namespace when that differs (ensureGatewayAllowsNamespace); labels the pods behind
  ``status.endpoint.service`` with ``airunway.ai/model-deployment`` (labelModelPods); makes
  InferencePool NAME selecting that label on the Service's target port with endpoint picker
  NAME-epp port 9002 (reconcileInferencePool); the picker's ServiceAccount, Role, RoleBinding,
  ConfigMap, Deployment (``--pool-name NAME --pool-namespace NS``) and Service (port
  ``grpc-ext-proc`` 9002) all named NAME-epp (reconcileEPP); and HTTPRoute NAME from the Gateway
  to the pool, matching the ``X-Gateway-Model-Name`` header the body-based router sets from the
  request's model (buildHTTPRouteSpec); GatewayReady True.

* providers/llmd (controller.go, transformer.go, status.go): as the vllm provider, but for its
  default image ``vllm/vllm-openai:v0.9.1``, args without ``--host`` and ``--port`` (and
  ``--no-enable-prefix-caching`` where it is off), and a
  ResourceConflict message that names no owner.

* Every provider's finalizer and handleDeletion, the kuberay provider (a RayService, its status
  from KubeRay's) and the dynamo provider where NVIDIA Dynamo's operator is absent: see
  airunway_providers.py, which names their upstream files; the dynamo provider's graph
  (airunway_dynamo_graph.py) and its state read: airunway_dynamo.py.
* The core controller's pass before any provider's (Validated, EngineSelected, ProviderSelected,
  status.provider and status.engine): airunway_core.py; the kaito provider's probe of KAITO's
  workspace controller (providers/kaito/upstream_health.go): airunway_providers.kaito_health.
Not simulated: the image resolution conditions, the httproute-created annotation
(a route the user deleted is made again here) and the body-based router's restart.

The objects it makes (vLLM's, the endpoint picker's, the pool and the route) are built in
airunway_objects.py, a pure move (upstream: ai-runway/airunway, the files named above); the
reconciling and the phases are here; the Gateway's patch and choice are there too.
"""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

from tests.emulators.kube.controllers import airunway_core
from tests.emulators.kube.controllers.airunway_core import set_condition
from tests.emulators.kube.controllers.airunway_dynamo import created as dynamo_created
from tests.emulators.kube.controllers.airunway_dynamo import graph_status
from tests.emulators.kube.controllers.airunway_dynamo_graph import TransformError
from tests.emulators.kube.controllers.airunway_dynamo_graph import graph as dynamo_graph
from tests.emulators.kube.controllers.airunway_kaito import (
    LAST_APPLIED,
    _managed,
    _phase,
    _ready_condition,
    instance_type,
    update_workspace,
)
from tests.emulators.kube.controllers.airunway_kaito import replicas as kaito_replicas
from tests.emulators.kube.controllers.airunway_objects import (
    AIRUNWAY,
    DEPLOYMENT_LABEL,
    GATEWAY_API,
    LABEL,
    POOL_API,
    _allow_namespace,
    _gateway_objects,
    _md_owner,
    _pick_gateway,
    _target_port,
    _vllm_objects,
)
from tests.emulators.kube.controllers.airunway_providers import (
    DYNAMO_API,
    PRIMARY,
    PROVIDER,
    RAY_API,
    FinalizerClock,
    applier,
    compatible_condition,
    failed_already,
    finalizer,
    handle_deletion,
    incompatible,
    kaito_health,
    no_match,
    rayservice,
    rayservice_phase,
    served,
)
from tests.emulators.kube.controllers.base import DeletionTolerantController
from tests.emulators.kube.controllers.finalizers import add_finalizer
from tests.emulators.kube.controllers.kaito import KAITO, _cond
from tests.emulators.kube.status import ApiError


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# FinalizerClock: the clock the providers' finalizer timeout is read on (upstream: ai-runway/airunway
# providers/vllm/controller.go handleDeletion: FinalizerTimeout, 5 minutes)
class ModelDeploymentController(FinalizerClock, DeletionTolerantController):
    # AI Runway's controller image runs /manager (ai-runway/airunway controller/Dockerfile ENTRYPOINT;
    # controller/cmd/main.go sets no UserAgent), so its writes are "manager"'s. The providers' writes
    # name their own managers (airunway_providers.PROVIDER, applier), the ModelDeployment's status
    # too: the core's pass patches it as "manager" (_core; modeldeployment_controller.go
    # r.Status().Patch), each provider's as "provider" (_status; providers/*/controller.go
    # r.Status().Update).
    field_manager: ClassVar[str | None] = "manager"

    # An object deleted while it is reconciled ends the pass quietly, as a controller-runtime
    # reconciler's client.IgnoreNotFound does (upstream: kubernetes-sigs/controller-runtime
    # pkg/client/interfaces.go IgnoreNotFound; AI Runway's controllers are controller-runtime ones).
    # Watches what its providers make too: their status is its phase.
    watches: ClassVar[list[tuple[str, str]]] = [
        (AIRUNWAY, "ModelDeployment"),
        (KAITO, "Workspace"),
        ("apps/v1", "Deployment"),
        # providers/kuberay/controller.go SetupWithManager: RayServices by their owner.
        (RAY_API, "RayService"),
        # ai-runway/airunway providers/dynamo/controller.go SetupWithManager: DynamoGraphDeployments by their owner.
        (DYNAMO_API, "DynamoGraphDeployment"),
        # modeldeployment_controller.go SetupWithManager: InferenceProviderConfigs, mapped to the
        # ModelDeployments they affect (mapProviderConfigToModelDeployments).
        (AIRUNWAY, "InferenceProviderConfig"),
    ]

    # ProviderCompatible True, once this pass's validateCompatibility passed.
    _compatible: ClassVar[list[dict[str, Any]]] = []

    def on_delete(self, cluster: Any, obj: dict[str, Any]) -> None:
        """A provider's primary object gone: its owner, if being deleted, can drop its finalizer
        (handleDeletion polls every 5 s upstream; the owner is reconciled at once here)."""
        if obj.get("kind") == "ModelDeployment":
            return
        for ref in obj["metadata"].get("ownerReferences") or []:
            if ref.get("kind") == "ModelDeployment":
                md = cluster.get(AIRUNWAY, "ModelDeployment", obj["metadata"]["namespace"], ref.get("name"))
                if md is not None and md["metadata"].get("uid") == ref.get("uid"):
                    self.requeue(md, 0)

    def _reconcile(self, cluster: Any, obj: dict[str, Any]) -> None:
        if obj["kind"] == "InferenceProviderConfig":
            # providerConfigAffectsModelDeployment: one naming it (spec or status) or still to select.
            # Upstream's predicate passes only a change of status.ready or of the spec; any event here.
            name = obj["metadata"]["name"]
            for md in cluster.list(AIRUNWAY, "ModelDeployment", None):
                named = {str(((md.get(k) or {}).get("provider") or {}).get("name") or "") for k in ("spec", "status")}
                if name in named or named == {""}:
                    self.requeue(md, 0)
            return
        if obj["kind"] != "ModelDeployment":
            meta = obj["metadata"]
            uids = {r.get("uid") for r in meta.get("ownerReferences") or [] if r.get("kind") == "ModelDeployment"}
            owner = (meta.get("labels") or {}).get(LABEL if obj["kind"] == "Workspace" else DEPLOYMENT_LABEL)
            owner = owner if obj["kind"] != "RayService" else meta["name"]
            if obj["kind"] == "DynamoGraphDeployment":
                # The owner reference's name first (ai-runway/airunway providers/dynamo/controller.go SetupWithManager).
                owner = next((r.get("name") for r in meta.get("ownerReferences") or [] if r.get("uid") in uids), None)
            md = cluster.get(AIRUNWAY, "ModelDeployment", meta["namespace"], owner) if uids and owner else None
            # Only its owner's (by UID): an old Workspace going does not retry a new ModelDeployment
            # that met it (upstream watches no Workspace: SetupWithManager, providers/kaito/controller.go).
            if md is not None and md["metadata"].get("uid") in uids:
                self._reconcile(cluster, md)
            return
        spec = obj.get("spec") or {}
        # upstream: ai-runway/airunway v0.7.0 providers/*/controller.go Reconcile: "Only process if
        # this provider is selected" (status.provider.name, which an auto-selected one has too), then deletion.
        provider = str(((obj.get("status") or {}).get("provider") or {}).get("name") or "")
        if obj["metadata"].get("deletionTimestamp"):
            # Being deleted: the provider's handleDeletion (airunway_providers.py), which makes
            # nothing (providers/*/controller.go Reconcile; the core controller's Reconcile only
            # cleans up gateway objects, which their owner references let the GC collect here).
            if provider in PRIMARY and handle_deletion(cluster, obj, provider, self.now()):
                self.requeue(obj, max(self.delay, 0.05))
            return
        # The core controller first (airunway_core.py): its conditions and status.provider; a
        # provider acts only on a ModelDeployment whose status.provider.name is its own
        # (ai-runway/airunway providers/*/controller.go Reconcile).
        obj = self._core(cluster, obj)
        if obj is None:
            return
        provider = str(((obj.get("status") or {}).get("provider") or {}).get("name") or "")
        if provider not in PRIMARY:
            return  # no such provider controller: status.provider.name is watched by none
        # Reconcile adds FinalizerName before anything else (providers/*/controller.go).
        if finalizer(provider) not in (obj["metadata"].get("finalizers") or []):
            if not add_finalizer(cluster, obj, finalizer(provider), manager=PROVIDER):
                self.requeue(obj, self.delay)
                return
            obj = cluster.get(AIRUNWAY, "ModelDeployment", obj["metadata"]["namespace"], obj["metadata"]["name"])
            if obj is None:
                return
        extra: list[dict[str, Any]] = []
        self._compatible = []
        why = incompatible(provider, spec, str(((obj.get("status") or {}).get("engine") or {}).get("type") or ""))
        if why is not None:
            failed = _cond("ProviderCompatible", False, "IncompatibleConfiguration", why)
            self._status(cluster, obj, {"phase": "Failed", "message": why, "conditions": [failed]})
            return
        # Every write of this pass carries it (setCondition before any later step's Status().Update).
        self._compatible = [compatible_condition(provider)]
        extra.append(compatible_condition(provider))
        if provider == "kaito" and (unhealthy := kaito_health(cluster)) is not None:
            # providers/kaito/controller.go Reconcile: refuse-fast on the probe (upstream_health.go),
            # Ready False with its reason, the phase untouched, RequeueAfter RequeueInterval (30 s;
            # shortened here, as every delay of the emulator is).
            self._status(cluster, obj, {"conditions": [_cond("Ready", False, *unhealthy)]})
            self.requeue(obj, max(self.delay, 0.05) * 10)
            return
        if provider == "kaito":
            status = self._kaito(cluster, obj)
        elif provider in ("vllm", "llmd"):
            status = self._vllm(cluster, obj, provider)
        elif provider == "kuberay":
            status = self._kuberay(cluster, obj, extra)
        else:
            status = self._dynamo(cluster, obj, extra)
        if status is None:
            return
        # syncStatus's Ready message is the translator's (ai-runway/airunway providers/dynamo/controller.go
        # syncStatus, providers/dynamo/status.go TranslateStatus; simulated in airunway_dynamo.py).
        conditions = [*extra, _ready_condition(status["phase"], status.pop("translated", status["message"]))]
        # Step 10 of Reconcile (modeldeployment_controller.go): the gateway only once Running.
        if status["phase"] == "Running" and (spec.get("gateway") or {}).get("enabled") is not False:
            gateway = self._gateway(cluster, obj, status["endpoint"])
            if gateway is not None:
                conditions.append(gateway)
        status["conditions"] = conditions
        self._status(cluster, obj, status)

    def _kaito(self, cluster: Any, obj: dict[str, Any]) -> dict[str, Any] | None:
        md = obj["metadata"]
        try:
            ws = self._workspace(cluster, obj)
        except _Conflict as exc:
            # Reconcile (providers/kaito/controller.go L166-184 at v0.7.0): phase Failed, Ready and
            # ResourceCreated False with reason ResourceConflict, and no requeue; the provider
            # watches no Workspace (SetupWithManager L797-818), so nothing retries it.
            if not failed_already(obj):  # ai-runway/airunway v0.7.0 providers/kaito/controller.go
                conditions = [
                    _cond("Ready", False, "ResourceConflict", str(exc)),
                    _cond("ResourceCreated", False, "ResourceConflict", str(exc)),
                ]
                failed = f"Failed to create Workspace: {exc}"
                self._status(cluster, obj, {"phase": "Failed", "message": failed, "conditions": conditions})
            return None
        except ApiError as exc:
            if exc.code == 404:
                raise
            failed = f"Failed to create Workspace: {exc}"
            created = _cond("ResourceCreated", False, "CreateFailed", str(exc))
            self._status(cluster, obj, {"phase": "Failed", "message": failed, "conditions": [created]})
            return None
        phase, message = _phase(ws or {})
        return {
            "phase": phase,
            "message": message,
            "provider": {"name": "kaito", "resourceKind": "Workspace", "resourceName": md["name"]},
            "endpoint": {"service": md["name"], "port": 80},
            "replicas": kaito_replicas(ws or {}),
        }

    def _vllm(self, cluster: Any, obj: dict[str, Any], provider: str = "vllm") -> dict[str, Any] | None:
        """providers/vllm: transformAggregated, then syncStatus from the Deployment; providers/llmd
        the same (ai-runway/airunway v0.7.0 providers/llmd/controller.go and status.go)."""
        md = obj["metadata"]
        for item in _vllm_objects(obj, provider):
            live = cluster.get(item["apiVersion"], item["kind"], md["namespace"], md["name"])
            if live is not None and not any(
                ref.get("uid") == md.get("uid") for ref in live["metadata"].get("ownerReferences") or []
            ):
                # upstream: ai-runway/airunway v0.7.0 providers/vllm/controller.go createOrUpdateResource
                # (verifyOwnerReference before the apply) and Reconcile: a Deployment or Service of this
                # name another owner holds (the deleted ModelDeployment's, not yet collected) is refused.
                self._vllm_conflict(cluster, obj, live, provider)
                return None
            # Server-side applied with force on every reconcile, made or not (createOrUpdateResource).
            cluster.apply(item, manager=applier(provider), force=True)
        deployment = cluster.get("apps/v1", "Deployment", md["namespace"], md["name"]) or {}
        conds = {c.get("type"): c for c in (deployment.get("status") or {}).get("conditions") or []}
        available, progressing = conds.get("Available") or {}, conds.get("Progressing") or {}
        phase, message = "Pending", ""
        if available.get("status") == "True":
            phase, message = "Running", "Deployments created, pods are ready"
        elif progressing.get("status") == "False" and progressing.get("reason") == "ProgressDeadlineExceeded":
            phase = "Failed"
            message = str(progressing.get("message") or "deployment timed out waiting for rollout")
        elif progressing.get("status") == "True":
            phase = "Deploying"
        elif available.get("status") == "False" and available.get("message"):
            phase, message = "Failed", str(available["message"])
        if phase not in ("Running", "Failed"):
            phase, message = "Deploying", "Deployments created, waiting for pods to be ready"
        dstatus = deployment.get("status") or {}
        return {
            "phase": phase,
            "message": message,
            "provider": {"name": provider, "resourceKind": "Deployment", "resourceName": md["name"]},
            "endpoint": {"service": md["name"], "port": 8000},
            "replicas": {
                "desired": int((deployment.get("spec") or {}).get("replicas") or 0),
                "ready": int(dstatus.get("readyReplicas") or 0),
                "available": int(dstatus.get("availableReplicas") or 0),
            },
        }

    def _kuberay(self, cluster: Any, obj: dict[str, Any], extra: list[dict[str, Any]]) -> dict[str, Any] | None:
        """providers/kuberay/controller.go Reconcile: Transform, createOrUpdateResource (Update where
        the spec differs), ResourceCreated True, status.provider.resource*, syncStatus, and
        Deploying ("RayService created, waiting for pods to be ready") unless Running or Failed."""
        md = obj["metadata"]
        if not served(cluster, RAY_API, "RayService"):
            self._create_failed(cluster, obj, extra, "RayService", no_match(RAY_API, "RayService"), False)
            return None
        want = rayservice(obj)
        live = cluster.get(RAY_API, "RayService", md["namespace"], md["name"])
        if live is None:
            live = cluster.create(want, manager=PROVIDER)
        elif not any(ref.get("uid") == md.get("uid") for ref in live["metadata"].get("ownerReferences") or []):
            why = f"resource {md['namespace']}/{md['name']} exists but is not managed by this ModelDeployment"
            self._create_failed(cluster, obj, extra, "RayService", why, True)
            return None
        elif live.get("spec") != want["spec"]:
            spec = {"spec": want["spec"]}
            live = cluster.patch(RAY_API, "RayService", md["namespace"], md["name"], spec, manager=PROVIDER)
        extra.append(_cond("ResourceCreated", True, "ResourceCreated", "RayService created successfully"))
        status = rayservice_phase(live)
        if status["phase"] == "Running":
            status["message"] = status["message"] or "RayService created, pods are ready"
        elif status["phase"] != "Failed":
            status["phase"], status["message"] = "Deploying", "RayService created, waiting for pods to be ready"
        status["provider"] = {"name": "kuberay", "resourceKind": "RayService", "resourceName": md["name"]}
        return status

    def _dynamo(self, cluster: Any, obj: dict[str, Any], extra: list[dict[str, Any]]) -> dict[str, Any] | None:
        """ai-runway/airunway providers/dynamo/controller.go Reconcile: where the cluster serves no
        DynamoGraphDeployment (NVIDIA Dynamo's operator absent), CreateFailed; else Transform
        (airunway_dynamo_graph.py; its error: TransformFailed) and createOrUpdateResource: the graph
        created, refused where another owns it, updated (r.Update, the whole object) where its spec
        differs; then its state read (airunway_dynamo.py), which Dynamo's operator, not simulated,
        writes (a test writes it)."""
        kind, md = "DynamoGraphDeployment", obj["metadata"]
        try:
            want = dynamo_graph(obj)
        except TransformError as exc:
            failed = _cond("ResourceCreated", False, "TransformFailed", str(exc))
            message = f"Failed to generate Dynamo resources: {exc}"
            self._status(cluster, obj, {"phase": "Failed", "message": message, "conditions": [*extra, failed]})
            return None
        if not served(cluster, DYNAMO_API, kind):
            self._create_failed(cluster, obj, extra, kind, no_match(DYNAMO_API, kind), False)
            return None
        live = cluster.get(DYNAMO_API, kind, md["namespace"], md["name"])
        if live is None:
            live = cluster.create(want)
        elif not any(ref.get("uid") == md.get("uid") for ref in live["metadata"].get("ownerReferences") or []):
            why = f"resource {md['namespace']}/{md['name']} exists but is not managed by this ModelDeployment"
            self._create_failed(cluster, obj, extra, kind, why, True)
            return None
        elif live.get("spec") != want["spec"]:
            want["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
            try:
                live = cluster.update(want)
            except ApiError as exc:
                if exc.code != 409:
                    raise
                # errors.IsConflict: ResourceCreated False ResourceConflict, the phase untouched,
                # RequeueAfter time.Second (shortened here).
                conflict = _cond("ResourceCreated", False, "ResourceConflict", str(exc))
                self._status(cluster, obj, {"conditions": [*extra, conflict]})
                self.requeue(obj, max(self.delay, 0.05))
                return None
        extra.append(dynamo_created())
        return graph_status(obj, live)

    def _create_failed(
        self, cluster: Any, obj: dict[str, Any], extra: list[dict[str, Any]], kind: str, why: str, conflict: bool
    ) -> None:
        """Reconcile's createOrUpdateResource failure (providers/kuberay/controller.go,
        providers/dynamo/controller.go): ResourceCreated False (CreateFailed, or ResourceConflict
        with Ready False too), phase Failed, "Failed to create KIND: ERR", no requeue."""
        reason = "ResourceConflict" if conflict else "CreateFailed"
        conditions = [*extra, _cond("ResourceCreated", False, reason, why)]
        if conflict:
            conditions.append(_cond("Ready", False, reason, why))
        self._status(
            cluster, obj, {"phase": "Failed", "message": f"Failed to create {kind}: {why}", "conditions": conditions}
        )

    def _vllm_conflict(self, cluster: Any, obj: dict[str, Any], live: dict[str, Any], provider: str) -> None:
        """upstream: ai-runway/airunway v0.7.0 providers/vllm/controller.go Reconcile (phase Failed,
        "Failed to create/update resource NAME: ...", Ready and ResourceCreated False with reason
        ResourceConflict, ctrl.Result{} with no requeue) and resourceConflictError /
        describeOwnerReferences (the owners it names); SetupWithManager watches ModelDeployments only,
        so the old Deployment going retries nothing (its events reach its own owner alone here)."""
        if failed_already(obj):  # ai-runway/airunway v0.7.0 providers/vllm/controller.go Reconcile
            return
        meta = live["metadata"]
        refs = meta.get("ownerReferences") or []
        owner = ", ".join(f"{r.get('kind')}/{r.get('name')} (uid {r.get('uid')})" for r in refs)
        where = f"{meta['namespace']}/{meta['name']}"
        why = f"resource {where} exists but is not managed by this ModelDeployment"
        if provider == "vllm":
            # The llmd provider's resourceConflictError names no owner (ai-runway/airunway v0.7.0
            # providers/llmd/controller.go).
            why += f" (owned by {owner})" if owner else " (no owner references)"
        conditions = [
            _cond("Ready", False, "ResourceConflict", why),
            _cond("ResourceCreated", False, "ResourceConflict", why),
        ]
        failed = f"Failed to create/update resource {meta['name']}: {why}"
        self._status(cluster, obj, {"phase": "Failed", "message": failed, "conditions": conditions})

    def _core(self, cluster: Any, obj: dict[str, Any]) -> dict[str, Any] | None:
        """The core controller's pass (airunway_core.reconcile), its status patched where it
        changes anything; the ModelDeployment as it then is, None where the providers stop here."""
        status, go_on = airunway_core.reconcile(cluster, obj)
        md = obj["metadata"]
        if any((obj.get("status") or {}).get(k) != v for k, v in status.items()):
            obj = cluster.patch_status(AIRUNWAY, "ModelDeployment", md["namespace"], md["name"], status)
        return obj if go_on else None

    def _status(self, cluster: Any, obj: dict[str, Any], status: dict[str, Any]) -> None:
        """Stamped with the generation read: status.observedGeneration (ai-runway/airunway b0d3fb77
        controller/internal/controller/modeldeployment_controller.go Reconcile) and each condition's,
        as every provider's setCondition writes ``ObservedGeneration: md.Generation``
        (providers/vllm/controller.go, providers/kaito/controller.go, providers/kuberay/controller.go)."""
        md = obj["metadata"]
        generation = md.get("generation")
        if "conditions" in status or self._compatible:
            status = {**status, "conditions": [*self._compatible, *status.get("conditions", [])]}
        if generation:
            status = {**status, "observedGeneration": generation}
            if "conditions" in status:
                status["conditions"] = [{**c, "observedGeneration": generation} for c in status["conditions"]]
        if "conditions" in status:
            # Each provider's setCondition is meta.SetStatusCondition on the conditions it read, the
            # core controller's among them (r.Status().Update of the whole ModelDeployment).
            live = cluster.get(AIRUNWAY, "ModelDeployment", md["namespace"], md["name"]) or obj
            merged = list((live.get("status") or {}).get("conditions") or [])
            for cond in status["conditions"]:
                merged = set_condition(merged, cond)
            status = {**status, "conditions": merged}
        cluster.patch_status(AIRUNWAY, "ModelDeployment", md["namespace"], md["name"], status, manager=PROVIDER)

    def _workspace(self, cluster: Any, obj: dict[str, Any]) -> dict[str, Any] | None:
        md, spec = obj["metadata"], obj.get("spec") or {}
        match = {"kubernetes.io/os": "linux", **(spec.get("nodeSelector") or {})}
        gpu = bool(((spec.get("resources") or {}).get("gpu") or {}).get("count"))  # kaitoHasGPU
        if gpu:
            match["nvidia.com/gpu.present"] = "true"
        itype = instance_type(cluster, gpu)
        pod_meta = (spec.get("podTemplate") or {}).get("metadata") or {}
        body: dict[str, Any] = {
            "apiVersion": KAITO,
            "kind": "Workspace",
            "metadata": {
                "name": md["name"],
                "namespace": md["namespace"],
                # upstream: ai-runway/airunway v0.7.0 providers/kaito/transformer.go Transform: these
                # five labels, then spec.podTemplate.metadata's labels; its annotations, if any.
                "labels": {
                    "airunway.ai/managed-by": "airunway",
                    DEPLOYMENT_LABEL: md["name"],
                    "airunway.ai/model-source": str((spec.get("model") or {}).get("source") or ""),
                    "airunway.ai/engine-type": str((spec.get("engine") or {}).get("type") or "vllm"),
                    LABEL: md["name"],
                    **(pod_meta.get("labels") or {}),
                },
                "annotations": dict(pod_meta.get("annotations") or {}),
                "ownerReferences": _md_owner(obj),
            },
            "resource": {
                "count": int((spec.get("scaling") or {}).get("replicas") or 1),
                "labelSelector": {"matchLabels": match},
                # buildResource (ai-runway/airunway v0.7.0 providers/kaito/transformer.go): from the provider's env
                **({"instanceType": itype} if itype else {}),
            },
            "inference": {"preset": {"name": (spec.get("model") or {}).get("id")}},
        }
        body = _deep_merge(body, (spec.get("provider") or {}).get("overrides") or {})
        # setLastAppliedManagedFields (ai-runway/airunway v0.7.0 providers/kaito/controller.go): what
        # the provider wrote, so that a later reconcile removes what it no longer writes.
        applied = {"labels": body["metadata"]["labels"], "annotations": _managed(body["metadata"]["annotations"])}
        applied.update({k: body[k] for k in ("resource", "inference") if k in body})
        body["metadata"]["annotations"][LAST_APPLIED] = json.dumps(applied, sort_keys=True)
        live = cluster.get(KAITO, "Workspace", md["namespace"], md["name"])
        if live is None:
            return dict(cluster.create(body, manager=PROVIDER))
        if not any(ref.get("uid") == md.get("uid") for ref in live["metadata"].get("ownerReferences") or []):
            # verifyOwnerReference (providers/kaito/controller.go L259-266 at v0.7.0): a Workspace
            # another ModelDeployment owns (the old one's, not yet garbage-collected) is refused.
            where = f"{md['namespace']}/{md['name']}"
            raise _Conflict(f"resource {where} exists but is not managed by this ModelDeployment")
        return update_workspace(cluster, live, body)

    def _gateway(self, cluster: Any, obj: dict[str, Any], endpoint: dict[str, Any]) -> dict[str, Any] | None:
        """reconcileGateway; None where it sets no condition (APIs not served, not asked for)."""
        md, spec = obj["metadata"], obj.get("spec") or {}
        ns, name = md["namespace"], md["name"]
        if not (_served(cluster, POOL_API, "InferencePool") and _served(cluster, GATEWAY_API, "HTTPRoute")):
            if (spec.get("gateway") or {}).get("enabled") is True:
                return _cond(
                    "GatewayReady", False, "CRDsNotAvailable",
                    "Gateway API Inference Extension CRDs are not installed in the cluster",
                )  # fmt: skip
            return None
        gateway, why = _pick_gateway(cluster)
        if gateway is None:
            return _cond("GatewayReady", False, "NoGateway", why)
        gw_ns, gw_name = gateway["metadata"]["namespace"], gateway["metadata"]["name"]
        if gw_ns != ns:
            _allow_namespace(cluster, gateway, ns)
        service = cluster.get("v1", "Service", ns, str(endpoint["service"]))
        port = 8000
        if service is not None:
            port = _target_port(service) or int(endpoint.get("port") or port)
            selector = ",".join(f"{k}={v}" for k, v in (service["spec"].get("selector") or {}).items())
            for pod in cluster.list("v1", "Pod", ns, label_selector=selector) if selector else []:
                if (pod["metadata"].get("labels") or {}).get(LABEL) != name:
                    cluster.patch("v1", "Pod", ns, pod["metadata"]["name"], {"metadata": {"labels": {LABEL: name}}})
        model = str((spec.get("gateway") or {}).get("modelName") or (spec.get("model") or {}).get("servedName") or "")
        model = model or str((spec.get("model") or {}).get("id") or "")
        for item in _gateway_objects(cluster, obj, port, gw_ns, gw_name, model):
            live = cluster.get(item["apiVersion"], item["kind"], ns, item["metadata"]["name"])
            if live is None:
                cluster.create(item)
            elif "spec" in item:
                cluster.patch(item["apiVersion"], item["kind"], ns, item["metadata"]["name"], {"spec": item["spec"]})
        return _cond("GatewayReady", True, "GatewayConfigured", "InferencePool and HTTPRoute created")


class _Conflict(Exception):
    """resourceConflictError (providers/kaito/controller.go L243-254 at v0.7.0)."""


def _served(cluster: Any, api: str, kind: str) -> bool:
    try:
        cluster.list(api, kind, None)
    except ApiError:
        return False
    return True
