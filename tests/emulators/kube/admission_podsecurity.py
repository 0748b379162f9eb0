"""The PodSecurity admission plugin (kube-apiserver's default set; AKS runs it with no exempt
namespaces configured), for the namespace labels and the checks akscli's objects can meet.

upstream: kubernetes/pod-security-admission 8f84a87c (mirror HEAD):
- api/helpers.go PolicyToEvaluate: ``pod-security.kubernetes.io/enforce`` (and ``-version``),
  ``warn``, ``audit``; an unset warn level takes the enforce level (and version) when that is
  stricter. LevelVersion.String is ``level:version`` (``restricted:latest``).
- admission/admission.go ValidatePod: a Pod create is evaluated against the enforce level and
  refused with forbiddenResponse: NewForbidden(pods, the request's name, "violates PodSecurity
  %q: %s"); ValidatePodController: a workload's pod template is evaluated against the warn level
  only, as a ``would violate PodSecurity %q: %s`` warning (kubernetes/kubernetes plugin/pkg/
  admission/security/podsecurity/admission.go Validate adds the warnings and keeps the message).
- policy/checks.go ForbiddenDetail: ``reason (detail), reason (detail)``; policy/registry.go:
  baseline check IDs sorted, then restricted IDs sorted; under restricted, capabilities_restricted
  overrides capabilities_baseline, restrictedVolumes overrides hostPathVolumes.
- policy/check_*.go: privileged, hostNamespaces, hostPathVolumes, hostPorts, capabilities_baseline
  (baseline); allowPrivilegeEscalation, capabilities_restricted, restrictedVolumes, runAsNonRoot,
  seccompProfile_restricted (restricted), with helpers.go joinQuote and pluralize and
  visitContainers' order (init containers, then containers).
- policy/registry.go: each check at the newest of its versions no newer than the level's
  version (``latest``: the newest); a restricted check overrides its baseline check only from its
  own first version (capabilities_restricted v1.22, restrictedVolumes v1.0). MinimumVersion of
  each: allowPrivilegeEscalation v1.8 (v1.25: a Windows pod passes), capabilities_restricted
  v1.22 (v1.25: Windows passes), seccompProfile_restricted v1.19 (v1.25: Windows passes),
  runAsNonRoot v1.0 (v1.35: a pod with ``hostUsers: false`` passes, helpers.go
  relaxPolicyForUserNamespacePod), the rest v1.0. api/helpers.go versionRegexp: a version other
  than ``latest`` or ``v1.N`` is ``latest``.
- admission/admission.go exemptions (the AdmissionConfiguration's ``exemptions``: usernames,
  namespaces, runtimeClasses; ``KubeEmulator.api.pod_security_exemptions``): an exempt namespace
  or user skips ValidatePod and ValidatePodController; an exempt runtimeClassName skips
  EvaluatePod. A Pod create passing enforce gets the warn level's warning (EvaluatePod).
- Pod updates (ValidatePod, isSignificantPodUpdate): only a change in the number of containers or
  init containers, a container's or init container's image, or an ephemeral container added or
  its image changed is evaluated again; any other update is allowed.
- Namespace updates (ValidateNamespace, EvaluatePodsInNamespace, decoratePodWarnings,
  prioritizePods): a changed enforce level (not to privileged, not a relaxation at the same
  version, not an exempt namespace) evaluates the namespace's pods, at most 3000
  (defaultNamespaceMaxPodsToCheck; one per controller first), and warns
  ``existing pods in namespace "ns" violate the new PodSecurity enforce level "restricted:latest"``
  then ``pod (and N other pods): reason, reason`` per distinct ForbiddenReason, sorted. An exempt
  namespace labelled with a policy warns that it is ignored (exemptNamespaceWarning).
- Invalid labels (ValidateNamespace, api/helpers.go PolicyToEvaluate, ParseLevel, ParseVersion,
  appendErr; admission/response.go invalidResponse): a Namespace create with an invalid
  PodSecurity label, or an update whose label errors differ from the old object's (an old
  namespace already invalid may keep them), is refused with 422 ``Namespace "team" is invalid:
  metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of
  privileged, baseline, restricted``. Pods in a namespace whose labels are invalid: an invalid
  enforce level is restricted, an invalid warn level privileged, an invalid version latest.
Not modelled: the checks no akscli object meets (appArmorProfile, hostProbesAndhostLifecycle,
procMount, seLinuxOptions, seccompProfile_baseline, sysctls, windowsHostProcess, runAsUser), the
user-namespace relaxations of the baseline checks, audit annotations, and the namespace pod
check's timeout (1 s upstream). The checks themselves: podsecurity_checks.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.emulators.kube.podsecurity_checks import VERSION_PATTERN, evaluate, results
from tests.emulators.kube.status import ApiError, invalid

PREFIX = "pod-security.kubernetes.io/"
LEVELS = ("privileged", "baseline", "restricted")
# pod templates of the kinds PodSpecExtractor knows (group, kind) -> path to the template
TEMPLATES: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "ReplicationController"): ("spec", "template"),
    ("", "PodTemplate"): ("template",),
    ("apps", "ReplicaSet"): ("spec", "template"),
    ("apps", "Deployment"): ("spec", "template"),
    ("apps", "StatefulSet"): ("spec", "template"),
    ("apps", "DaemonSet"): ("spec", "template"),
    ("batch", "Job"): ("spec", "template"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"),
}


def _level(labels: dict[str, str], mode: str) -> tuple[str, str] | None:
    level = labels.get(PREFIX + mode)
    if level not in LEVELS:
        return None
    version = labels.get(PREFIX + mode + "-version", "latest")
    return level, version if VERSION_PATTERN.match(version) else "latest"


def _version(labels: dict[str, str], mode: str) -> str:
    version = labels.get(f"{PREFIX}{mode}-version", "latest")
    return version if VERSION_PATTERN.match(version) else "latest"  # ParseVersion: an error is latest


def policy(labels: dict[str, str]) -> tuple[tuple[str, str], tuple[str, str]]:
    """(enforce, warn) as PolicyToEvaluate makes them (the defaults are privileged:latest). An
    invalid enforce level is restricted (ParseLevel fails closed) and does not default warn; an
    invalid warn level is privileged (fails open)."""
    enforce_label = labels.get(PREFIX + "enforce")
    enforce_level = (
        "privileged" if enforce_label is None else enforce_label if enforce_label in LEVELS else "restricted"
    )
    enforce = (enforce_level, _version(labels, "enforce"))
    warn_label = labels.get(PREFIX + "warn")
    warn = ("privileged" if warn_label not in LEVELS else str(warn_label), _version(labels, "warn"))
    if warn_label is None and enforce_label in LEVELS and LEVELS.index(enforce[0]) > LEVELS.index(warn[0]):
        warn = (enforce[0], warn[1] if PREFIX + "warn-version" in labels else enforce[1])
    return enforce, warn


LEVEL_ERROR = "must be one of privileged, baseline, restricted"  # api/helpers.go ParseLevel
VERSION_ERROR = 'must be "latest" or "v1.x"'  # api/helpers.go ParseVersion


def label_errors(labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """PolicyToEvaluate's field.ErrorList for the PodSecurity labels, in its order (enforce,
    enforce-version, audit, audit-version, warn, warn-version), as (reason, field, message) causes:
    field.Invalid(metadata.labels[LABEL], value, ParseLevel's or ParseVersion's error)."""
    errs: list[tuple[str, str, str]] = []
    for mode in ("enforce", "audit", "warn"):
        for label, ok, detail in (
            (PREFIX + mode, lambda v: v in LEVELS, LEVEL_ERROR),
            (f"{PREFIX}{mode}-version", lambda v: v == "latest" or bool(VERSION_PATTERN.match(v)), VERSION_ERROR),
        ):
            value = labels.get(label)
            if value is not None and not ok(value):
                quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
                errs.append(("FieldValueInvalid", f"metadata.labels[{label}]", f"Invalid value: {quoted}: {detail}"))
    return errs


@dataclass(frozen=True)
class Exemptions:
    """PodSecurityConfiguration ``exemptions`` (AKS configures none)."""

    usernames: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    runtime_classes: tuple[str, ...] = ()

    def runtime_class(self, spec: dict[str, Any]) -> bool:
        name = spec.get("runtimeClassName")
        return bool(name) and name in self.runtime_classes


NO_EXEMPTIONS = Exemptions()


def validate_pod(
    pod: dict[str, Any], labels: dict[str, str], name: str, exemptions: Exemptions = NO_EXEMPTIONS
) -> str | None:
    """ValidatePod's EvaluatePod: raises the plugin's 403 where the enforce level refuses the Pod;
    else the warn level's warning, if any."""
    spec = pod.get("spec") or {}
    if exemptions.runtime_class(spec):
        return None
    (level, version), (warn_level, warn_version) = policy(labels)
    detail = evaluate(level, spec, version)
    if detail is not None:
        subject = f'pods "{name}"' if name else "pods"
        raise ApiError(
            403,
            f'{subject} is forbidden: violates PodSecurity "{level}:{version}": {detail}',
            "Forbidden",
            {"name": name, "kind": "pods"} if name else {"kind": "pods"},
        )
    detail = evaluate(warn_level, spec, warn_version)
    return f'would violate PodSecurity "{warn_level}:{warn_version}": {detail}' if detail else None


