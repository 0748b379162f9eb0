"""The cluster side of a deployed model: finding it, the rows `model list` and `model status`
show, its events and pods, and every object its stack holds (the OpenAI-compatible calls to its
server are model/openai_calls.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from akscli import suggest
from akscli.errors import AkscliError, NotFoundError, NotInstalledError, UsageError
from akscli.fleet import namespaces_placed
from akscli.kube import kaito_claims
from akscli.kube.client import Kube
from akscli.kube.readiness.dynamo import RETRIED_REASON
from akscli.kube.readiness.kaito import (
    benchmark_failed,
    model_deployment,
    model_deployment_members,
    model_deployment_with_members,
)
from akscli.model import kaito_benchmark, kaito_faults, restarts
from akscli.model.kinds import (
    AIRUNWAY_LABEL,
    AIRUNWAY_POD_LABELS,
    DYNAMO_SYSTEM_PORT_NAME,
    FLEET_API,
    FLEET_READY_KINDS,
    GPUS_ANNOTATION,
    KAITO_POD_LABEL,
    KAITO_PORT,
    KAITO_SET_POD_LABEL,
    MODEL_ID_ANNOTATION,
    MODEL_LABEL,
    POD_INDEX_LABEL,
    READY_KINDS,
    SERVICE_PORT,
    SERVING_KINDS,
    VLLM_PORT,
)
from akscli.model.metrics import Target
from akscli.model.revisions import revisions
from akscli.output import dig, object_ref


def condition(obj: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if isinstance(c, Mapping) and c.get("type") == name:
            return c
    return None


def state_of(obj: Mapping[str, Any]) -> str:
    kind = obj.get("kind")
    status = obj.get("status") or {}
    if kind == "ModelDeployment":
        # AI Runway's phases: Pending, Deploying, Running, Failed, Terminating.
        phase = str(status.get("phase") or "Pending")
        return "Ready" if phase == "Running" else phase
    if kind == "Workspace":
        conds = {c.get("type"): c for c in status.get("conditions") or []}
        for name in ("ResourceReady", "InferenceReady", "WorkspaceSucceeded"):
            c = conds.get(name)
            if c is None:
                return "Pending"
            if c.get("status") != "True":
                return str(c.get("reason") or f"{name}=False")
        return "Ready"
    if kind == "InferenceSet":
        c = condition(obj, "InferenceSetReady")
        if c and c.get("status") == "True":
            return "Ready"
        return str((c or {}).get("reason") or "Pending")
    if kind == "Deployment":
        want = (obj.get("spec") or {}).get("replicas", 1)
        ready = status.get("readyReplicas") or 0
        if want == 0:
            return "ScaledToZero"
        return "Ready" if ready >= want else "Progressing"
    return "Unknown"


def replicas_of(obj: Mapping[str, Any]) -> tuple[int, int]:
    kind = obj.get("kind")
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    if kind == "ModelDeployment":
        counts = status.get("replicas") or {}
        if _provider(obj) == "kaito":
            # One Workspace, one server: AI Runway's counts are its resource.count, all ready or none
            # (ai-runway/airunway v0.7.0 providers/kaito/status.go extractReplicas; airunway.kaito_count_note).
            return (1 if int(counts.get("ready") or 0) > 0 else 0), 1
        want = counts.get("desired", (spec.get("scaling") or {}).get("replicas", 1))
        return int(counts.get("ready") or 0), int(want or 0)
    if kind == "Workspace":
        # A Workspace whose only fault is KAITO's failed benchmark serves (warning_of).
        return (1 if state_of(obj) == "Ready" or benchmark_failed(obj) else 0), 1
    if kind == "InferenceSet":
        return int(status.get("readyReplicas") or 0), int(spec.get("replicas") or 0)
    return int(status.get("readyReplicas") or 0), int(spec.get("replicas") or 0)


def warning_of(obj: Mapping[str, Any]) -> str | None:
    """What `model status` warns of: a Workspace that serves although KAITO's benchmark failed, or
    whose nodes KAITO says are under kubelet pressure (the kubelet evicts pods under it)."""
    if obj.get("kind") != "Workspace":
        return None
    warnings = [f"{object_ref(obj)} {failed}"] if (failed := benchmark_failed(obj)) else []
    if pressure := kaito_faults.pressure_warning(obj):
        warnings.append(pressure)
    return "; ".join(warnings) or None


def retried_failure(kube: Kube, obj: Mapping[str, Any]) -> str | None:
    """What `model status` warns of for a dynamo ModelDeployment whose Failed phase is Dynamo's
    ``failed``, which Dynamo's operator retries and AI Runway follows (readiness/dynamo.py
    provider_retries): that it is retried, and what its DynamoGraphDeployment's Ready condition
    says (AI Runway's Ready message is empty, Dynamo writing no status.message). The same for the
    kuberay provider's Failed on a Serve app Ray retries and the vllm/llmd providers' Failed on a
    Deployment short of its progress deadline (readiness/kaito.py model_deployment, reason
    DeploymentFailed), with the RayService's or Deployment's own state."""
    if obj.get("kind") != "ModelDeployment":
        return None
    verdict = model_deployment(obj)
    if verdict.failed or verdict.reason != RETRIED_REASON:
        return None
    source = model_deployment_members(obj)
    members: list[dict[str, Any]] = []
    if source is not None:
        try:
            namespace = dig(obj, "metadata.namespace")
            members = list(kube.list(source[0], source[1], namespace=namespace, label_selector=source[2]))
        except AkscliError:
            members = []  # the graph cannot be read: the warning says what AI Runway says
    return f"{object_ref(obj)} {model_deployment_with_members(obj, members).message}"


def vm_size_of(obj: Mapping[str, Any]) -> str | None:
    kind = obj.get("kind")
    if kind == "ModelDeployment":
        size = dig(obj, "spec.provider.overrides.resource.instanceType")
        return _text(size or (dig(obj, "spec.nodeSelector") or {}).get("node.kubernetes.io/instance-type"))
    if kind == "Workspace":
        return _text(dig(obj, "resource.instanceType"))
    if kind == "InferenceSet":
        return _text(dig(obj, "spec.template.resource.instanceType"))
    sel = dig(obj, "spec.template.spec.nodeSelector") or {}
    return _text(sel.get("node.kubernetes.io/instance-type"))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def model_id_of(obj: Mapping[str, Any]) -> str | None:
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    if MODEL_ID_ANNOTATION in ann:
        return str(ann[MODEL_ID_ANNOTATION])
    return _text(dig(obj, "inference.preset.name") or dig(obj, "spec.template.inference.preset.name"))


def service_of(obj: Mapping[str, Any]) -> tuple[str, int]:
    """The Service (and port) the model answers on: AI Runway reports it in status.endpoint;
    KAITO's, akscli's vLLM and InferenceSet Services are named after the model, on port 80."""
    meta = obj.get("metadata") or {}
    endpoint = (obj.get("status") or {}).get("endpoint") or {}
    if obj.get("kind") == "ModelDeployment" and endpoint.get("service"):
        return str(endpoint["service"]), int(endpoint.get("port") or SERVICE_PORT)
    return str(meta.get("name")), SERVICE_PORT


def endpoint_of(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    service, port = service_of(obj)
    return f"http://{service}.{meta.get('namespace')}.svc.cluster.local:{port}"


def runtime_of(obj: Mapping[str, Any]) -> str:
    return {"Deployment": "vllm", "ModelDeployment": "airunway"}.get(str(obj.get("kind")), "kaito")


def gpus_of(obj: Mapping[str, Any]) -> int | None:
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    try:
        per_replica = int(ann[GPUS_ANNOTATION])
    except (KeyError, ValueError):
        return None
    spec = obj.get("spec") or {}
    # A model scaled to zero (`model deploy --replicas 0`: the InferenceSet's or Deployment's
    # spec.replicas, AI Runway's spec.scaling.replicas) holds no GPU; a count not read yet is one.
    stated = spec.get("replicas", (spec.get("scaling") or {}).get("replicas"))
    desired = replicas_of(obj)[1]
    return per_replica * (desired if stated == 0 else max(desired, 1))


def summary(obj: Mapping[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    ready, desired = replicas_of(obj)
    return {
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "model": model_id_of(obj),
        "runtime": runtime_of(obj),
        "kind": obj.get("kind"),
        "ready": ready,
        "desired": desired,
        "gpus": gpus_of(obj),
        "vm_size": vm_size_of(obj),
        "endpoint": endpoint_of(obj),
        "created": meta.get("creationTimestamp"),
        "state": state_of(obj),
    }


def fleet_members(crp: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each member cluster's copy, from the placement's per-cluster status."""
    rows = []
    for st in (crp.get("status") or {}).get("placementStatuses") or []:
        conds = {c.get("type"): c for c in st.get("conditions") or []}
        state = "Unknown"
        message = ""
        for name in ("Scheduled", "RolloutStarted", "Overridden", "WorkSynchronized", "Applied", "Available"):
            c = conds.get(name)
            if c is None:
                continue
            if c.get("status") != "True":
                state, message = f"{name}=False", str(c.get("message") or c.get("reason") or "")
                break
            state = name
        failed = st.get("failedPlacements") or []
        if failed:
            message = message or str(((failed[0].get("condition") or {}).get("message")) or "")
        rows.append(
            {
                "cluster": st.get("clusterName"),
                "state": state,
                "placement": (crp.get("metadata") or {}).get("name"),
                "message": message,
            }
        )
    return rows


def kind_available(kube: Kube, api_version: str, kind: str) -> bool:
    """Built-in kinds always are; a CRD kind only where its operator is installed."""
    return "/" not in api_version or api_version.startswith("apps/") or kube.has_api(api_version, kind)


def objects_to_wait_for(objects: Iterable[dict[str, Any]], *, fleet: bool) -> list[dict[str, Any]]:
    kinds = FLEET_READY_KINDS if fleet else READY_KINDS
    return [o for o in objects if o["kind"] in kinds]


def _is_inferenceset_member(obj: Mapping[str, Any]) -> bool:
    """A Workspace an InferenceSet made: shown through its set, not on its own."""
    meta = obj.get("metadata") or {}
    owners = meta.get("ownerReferences") or []
    return KAITO_SET_POD_LABEL in (meta.get("labels") or {}) or any(
        o.get("kind") in ("InferenceSet", "ModelDeployment") for o in owners
    )


def deployed_models(
    kube: Kube, *, namespace: str | None, all_namespaces: bool, label_selector: str | None = None
) -> list[dict[str, Any]]:
    """The summary row of every deployed model, by namespace and name; ``label_selector`` (-l)
    selects among the serving objects, the server applying it to each kind's list."""
    found = []
    members: dict[tuple[str, str], list[Mapping[str, Any]]] = {}  # an InferenceSet's Workspaces
    for api_version, kind in SERVING_KINDS:
        if not kind_available(kube, api_version, kind):
            continue
        selector = MODEL_LABEL if kind == "Deployment" else None
        selector = ",".join(s for s in (selector, label_selector) if s) or None
        for obj in kube.list(
            api_version, kind, namespace=namespace, all_namespaces=all_namespaces, label_selector=selector
        ):
            if kind == "Workspace" and _is_inferenceset_member(obj):
                members.setdefault(kaito_benchmark.set_key(obj), []).append(obj)
                continue
            row = summary(obj)
            if kind == "InferenceSet" and kaito_benchmark.set_warning(
                obj, members.get(kaito_benchmark.set_key(obj), [])
            ):
                row["ready"] = row["desired"]  # every replica serves, as `model status` says
            found.append(row)
    return sorted(found, key=lambda r: (r["namespace"], r["name"]))


def fleet_placements(kube: Kube, label_selector: str | None = None) -> list[dict[str, Any]]:
    """One row per member cluster of each model placed through the fleet (-l: of the
    placements whose labels it selects)."""
    rows = []
    selector = f"{MODEL_LABEL},{label_selector}" if label_selector else MODEL_LABEL
    for crp in kube.list(FLEET_API, "ClusterResourcePlacement", label_selector=selector):
        model = ((crp.get("metadata") or {}).get("labels") or {}).get(MODEL_LABEL)
        members = fleet_members(crp) or [{"cluster": "-", "state": "Pending", "message": "not scheduled yet"}]
        rows += [{"name": model, **m} for m in members]
    return rows


def placed_namespace(kube: Kube, name: str) -> str | None:
    """The namespace a fleet placement of the model ``name`` selects, or None when it has none.

    A --fleet-hub deploy puts the model in a namespace of its own and places that whole
    namespace (templates/model/fleet.yaml.j2), so a later command without -n looks there: by
    the placement's Namespace selector (upstream: kubefleet-dev/kubefleet e160c1cd
    apis/placement/v1/clusterresourceplacement_types.go ResourceSelectorTerm group/kind/name).
    A model of that name also recorded in the context's namespace makes the name ambiguous: refused.
    """
    if not kind_available(kube, FLEET_API, "ClusterResourcePlacement"):
        return None
    found = {
        ns
        for crp in kube.list(FLEET_API, "ClusterResourcePlacement", label_selector=f"{MODEL_LABEL}={name}")
        for ns in namespaces_placed(crp)
    }
    if len(found) > 1:
        raise UsageError(
            f"model {name} is placed in more than one namespace ({', '.join(sorted(found))})",
            hint="pick one with -n",
        )
    placed = found.pop() if found else None
    if placed and placed != kube.namespace and revisions(kube, name, kube.namespace):
        # `model deploy NAME` without --fleet-hub deploys to the context's namespace: a second model
        # of that name, which a command without -n must not pass over for the placed one.
        raise UsageError(
            f"model {name} is deployed in namespace {kube.namespace} and placed by a fleet in namespace {placed}",
            hint=f"pick one with -n {kube.namespace} or -n {placed}",
        )
    return placed


def find(kube: Kube, name: str, namespace: str) -> dict[str, Any]:
    """The object serving the deployed model ``name`` (Workspace, InferenceSet or Deployment)."""
    for api_version, kind in SERVING_KINDS:
        if not kind_available(kube, api_version, kind):
            continue
        obj = kube.get(api_version, kind, name, namespace=namespace)
        if obj is None or (
            kind == "Deployment" and MODEL_LABEL not in ((obj.get("metadata") or {}).get("labels") or {})
        ):
            continue
        obj.setdefault("apiVersion", api_version)
        obj.setdefault("kind", kind)
        return obj
    raise not_found(kube, name, namespace)


def not_found(kube: Kube, name: str, namespace: str) -> NotFoundError:
    """``model deployment NAME not found``, leading its hint with the deployed models in the
    namespace whose names are close to ``name`` (suggest.py, as ``model plan`` names the catalog's),
    read from one page of each serving kind's list (``suggest.NAMES_LOOKED_UP``); a list the user
    may not read, or one not answered, leaves the hint without a guess, not another error."""
    names: list[str] = []
    for api_version, kind in SERVING_KINDS:
        selector = MODEL_LABEL if kind == "Deployment" else None
        try:
            if kind_available(kube, api_version, kind):
                listed = kube.list(
                    api_version, kind, namespace=namespace, label_selector=selector, page_size=suggest.NAMES_LOOKED_UP
                )
                page = list(itertools.islice(listed, suggest.NAMES_LOOKED_UP))
                names += [str(o["metadata"]["name"]) for o in page if not _is_inferenceset_member(o)]
        except AkscliError:
            continue
    return NotFoundError(
        f"model deployment {name} not found in namespace {namespace}",
        hint=f"{suggest.did_you_mean(name, names)}list them with: akscli model list -n {namespace}",
    )


def conditions(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"type": c.get("type"), "status": c.get("status"), "reason": c.get("reason"), "message": said(c.get("message"))}
        for c in dig(obj, "status.conditions") or []
    ]


