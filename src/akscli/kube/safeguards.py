"""Deployment Safeguards preflight: refuse, before anything is sent, the pod templates that AKS's
probes safeguard, or its Pod Security Standards privileged-container constraint
(``K8sAzureV2NoPrivilege``, ``NO_PRIVILEGE_KIND``), would refuse in their namespace, and warn where
it only warns.

AKS Deployment Safeguards (AKS Automatic: on at Enforce, "you can exclude namespaces, but you can't
switch the cluster-wide safeguard level to Warn": MicrosoftDocs/azure-aks-docs fb060abe
articles/aks/deployment-safeguards.md) are Azure Policy definitions that the Azure Policy add-on turns
into Gatekeeper constraints. The probes one (Azure/azure-policy f4a50bac built-in-policies/
policyDefinitions/Kubernetes/ContainerEnforceProbes.json: kinds ``[Pod]``, template
``container-enforce-probes/v2``, ``requiredProbes`` default ``[readinessProbe, livenessProbe]``) is
the constraint kind ``K8sAzureV2ContainerEnforceProbes`` (Azure/draft b180ebcd pkg/safeguards/lib/
manifests/v2.0.0/container-enforce-probes/template.yaml and constraint.yaml). Its rego checks every
Pod, whoever owns it: no exemption for a Job's or a DaemonSet's pods, no look at restartPolicy. So a
Job's server dry run passes, its pods are refused (FailedCreate) and a wait runs to its timeout.

- Which constraints: every object of that kind (Gatekeeper makes one cluster-scoped CRD per
  template, group constraints.gatekeeper.sh, served at v1beta1: open-policy-agent/frameworks 9a75fe2c
  constraint/pkg/client/crds/crds.go CreateCRD). The add-on puts the assignment's
  ``excludedNamespaces`` into ``spec.match.excludedNamespaces`` (Azure/azure-policy e7cee47e
  built-in-references/Kubernetes/container-probes-required/constraint.yaml).
- Which Pods: ``spec.match`` as Gatekeeper's validation target reads it (open-policy-agent/gatekeeper
  pkg/target/matcher.go Matcher.Match calls pkg/mutation/match/match.go Matches, 0a4c472a): every
  one of kindsMatch (an entry with no kinds or no apiGroups, or ``*``, matches), scopeMatch (a Pod
  is namespaced: ``Cluster`` never matches), namespacesMatch and excludedNamespacesMatch (each entry
  exact or a glob with ``*`` at its front or end: pkg/util/wildcard.go Wildcard.Matches),
  labelSelectorMatch (the Pod's labels: the template's, which akscli writes, and those its
  controllers add: pod-template-hash, controller-revision-hash, the StatefulSet pod's name and
  index, job-name, KubeRay's submitter labels; akscli.kube.pod_labels), namespaceSelectorMatch (the
  namespace's labels, those the PodSecurity preflight read) and namesMatch (a bare Pod's or a
  StatefulSet pod's name, or the name the API server generates: akscli.kube.pod_names). A selector
  is metav1's LabelSelectorAsSelector (akscli.kube.label_selector); the matcher is
  akscli.kube.gatekeeper_match, shared with ``policy check --context``. Where the answer depends on
  what akscli cannot know (a label value a controller computes, a generated name's random part, a
  namespace it could not read, constraints this user may not list while the webhook still judges the
  Pods with Gatekeeper's own rights), it is reported as not known: a warning that the safeguard may
  act, never a refusal, and never silence.
- Where the webhook is not called at all (``Exemptions``): Gatekeeper's own namespace, a namespace
  labelled ``admission.gatekeeper.sh/ignore``, and the namespaces Gatekeeper's Config excludes
  from the webhook process.
- What it does: ``spec.enforcementAction``, ``deny`` when unset (frameworks constraint/pkg/client/crds/
  schema.go), ``warn``, ``dryrun`` (audit only), or ``scoped``: the ``scopedEnforcementActions`` whose
  enforcementPoints name the webhook, ``validation.gatekeeper.sh``, or ``*`` (gatekeeper
  pkg/util/enforcement_action.go).
- The check (the template's rego): each of ``spec.containers`` (init containers are not checked), unless
  its name is in ``excludedContainers`` or its image matches ``excludedImages`` (exact, or a prefix
  before a trailing ``*``), must have each probe in ``enforceProbes`` with a ``tcpSocket``, ``httpGet``
  or ``exec`` (a grpc probe alone counts as missing).
- Which templates: those akscli writes itself (Pods, workloads, a RayJob's submitter, which KubeRay
  makes with no probes: ray-project/kuberay feeaf72f ray-operator/controllers/ray/common/job.go
  GetDefaultSubmitterContainer), and a RayCluster's head and workers as KubeRay makes them
  (``as_kuberay_makes``): KubeRay gives the Ray container (the first) each probe it lacks, but not
  the other containers: a sidecar of the template, the in-tree ``autoscaler`` and a SidecarMode
  submitter go without. Not KAITO's or AI Runway's pods (their operators write those specs).
- The way out a user has: exclude the namespace ("When you exclude a namespace, activity in that
  namespace is unaffected by Deployment Safeguards warnings or enforcement", and the exclusion covers
  Pod Security Standards too: deployment-safeguards.md "Excluding namespaces",
  ``az aks safeguards update ... --excluded-ns``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from akscli import errors
from akscli.kube import gatekeeper_match, namespaces, pod_labels
from akscli.kube.gatekeeper_match import Match, glob_matches
from akscli.output import object_ref

if TYPE_CHECKING:
    from akscli.kube.client import Kube

API_VERSION = "constraints.gatekeeper.sh/v1beta1"
PROBES_KIND = "K8sAzureV2ContainerEnforceProbes"
# Pod Security Standards baseline "privileged" as the safeguards assign it (Azure/azure-policy f4a50bac
# built-in-policies/policyDefinitions/Kubernetes/ContainerNoPrivilege.json: template container-no-privilege/v2,
# kinds [Pod]; samples/KubernetesService/container-no-privilege/template.yaml: kind K8sAzureV2NoPrivilege)
NO_PRIVILEGE_KIND = "K8sAzureV2NoPrivilege"
KINDS = (PROBES_KIND, NO_PRIVILEGE_KIND)
DEFAULT_PROBES = ("readinessProbe", "livenessProbe")  # ContainerEnforceProbes.json requiredProbes
PROBE_TYPES = ("tcpSocket", "httpGet", "exec")  # the template's probe_type_set
WEBHOOK = "validation.gatekeeper.sh"
GATEKEEPER_NAMESPACE = "gatekeeper-system"
IGNORE_LABEL = "admission.gatekeeper.sh/ignore"
CONFIG_API_VERSION = "config.gatekeeper.sh/v1alpha1"
# The pods akscli's own templates make: not those operators make from akscli's custom resources.
_OPERATOR_GROUPS = ("kaito.sh", "airunway.ai")


@dataclass(frozen=True)
class Constraint:
    name: str
    action: str  # deny | warn | dryrun
    probes: tuple[str, ...]
    excluded_containers: tuple[str, ...]
    excluded_images: tuple[str, ...]
    namespaces: tuple[str, ...]
    excluded_namespaces: tuple[str, ...]
    scope: str = ""
    label_selector: Mapping[str, Any] | None = None
    namespace_selector: Mapping[str, Any] | None = None
    pod_name: str = ""  # spec.match.name
    kind: str = PROBES_KIND

    def covers(
        self,
        namespace: str,
        pod: pod_labels.PodGuess | None = None,
        namespace_labels: Mapping[str, str | None] | None = None,
    ) -> Match:
        """match.go Matches for ``pod`` (None: any Pod) in ``namespace`` with ``namespace_labels``
        (None: not read). A part that depends on what akscli cannot know before the Pod exists (a
        label value a controller computes, a generated name, a namespace it may not read) is
        reported, not assumed."""
        return gatekeeper_match.matches(self.match(pod is not None), pod_subject(namespace, pod, namespace_labels))

    def covers_all(self, pods: gatekeeper_match.Batch) -> list[Match]:
        """``covers`` for each of ``pods`` (``pod_batch``), the Pods of one template judged once
        where the match reads nothing that sets them apart (gatekeeper_match.Batch)."""
        return pods.matches(self.match(True))

    def match(self, named: bool) -> dict[str, Any]:
        """This constraint's ``spec.match`` (``named`` False: without its name, for any Pod)."""
        return {
            "scope": self.scope,
            "namespaces": list(self.namespaces),
            "excludedNamespaces": list(self.excluded_namespaces),
            "labelSelector": self.label_selector,
            "namespaceSelector": self.namespace_selector,
            "name": self.pod_name if named else "",  # any Pod: its name is not asked
        }

    def violation(self, spec: Mapping[str, Any]) -> str | None:
        """The first violation the kind's rego finds in the Pod ``spec``, in its words, else None."""
        if self.kind == NO_PRIVILEGE_KIND:
            return self._privileged(spec)
        gap = self.missing(spec)
        return None if gap is None else (f"Container <{gap[0]}> in your Pod has no <{gap[1]}>. " + self._required)

    @property
    def _required(self) -> str:
        return f"Required probes: {', '.join(self.probes)}"

    def _privileged(self, spec: Mapping[str, Any]) -> str | None:
        """samples/KubernetesService/container-no-privilege/template.yaml: not a Pod whose
        ``nodeSelector["kubernetes.io/os"]`` is windows; each of containers, initContainers and
        ephemeralContainers not excluded by name or image whose ``securityContext.privileged`` is set
        (rego: defined and not false) is ``Privileged container is not allowed: %v, securityContext: %v``
        (the object as OPA prints it: topdown/strings.go builtinSprintf, its String())."""
        if (spec.get("nodeSelector") or {}).get("kubernetes.io/os") == "windows":
            return None
        for field in ("containers", "initContainers", "ephemeralContainers"):
            for container in spec.get(field) or []:
                if not isinstance(container, Mapping) or self._excluded(container):
                    continue
                context = container.get("securityContext")
                if isinstance(context, Mapping) and context.get("privileged") not in (None, False):
                    said = json.dumps(context, sort_keys=True, separators=(", ", ": "))
                    return f"Privileged container is not allowed: {container.get('name')}, securityContext: {said}"
        return None

    def _excluded(self, container: Mapping[str, Any]) -> bool:
        image = str(container.get("image") or "")
        return str(container.get("name") or "") in self.excluded_containers or any(
            _image_excluded(image, e) for e in self.excluded_images
        )

    def missing(self, spec: Mapping[str, Any]) -> tuple[str, str] | None:
        """The first (container, probe) the template's rego would find missing, else None."""
        for container in spec.get("containers") or []:
            if not isinstance(container, Mapping):
                continue
            name = str(container.get("name") or "")
            if self._excluded(container):
                continue
            for probe in self.probes:
                found = container.get(probe)
                if not isinstance(found, Mapping) or not any(found.get(t) for t in PROBE_TYPES):
                    return name, probe
        return None


