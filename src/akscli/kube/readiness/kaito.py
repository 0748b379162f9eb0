"""Readiness of KAITO kinds (kaito-project/kaito) and AI Runway ModelDeployments.

KAITO stamps every condition it sets with the generation it reconciled
(``metav1.Condition.ObservedGeneration = obj.GetGeneration()``: setWorkspaceCondition in
pkg/workspace/controllers/workspace_controller.go, UpdateStatusConditionIfNotMatch in
pkg/utils/inferenceset/inferenceset.go), and neither Workspace nor InferenceSet has a
``status.observedGeneration`` (api/v1beta1/workspace_types.go, inferenceset_types.go). So both
rules track ``Generation.CONDITIONS``: after a change, the Ready conditions left from the previous
generation do not count until KAITO has rewritten them for the current one. That is the rule
``kubectl wait --for=condition`` applies (kubernetes/kubernetes
staging/src/k8s.io/kubectl/pkg/cmd/wait/condition.go,
getObservedGeneration: a condition whose observedGeneration is below metadata.generation is not
met) and kstatus's, for the status-level field (kubernetes-sigs/cli-utils
pkg/kstatus/status/generic.go, checkGeneration: InProgress, LatestGenerationNotObserved).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from akscli.kube.readiness import kaito_faults
from akscli.kube.readiness.airunway_deployments import deployment_retries
from akscli.kube.readiness.airunway_kaito import kaito_provider
from akscli.kube.readiness.builtin import deployment as rollout_status
from akscli.kube.readiness.core import (
    ConditionRule,
    Generation,
    Readiness,
    Rule,
    Terminal,
    conditions,
    current_conditions,
    generation_of,
    stale,
    status_of,
)
from akscli.kube.readiness.dynamo import DYNAMO_API, RETRIED_REASON, graph_deployment, provider_retries
from akscli.kube.readiness.kuberay import ray_service
from akscli.output import object_ref

# The kinds (kubectl's TYPE list) each AI Runway provider applies under the ModelDeployment's name,
# any of which meets ResourceConflict when another owner holds it (ai-runway/airunway v0.7.0
# providers/*/transformer.go Transform: kaito a Workspace; vllm and llmd, aggregated, a Deployment
# then a Service; kuberay a RayService; dynamo a DynamoGraphDeployment).
CONFLICT_KINDS = {
    "kaito": "workspace",
    "vllm": "deployment,service",
    "llmd": "deployment,service",
    "kuberay": "rayservice",
    "dynamo": "dynamographdeployment",
}


def _ai_runway_stale(obj: Mapping[str, Any], phase: str) -> Readiness | None:
    """A not-ready verdict while AI Runway's phase is from an earlier generation of the object.

    The core controller sets ``status.observedGeneration`` first (ai-runway/airunway b0d3fb77
    controller/internal/controller/modeldeployment_controller.go Reconcile, "Update observed
    generation"), before any provider has read the change; the phase is the provider's, and every
    condition a provider sets carries ``ObservedGeneration: md.Generation``
    (providers/vllm/controller.go, providers/llmd/controller.go, providers/kaito/controller.go
    setCondition), its Ready condition from syncStatus in the same pass as the phase. So right
    after a change the object answers with the old phase (Running, or the Failed being fixed):
    Running counts once the Ready condition is of this generation, Failed once a False condition
    is. A condition without observedGeneration counts (Generation.AUTO)."""
    waiting = stale(obj, Generation.AUTO)
    if waiting is not None:
        return waiting
    want = generation_of(obj)
    conds = conditions(obj)
    current = current_conditions(obj, Generation.AUTO)
    if want is None or not conds:
        return None
    if phase == "Running" and "Ready" in conds and "Ready" not in current:
        seen = conds["Ready"].get("observedGeneration")
        return Readiness(
            False,
            message=f"waiting for AI Runway's provider to observe generation {want} "
            f"(its Running phase is from generation {seen})",
        )
    if phase == "Failed" and not any(c.get("status") == "False" for c in current.values()):
        return Readiness(
            False, message=f"waiting for AI Runway's provider to observe generation {want} (its Failed phase is older)"
        )
    return None


# The conditions AI Runway sets False where a step of its pipeline fails, in the order they run:
# the core controller's (ai-runway/airunway b0d3fb77 controller/internal/controller/
# modeldeployment_controller.go Reconcile: Validated ValidationFailed, EngineSelected and
# ProviderSelected SelectionFailed, ProviderSelected ProviderChangeNotSupported or NoProvider,
# ImageResolved ConflictingImageFields), then the provider's (providers/*/controller.go Reconcile:
# ProviderCompatible IncompatibleConfiguration, vllm's ImageResolved ImageResolutionFailed, dynamo's
# StorageReady PVCFailed and ModelDownloaded DownloadFailed, ResourceCreated TransformFailed or
# CreateFailed, and Ready DeploymentFailed from syncStatus). Type names:
# controller/api/v1alpha1/modeldeployment_types.go ConditionType*. (UnsupportedImage is False when
# all is well: not listed.)
FAILING_STEPS = (
    "Validated",
    "EngineSelected",
    "ProviderSelected",
    "ProviderCompatible",
    "ImageResolved",
    "StorageReady",
    "ModelDownloaded",
    "ResourceCreated",
    "Ready",
)


def _vllm_image_retry(obj: Mapping[str, Any], message: str) -> Readiness | None:
    """Waiting, where the vllm provider failed to resolve its default image and retries.

    ai-runway/airunway b0d3fb77 providers/vllm/controller.go setImageResolutionStatus: a failed
    registry lookup sets ImageResolved False ImageResolutionFailed; for the provider's default image
    it returns an error, and Reconcile sets the phase Failed and returns that error, so
    controller-runtime requeues it with backoff and the next lookup may succeed. For a user's image
    it goes on ("Continuing with the user-specified image reference"), so a later step's False is
    what failed, and _failed_step names it."""
    step = _failed_step(obj)
    if step is None or step.get("type") != "ImageResolved" or step.get("reason") != "ImageResolutionFailed":
        return None
    current = current_conditions(obj, Generation.AUTO)
    later = FAILING_STEPS[FAILING_STEPS.index("ImageResolved") + 1 :]
    if any(current.get(t, {}).get("status") == "False" for t in later):
        return None
    detail = message or str(step.get("message") or "")
    return Readiness(
        False,
        message="phase=Failed (ImageResolved: ImageResolutionFailed)"
        + (f": {detail}" if detail else "")
        + "; AI Runway's vllm provider retries resolving its default image with backoff",
        reason="ImageResolutionFailed",
    )


def _failed_step(obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first step of this generation whose condition AI Runway set False, if any."""
    current = current_conditions(obj, Generation.AUTO)
    return next(
        (current[t] for t in FAILING_STEPS if t in current and current[t].get("status") == "False"),
        None,
    )


def _first_failed(obj: Mapping[str, Any]) -> str:
    return str((_failed_step(obj) or {}).get("type") or "")


def model_deployment(obj: Mapping[str, Any]) -> Readiness:
    """AI Runway's phase (ai-runway/airunway controller/api/v1alpha1/modeldeployment_types.go:
    Pending, Deploying, Running, Failed, Terminating): Running is ready, Failed is terminal and
    its status.message says why (providers/kaito/status.go maps the Workspace's conditions), each
    only once it describes the current generation (_ai_runway_stale). Running is not enough where
    the provider's Deployment rolls out (model_deployment_with_members)."""
    status = status_of(obj)
    phase = str(status.get("phase") or "Pending")
    message = str(status.get("message") or "")
    waiting = _ai_runway_stale(obj, phase)
    if waiting is not None:
        return waiting
    retried = provider_retries(current_conditions(obj, Generation.AUTO), phase, message)
    if retried is not None and _provider(obj) == "dynamo":
        # A state the dynamo provider moves on from (readiness/dynamo.py provider_retries): not
        # final; a Failed one is judged on the graph too (model_deployment_with_members).
        return Readiness(False, message=retried, reason=RETRIED_REASON if phase == "Failed" else "")
    if _provider(obj) == "kaito":
        # What the kaito provider retries (its KAITO probe, a Workspace KAITO retries) or not
        # (KAITO's failed tuning Job): readiness/airunway_kaito.py.
        name = str((obj.get("metadata") or {}).get("name") or "")
        own = kaito_provider(current_conditions(obj, Generation.AUTO), phase, message, name)
        if own is not None:
            return own
    ready_now = current_conditions(obj, Generation.AUTO).get("Ready") or {}
    if phase == "Failed" and _provider(obj) == "kuberay" and ready_now.get("reason") == RETRIED_REASON:
        # ai-runway/airunway b0d3fb77 providers/kuberay/status.go mapAppStatusesToPhase: any Serve
        # application DEPLOY_FAILED -> Failed; controller.go syncStatus sets Ready DeploymentFailed and
        # Reconcile requeues every RequeueInterval (30 s), so the phase follows the RayService. Ray
        # Serve retries a DEPLOY_FAILED application's replicas (readiness/kuberay.py app_failed): the
        # wait ends only where the RayService's verdict is failed (model_deployment_with_members).
        return Readiness(
            False,
            message=f"phase=Failed (Ready: {RETRIED_REASON})"
            + (f": {why}" if (why := message or str(ready_now.get("message") or "")) else "")
            + "; Ray Serve retries a failed application's replicas and AI Runway follows its RayService",
            reason=RETRIED_REASON,
        )
    if phase == "Failed" and _provider(obj) == "vllm":
        pending = _vllm_image_retry(obj, message)
        if pending is not None:
            return pending
    if phase == "Failed" and _provider(obj) in DEPLOYMENT_PROVIDERS and _first_failed(obj) == "Ready":
        # The Deployment's Available=False short of its progress deadline (airunway_deployments.py):
        # waited on, and judged on the Deployment itself (model_deployment_with_members).
        pending = deployment_retries(_provider(obj), ready_now, message)
        if pending is not None:
            return pending
    if phase == "Running":
        return Readiness(True)
    text = f"phase={phase}" + (f": {message}" if message else "")
    ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    conflict = next((c for c in ready if c.get("reason") == "ResourceConflict"), None)
    if phase == "Failed" and conflict is not None:
        # A Workspace (or Deployment) of this name that another ModelDeployment owns: the old one's,
        # not yet garbage-collected. The provider refuses it and never retries
        # (ai-runway/airunway v0.7.0 providers/kaito/controller.go and providers/vllm/controller.go,
        # Reconcile, verifyOwnerReference). It sets status.provider.resourceKind only once every
        # object is applied, so the kinds are the provider's (CONFLICT_KINDS).
        md = obj.get("metadata") or {}
        chosen = ((obj.get("spec") or {}).get("provider") or {}).get("name")
        chosen = chosen or (status.get("provider") or {}).get("name")
        kind = CONFLICT_KINDS.get(str(chosen or "kaito"), "workspace")
        name, ns = md.get("name", ""), md.get("namespace", "default")
        text = (
            f"phase=Failed (ResourceConflict): {conflict.get('message') or message}; the old deployment's "
            f"{kind.replace(',', ' or ')} is still there: wait until `kubectl get {kind} {name} -n {ns}` finds "
            f"none, then run `akscli model delete {name} -n {ns} -y` and deploy again"
        )
    step = _failed_step(obj) if phase == "Failed" and conflict is None else None
    if step is not None:
        # Which step failed and AI Runway's reason for it (IncompatibleConfiguration, CreateFailed, ...).
        detail = message or str(step.get("message") or "")
        text = f"phase=Failed ({step.get('type')}: {step.get('reason')})" + (f": {detail}" if detail else "")
        return Readiness(False, failed=True, message=text, reason=str(step.get("reason") or phase))
    return Readiness(False, failed=phase == "Failed", message=text, reason=phase)


# The providers that run vLLM in Deployments of their own, and the label on each of them and on
# their pods (ai-runway/airunway b0d3fb77 providers/vllm/transformer.go and
# providers/llmd/transformer.go buildDeployment: metadata.labels from buildLabels, and the
# selector and pod template's ``airunway.ai/deployment: <ModelDeployment>``; transformAggregated
# makes NAME, transformDisaggregated NAME-decode and NAME-prefill). Their status translators read
# the Deployment's Available condition before anything else (providers/vllm/status.go and
# providers/llmd/status.go mapConditionsToPhase: "Available = True means all desired replicas are
# up" -> Running) and never its observedGeneration or updatedReplicas. A Deployment the provider
# changed rolls (RollingUpdate: no strategy is set, kubernetes/kubernetes
# pkg/apis/apps/v1/defaults.go), and its old pod keeps Available True until the new one is
# available (pkg/controller/deployment/rolling.go; maxUnavailable of one replica is 0), even past
# ProgressDeadlineExceeded, which the translator checks only after Available: AI Runway reports
# Running while the old configuration serves, for good if the new pod never starts.
DEPLOYMENT_PROVIDERS = ("vllm", "llmd")
AIRUNWAY_DEPLOYMENT_LABEL = "airunway.ai/deployment"


def _provider(obj: Mapping[str, Any]) -> str:
    """spec.provider.name, else the provider the controller chose (status.provider.name)."""
    chosen = ((obj.get("spec") or {}).get("provider") or {}).get("name")
    return str(chosen or (status_of(obj).get("provider") or {}).get("name") or "")


# The kuberay provider's RayService carries the same label (ai-runway/airunway b0d3fb77
# providers/kuberay/transformer.go Transform: "airunway.ai/deployment": md.Name, owned by the
# ModelDeployment's UID). Its status translator reads activeServiceStatus.applicationStatuses
# (providers/kuberay/status.go TranslateStatus: all RUNNING is Running; the RayServiceReady
# condition it checks first is a type KubeRay never writes, whose Ready condition is "Ready"),
# never pendingServiceStatus or the UpgradeInProgress condition. A changed rayClusterConfig makes
# KubeRay bring up a pending cluster while the active one keeps serving and stays RUNNING
# (ray-project/kuberay ray-operator/controllers/ray/rayservice_controller.go, the zero-downtime
# upgrade): AI Runway reports Running on the old configuration until the pending cluster is
# promoted, and for good if it never is. KubeRay's own verdict on the RayService
# (readiness/kuberay.py ray_service: observedGeneration, Ready, UpgradeInProgress) says when the
# new spec serves.
#
# The dynamo provider's DynamoGraphDeployment is labelled ``airunway.ai/model-deployment: <name>``
# (LabelModelDeployment, controller/api/v1alpha1/modeldeployment_types.go) and owned by the
# ModelDeployment's UID (providers/dynamo/transformer.go Transform). Its Reconcile updates the
# DynamoGraphDeployment and, in the same pass, reads it back and maps ``status.state`` alone
# (providers/dynamo/controller.go createOrUpdateResource then syncStatus; providers/dynamo/status.go
# mapStateToPhase: successful -> Running) with no look at its observedGeneration: right after a
# change the state Dynamo wrote for the previous spec is still there, so AI Runway writes Running
# and Ready=True (DeploymentReady) for the new generation before Dynamo's operator has read it.
# Dynamo's own verdict on the DynamoGraphDeployment (readiness/dynamo.py graph_deployment:
# observedGeneration, state, rolling update) says when the new spec serves.
MEMBER_KINDS = {
    **{provider: ("apps/v1", "Deployment") for provider in DEPLOYMENT_PROVIDERS},
    "kuberay": ("ray.io/v1", "RayService"),
    "dynamo": (DYNAMO_API, "DynamoGraphDeployment"),
}
MEMBER_LABELS = {"dynamo": "airunway.ai/model-deployment"}


def model_deployment_members(obj: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(apiVersion, kind, label selector) of the objects a vllm or llmd provider (Deployments),
    the kuberay provider (its RayService) or the dynamo provider (its DynamoGraphDeployment) made
    for the ModelDeployment; None for the kaito provider (KAITO's Workspace reports through the
    phase alone)."""
    name = (obj.get("metadata") or {}).get("name")
    provider = _provider(obj)
    kind = MEMBER_KINDS.get(provider)
    if kind is None or not isinstance(name, str) or not name:
        return None
    return (*kind, f"{MEMBER_LABELS.get(provider, AIRUNWAY_DEPLOYMENT_LABEL)}={name}")


def _member_verdict(member: Mapping[str, Any]) -> Readiness:
    """A member's own readiness: a Deployment's rollout as ``kubectl rollout status`` judges it
    (builtin.deployment, kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go), a
    RayService's as KubeRay reports it (readiness/kuberay.py ray_service), a
    DynamoGraphDeployment's as Dynamo's operator does (readiness/dynamo.py graph_deployment)."""
    if member.get("kind") == "RayService":
        return ray_service(member)
    if member.get("kind") == "DynamoGraphDeployment":
        return graph_deployment(member)
    return rollout_status(member)


def model_deployment_with_members(obj: Mapping[str, Any], members: Iterable[Mapping[str, Any]]) -> Readiness:
    """``model_deployment``, and each object its provider made (``members``: those labelled for
    it and owned by this ModelDeployment's UID) ready on its own terms (_member_verdict): the
    phase alone says Running while a stalled rollout's old pods (or a RayService's active cluster)
    serve (DEPLOYMENT_PROVIDERS, MEMBER_KINDS). A member that failed (a Deployment past
    ProgressDeadlineExceeded, a RayService KubeRay gave up on) ends the wait as failed, though AI
    Runway still says Running, and is named before any member still rolling: a disaggregated
    model's NAME-decode and NAME-prefill (providers/vllm/transformer.go transformDisaggregated)
    are judged each, the stuck one named whatever the other's state."""
    verdict = model_deployment(obj)
    # Dynamo's and kuberay's retried failure ends the wait only where the graph's or RayService's does.
    retried = not verdict.ready and not verdict.failed and verdict.reason == RETRIED_REASON
    if not (verdict.ready or retried) or model_deployment_members(obj) is None:
        return verdict
    uid = (obj.get("metadata") or {}).get("uid")
    owned = [
        m
        for m in members
        if not uid or any(r.get("uid") == uid for r in (m.get("metadata") or {}).get("ownerReferences") or [])
    ]
    provider = _provider(obj)
    kind = MEMBER_KINDS[provider][1]
    if not owned:
        return verdict if retried else Readiness(False, message=f"phase=Running; waiting to read the provider's {kind}")
    judged = [
        (object_ref(m), _member_verdict(m))
        for m in sorted(owned, key=lambda m: str((m.get("metadata") or {}).get("name")))
    ]
    for ref, member in judged:
        if member.failed:
            return Readiness(
                False,
                True,
                f"phase={'Failed, and' if retried else 'Running, but'} AI Runway's {provider} provider's {ref} did not "
                + (
                    ("roll out: " if retried else "roll out and its old pods still serve the previous configuration: ")
                    if kind == "Deployment"
                    else "become ready: "
                )
                + member.message,
                member.reason,
                fix=f"see why {'its new pod does not start' if kind == 'Deployment' else 'it fails'} "
                f"(kubectl describe {ref}), fix it and deploy again, or roll back (akscli model rollback)",
            )
    if retried:
        # AI Runway's Ready message is Dynamo's status.message, a field Dynamo never writes
        # (ai-dynamo/dynamo deploy/operator/api/v1alpha1/dynamographdeployment_types.go
        # DynamoGraphDeploymentStatus): the graph's own Ready condition says why.
        why = next((f"; {ref}: {m.message}" for ref, m in judged if not m.ready and m.message), "")
        return Readiness(False, message=verdict.message + why, reason=verdict.reason)
    for ref, member in judged:
        if not member.ready:
            what = "is still rolling out" if kind == "Deployment" else "does not serve the current spec yet"
            return Readiness(False, message=f"phase=Running, but {ref} {what}: {member.message}")
    return verdict


_WORKSPACE = ConditionRule(
    upstream="kaito-project/kaito pkg/workspace/controllers/workspace_controller.go",
    generation=Generation.CONDITIONS,
    ready=("ResourceReady", "InferenceReady", "WorkspaceSucceeded"),
    # KAITO's only final Workspace state is a failed tuning Job (applyTuningWorkspaceStatus:
    # WorkspaceSucceeded False workspaceFailed, state Failed). An inference Workspace has none:
    # a crash-looping or unpullable inference pod is a not-ready reason on InferenceReady
    # (classifyInferencePodFailure: ContainerCrashLoopBackOff, ImagePullError, ...) while
    # WorkspaceSucceeded stays workspacePending and KAITO keeps reconciling, so the wait goes
    # on, like kubectl wait, and its progress and timeout name that reason and message.
    terminal=(Terminal("WorkspaceSucceeded", reasons=("workspaceFailed",)),),
)


def benchmark_failed(obj: Mapping[str, Any]) -> str | None:
    """Why a serving Workspace is not called succeeded, when only KAITO's benchmark failed; else None.

    upstream: kaito-project/kaito v0.12.0 0894eb2b. KAITO benchmarks every vLLM preset Workspace
    unless annotated ``kaito.sh/disable-benchmark: "true"`` (api/v1beta1/labels.go
    ShouldRunBenchmark). The benchmark is the inference container's startup probe
    (pkg/workspace/inference/preset_inferences.go buildBenchmarkStartupProbe,
    presets/workspace/inference/vllm/benchmark_entrypoint.py): the pod turns Ready only once it
    ran. Then the controller reads the result line from the last 500 lines of the leader pod's log
    (pkg/workspace/controllers/benchmark.go reconcileBenchmarkResult); when that fails
    (no line, a bad line, a log it cannot read), applyInferenceWorkspaceStatus
    (workspace_controller.go) sets InferenceReady True and WorkspaceSucceeded False with reason
    BenchmarkFailed, state NotReady, and tries again on each reconcile. The pods are Ready, so the
    Service routes to them and the model answers: akscli calls it ready, with this warning."""
    conds = current_conditions(obj, Generation.CONDITIONS)
    succeeded = conds.get("WorkspaceSucceeded") or {}
    if succeeded.get("status") != "False" or succeeded.get("reason") != "BenchmarkFailed":
        return None
    if any((conds.get(name) or {}).get("status") != "True" for name in ("ResourceReady", "InferenceReady")):
        return None
    meta = obj.get("metadata") or {}
    name, namespace = meta.get("name"), meta.get("namespace") or "default"
    return (
        f"serves requests, but KAITO's benchmark of it failed (BenchmarkFailed: {succeeded.get('message')}), "
        "so KAITO keeps WorkspaceSucceeded False and an InferenceSet counts it not ready; see why with "
        f"kubectl logs {name}-0 -n {namespace} -c {name} | grep KAITO_BENCHMARK"
    )


# ResourceReady's reasons that are KAITO's own (kaito-project/kaito 056b8280 pkg/nodeprovision/
# gpu-provisioner/gpu_provisioner.go CollectNodeStatusInfo, pkg/workspace/controllers/
# workspace_controller.go syncWorkspaceStatus); any other is a NodeClaim's (``claim_fix``).
_OWN_RESOURCE_REASONS = frozenset(
    {
        "workspaceResourceStatusSuccess",
        "workspaceResourceStatusNotReady",
        "NodeClaimNotReady",
        "NodeNotReady",
        "NodePluginsNotReady",
        "ModelMirrorNotReady",
    }
)


def claim_fix(obj: Mapping[str, Any]) -> str:
    """Where to read a node's launch error whole, when ResourceReady carries a NodeClaim's; else "".

    upstream: kaito-project/kaito 056b8280 pkg/nodeprovision/gpu-provisioner/gpu_provisioner.go
    CollectNodeStatusInfo gives ResourceReady the reason and message of the first NodeClaim
    condition (Launched, Registered, Initialized) that is not True, cut to 256 characters
    (pkg/utils/nodeclaim/nodeclaim.go FirstNodeClaimProvisioningState,
    maxProvisioningErrorMessageLen). A failed agent pool PUT reaches it as Karpenter's LaunchFailed,
    whose message opens with gpu-provisioner's wrapping and the request URL (Azure/gpu-provisioner
    pkg/providers/instance/instance.go Create; azcore's ResponseError): the cut drops Azure's error
    code and message (a quota, a SKU not offered), which the NodeClaim keeps (800 characters,
    vendor/sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/lifecycle/launch.go). The NodeClaims
    carry the Workspace's name and namespace labels (nodeclaim.go GenerateNodeClaimManifestWithOptions)."""
    cond = current_conditions(obj, Generation.CONDITIONS).get("ResourceReady") or {}
    if cond.get("status") != "False" or not cond.get("reason") or cond.get("reason") in _OWN_RESOURCE_REASONS:
        return ""
    return (
        f"KAITO shows 256 characters of the node's {cond.get('reason')} error; read Azure's error code and "
        f"message on its NodeClaim: kubectl describe nodeclaims -l {claim_selector(obj)}"
    )


def claim_selector(obj: Mapping[str, Any]) -> str:
    """The label selector of a Workspace's NodeClaims: its name and namespace labels (kaito-project/kaito
    056b8280 pkg/utils/nodeclaim/nodeclaim.go ListNodeClaim, GenerateNodeClaimManifestWithOptions)."""
    meta = obj.get("metadata") or {}
    return f"kaito.sh/workspace={meta.get('name')},kaito.sh/workspacenamespace={meta.get('namespace') or 'default'}"


def workspace(obj: Mapping[str, Any]) -> Readiness:
    """KAITO's conditions (``_WORKSPACE``), except that a Workspace whose only fault is a failed
    benchmark is ready, with a warning (``benchmark_failed``); one waiting on a NodeClaim that did
    not launch says where its whole error is (``claim_fix``), one KAITO names a cause for what to do
    (kaito_faults.fix)."""
    verdict = _WORKSPACE(obj)
    if verdict.ready or verdict.failed:
        return verdict
    warning = benchmark_failed(obj)
    if warning:
        return Readiness(True, warning=warning)
    fix = claim_fix(obj) or kaito_faults.fix(obj)  # a node's device plugin, a classified pod failure
    return dataclasses.replace(verdict, fix=fix) if fix else verdict


_INFERENCE_SET = ConditionRule(
    upstream="kaito-project/kaito pkg/inferenceset/inferenceset_controller.go",
    generation=Generation.CONDITIONS,
    ready=("InferenceSetReady",),
)

# upstream: kaito-project/kaito v0.12.0 pkg/utils/consts/consts.go WorkspaceCreatedByInferenceSetLabel.
SET_LABEL = "inferenceset.kaito.sh/created-by"


def set_members(obj: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(apiVersion, kind, label selector) of the Workspaces an InferenceSet counts: KAITO lists
    them by label in the set's namespace, not by owner (upstream: kaito-project/kaito v0.12.0
    pkg/utils/inferenceset/inferenceset.go ListWorkspaces)."""
    name = (obj.get("metadata") or {}).get("name")
    return ("kaito.sh/v1beta1", "Workspace", f"{SET_LABEL}={name}") if isinstance(name, str) and name else None


def set_benchmark_failed(obj: Mapping[str, Any], members: Iterable[Mapping[str, Any]]) -> str | None:
    """Why a serving InferenceSet is not called ready, when only KAITO's benchmark of members
    failed; else None.

    upstream: kaito-project/kaito v0.12.0 0894eb2b pkg/inferenceset/inferenceset_controller.go
    addOrUpdateInferenceSet and aggregateBenchmarkResults: readyReplicas counts the Workspaces
    whose DetermineWorkspacePhase (pkg/workspace/controllers/metrics.go) is "succeeded", i.e.
    WorkspaceSucceeded True; InferenceSetReady is True (inferencesetReady) only when that count
    equals spec.replicas, else False with reason inferencesetNotReady. A member whose benchmark
    failed keeps WorkspaceSucceeded False (BenchmarkFailed) while its pods serve (``benchmark_failed``),
    so KAITO counts it not ready. akscli counts it serving, as it does a lone Workspace: the set
    is ready, with a warning, when KAITO's only objection is the count, the set has its
    spec.replicas members, and each of them is ready by akscli's Workspace rule."""
    conds = current_conditions(obj, Generation.CONDITIONS)
    if (conds.get("InferenceSetReady") or {}).get("reason") != "inferencesetNotReady":
        return None
    replicas = (obj.get("spec") or {}).get("replicas")
    desired = 1 if replicas is None else int(replicas)
    members = list(members)
    if len(members) != desired or not all(workspace(m).ready for m in members):
        return None
    failed = [(m, why) for m in members if (why := benchmark_failed(m))]
    if not failed:
        return None
    first = failed[0][0]
    meta = first.get("metadata") or {}
    name, namespace = meta.get("name"), meta.get("namespace") or "default"
    why = ((current_conditions(first, Generation.CONDITIONS).get("WorkspaceSucceeded")) or {}).get("message")
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return (
        f"serves requests on {desired}/{desired} replicas, but KAITO's benchmark of {object_ref(first)}{more} "
        f"failed (BenchmarkFailed: {why}), so KAITO counts it not ready and keeps InferenceSetReady False; "
        f"see why with kubectl logs {name}-0 -n {namespace} -c {name} | grep KAITO_BENCHMARK"
    )


def inference_set(obj: Mapping[str, Any], members: Iterable[Mapping[str, Any]] = ()) -> Readiness:
    """KAITO's InferenceSetReady (``_INFERENCE_SET``), except that a set whose only fault is a
    failed benchmark of its members (``set_benchmark_failed``, from ``members``: its Workspaces,
    as ``set_members`` selects them) is ready, with a warning."""
    verdict = _INFERENCE_SET(obj)
    if verdict.ready or verdict.failed:
        return verdict
    warning = set_benchmark_failed(obj, members)
    return Readiness(True, warning=warning) if warning else verdict


RULES: dict[tuple[str, str], Rule] = {
    ("kaito.sh", "Workspace"): workspace,
    ("kaito.sh", "InferenceSet"): inference_set,
    ("airunway.ai", "ModelDeployment"): model_deployment,
}

# The kinds whose readiness also reads objects they own: how to select them, and the rule that
# reads them (kube/wait.py follows them with one label-selected watch per object).
MEMBERS: dict[
    tuple[str, str],
    tuple[
        Callable[[Mapping[str, Any]], tuple[str, str, str] | None],
        Callable[[Mapping[str, Any], Iterable[Mapping[str, Any]]], Readiness],
    ],
] = {
    ("kaito.sh", "InferenceSet"): (set_members, inference_set),
    ("airunway.ai", "ModelDeployment"): (model_deployment_members, model_deployment_with_members),
}

# The pods of a Workspace or InferenceSet (for a timed-out wait): KAITO selects a Workspace's
# pods by kaito.sh/workspace=<name> (api/v1beta1/labels.go LabelWorkspaceName) and adds
# inferenceset.kaito.sh/created-by=<set> for a set's Workspaces
# (pkg/workspace/manifests/manifests.go GenerateStatefulSetManifest, pkg/utils/consts/consts.go
# WorkspaceCreatedByInferenceSetLabel).


def _labelled(label: str) -> Callable[[Mapping[str, Any]], dict[str, Any] | None]:
    def pods(obj: Mapping[str, Any]) -> dict[str, Any] | None:
        name = (obj.get("metadata") or {}).get("name")
        return {"matchLabels": {label: name}} if isinstance(name, str) and name else None

    return pods


def _model_deployment_pods(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The pods of a vllm or llmd provider's Deployments (AIRUNWAY_DEPLOYMENT_LABEL, which the
    provider puts on every pod it makes), of the kuberay provider's Ray clusters, of the dynamo
    provider's graph or of the kaito provider's Workspace (named after the
    ModelDeployment: ai-runway/airunway b0d3fb77 providers/kaito/transformer.go); None for the
    others."""
    provider = _provider(obj)
    if provider in DEPLOYMENT_PROVIDERS:
        return _labelled(AIRUNWAY_DEPLOYMENT_LABEL)(obj)
    if provider == "kuberay":
        # Its Ray head and worker pods, of the active and the pending cluster
        # (providers/kuberay/transformer.go, both groups' template metadata.labels).
        return _labelled("airunway.ai/model-deployment")(obj)
    if provider == "dynamo":
        # Dynamo labels the pods of its graph nvidia.com/dynamo-graph-deployment-name=<graph>, the
        # graph named after the ModelDeployment (ai-dynamo/dynamo d4872d7e deploy/operator/internal/dynamo/graph.go
        # generateLabels, d195d280 deploy/operator/internal/consts/consts.go; model/kinds.py AIRUNWAY_POD_LABELS).
        return _labelled("nvidia.com/dynamo-graph-deployment-name")(obj)
    return _labelled("kaito.sh/workspace")(obj) if provider == "kaito" else None


POD_SELECTORS: dict[tuple[str, str], Callable[[Mapping[str, Any]], dict[str, Any] | None]] = {
    ("airunway.ai", "ModelDeployment"): _model_deployment_pods,
    ("kaito.sh", "Workspace"): _labelled("kaito.sh/workspace"),
    ("kaito.sh", "InferenceSet"): _labelled("inferenceset.kaito.sh/created-by"),
}