def said(message: Any) -> Any:
    """A condition's or an event's message as the report holds it, in every format: an operator's
    words may quote a ``password=``, an ``Authorization`` header or a token (akscli.redact.server_text)."""
    from akscli.redact import server_text

    return server_text(message) if isinstance(message, str) else message


def recent_events(kube: Kube, obj: Mapping[str, Any], limit: int = 10) -> list[dict[str, Any]]:
    """The last ``limit`` events about the object, oldest first."""
    from akscli.kube.events import object_events

    meta = obj["metadata"]
    events = [e for e in object_events(kube, meta.get("namespace"), str(meta["name"])) if _about_this_model(e, obj)]
    return [
        {
            "type": e.get("type"),
            "reason": e.get("reason"),
            "message": said(e.get("message")),
            "time": dig(e, "series.lastObservedTime") or e.get("lastTimestamp") or e.get("eventTime"),
            # How often and since when, as kubectl describe reads them: the series' count, else
            # count, 0 (a singleton of events.k8s.io) is 1; the first sighting is eventTime, else
            # firstTimestamp (upstream: kubernetes/kubectl dee3483a pkg/describe/describe.go
            # DescribeEvents).
            "count": int(dig(e, "series.count") or e.get("count") or 1),
            "first_time": e.get("eventTime") or e.get("firstTimestamp"),
            # As kubectl get events' OBJECT column: the kind lower-cased (upstream: kubernetes/kubernetes
            # pkg/printers/internalversion/printers.go printEvent, strings.ToLower(InvolvedObject.Kind)).
            "object": f"{str(dig(e, 'involvedObject.kind') or '').lower()}/{meta['name']}",
        }
        for e in events[-limit:]
    ]