def pod_subject(
    namespace: str, pod: pod_labels.PodGuess | None, namespace_labels: Mapping[str, str | None] | None
) -> gatekeeper_match.Subject:
    """What Matches reads of ``pod`` (None: any Pod, its labels not known) in ``namespace``."""
    return gatekeeper_match.Subject(
        "",
        "Pod",
        namespace,
        None if pod is None else pod.labels,
        name="" if pod is None else pod.name,
        generate_name="" if pod is None else pod.generate_name,
        generate_exact=True if pod is None else pod.generate_exact,
        namespace_labels=namespace_labels,
    )


def pod_batch(
    namespace: str, pods: Sequence[pod_labels.PodGuess], namespace_labels: Mapping[str, str | None] | None
) -> gatekeeper_match.Batch:
    """The Pods one template makes (akscli.kube.pod_labels), to be judged together."""
    return gatekeeper_match.Batch([pod_subject(namespace, p, namespace_labels) for p in pods])


# The probes safeguard as AKS assigns it (its message: "Required probes: readinessProbe, livenessProbe").
_AKS_DEFAULT = Constraint("", "deny", DEFAULT_PROBES, (), (), (), ())
# ContainerNoPrivilege.json's defaults: no excludedContainers, no excludedImages
_AKS_NO_PRIVILEGE = Constraint("", "deny", (), (), (), (), (), kind=NO_PRIVILEGE_KIND)