def controller_warning(
    group: str, kind: str, obj: dict[str, Any], labels: dict[str, str], exemptions: Exemptions = NO_EXEMPTIONS
) -> str | None:
    """ValidatePodController: the warning a workload's pod template gets at the warn level."""
    path = TEMPLATES.get((group, kind))
    if path is None:
        return None
    _, (level, version) = policy(labels)
    template: Any = obj
    for key in path:
        template = template.get(key) if isinstance(template, dict) else None
    if not isinstance(template, dict):
        return None
    spec = template.get("spec") or {}
    if exemptions.runtime_class(spec):
        return None
    detail = evaluate(level, spec, version)
    return f'would violate PodSecurity "{level}:{version}": {detail}' if detail else None


def significant_update(pod: dict[str, Any], old: dict[str, Any]) -> bool:
    """isSignificantPodUpdate: whether a Pod update is evaluated again."""
    spec, was = pod.get("spec") or {}, old.get("spec") or {}
    for key in ("containers", "initContainers"):
        new_cs, old_cs = spec.get(key) or [], was.get(key) or []
        if len(new_cs) != len(old_cs) or any(
            c.get("image") != o.get("image") for c, o in zip(new_cs, old_cs, strict=True)
        ):
            return True
    before = {c.get("name"): c.get("image") for c in was.get("ephemeralContainers") or []}
    return any(
        c.get("name") not in before or before[c.get("name")] != c.get("image")
        for c in spec.get("ephemeralContainers") or []
    )