# KAITO's two serving kinds take each other's place under the model's name (a deploy with
# --replicas/--autoscale deletes the Workspace, a rollback the InferenceSet): the events of the one
# replaced are about an object that is gone.
_REPLACED_KIND = {"Workspace": "InferenceSet", "InferenceSet": "Workspace"}


def _about_this_model(event: Mapping[str, Any], obj: Mapping[str, Any]) -> bool:
    """Whether an event named after the model is about what serves it now: not about an earlier
    object of its kind and name (another uid), nor about the KAITO kind it replaced. kubectl describe
    reads an object's events by name, namespace, kind and uid (upstream: kubernetes/kubectl dee3483a
    pkg/describe/describe.go searchEvents); the model's other objects (its Service, ScaledObject,
    route, KAITO's StatefulSet) keep theirs."""
    kind, uid, own = dig(event, "involvedObject.kind"), dig(event, "involvedObject.uid"), dig(obj, "metadata.uid")
    if kind == obj.get("kind"):
        return bool(not uid or not own or uid == own)
    return bool(kind != _REPLACED_KIND.get(str(obj.get("kind"))))


def status_report(kube: Kube, obj: Mapping[str, Any]) -> dict[str, Any]:
    """What `model status` shows: the summary row, the conditions, the recent events and, while
    replicas are missing, why the first troubled pod is not running (the Deployment's own events
    say nothing of a pod the scheduler cannot place)."""
    doc = {**summary(obj), "conditions": conditions(obj), "events": recent_events(kube, obj)}
    # KAITO's named causes (a node's device plugin, a classified pod failure; an InferenceSet's Workspaces' too).
    members = kaito_faults.set_members(kube, obj) if obj.get("kind") == "InferenceSet" else []
    kaito = "; ".join(w for w in (warning_of(obj), kaito_faults.warning(kube, obj, members)) if w)
    doc["pods"], doc["warning"] = None, kaito or retried_failure(kube, obj)
    if not doc["warning"]:  # a server container the kubelet keeps restarting, or an image it pulls again
        doc["warning"] = restarts.warning(kube, obj, pod_selector(obj), _provider(obj))
    doc["benchmark"] = kaito_benchmark.figure(obj)
    # A Workspace whose nodes are not Ready: its NodeClaim's state, one list (kaito_claims.status_line).
    doc["nodeclaim"] = kaito_claims.status_line(kube, obj) if kaito_claims.nodes_pending(obj) else None
    # The set's Workspaces as listed above (kaito_faults.set_members): one list serves both.
    set_warning = kaito_benchmark.set_serving(kube, obj, members if obj.get("kind") == "InferenceSet" else None)
    if set_warning:  # every replica serves; KAITO counts those whose benchmark failed not ready
        doc["ready"], doc["warning"] = (
            doc["desired"],
            f"{object_ref(obj)} {set_warning}",
        )
    selector = (obj.get("spec") or {}).get("selector")
    if doc["ready"] < doc["desired"] and isinstance(selector, Mapping):
        from akscli.kube import pod_hints, pod_problems

        found = pod_problems.first_problem(kube, (obj.get("metadata") or {}).get("namespace"), selector)
        doc["pods"] = str(found) if found else None
        fix = pod_hints.fix(found) if found else None
        if fix:
            doc["pods"] += f" ({fix})"  # what to do about the kubelet's problem (pod_hints)
        if found and found.kind == pod_problems.UNSCHEDULABLE:
            from akscli.kube import scale_up

            # What the cluster autoscaler does about it, from the pod's events (one request, only
            # for a pod the scheduler placed nowhere).
            said = scale_up.read_note(kube, found.namespace or kube.namespace, found.pod, found.source)
            if said:
                doc["pods"] += f"; {said.clause} ({said.fix})"
    return doc


