"""Gatekeeper's validating webhook, ``validation.gatekeeper.sh``, for the two rules the emulator
knows: AKS Deployment Safeguards' probes constraint (K8sAzureV2ContainerEnforceProbes) and the Pod
Security Standards privileged one (K8sAzureV2NoPrivilege, ``privileged_violations``), judged on a
Pod create or update (not a status write), after the built-in validating plugins (PodSecurity), as
the API server orders them (kubernetes/kubernetes pkg/kubeapiserver/options/plugins.go
AllOrderedPlugins: ValidatingAdmissionWebhook after PodSecurity). Other constraint kinds are
stored and never judged.

- When it is called (open-policy-agent/gatekeeper 07d4e88a charts/gatekeeper/templates/
  gatekeeper-validating-webhook-configuration-validatingwebhookconfiguration.yaml): CREATE and
  UPDATE of every resource but ``status``; ``sideEffects: None``, so on a dry run too; not in a
  namespace labelled ``admission.gatekeeper.sh/ignore`` nor in Gatekeeper's own (gatekeeper-system
  here). What the Azure Policy add-on's own webhook configuration says is not published; the
  chart's is taken. Nor in a namespace Gatekeeper's Config excludes from the ``webhook`` process
  (``_config_excludes``).

- Which constraints match (open-policy-agent/gatekeeper 0a4c472a pkg/target/matcher.go Matcher.Match
  -> pkg/mutation/match/match.go Matches): kindsMatch, scopeMatch, namespacesMatch,
  excludedNamespacesMatch (pkg/util/wildcard.go Wildcard.Matches: exact, or ``*`` at the front, the
  end or both), labelSelectorMatch (the Pod's labels), namespaceSelectorMatch (its namespace's
  labels) and namesMatch (its name); each absent part matches.
- What each does (gatekeeper e3411643 pkg/webhook/policy.go getValidationMessages): ``deny`` adds
  ``[<constraint name>] <msg>`` to the denial, ``warn`` the same text to the response's warnings,
  ``dryrun`` nothing; ``scoped`` takes the ``scopedEnforcementActions`` whose enforcementPoints name
  this webhook or ``*``. An unset enforcementAction is ``deny`` (open-policy-agent/frameworks
  constraint/pkg/client/crds/schema.go). Handle answers 403 Forbidden with the deny messages
  joined by newlines, its warnings alongside; the API server prefixes
  ``admission webhook "validation.gatekeeper.sh" denied the request: `` (kubernetes/kubernetes
  staging/src/k8s.io/apiserver/pkg/admission/plugin/webhook/errors/statuserror.go ToStatusErr), and
  kubectl prints each warning as ``Warning: <text>``.
- The rule (Azure/draft b180ebcd pkg/safeguards/lib/manifests/v2.0.0/container-enforce-probes/
  template.yaml): each of ``spec.containers`` not named in ``excludedContainers`` and whose image no
  ``excludedImages`` entry matches (exact, or a prefix before a trailing ``*``) must have each probe
  in ``enforceProbes`` with one of tcpSocket, httpGet, exec; the message
  ``Container <%v> in your Pod <%v> has no <%v>. Required probes: %v``, the last an OPA array
  (open-policy-agent/opa topdown/strings.go builtinSprintf prints a non-string term as its
  String(): ``["readinessProbe", "livenessProbe"]``). ``violation`` is a set: the messages come
  sorted, one per container and probe.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from tests.emulators.kube import job_selector
from tests.emulators.kube.gatekeeper import CONFIG_GROUP, GATEKEEPER_NAMESPACE, GROUP, NO_PRIVILEGE_KIND, PROBES_KIND
from tests.emulators.kube.status import ApiError

WEBHOOK = "validation.gatekeeper.sh"
PROBE_TYPES = ("tcpSocket", "httpGet", "exec")


def _wildcard(pattern: str, candidate: str) -> bool:
    """pkg/util/wildcard.go Wildcard.Matches. Its CRD pattern (``^(\\*|\\*-)?[a-z0-9]([-:a-z0-9]*[a-z0-9])?
    (\\*|-\\*)?$``) allows a ``*`` only at the front or the end, where fnmatch's ``*`` means the same."""
    return fnmatch.fnmatchcase(candidate, pattern)