def validate(
    group: str,
    kind: str,
    obj: dict[str, Any],
    create: bool,
    labels: dict[str, str],
    name: str,
    *,
    old: dict[str, Any] | None = None,
    user: str = "",
    namespace: str = "",
    exemptions: Exemptions = NO_EXEMPTIONS,
) -> list[str]:
    """The plugin's Validate for a Pod create or update (raises its 403; the warn level's warning)
    or a workload write (its warnings)."""
    if namespace in exemptions.namespaces or user in exemptions.usernames:
        return []
    if (group, kind) == ("", "Pod"):
        if not create and (old is None or not significant_update(obj, old)):
            return []
        warning = validate_pod(obj, labels, name, exemptions)
        return [warning] if warning else []
    warning = controller_warning(group, kind, obj, labels, exemptions)
    return [warning] if warning else []


MAX_PODS_TO_CHECK = 3000  # admission/admission.go defaultNamespaceMaxPodsToCheck


def validate_namespace(
    name: str,
    labels: dict[str, str],
    old_labels: dict[str, str] | None,
    pods: Callable[[], list[dict[str, Any]]],
    exemptions: Exemptions = NO_EXEMPTIONS,
) -> list[str]:
    """ValidateNamespace's warnings for a Namespace create (``old_labels`` None) or update; its
    invalidResponse (admission/response.go: apierrors.NewInvalid, a 422 the in-tree plugin returns
    as it is) for invalid PodSecurity labels on a create, or on an update that changes them."""
    (enforce, enforce_version), _ = policy(labels)
    exempt = name in exemptions.namespaces
    errs = label_errors(labels)
    if errs and (old_labels is None or errs != label_errors(old_labels)):
        raise invalid("Namespace", name, "", "Namespace", errs)
    if old_labels is None:
        ignored = _exempt_warning(name, labels) if exempt else None
        return [ignored] if ignored else []
    old_enforce, old_version = policy(old_labels)[0]
    # no pods evaluated: the enforce level unchanged, privileged, or relaxed at the same version
    if (enforce, enforce_version) == (old_enforce, old_version) or enforce == "privileged":
        return []
    if enforce_version == old_version and LEVELS.index(enforce) <= LEVELS.index(old_enforce):
        return []
    if exempt:
        ignored = _exempt_warning(name, labels)
        return [ignored] if ignored else []
    return _evaluate_pods(name, enforce, enforce_version, pods(), exemptions)


