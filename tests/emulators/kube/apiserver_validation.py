"""The API server's validation and defaulting of a write before it is stored (part of ApiServer),
where kube-apiserver does it (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/
registry/rest/create.go BeforeCreate, update.go BeforeUpdate; apiextensions-apiserver's
structural schema validation and defaulting for custom resources)."""

from __future__ import annotations

import base64
import collections.abc
import json
import random
import re
from typing import Any, Literal

from tests.emulators.kube import (
    admission,
    admission_gatekeeper,
    admission_kaito_config,
    admission_limits,
    admission_pods,
    admission_podsecurity,
    builtin_schema,
    cel,
    claim_validation,
    cronjob_validation,
    job_selector,
    job_validation,
    pod_template_validation,
    pod_update_validation,
    resource_validation,
    typeinfo,
)
from tests.emulators.kube import schema as schemamod
from tests.emulators.kube.apiserver_common import (
    DNS_1035,
    DNS_LABEL,
    DNS_SUBDOMAIN,
    LABEL_NAME,
    LABEL_VALUE,
    Ctx,
    obj_key,
    omit_empty_metadata,
)
from tests.emulators.kube.pod_defaults import set_defaults_pod, set_defaults_template
from tests.emulators.kube.resources import ResourceType
from tests.emulators.kube.status import (
    ApiError,
    bad_request,
    invalid,
)

# upstream: kubernetes/api core/v1/well_known_labels.go LabelMetadataName
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