def _selects(selector: Any, labels: dict[str, str]) -> bool:
    """labelSelectorMatch / namespaceSelectorMatch: an absent selector matches; else
    metav1.LabelSelectorAsSelector(selector).Matches(labels) (job_selector.selector_matches)."""
    return selector is None or job_selector.selector_matches(selector, labels)


def matches(match: dict[str, Any], pod: dict[str, Any], namespace: dict[str, Any] | None) -> bool:
    """match.go Matches for a Pod (core group, namespaced) and its Namespace object."""
    meta = pod.get("metadata") or {}
    kinds = match.get("kinds") or []
    if kinds and not any(
        (not k.get("kinds") or {"*", "Pod"} & set(k["kinds"]))
        and (not k.get("apiGroups") or {"*", ""} & set(k["apiGroups"]))
        for k in kinds
    ):
        return False
    if match.get("scope") == "Cluster":
        return False
    ns_name = str(meta.get("namespace") or "")
    if match.get("namespaces") and not any(_wildcard(n, ns_name) for n in match["namespaces"]):
        return False
    if any(_wildcard(n, ns_name) for n in match.get("excludedNamespaces") or []):
        return False
    if not _selects(match.get("labelSelector"), meta.get("labels") or {}):
        return False
    ns_labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    if not _selects(match.get("namespaceSelector"), ns_labels):
        return False
    # pkg/mutation/match/match.go namesMatch: the name, or the generateName (pkg/wildcard/
    # wildcard.go MatchesGenerateName: Contains for "*x*", HasPrefix for "x*", else no match)
    name = str(match.get("name") or "")
    if not name or _wildcard(name, str(meta.get("name") or "")):
        return True
    generate = str(meta.get("generateName") or "")
    return name.endswith("*") and _wildcard(name, generate)


def _actions(spec: dict[str, Any]) -> list[str]:
    action = str(spec.get("enforcementAction") or "deny")
    if action != "scoped":
        return [action]
    return [
        str(s.get("action"))
        for s in spec.get("scopedEnforcementActions") or []
        if {str(p.get("name")) for p in s.get("enforcementPoints") or []} & {WEBHOOK, "*"}
    ]