def _evaluate_pods(
    namespace: str, level: str, version: str, pods: list[dict[str, Any]], exemptions: Exemptions
) -> list[str]:
    """EvaluatePodsInNamespace with prioritizePods and decoratePodWarnings."""
    first: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    controllers: set[str] = set()
    for pod in pods:
        if exemptions.runtime_class(pod.get("spec") or {}):
            continue
        owner = next((r for r in (pod.get("metadata") or {}).get("ownerReferences") or [] if r.get("controller")), None)
        if owner is None or owner.get("uid") not in controllers:
            first.append(pod)
            if owner is not None:
                controllers.add(owner.get("uid"))
        else:
            again.append(pod)
    ordered = first + again
    checked = ordered[:MAX_PODS_TO_CHECK]
    counts: dict[str, tuple[str, int]] = {}
    for pod in checked:
        found = results(level, version, pod.get("spec") or {})
        if not found:
            continue
        reason = ", ".join(r for r, _ in found)
        pod_name = str(pod["metadata"]["name"])
        named, count = counts.get(reason, (pod_name, 0))
        counts[reason] = (min(named, pod_name), count + 1)
    warnings: list[str] = []
    if len(checked) < len(ordered):
        warnings.append(
            f"new PodSecurity enforce level only checked against the first {len(checked)} of {len(ordered)} "
            "existing pods"
        )
    if counts:
        warnings.append(
            f'existing pods in namespace "{namespace}" violate the new PodSecurity enforce level "{level}:{version}"'
        )
    decorated = []
    for reason, (pod_name, count) in counts.items():
        others = "" if count == 1 else " (and 1 other pod)" if count == 2 else f" (and {count - 1} other pods)"
        decorated.append(f"{pod_name}{others}: {reason}")
    return warnings + sorted(decorated)


def _exempt_warning(namespace: str, labels: dict[str, str]) -> str | None:
    """exemptNamespaceWarning: the non-privileged modes the labels set, as ``mode=level:version``."""
    (enforce, enforce_version), (warn, warn_version) = policy(labels)
    audit = _level(labels, "audit") or ("privileged", "latest")
    modes = [("enforce", (enforce, enforce_version)), ("audit", audit), ("warn", (warn, warn_version))]
    parts = [
        f"{mode}={lv[0]}:{lv[1]}"
        for mode, lv in modes
        if lv[0] != "privileged" and (PREFIX + mode in labels or f"{PREFIX}{mode}-version" in labels)
    ]
    if not parts:
        return None
    return f'namespace "{namespace}" is exempt from Pod Security, and the policy ({", ".join(parts)}) will be ignored'


def admit(api: Any, rt: Any, obj: dict[str, Any], old: dict[str, Any] | None, create: bool, ctx: Any) -> list[str]:
    """The plugin on the API server's write path (after validation): Validate for a namespaced
    object (``rt.namespaced``), ValidateNamespace for a Namespace; the warnings to return."""
    meta = obj.get("metadata") or {}
    if rt.group == "" and rt.kind == "Namespace":
        name = str(meta.get("name") or "")
        old_labels = None if create or old is None else ((old.get("metadata") or {}).get("labels") or {})
        return validate_namespace(
            name, meta.get("labels") or {}, old_labels, lambda: _pods_in(api, name), api.pod_security_exemptions
        )
    if not rt.namespaced:
        return []
    namespace = str(meta.get("namespace") or "default")
    ns = api.store.get("/namespaces", namespace)
    labels = ((ns.obj().get("metadata") or {}).get("labels") or {}) if ns is not None else {}
    name = "" if ctx.admission_name else str(meta.get("name") or "")
    return validate(
        rt.group,
        rt.kind,
        obj,
        create,
        labels,
        name,
        old=old,
        user=ctx.user,
        namespace=namespace,
        exemptions=api.pod_security_exemptions,
    )


def _pods_in(api: Any, namespace: str) -> list[dict[str, Any]]:
    """The namespace's Pods, as the plugin's pod lister lists them."""
    entries, _, _ = api.store.page(api.rt("v1", "Pod").key, f"{namespace}/", None, 100_000, None)
    return [e.obj() for e in entries]