def _image_excluded(image: str, exclusion: str) -> bool:
    """The template's lib.exclude_container_image _matches_exclusion."""
    if exclusion.endswith("*"):
        return image.startswith(exclusion[:-1])
    return image == exclusion


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def webhook_action(spec: Mapping[str, Any]) -> str:
    action = str(spec.get("enforcementAction") or "deny").lower()
    if action != "scoped":
        return action
    found = "dryrun"
    for scoped in spec.get("scopedEnforcementActions") or []:
        points = {str((p or {}).get("name")) for p in (scoped or {}).get("enforcementPoints") or []}
        if points & {WEBHOOK, "*"}:
            act = str((scoped or {}).get("action") or "").lower()
            found = act if act == "deny" or (act == "warn" and found != "deny") else found
    return found


def constraint(obj: Mapping[str, Any]) -> Constraint:
    spec = obj.get("spec") or {}
    match = spec.get("match") or {}
    params = spec.get("parameters") or {}
    return Constraint(
        name=str((obj.get("metadata") or {}).get("name") or ""),
        action=webhook_action(spec),
        probes=_strs(params.get("enforceProbes")) if "enforceProbes" in params else DEFAULT_PROBES,
        excluded_containers=_strs(params.get("excludedContainers")),
        excluded_images=_strs(params.get("excludedImages")),
        namespaces=_strs(match.get("namespaces")),
        excluded_namespaces=_strs(match.get("excludedNamespaces")),
        scope=str(match.get("scope") or ""),
        label_selector=_selector(match.get("labelSelector")),
        namespace_selector=_selector(match.get("namespaceSelector")),
        pod_name=str(match.get("name") or ""),
        kind=str(obj.get("kind") or PROBES_KIND),
    )


