"""akscli.kube.gatekeeper_match.Batch: the Pods of one template in one namespace (a StatefulSet's
replicas) are judged once where a constraint's match reads neither their names nor a label a
controller sets per pod, and the answers are those of judging each subject by itself
(open-policy-agent/gatekeeper dd8507eb pkg/mutation/match/match.go Matches); and match.go's
namesMatch for a name that matches every name (pkg/wildcard/wildcard.go Matches)."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.kube import gatekeeper, gatekeeper_match
from akscli.kube.gatekeeper_match import Batch, Match, Subject

NS_LABELS = {"kubernetes.io/metadata.name": "models", "team": "ml"}
POD = [{"apiGroups": [""], "kinds": ["Pod"]}]


def workload(kind: str, replicas: int = 1, **spec: Any) -> dict[str, Any]:
    template = {"metadata": {"labels": {"app": "web", "tier": "gpu"}}, "spec": {"containers": [{"name": "c"}]}}
    return {
        "apiVersion": "batch/v1" if kind == "Job" else "apps/v1",
        "kind": kind,
        "metadata": {"name": "web", "namespace": "models"},
        "spec": {"replicas": replicas, "template": template, **spec},
    }


def subjects() -> list[Subject]:
    """A mixed set: a StatefulSet's 12 pods, a Deployment's, an Indexed Job's and a DaemonSet's
    (with their objects), a Namespace, pods whose labels or namespace labels are not known, and an
    expanded (Generated) pod."""
    found: list[Subject] = []
    for obj in (
        workload("StatefulSet", 12, ordinals={"start": 3}),
        workload("Deployment", 3),
        workload("Job", completionMode="Indexed", completions=4),
        workload("DaemonSet"),
    ):
        found.extend(t.subject for t in gatekeeper._object_targets(obj, "models", NS_LABELS, []))
    found.extend(t.subject for t in gatekeeper._object_targets(workload("StatefulSet", 4), "infra", None, []))
    found.append(Subject("", "Namespace", None, {"kubernetes.io/metadata.name": "models"}, "models"))
    found.append(Subject("rbac.authorization.k8s.io", "ClusterRole", None, {"app": "web"}, "web"))
    found.append(Subject("", "Pod", "models", None, namespace_labels=NS_LABELS, what="the labels its operator gives"))
    expanded = Subject("", "Pod", "models", {"app": "web"}, "web-pod", source="Generated", namespace_labels=NS_LABELS)
    found.append(expanded)
    return found


def expression(key: str, operator: str, *values: str) -> dict[str, Any]:
    found: dict[str, Any] = {"key": key, "operator": operator}
    if values:
        found["values"] = list(values)
    return {"matchExpressions": [found]}


MATCHES: list[dict[str, Any]] = [
    {},
    {"kinds": POD},
    {"kinds": [{"kinds": ["Pod", "Namespace"]}]},  # no apiGroups: any group
    {"kinds": POD, "namespaceSelector": {"matchLabels": {"team": "other"}}},
    {"kinds": POD, "namespaceSelector": {"matchLabels": {"team": "ml"}}, "name": "web-1*"},
    {"kinds": POD, "labelSelector": {"matchLabels": {"app": "web"}}, "name": "*-7"},
    {"name": "*"},
    {"name": "web-*"},
    {"labelSelector": {"matchLabels": {"statefulset.kubernetes.io/pod-name": "web-5"}}},
    {"labelSelector": expression("apps.kubernetes.io/pod-index", "In", "3", "14")},
    {"labelSelector": expression("apps.kubernetes.io/pod-index", "NotIn", "4")},
    {"labelSelector": expression("controller-revision-hash", "DoesNotExist")},
    {"labelSelector": expression("controller-revision-hash", "Exists")},
    {"labelSelector": expression("pod-template-hash", "In", "abc")},
    {"labelSelector": expression("batch.kubernetes.io/job-completion-index", "In", "2")},
    {
        "labelSelector": {
            "matchLabels": {"tier": "cpu"},
            "matchExpressions": [{"key": "apps.kubernetes.io/pod-index", "operator": "Exists"}],
        }
    },
    {
        "labelSelector": {
            "matchLabels": {"tier": "gpu"},
            "matchExpressions": [{"key": "apps.kubernetes.io/pod-index", "operator": "In", "values": ["9"]}],
        },
        "namespaceSelector": {"matchLabels": {"team": "ml"}},
    },
    {"labelSelector": expression("apps.kubernetes.io/pod-index", "Gt", "3")},  # not a label selector operator
    {"namespaces": ["mod*"], "excludedNamespaces": ["*-system"]},
    {"excludedNamespaces": ["*odel*"]},
    {"scope": "Cluster"},
    {"scope": "Namespaced", "source": "Original"},
    {"source": "Generated", "labelSelector": {"matchLabels": {"app": "web"}}},
]


@pytest.mark.parametrize("match", MATCHES, ids=[str(i) for i in range(len(MATCHES))])
def test_a_batch_answers_as_judging_each_subject_by_itself(match: dict[str, Any]) -> None:
    found = subjects()
    assert Batch(found).matches(match) == [gatekeeper_match.matches(match, s) for s in found]


def test_a_batch_judges_a_match_that_reads_no_per_pod_label_once_per_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    obj = workload("StatefulSet", 1000)
    pods = [t.subject for t in gatekeeper._object_targets(obj, "models", NS_LABELS, [])][1:]
    assert len(pods) == 1000
    calls: list[Subject] = []
    judge = gatekeeper_match.Matcher.matches

    def counted(self: gatekeeper_match.Matcher, subject: Subject) -> Match:
        calls.append(subject)
        return judge(self, subject)

    monkeypatch.setattr(gatekeeper_match.Matcher, "matches", counted)
    verdicts = Batch(pods).matches({"kinds": POD, "namespaceSelector": {"matchLabels": {"team": "other"}}})
    assert {v.matched for v in verdicts} == {False}
    assert len(calls) == 1


def test_a_batch_judges_each_pod_where_the_selector_reads_its_index() -> None:
    obj = workload("StatefulSet", 1000)
    pods = [t.subject for t in gatekeeper._object_targets(obj, "models", NS_LABELS, [])][1:]
    verdicts = Batch(pods).matches({"labelSelector": expression("apps.kubernetes.io/pod-index", "In", "999")})
    assert [i for i, v in enumerate(verdicts) if v.matched] == [999]


def test_a_name_of_a_lone_star_selects_a_pod_whose_name_is_not_known() -> None:
    # wildcard.go Matches: "*" is strings.Contains(name, ""), true whatever the operator names it
    operator_pod = Subject("", "Pod", "models", None, what="the labels its operator gives")
    assert gatekeeper_match.matches({"kinds": POD, "name": "*"}, operator_pod) == Match(True)