def pod_selector(obj: Mapping[str, Any]) -> str:
    """The label selector of the server pods: KAITO labels them itself, vLLM ones carry ours."""
    name = obj["metadata"]["name"]
    if obj["kind"] == "ModelDeployment":
        # The label the provider's pods carry (kinds.AIRUNWAY_POD_LABELS); a provider akscli does
        # not know: the label AI Runway's gateway integration puts on the pods it routes to.
        return f"{AIRUNWAY_POD_LABELS.get(_provider(obj), AIRUNWAY_LABEL)}={name}"
    label = {"Workspace": KAITO_POD_LABEL, "InferenceSet": KAITO_SET_POD_LABEL}.get(str(obj["kind"]), MODEL_LABEL)
    return f"{label}={name}"


def _provider(obj: Mapping[str, Any]) -> str:
    """An AI Runway ModelDeployment's provider: the one asked for, else the one AI Runway chose."""
    if obj.get("kind") != "ModelDeployment":
        return ""
    return str(dig(obj, "spec.provider.name") or dig(obj, "status.provider.name") or "")


def server_pods(kube: Kube, obj: Mapping[str, Any]) -> list[str]:
    name, namespace = obj["metadata"]["name"], obj["metadata"]["namespace"]
    pods = sorted(
        p["metadata"]["name"] for p in kube.list("v1", "Pod", namespace=namespace, label_selector=pod_selector(obj))
    )
    if not pods:
        raise NotFoundError(f"{name} has no pods yet", hint=f"see why with: akscli model status {name} -n {namespace}")
    return pods


