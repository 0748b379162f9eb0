"""Whether the endpoint picker an InferencePool of akscli's names may read what it watches.

The EPP serves the one pool it is started for from an informer cache of that pool and of the pods
of the pool's namespace (llm-d/llm-d-router v0.9.0 pkg/epp/controller/inferencepool_reconciler.go
and pod_reconciler.go; the same two in kubernetes-sigs/gateway-api-inference-extension v1.6.0
pkg/lwepp/controller), so its ServiceAccount needs get, list and watch on ``pods`` and on
``inferencepools.inference.networking.k8s.io`` there: llm-d-router's chart grants them with Role
``NAME-epp-sa`` (config/charts/routerlib/templates/_rbac.yaml, pods) and Role ``NAME-epp-non-sa``
(config/charts/llm-d-router-gateway/templates/rbac.yaml, inferencepools), as AI Runway does for its
own picker (ai-runway/airunway v0.7.0 controller/internal/controller/gateway_reconciler.go
reconcileEPP). An EPP that cannot read its pool never syncs it and answers its gRPC health check
NOT_SERVING (llm-d-router v0.9.0 cmd/epp/runner/health.go: PoolHasSynced), so it never becomes ready,
the gateway reaches no picker, and with failureMode FailOpen it routes round-robin as if there were
none. A hand-made EPP without that RBAC is the case to catch; the chart's always has it.

One SubjectAccessReview per verb and resource (kubernetes/api authorization/v1 types.go,
SubjectAccessReviewSpec: user ``system:serviceaccount:NS:SA`` with the groups of a ServiceAccount,
kubernetes/apiserver pkg/authentication/serviceaccount/util.go MakeGroupNames, and
``system:authenticated``, which every authenticated request carries), the five after the first in
flight together. A SelfSubjectRulesReview would not do: it lists the rules of the user who sends it,
not of another subject (kubernetes/kubernetes pkg/registry/authorization/selfsubjectrulesreview/rest.go
takes the user from the request), and a webhook authorizer, as AKS's Azure RBAC, answers it
incomplete (kubernetes/kubernetes staging/src/k8s.io/apiserver/plugin/pkg/authorizer/webhook/webhook.go
RulesFor). A user who may not create SubjectAccessReviews gets no check: the first review says so
before the others are sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli import concurrency
from akscli.errors import AuthError
from akscli.kube.client import Kube

# (API group, resource) the EPP's informers read; the verbs an informer and a reconciler's Get use.
READS = (("", "pods"), ("inference.networking.k8s.io", "inferencepools"))
VERBS = ("get", "list", "watch")


def warnings(kube: Kube, namespace: str, picker: str, pool: str, pod_spec: Mapping[str, Any]) -> list[str]:
    """A warning naming what the picker's ServiceAccount may not read, else none."""
    # kubernetes/api core/v1 PodSpec.ServiceAccountName: "default" when unset (serviceAccount is its
    # deprecated alias).
    account = str(pod_spec.get("serviceAccountName") or pod_spec.get("serviceAccount") or "default")
    user = f"system:serviceaccount:{namespace}:{account}"
    groups = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"]
    asks = [(group, resource, verb) for group, resource in READS for verb in VERBS]

    def allowed(ask: tuple[str, str, str]) -> bool:
        group, resource, verb = ask
        attributes = {"namespace": namespace, "verb": verb, "group": group, "resource": resource}
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {"user": user, "groups": groups, "resourceAttributes": attributes},
        }
        return bool((kube.create(review).get("status") or {}).get("allowed"))

    try:
        # The first review alone says whether the user may ask at all; the rest go at once.
        answers = [allowed(asks[0]), *concurrency.parallel_map(allowed, asks[1:], len(asks) - 1)]
    except AuthError:
        return []  # the user may not ask the API server: not checked
    denied: list[str] = []
    for group, resource in READS:
        verbs = [verb for (g, r, verb), ok in zip(asks, answers, strict=True) if (g, r) == (group, resource) and not ok]
        if verbs:
            denied.append(f"{'/'.join(verbs)} {resource}{f'.{group}' if group else ''}")
    if not denied:
        return []
    role = f"{picker}-reader"
    return [
        f"endpoint picker {namespace}/{picker} runs as ServiceAccount {account}, which may not {' or '.join(denied)} "
        f"in namespace {namespace}: it never syncs InferencePool {pool} and stays unready, so the gateway reaches no "
        "picker and, with failureMode FailOpen, routes round-robin as if there were none; grant it with: kubectl "
        f"create role {role} -n {namespace} --verb=get,list,watch "
        f"--resource=pods,inferencepools.inference.networking.k8s.io && kubectl create rolebinding {role} "
        f"-n {namespace} --role={role} --serviceaccount={namespace}:{account} (llm-d-router's chart grants both)"
    ]