def violations(params: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    """The probes template's violation set, sorted."""
    probes = list(params.get("enforceProbes") or [])
    excluded_images = params.get("excludedImages") or []
    found = set()
    for c in (pod.get("spec") or {}).get("containers") or []:
        if c.get("name") in (params.get("excludedContainers") or []):
            continue
        image = str(c.get("image") or "")
        if any(image.startswith(e[:-1]) if e.endswith("*") else image == e for e in excluded_images):
            continue
        for probe in probes:
            given = c.get(probe)
            # probe_is_missing: ``not ctr[probe]``, or none of the probe types set (a value other than false)
            if not isinstance(given, dict) or not any(given.get(t) not in (None, False) for t in PROBE_TYPES):
                name = (pod.get("metadata") or {}).get("name") or ""
                found.add(
                    f"Container <{c.get('name')}> in your Pod <{name}> has no <{probe}>. "
                    f"Required probes: [{', '.join(json.dumps(p) for p in probes)}]"
                )
    return sorted(found)


def _excluded(params: dict[str, Any], c: dict[str, Any]) -> bool:
    image = str(c.get("image") or "")
    excluded_images = params.get("excludedImages") or []
    return c.get("name") in (params.get("excludedContainers") or []) or any(
        image.startswith(e[:-1]) if e.endswith("*") else image == e for e in excluded_images
    )


def privileged_violations(params: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    """K8sAzureV2NoPrivilege (Azure/azure-policy samples/KubernetesService/container-no-privilege/
    template.yaml): not on a Pod whose nodeSelector kubernetes.io/os is windows; every container,
    init container and ephemeral container not excluded whose securityContext.privileged is set
    (defined, not false): ``Privileged container is not allowed: %v, securityContext: %v``, the
    object printed as OPA prints one (``{"privileged": true}``). A set: sorted."""
    spec = pod.get("spec") or {}
    if (spec.get("nodeSelector") or {}).get("kubernetes.io/os") == "windows":
        return []
    found = set()
    for field in ("containers", "initContainers", "ephemeralContainers"):
        for c in spec.get(field) or []:
            context = c.get("securityContext")
            if _excluded(params, c) or not isinstance(context, dict) or context.get("privileged") in (None, False):
                continue
            said = json.dumps(context, sort_keys=True, separators=(", ", ": "))
            found.add(f"Privileged container is not allowed: {c.get('name')}, securityContext: {said}")
    return sorted(found)


RULES = {PROBES_KIND: violations, NO_PRIVILEGE_KIND: privileged_violations}


def _config_excludes(api: Any, namespace: str) -> bool:
    """open-policy-agent/gatekeeper dd8507eb pkg/webhook/policy.go Handle asks skipExcludedNamespace
    for the ``webhook`` process: pkg/controller/config/process/excluder.go holds, from the Config
    ``config`` in Gatekeeper's namespace (pkg/keys/config.go), each match entry's excludedNamespaces
    under each of its processes, under every process for ``*`` (Excluder.Add), and
    IsNamespaceExcluded matches them as wildcards."""
    config_rt = api.registry.by_api_version_kind(f"{CONFIG_GROUP}/v1alpha1", "Config")
    entry = api.store.get(config_rt.key, f"{GATEKEEPER_NAMESPACE}/config") if config_rt is not None else None
    if entry is None:
        return False
    for match in (entry.obj().get("spec") or {}).get("match") or []:
        if {"webhook", "*"} & set(match.get("processes") or []) and any(
            _wildcard(n, namespace) for n in match.get("excludedNamespaces") or []
        ):
            return True
    return False


def admit(api: Any, rt: Any, obj: dict[str, Any], old: dict[str, Any] | None, ctx: Any) -> list[str]:
    """Raise the webhook's 403 for a Pod a deny constraint refuses; return the warn constraints'
    warnings (on a denial they are added to ``ctx.warnings`` first, as the response carries both)."""
    del old
    if rt.group != "" or rt.kind != "Pod":
        return []
    entries = []
    for kind, rule in RULES.items():
        constraint_rt = api.registry.by_api_version_kind(f"{GROUP}/v1beta1", kind)
        if constraint_rt is not None:
            entries.extend((rule, e) for e in api.store.page(constraint_rt.key, "", None, 100_000, None)[0])
    if not entries:
        return []
    pod = obj
    if not (pod.get("metadata") or {}).get("name") and ctx.admission_name:
        pod = {**obj, "metadata": {**obj["metadata"], "name": ctx.admission_name}}
    ns_name = str((pod.get("metadata") or {}).get("namespace") or "")
    ns_entry = api.store.get("/namespaces", ns_name)
    namespace = ns_entry.obj() if ns_entry is not None else None
    ns_labels = ((namespace or {}).get("metadata") or {}).get("labels") or {}
    if ns_name == GATEKEEPER_NAMESPACE or "admission.gatekeeper.sh/ignore" in ns_labels:
        return []  # the webhook configuration's namespaceSelector: not called
    if _config_excludes(api, ns_name):
        # open-policy-agent/gatekeeper pkg/webhook/policy.go Handle: "Namespace is set to be ignored
        # by Gatekeeper config"
        return []
    denied: list[str] = []
    warned: list[str] = []
    for rule, entry in entries:
        constraint = entry.obj()
        spec = constraint.get("spec") or {}
        if not matches(spec.get("match") or {}, pod, namespace):
            continue
        name = (constraint.get("metadata") or {}).get("name")
        for msg in rule(spec.get("parameters") or {}, pod):
            for action in _actions(spec):
                if action == "deny":
                    denied.append(f"[{name}] {msg}")
                elif action == "warn":
                    warned.append(f"[{name}] {msg}")
    if denied:
        ctx.warnings.extend(warned)
        raise ApiError(403, f'admission webhook "{WEBHOOK}" denied the request: ' + "\n".join(denied), "Forbidden")
    return warned