def _selector(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _matches_pods(obj: Mapping[str, Any]) -> bool:
    """match.go kindsMatch for a core Pod: no kinds match everything; an entry with no kinds (or no
    apiGroups) matches every kind (group), as does ``*``."""
    kinds = ((obj.get("spec") or {}).get("match") or {}).get("kinds")
    if not kinds:
        return True
    for entry in kinds:
        groups = (entry or {}).get("apiGroups") or []
        names = (entry or {}).get("kinds") or []
        if (not groups or "" in groups or "*" in groups) and (not names or "Pod" in names or "*" in names):
            return True
    return False


def constraints(
    kube: Kube, kinds: Sequence[str] = (PROBES_KIND,), forbidden: list[str] | None = None
) -> list[Constraint]:
    """The constraints of ``kinds`` the webhook enforces (deny or warn); none of a kind where
    Gatekeeper or that safeguard is absent, or where this user may not read them (the webhook still
    judges the Pods: those kinds are added to ``forbidden``). One list per kind."""
    found: list[Mapping[str, Any]] = []
    for kind in kinds:
        try:
            found.extend(kube.list(API_VERSION, kind, page_size=50))
        except errors.AuthError:
            if forbidden is not None:
                forbidden.append(kind)
        except (errors.NotInstalledError, errors.NotFoundError):
            continue
    made = [constraint(obj) for obj in found if _matches_pods(obj)]
    return [c for c in made if c.action in ("deny", "warn")]


def exclusion_hint(namespace: str) -> str:
    return (
        f"exclude namespace {namespace} from Deployment Safeguards (and Pod Security): az aks safeguards update "
        f"--resource-group <group> --name <cluster> --level Enforce --excluded-ns {namespace} "
        "<the namespaces excluded now>"
    )


def in_scope(obj: Mapping[str, Any], where: str) -> bool:
    """The pod templates akscli writes itself, and KubeRay's pods (see the module's docstring)."""
    group = str(obj.get("apiVersion", "")).split("/")[0] if "/" in str(obj.get("apiVersion", "")) else ""
    return group not in _OPERATOR_GROUPS


# What KubeRay's BuildPod gives the Ray container where it has no probe (initLivenessAndReadinessProbe:
# an exec or an httpGet action, either of which the template's probe_type_set counts).
_KUBERAY_PROBE = {"exec": {"command": ["bash", "-c", "wget ..."]}}


def as_kuberay_makes(obj: Mapping[str, Any], where: str, spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """A RayCluster head's or worker's pod spec (podsecurity.pod_specs: the template's containers,
    then a SidecarMode submitter and the in-tree ``autoscaler``) as the probes rule sees it
    (ray-project/kuberay feeaf72f ray-operator/controllers/ray/common/pod.go): BuildPod, with
    ENABLE_PROBES_INJECTION not "false" (getEnableProbesInjection: the default), sets each of the
    Ray container's (utils.RayContainerIndex 0) livenessProbe and readinessProbe that is nil
    (initLivenessAndReadinessProbe); the autoscaler (BuildAutoscalerContainer) and the submitter
    (job.go GetDefaultSubmitterContainer) run the head container's image unless
    autoscalerOptions.image says otherwise (mergeAutoscalerOverrides), and neither has a probe.
    Any other ``where`` is returned as it is."""
    if where != "head group" and not where.startswith("worker group "):
        return spec
    containers = [dict(c) for c in spec.get("containers") or [] if isinstance(c, Mapping)]
    if not containers:
        return spec
    ray = containers[0]
    for probe in DEFAULT_PROBES:
        if ray.get(probe) is None:
            ray[probe] = _KUBERAY_PROBE
    image = ray.get("image")
    options = pod_labels.ray_cluster_spec(obj).get("autoscalerOptions") or {}
    for sidecar in containers[1:]:
        if sidecar.get("name") == "autoscaler" and "image" not in sidecar:
            sidecar["image"] = options.get("image") or image
        elif sidecar.get("name") == "ray-job-submitter" and "image" not in sidecar:
            sidecar["image"] = image
    return {**spec, "containers": containers}


def pod_template(obj: Mapping[str, Any], where: str) -> Mapping[str, Any] | None:
    """The pod template (or Pod) whose metadata the Pods get; None where akscli does not write it
    (KubeRay's default submitter)."""
    spec = obj.get("spec") or {}
    if where == "submitter":
        found = spec.get("submitterPodTemplate")
    elif where == "head group" or where.startswith("worker group "):
        found = pod_labels.ray_group(obj, where).get("template")
    elif obj.get("kind") == "Pod":
        found = obj
    elif obj.get("kind") == "PodTemplate":
        found = obj.get("template")
    elif obj.get("kind") == "CronJob":
        found = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
    else:
        found = spec.get("template")
    return found if isinstance(found, Mapping) else None


def check(
    kube: Kube,
    templates: Sequence[tuple[Mapping[str, Any], str, str, Mapping[str, Any]]],
    namespace_labels: Mapping[str, Mapping[str, str] | None] | None = None,
) -> list[str]:
    """Refuse (CheckFailedError) the first template a deny constraint matching its Pods would
    refuse; the warnings of warn constraints (dryrun: nothing). ``templates``: (object, where,
    namespace, pod spec); ``namespace_labels``: the labels of the namespaces read (for a
    namespaceSelector). The Pods are matched with the labels their controllers add
    (akscli.kube.pod_labels). Lists a kind's constraints (one list each) only when a template
    breaks its rule under the definition's default parameters (lacks a probe; has a privileged
    container), and Gatekeeper's Config (one GET) only when a constraint would act."""
    todo = [
        (obj, where, ns, as_kuberay_makes(obj, where, spec))
        for obj, where, ns, spec in templates
        if in_scope(obj, where)
    ]
    kinds = [d.kind for d in (_AKS_DEFAULT, _AKS_NO_PRIVILEGE) if any(d.violation(t[3]) for t in todo)]
    if not kinds:
        return []  # what AKS assigns (the definitions' default parameters) finds nothing: no read
    forbidden: list[str] = []
    found = constraints(kube, kinds, forbidden)
    exempt = Exemptions(kube)
    warnings: list[str] = []
    for obj, where, namespace, spec in todo:
        guesses = pod_labels.pods(obj, where, pod_template(obj, where))
        ns_labels = (namespace_labels or {}).get(namespace)
        batch = pod_batch(namespace, guesses, ns_labels)
        ref = f"{object_ref(obj)} ({where})" if where else object_ref(obj)
        maybe = _unread(ref, namespace, spec, forbidden)
        maybe = "" if maybe and exempt.skips(namespace, ns_labels) else maybe  # Config: read only then
        for c in sorted(found, key=lambda c: c.action != "deny"):
            gap = c.violation(spec)
            matches = c.covers_all(batch) if gap else []
            if not gap or not any(m.matched is not False for m in matches) or exempt.skips(namespace, ns_labels):
                continue
            said = f"{gap} (constraint {c.name})"
            if not any(m.matched for m in matches):
                unknown = next(m.unknown for m in matches if m.matched is None)
                verb = "may refuse its pods" if c.action == "deny" else "may warn"
                maybe = maybe or (
                    f"{ref} in namespace {namespace}: Deployment Safeguards {verb}: {said}; "
                    f"whether the constraint selects them depends on {unknown}"
                )
                continue
            if c.action == "deny":
                raise errors.CheckFailedError(
                    f"{ref}: Deployment Safeguards would refuse its pods in namespace {namespace}: {said}",
                    hint=exclusion_hint(namespace),
                )
            warnings.append(f"{ref} in namespace {namespace}: Deployment Safeguards warn: {said}")
            break
        if maybe:
            warnings.append(maybe)
    return warnings


def _unread(ref: str, namespace: str, spec: Mapping[str, Any], forbidden: Sequence[str]) -> str:
    """A template AKS's default constraint of a kind this user may not list would judge: what the
    webhook may refuse, said as not known (the webhook judges the Pods whoever sends them), not
    passed in silence."""
    for default in (_AKS_DEFAULT, _AKS_NO_PRIVILEGE):
        gap = default.violation(spec) if default.kind in forbidden else None
        if gap:
            return (
                f"{ref} in namespace {namespace}: Deployment Safeguards may refuse its pods: {gap}; "
                f"whether a {default.kind} constraint covers them depends on the constraints, "
                "which this user may not list (forbidden)"
            )
    return ""


class Exemptions:
    """Where Gatekeeper's validating webhook judges nothing, read at most once:
    - the chart's webhook configuration (open-policy-agent/gatekeeper dd8507eb charts/gatekeeper/
      templates/gatekeeper-validating-webhook-configuration-validatingwebhookconfiguration.yaml)
      leaves out namespaces labelled ``admission.gatekeeper.sh/ignore`` (which only the namespaces
      of ``--exempt-namespace`` and its prefix and suffix flags may carry: pkg/webhook/
      namespacelabel.go) and Gatekeeper's own (pkg/util/pod_info.go GetNamespace: gatekeeper-system);
    - the Config ``config`` in that namespace (pkg/keys/config.go; apis/config/v1alpha1/
      config_types.go MatchEntry): each ``spec.match`` entry's excludedNamespaces (wildcards) for
      its processes, ``webhook`` or ``*`` (every process: pkg/controller/config/process/excluder.go
      Excluder.Add); pkg/webhook/policy.go Handle allows a request whose namespace
      skipExcludedNamespace finds there.
    A Config this user may not read, or none, exempts nothing."""

    def __init__(self, kube: Kube) -> None:
        self._kube = kube
        self._config: tuple[str, ...] | None = None

    def skips(self, namespace: str, labels: Mapping[str, str | None] | None) -> bool:
        if namespace == GATEKEEPER_NAMESPACE or IGNORE_LABEL in (labels or {}):
            return True
        return any(glob_matches(n, namespace) for n in self.config_excluded())

    def config_excluded(self) -> tuple[str, ...]:
        if self._config is None:
            try:
                config = self._kube.get(CONFIG_API_VERSION, "Config", "config", GATEKEEPER_NAMESPACE) or {}
            except (errors.NotInstalledError, errors.AuthError, errors.NotFoundError):
                config = {}
            excluded: list[str] = []
            for entry in (config.get("spec") or {}).get("match") or []:
                if isinstance(entry, Mapping) and {"webhook", "*"} & set(_strs(entry.get("processes"))):
                    excluded.extend(_strs(entry.get("excludedNamespaces")))
            self._config = tuple(excluded)
        return self._config


def namespace_action(
    kube: Kube, namespace: str, pods: Sequence[pod_labels.PodGuess] = ()
) -> tuple[Constraint, bool] | None:
    """The strongest probes constraint (deny before warn, then one sure to cover before one that
    may) covering one of ``pods`` (none given: any Pod) in ``namespace``, with its labels as read,
    and whether it surely covers them; None where none may or Gatekeeper's webhook skips the
    namespace (``Exemptions``)."""
    try:
        ns = namespaces.read(kube, namespace)
        ns_labels: Mapping[str, str | None] | None = ((ns or {}).get("metadata") or {}).get("labels") or {}
    except errors.AuthError:
        ns_labels = None  # not read: a namespaceSelector's answer is not known
    batch = pod_batch(namespace, pods, ns_labels) if pods else None
    covering: list[tuple[Constraint, bool]] = []
    for c in constraints(kube):
        found = [m.matched for m in c.covers_all(batch)] if batch else [c.covers(namespace, None, ns_labels).matched]
        if any(m is not False for m in found):
            covering.append((c, any(found)))
    if not covering or Exemptions(kube).skips(namespace, ns_labels):
        return None
    covering.sort(key=lambda found: (found[0].action != "deny", not found[1]))
    return covering[0]