class ValidationMixin:
    """ApiServer's admission: body type, metadata, schema, builtin-kind defaulting and validation."""

    # ---- validation helpers --------------------------------------------------------

    def _check_body_type(self, rt: ResourceType, version: str, obj: dict[str, Any]) -> None:
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if av is not None and av != rt.api_version(version):
            g, _, v = str(av).rpartition("/")
            if g != rt.group or v not in rt.versions:
                raise bad_request(
                    f"the API version in the data ({av}) does not match the expected API version "
                    f"({rt.api_version(version)})"
                )
        if kind is not None and kind != rt.kind:
            raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")

    def _validate_metadata(self, rt: ResourceType, obj: dict[str, Any]) -> list[tuple[str, str, str]]:
        md = obj["metadata"]
        causes: list[tuple[str, str, str]] = []
        name = md.get("name", "")
        if rt.kind in ("Namespace",) and not (DNS_LABEL.match(name) and len(name) <= 63):
            causes.append(
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f'Invalid value: "{name}": a lowercase RFC 1123 label must consist of lower case '
                    "alphanumeric characters or '-', and must start and end with an alphanumeric character "
                    "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                )
            )
        elif rt.kind == "Service" and not (DNS_1035.match(name) and len(name) <= 63):
            causes.append(
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f'Invalid value: "{name}": a DNS-1035 label must consist of lower case alphanumeric '
                    "characters or '-', start with an alphabetic character, and end with an alphanumeric "
                    "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                    "'[a-z]([-a-z0-9]*[a-z0-9])?')",
                )
            )
        elif (
            not rt.kind.startswith("Self")
            and not (DNS_SUBDOMAIN.match(name) and len(name) <= 253)
            and rt.kind not in ("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
        ):
            causes.append(
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower '
                    "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                    "character (e.g. 'example.com', regex used for validation is "
                    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                )
            )
        labels = md.get("labels") or {}
        if not isinstance(labels, dict):
            causes.append(("FieldValueTypeInvalid", "metadata.labels", "Invalid value: must be a map"))
            labels = {}
        for k, v in labels.items():
            prefix, _, nm = str(k).rpartition("/")
            if not LABEL_NAME.match(nm) or len(nm) > 63 or (prefix and not DNS_SUBDOMAIN.match(prefix)):
                causes.append(
                    (
                        "FieldValueInvalid",
                        "metadata.labels",
                        f"Invalid value: \"{k}\": name part must consist of alphanumeric characters, '-', "
                        "'_' or '.', and must start and end with an alphanumeric character",
                    )
                )
            if not isinstance(v, str) or len(v) > 63 or not LABEL_VALUE.match(v):
                causes.append(
                    (
                        "FieldValueInvalid",
                        "metadata.labels",
                        f"Invalid value: {json.dumps(v)}: a valid label must be an empty string or consist "
                        "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                        "character",
                    )
                )
        ann = md.get("annotations") or {}
        if not isinstance(ann, dict) or any(not isinstance(v, str) for v in ann.values()):
            causes.append(
                ("FieldValueTypeInvalid", "metadata.annotations", "Invalid value: annotation values must be strings")
            )
        return causes

    def _schema(self, rt: ResourceType, version: str) -> dict[str, Any] | None:
        return rt.schemas.get(version) if rt.crd else None

    def _type_root(self, rt: ResourceType, version: str) -> typeinfo.TypeNode:
        """The type that keys lists for apply and patches: a CRD's schema, a built-in kind's
        OpenAPI definition, whose list-map keys the field manager reads (upstream: kubernetes/kube-openapi
        pkg/schemaconv/smd.go over kubernetes/kubernetes api/openapi-spec; see typeinfo)."""
        if rt.crd:
            return typeinfo.root_node(rt.schemas.get(version))
        return typeinfo.builtin_root(rt.group, version, rt.kind)

    def _admit(
        self,
        rt: ResourceType,
        version: str,
        obj: dict[str, Any],
        ctx: Ctx,
        create: bool,
        old: dict[str, Any] | None = None,
        webhooks: bool = True,
        precondition: collections.abc.Callable[[], None] | None = None,
        uid: str | None = None,
    ) -> dict[str, Any]:
        """Kind defaults, schema defaulting/pruning, mutating webhooks, validation; raises 400/422.
        ``precondition`` (the store's resourceVersion check) runs once the object is decoded and
        mutated, before it is validated (upstream: kubernetes/apiserver 24a394e5 pkg/registry/
        generic/registry/store.go Update: UpdatedObject, the version check, then BeforeUpdate's
        strategy validation and the validating admission)."""
        # kubernetes/kubernetes apimachinery: empty metadata maps are omitted on decode (omitempty).
        omit_empty_metadata(obj)  # the decode (apiserver_common.py)
        self._kind_defaults(rt, obj, create)
        causes = self._validate_metadata(rt, obj)
        sch = self._schema(rt, version)
        if sch is not None:
            obj, res = schemamod.process(obj, sch)
            if webhooks:
                # Mutating admission sees the decoded, defaulted object and runs before it is
                # validated (upstream: kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/
                # endpoints/handlers/patch.go applyAdmission, then the registry's validation). The
                # webhooks emulated set only values the schema takes, so they run after it here.
                admission.mutate(rt.group, rt.kind, obj)
            if res.unknown:
                if ctx.field_validation == "Strict":
                    quoted = ", ".join(f'unknown field "{u.lstrip(".")}"' for u in res.unknown)
                    raise bad_request(
                        f'{rt.kind} in version "{version}" cannot be handled as a {rt.kind}: strict decoding '
                        f"error: {quoted}"
                    )
                if ctx.field_validation == "Warn":
                    ctx.warnings.extend(f'unknown field "{u.lstrip(".")}"' for u in res.unknown)
            causes += res.errors
            if not res.errors and cel.has_rules(sch):
                causes += cel.validate(
                    self.serve_obj(rt, version, obj), self.serve_obj(rt, version, old) if old else None, sch
                )
        elif not rt.crd:
            obj = self._check_builtin(rt, version, obj, ctx, causes)
            if webhooks and rt.group == "" and rt.kind == "Pod":
                # the built-in mutating admission plugins, after decoding, before validation
                if create:
                    admission_limits.mutate(obj, self._limit_ranges(obj))
                admission_pods.admit(obj, create, self._pod_serviceaccount, ctx.admission_name)
        if precondition is not None:
            precondition()
        if create and uid and rt.group == "batch" and rt.kind == "Job":
            # the store fills the uid, then the strategy's PrepareForCreate generates the
            # selector (upstream: kubernetes/apiserver 24a394e5 pkg/registry/generic/registry/
            # store.go create, FillObjectMetaSystemFields before rest.BeforeCreate)
            obj.setdefault("metadata", {})["uid"] = uid
            job_selector.generate(obj, uid)
        seen = {c[1] for c in causes}
        causes += [c for c in self._kind_validation(rt, obj, None if create else old) if c[1] not in seen]
        if rt.group == "resource.k8s.io":
            causes += resource_validation.causes(rt.kind, obj, old)
        if causes:
            md = obj.get("metadata") or {}
            raise invalid(rt.group_kind, md.get("name", ""), rt.group, rt.kind, causes)
        if webhooks and create and rt.group == "" and rt.kind == "Pod":
            # the built-in validating admission plugins, after validation (LimitRanger, then PodSecurity)
            admission_limits.validate(obj, self._limit_ranges(obj), ctx.admission_name or obj["metadata"]["name"])
        if webhooks and rt.group == "" and rt.kind == "PersistentVolumeClaim":
            claim_name = ctx.admission_name or obj["metadata"]["name"]
            admission_limits.validate_claim(obj, self._limit_ranges(obj), claim_name)
        if webhooks and not rt.crd:  # PodSecurity: a Pod, a workload, a Namespace
            ctx.warnings.extend(admission_podsecurity.admit(self, rt, obj, old, create, ctx))
            # then the validating webhooks: Gatekeeper's (AKS Deployment Safeguards; upstream:
            # open-policy-agent/gatekeeper pkg/webhook/policy.go, Azure/draft pkg/safeguards)
            ctx.warnings.extend(admission_gatekeeper.admit(self, rt, obj, old, ctx))
        if webhooks and rt.crd:
            admission.review(
                rt.group,
                rt.kind,
                obj,
                old,
                self.kuberay_webhook,
                self._airunway_provider_stored,
                self._serves_kind,
                self._stored_fleet_overrides,
            )
            denial = admission_kaito_config.review(
                rt.group,
                rt.kind,
                obj,
                old,
                self._stored_configmap,
                self.huggingface_hub,
                self._stored_secret,
                self.kaito_hf_token,
            )
            if denial is not None:
                raise denial
        return obj

    def _serves_kind(self, group: str, version: str, kind: str) -> str | None:
        """The scope ("Cluster" or "Namespaced") of ``kind`` (exactly as written) at group/version,
        None where this API server does not serve it: what the REST mapper and resource informer
        of an operator's webhook find through discovery."""
        api_version = f"{group}/{version}" if group else version
        rt = self.registry.by_api_version_kind(api_version, kind)
        return None if rt is None else "Namespaced" if rt.namespaced else "Cluster"

    def _stored_fleet_overrides(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        """KubeFleet's (Cluster)ResourceOverrides as stored, by name (in ``namespace``): the override
        webhooks' List through the uncached API reader."""
        rt = self.registry.by_api_version_kind("placement.kubernetes-fleet.io/v1", kind)
        if rt is None:
            return []
        prefix = f"{namespace}/" if namespace else ""
        entries, _, _ = self.store.page(rt.key, prefix, None, 10_000, None)
        return [e.obj() for e in entries]

    def _airunway_provider_stored(self, name: str) -> dict[str, Any] | Literal[False] | None:
        """AI Runway's InferenceProviderConfig ``name`` as stored (what its webhook's GET reads),
        False where there is none; None while the kind is not served."""
        rt = self.registry.by_api_version_kind("airunway.ai/v1alpha1", "InferenceProviderConfig")
        if rt is None:
            return None
        entry = self.store.get(rt.key, obj_key(None, name))
        return entry.obj() if entry is not None else False

    def _stored_serviceaccount(self, namespace: str, name: str) -> dict[str, Any] | None:
        """A ServiceAccount as stored (what the ServiceAccount admission plugin's lister reads)."""
        entry = self.store.get(self.rt("v1", "ServiceAccount").key, obj_key(namespace, name))
        return entry.obj() if entry is not None else None

    def _pod_serviceaccount(self, namespace: str, name: str) -> dict[str, Any] | None:
        """The ServiceAccount plugin's getServiceAccount: the lister, then, for "default", tries
        while the ServiceAccounts controller makes it (here: that controller's sync, at once).
        In a namespace that is gone or terminating NamespaceLifecycle, which runs first, refuses
        the Pod; the emulator checks that at the insert, so the account is not asked for there."""
        sa = self._stored_serviceaccount(namespace, name)
        if sa is None and name == "default":
            self.namespace_defaults.ensure(namespace)
            sa = self._stored_serviceaccount(namespace, name)
        if sa is None and not self.namespace_defaults.active(namespace):
            return {}
        return sa

    def _limit_ranges(self, pod: dict[str, Any]) -> list[dict[str, Any]]:
        """The LimitRanges of a Pod's namespace, as LimitRanger's lister lists them (by name)."""
        namespace = str((pod.get("metadata") or {}).get("namespace") or "default")
        entries, _, _ = self.store.page(self.rt("v1", "LimitRange").key, f"{namespace}/", None, 10_000, None)
        return [e.obj() for e in entries]

    def _stored_configmap(self, namespace: str, name: str) -> dict[str, Any] | None:
        """A ConfigMap as stored (what a webhook's GET reads; a dry run stores nothing)."""
        entry = self.store.get(self.rt("v1", "ConfigMap").key, obj_key(namespace, name))
        return entry.obj() if entry is not None else None

    def _stored_secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        """A Secret as stored (what KAITO's webhook reads a modelAccessSecret's HF_TOKEN from)."""
        entry = self.store.get(self.rt("v1", "Secret").key, obj_key(namespace, name))
        return entry.obj() if entry is not None else None

    def _check_builtin(
        self, rt: ResourceType, version: str, obj: dict[str, Any], ctx: Ctx, causes: list[tuple[str, str, str]]
    ) -> dict[str, Any]:
        """Decoding of a built-in kind into its Go type (see builtin_schema): 400 for a wrong
        type or (Strict) an unknown field, warnings (Warn), then required fields."""
        node = builtin_schema.root(rt.group, version, rt.kind)
        if node is None:
            return obj
        out, found = builtin_schema.check(obj, node)
        cannot = f'{rt.kind} in version "{version}" cannot be handled as a {rt.kind}'
        if found.decode_error:
            raise bad_request(f"{cannot}: {found.decode_error}")
        if found.unknown:
            if ctx.field_validation == "Strict":
                quoted = ", ".join(f'unknown field "{u}"' for u in found.unknown)
                raise bad_request(f"{cannot}: strict decoding error: {quoted}")
            if ctx.field_validation == "Warn":
                ctx.warnings.extend(f'unknown field "{u}"' for u in found.unknown)
        causes += found.causes
        return out

    def _typed_patch_errors(
        self, rt: ResourceType, version: str, applied: dict[str, Any]
    ) -> tuple[dict[str, Any], list[str]]:
        """structured-merge-diff's conversion of an apply patch: unknown fields and wrong types
        are errors whatever fieldValidation says. The patch itself is not defaulted but for the
        keys of map lists (schema.default_list_map_keys): the server defaults the object the apply
        made, so a defaulted field belongs to no field manager (upstream: kubernetes/apimachinery
        eed236ce pkg/util/managedfields/internal/structuredmerge.go Apply, objectDefaulter.Default
        after updater.Apply)."""
        sch = self._schema(rt, version)
        if sch is not None:
            res = schemamod.Result()
            schemamod.default_and_prune(applied, sch, res)
            keyed = schemamod.default_list_map_keys(applied, sch)
            return keyed, [f"{u}: field not declared in schema" for u in res.unknown]
        node = None if rt.crd else builtin_schema.root(rt.group, version, rt.kind)
        if node is None:
            return applied, []
        _, found = builtin_schema.check(applied, node, check_required=False)
        errs = [f"{u}: field not declared in schema" for u in found.typed_unknown]
        if found.typed_error:
            errs.append(found.typed_error)
        return applied, errs

    def _kind_defaults(self, rt: ResourceType, obj: dict[str, Any], create: bool) -> None:
        spec = obj.get("spec")
        if rt.kind == "Secret":
            sd = obj.pop("stringData", None)
            if isinstance(sd, dict):
                data = obj.setdefault("data", {})
                for k, v in sd.items():
                    data[k] = base64.b64encode(str(v).encode()).decode()
            if not obj.get("type"):
                obj["type"] = "Opaque"
        elif rt.kind in ("Deployment", "StatefulSet", "ReplicaSet") and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)
            if rt.kind == "Deployment":
                spec.setdefault("progressDeadlineSeconds", 600)
                spec.setdefault(
                    "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
                )
            elif rt.kind == "StatefulSet":
                spec.setdefault("podManagementPolicy", "OrderedReady")
                spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        elif rt.kind == "DaemonSet" and isinstance(spec, dict):
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault(
                "updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
            )
        elif rt.kind == "LimitRange" and isinstance(spec, dict):
            admission_limits.default_limit_range(spec)
        elif rt.kind == "Job" and isinstance(spec, dict):
            # upstream: kubernetes/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_Job
            # (MaxInt32 with backoffLimitPerIndex, else 6)
            spec.setdefault("backoffLimit", 2**31 - 1 if spec.get("backoffLimitPerIndex") is not None else 6)
            if "completions" not in spec and "parallelism" not in spec:
                spec["completions"] = 1
            spec.setdefault("parallelism", 1)
            job_selector.default(spec)
            for rule in (spec.get("podFailurePolicy") or {}).get("rules") or []:
                for pattern in (rule or {}).get("onPodConditions") or []:
                    if isinstance(pattern, dict) and not pattern.get("status"):
                        pattern["status"] = "True"  # SetDefaults_Job
        elif rt.kind == "CronJob" and rt.group == "batch" and isinstance(spec, dict):
            # upstream: kubernetes/kubernetes pkg/apis/batch/v1/defaults.go SetDefaults_CronJob
            cronjob_validation.defaults(spec)
        elif rt.kind == "Service" and isinstance(spec, dict):
            spec.setdefault("type", "ClusterIP")
            if create and "clusterIP" not in spec and spec.get("type") != "ExternalName":
                n = random.randint(1, 65000)
                spec["clusterIP"] = f"10.0.{n // 250}.{n % 250 + 1}"
                spec["clusterIPs"] = [spec["clusterIP"]]
            for p in spec.get("ports") or []:
                if isinstance(p, dict):
                    p.setdefault("protocol", "TCP")
                    if "port" in p:
                        p.setdefault("targetPort", p["port"])
        elif rt.kind == "Pod" and isinstance(spec, dict):
            set_defaults_pod(obj)
        elif rt.kind == "Namespace":
            obj.setdefault("status", {}).setdefault("phase", "Active")
            # Every decode of a named Namespace sets kubernetes.io/metadata.name to its name,
            # over whatever a create, update or patch gave (upstream: kubernetes/kubernetes
            # pkg/apis/core/v1/defaults.go SetDefaults_Namespace; pkg/registry/core/namespace/
            # strategy.go Canonicalize does the same after generateName)
            md = obj.setdefault("metadata", {})
            if md.get("name"):
                labels = md.get("labels")
                labels = {**(labels if isinstance(labels, dict) else {}), NAMESPACE_NAME_LABEL: md["name"]}
                md["labels"] = dict(sorted(labels.items()))  # Go writes a map's keys sorted
        if not rt.crd:
            set_defaults_template(rt.group, rt.kind, obj)
        if rt.kind == "Pod" and create:
            obj.setdefault("status", {}).setdefault("phase", "Pending")
            if isinstance(spec, dict):
                self._pod_priority(obj, spec)

    def _pod_priority(self, pod: dict[str, Any], spec: dict[str, Any]) -> None:
        """The Priority admission plugin on a pod's create: the named PriorityClass's value, or
        (no name) the globalDefault class's, the lowest of several, naming it, else 0; a priority
        or preemptionPolicy the pod gives that differs is forbidden.
        upstream: kubernetes/kubernetes v1.34.0 plugin/pkg/admission/priority/admission.go
        admitPod, getDefaultPriority, getDefaultPriorityClass."""
        bucket = self.store.bucket(self.rt("scheduling.k8s.io/v1", "PriorityClass").key)
        with self.store.lock:
            classes = [e.obj() for e in bucket.items.values()]
        name = str(spec.get("priorityClassName") or "")
        policy = "PreemptLowerPriority"
        if name:
            found = [c for c in classes if c["metadata"]["name"] == name]
            if not found:
                raise self._priority_forbidden(pod, f"no PriorityClass with name {name} was found")
            value, policy = int(found[0].get("value") or 0), found[0].get("preemptionPolicy") or policy
        else:
            defaults = sorted((c for c in classes if c.get("globalDefault")), key=lambda c: int(c.get("value") or 0))
            value = int(defaults[0].get("value") or 0) if defaults else 0
            if defaults:
                name, policy = defaults[0]["metadata"]["name"], defaults[0].get("preemptionPolicy") or policy
        if spec.get("priority") is not None and spec["priority"] != value:
            raise self._priority_forbidden(
                pod,
                f"the integer value of priority ({spec['priority']}) must not be provided in pod spec; priority "
                f"admission controller computed {value} from the given PriorityClass name",
            )
        if spec.get("preemptionPolicy") is not None and spec["preemptionPolicy"] != policy:
            raise self._priority_forbidden(
                pod,
                f"the string value of PreemptionPolicy ({spec['preemptionPolicy']}) must not be provided in pod "
                f"spec; priority admission controller computed {policy} from the given PriorityClass name",
            )
        if name:
            spec["priorityClassName"] = name
        spec["priority"], spec["preemptionPolicy"] = value, policy

    @staticmethod
    def _priority_forbidden(pod: dict[str, Any], why: str) -> ApiError:
        name = (pod.get("metadata") or {}).get("name", "")
        return ApiError(403, f'pods "{name}" is forbidden: {why}', "Forbidden", {"name": name, "kind": "pods"})

    def _kind_validation(
        self, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any] | None = None
    ) -> list[tuple[str, str, str]]:
        causes: list[tuple[str, str, str]] = []
        spec = obj.get("spec")
        if rt.kind == "CustomResourceDefinition":
            if not isinstance(spec, dict):
                return [("FieldValueRequired", "spec", "Required value")]
            names = spec.get("names") or {}
            group = spec.get("group", "")
            if not names.get("plural") or not names.get("kind"):
                causes.append(("FieldValueRequired", "spec.names.plural", "Required value"))
            if obj["metadata"].get("name") != f"{names.get('plural')}.{group}":
                causes.append(
                    (
                        "FieldValueInvalid",
                        "metadata.name",
                        f'Invalid value: "{obj["metadata"].get("name")}": must be spec.names.plural+"."+spec.group',
                    )
                )
            if not spec.get("versions"):
                causes.append(
                    (
                        "FieldValueRequired",
                        "spec.versions",
                        "Required value: must have exactly one version marked as storage version",
                    )
                )
            elif sum(1 for v in spec["versions"] if v.get("storage")) != 1:
                causes.append(
                    (
                        "FieldValueInvalid",
                        "spec.versions",
                        "Invalid value: must have exactly one version marked as storage version",
                    )
                )
        elif rt.kind in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job") and isinstance(spec, dict):
            if rt.kind == "Job":  # ValidateJob: the generated selector, then the spec
                causes.extend(job_selector.generated_causes(obj, old))
                causes.extend(job_validation.causes(spec))
            template_spec = (spec.get("template") or {}).get("spec")
            if isinstance(template_spec, dict):
                causes.extend(pod_template_validation.causes("spec.template.spec", template_spec))
            if rt.kind != "Job":
                sel = spec.get("selector")
                if not isinstance(sel, dict) or not (sel.get("matchLabels") or sel.get("matchExpressions")):
                    causes.append(("FieldValueRequired", "spec.selector", "Required value"))
            tpl = spec.get("template")
            if not isinstance(tpl, dict) or not ((tpl.get("spec") or {}).get("containers")):
                causes.append(("FieldValueRequired", "spec.template.spec.containers", "Required value"))
            reps = spec.get("replicas")
            if reps is not None and (not isinstance(reps, int) or reps < 0):
                causes.append(
                    (
                        "FieldValueInvalid",
                        "spec.replicas",
                        f"Invalid value: {json.dumps(reps)}: must be greater than or equal to 0",
                    )
                )
            if rt.kind == "Job":
                causes.extend(job_validation.restart_causes(spec))
                causes.extend(job_selector.spec_causes(spec))
        elif rt.kind == "CronJob" and rt.group == "batch":
            # upstream: kubernetes/kubernetes pkg/apis/batch/validation/validation.go ValidateCronJobCreate/Update
            causes.extend(cronjob_validation.causes(obj, old))
        elif rt.kind == "PersistentVolumeClaim" and rt.group == "" and isinstance(spec, dict):
            # upstream: kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimSpec
            causes.extend(claim_validation.causes(spec))
        elif rt.kind == "Pod" and isinstance(spec, dict):
            if not spec.get("containers"):
                causes.append(("FieldValueRequired", "spec.containers", "Required value"))
            # a Pod's spec is ValidatePodSpec's as a template's is (validatePodMetadataAndSpec)
            causes.extend(pod_template_validation.causes("spec", spec, pod=True))
            if old is not None and isinstance(old.get("spec"), dict):
                # the pod strategy's ValidateUpdate: a stored Pod's spec is immutable but a few fields
                causes.extend(pod_update_validation.causes(spec, old["spec"]))
        elif rt.kind == "ConfigMap":
            for k in obj.get("data") or {}:
                if not re.match(r"^[-._a-zA-Z0-9]+$", str(k)):
                    causes.append(
                        (
                            "FieldValueInvalid",
                            f"data[{k}]",
                            f'Invalid value: "{k}": a valid config key must consist of alphanumeric characters, '
                            "'-', '_' or '.'",
                        )
                    )
        return causes

    def _status_mode(self, rt: ResourceType, subresource: str | None) -> bool | None:
        if subresource == "status":
            return True
        return False if rt.status else None