def no_vllm_metrics(obj: Mapping[str, Any]) -> NotInstalledError | None:
    """Why the model's pods serve no vLLM /metrics akscli can read; None when they do. AI Runway's
    kuberay provider runs vLLM inside a Ray Serve application (import path vllm_serve:deployment,
    ai-runway/airunway v0.7.0 providers/kuberay/transformer.go buildSpec): port 8000 is Ray Serve's
    HTTP proxy, routing /metrics to that application, and port 8080 is Ray's metrics agent, which
    exports Ray's metrics, not vLLM's (ray-project/kuberay ray-operator/controllers/ray/utils/
    constant.go, DefaultServingPort, DefaultMetricsPort)."""
    if _provider(obj) == "kuberay":
        name, namespace = obj["metadata"]["name"], obj["metadata"]["namespace"]
        return NotInstalledError(
            f"{name} runs on AI Runway's kuberay provider: vLLM runs inside a Ray Serve application, and its pods "
            "serve no vLLM /metrics (port 8000 is Ray Serve's proxy, port 8080 Ray's own metrics)",
            hint="see its Ray Serve figures in the Ray dashboard, or its state with: "
            f"akscli model status {name} -n {namespace}",
        )
    return None


def metric_targets(kube: Kube, obj: Mapping[str, Any]) -> list[Target]:
    """The running pods that serve requests (for KAITO each Workspace's leader, pod index 0),
    with the port their vLLM server's /metrics answers on; for Dynamo the worker pods' system
    port. NotInstalledError where the pods serve no vLLM /metrics (no_vllm_metrics)."""
    problem = no_vllm_metrics(obj)
    if problem is not None:
        raise problem
    meta = obj["metadata"]
    kaito = pod_selector(obj).startswith(("kaito.sh/", "inferenceset.kaito.sh/"))
    dynamo = _provider(obj) == "dynamo"
    selector = pod_selector(obj) + (f",{POD_INDEX_LABEL}=0" if kaito else "")
    model = str(meta["name"])
    targets = []
    for p in kube.list("v1", "Pod", namespace=meta["namespace"], label_selector=selector):
        if (p.get("status") or {}).get("phase") != "Running":
            continue
        port: int | None = KAITO_PORT if kaito else VLLM_PORT
        if dynamo:
            port = _container_port(p, DYNAMO_SYSTEM_PORT_NAME)  # None: the frontend, no vLLM in it
        if port is not None:
            targets.append(Target(model, str(meta["namespace"]), str(p["metadata"]["name"]), port))
    return targets


def _container_port(pod: Mapping[str, Any], name: str) -> int | None:
    for container in dig(pod, "spec.containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == name and port.get("containerPort"):
                return int(port["containerPort"])
    return None


def serving_figures(kube: Kube, obj: Mapping[str, Any]) -> str:
    """One line of vLLM figures for `model status`, from one scrape of each serving pod (token
    rates need two scrapes: `model top` shows them)."""
    from akscli.model import metrics

    problem = no_vllm_metrics(obj)
    if problem is not None:
        return f"metrics unavailable: {problem.message}"
    targets = metric_targets(kube, obj)
    if not targets:
        return "not serving yet: no running server pod"
    try:
        rows = []
        for t in targets:
            now = metrics.scrape(kube, t.namespace, t.pod, t.port)
            rows.append(metrics.figures(t.model, t.namespace, t.pod, metrics.Scrape(now.at, {}, {}), now))
    except AkscliError as exc:
        return f"metrics unavailable: {exc.message}"
    return metrics.one_line(rows)
