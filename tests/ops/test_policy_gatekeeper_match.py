"""`policy check --context` judges a constraint's labelSelector, namespaceSelector, name and source
as Gatekeeper's webhook does (open-policy-agent/gatekeeper dd8507eb pkg/mutation/match/match.go
Matches, through akscli.kube.gatekeeper_match, shared with the Deployment Safeguards preflight), and
applies an ExpansionTemplate's enforcementAction to what it expands (pkg/expansion/aggregate.go
OverrideEnforcementAction; the template is website/docs/expansion.md's, whose override is ``warn``).

The constraint is Azure/azure-policy built-in-references/Kubernetes/container-no-privilege/
constraint.yaml's (tests/ops/test_policy_gatekeeper.py NO_PRIVILEGE), its match changed per test."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.ops.test_policy_apply import web
from tests.ops.test_policy_gatekeeper import NO_PRIVILEGE, add, check, expand_deployments, pod, pods_in

NONE_SELECTS = "no Gatekeeper constraint on emulator selects these objects"


def on_pods(**match: Any) -> dict[str, Any]:
    """A constraint on Pods in any namespace, with ``match`` added."""
    obj = pods_in("default")
    del obj["spec"]["match"]["namespaces"]
    obj["spec"]["match"].update(match)
    return obj


def namespace(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def test_a_namespace_selector_leaves_out_a_namespace_whose_labels_it_refuses(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    kube_emulator.cluster.create(namespace("infra", **{"control-plane": "true"}))
    add(kube_emulator, NO_PRIVILEGE)  # DoesNotExist control-plane
    obj = web()
    obj["metadata"]["namespace"] = "infra"
    result = check(tmp_path, obj)
    assert "container-no-privilege" not in result.stderr
    assert NONE_SELECTS in result.stderr


def test_a_namespace_of_the_files_gives_the_labels_the_webhook_will_read(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, on_pods(namespaceSelector={"matchLabels": {"team": "ml"}}))
    obj = web()
    obj["metadata"]["namespace"] = "models"  # not in the cluster: the apply sends the Namespace first
    result = check(tmp_path, namespace("models", team="ml"), obj)
    assert "K8sAzureContainerNoPrivilege/pods-default (deny: refuses what breaks it) selects deployment.apps/web" in (
        result.stderr
    )


def test_a_namespace_selector_on_a_namespace_reads_its_own_labels_and_its_name_label(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    # strategy.go sets kubernetes.io/metadata.name on every Namespace
    on_namespaces = on_pods(namespaceSelector={"matchLabels": {"kubernetes.io/metadata.name": "models"}})
    on_namespaces["spec"]["match"]["kinds"] = [{"apiGroups": [""], "kinds": ["Namespace"]}]
    add(kube_emulator, on_namespaces)
    assert "selects namespace/models" in check(tmp_path, namespace("models")).stderr
    assert NONE_SELECTS in check(tmp_path, namespace("other")).stderr


def test_a_label_selector_is_judged_on_the_labels_the_pods_get_from_their_template(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, on_pods(labelSelector={"matchLabels": {"app": "web"}}))
    assert "pods-default (deny: refuses what breaks it) selects deployment.apps/web (its pods)" in (
        check(tmp_path, web()).stderr
    )


def test_a_label_selector_the_pods_labels_refuse_leaves_the_constraint_out(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, on_pods(labelSelector={"matchLabels": {"app": "db"}}))
    assert NONE_SELECTS in check(tmp_path, web()).stderr


def test_a_requirement_on_a_label_a_controller_computes_is_said_to_decide(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    selector = {"matchExpressions": [{"key": "pod-template-hash", "operator": "In", "values": ["abc"]}]}
    add(kube_emulator, on_pods(labelSelector=selector))
    assert (
        "pods-default (deny: refuses what breaks it) may select (that depends on the value of label "
        "pod-template-hash, which a controller sets when it makes the pod) deployment.apps/web (its pods)"
    ) in check(tmp_path, web()).stderr


def test_match_name_selects_a_pod_by_its_name_and_leaves_out_another(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, on_pods(name="web*"))
    assert "pods-default (deny: refuses what breaks it) selects pod/web" in check(tmp_path, pod("web")).stderr
    assert NONE_SELECTS in check(tmp_path, pod("db")).stderr


def test_an_expansion_templates_action_replaces_the_constraints_for_the_pods_it_expands(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    expand_deployments(kube_emulator, action="warn")
    add(kube_emulator, on_pods())
    result = check(tmp_path, web())
    assert (
        "pods-default (warn: warns on what breaks it, the action ExpansionTemplate expand-deployments sets for "
        "what it expands) selects deployment.apps/web (its pods as ExpansionTemplate expand-deployments expands them)"
    ) in result.stderr
    # the pods the ReplicaSet makes later meet the constraint's own deny
    assert (
        "pods-default (deny: refuses what breaks it) selects deployment.apps/web (its pods); it judges the pods "
        "when their controller creates them, after the apply"
    ) in result.stderr
    assert "--dry-run=server" not in result.stderr  # nothing is refused at the Deployment's admission


def test_a_constraint_on_original_objects_does_not_judge_the_expanded_pods(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    expand_deployments(kube_emulator)
    add(kube_emulator, on_pods(source="Original"))  # expansion.md's block-standalone-pods
    result = check(tmp_path, web())
    assert "expand-deployments expands them" not in result.stderr
    assert "a deny shows as FailedCreate events" in result.stderr


def test_a_constraint_on_generated_objects_judges_only_the_expanded_pods(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    expand_deployments(kube_emulator)
    add(kube_emulator, on_pods(source="Generated"))
    result = check(tmp_path, web())
    assert "selects deployment.apps/web (its pods as ExpansionTemplate expand-deployments expands them)" in (
        result.stderr
    )
    assert "FailedCreate" not in result.stderr
    assert "--dry-run=server" in result.stderr


def test_an_expansion_template_for_another_version_expands_nothing() -> None:
    from akscli.kube import gatekeeper

    template = gatekeeper.Expansion(
        "x", ((("apps",), ("v1beta2",), ("Deployment",)),), ("spec", "template"), ("", "Pod"), ""
    )
    assert not template.applies("apps", "v1", "Deployment")  # apply_to.go ApplyTo.Matches: the version too
    assert template.applies("apps", "v1beta2", "Deployment")


def test_the_expanded_pod_is_named_as_gatekeeper_mocks_it() -> None:
    from akscli.kube import gatekeeper

    template = gatekeeper.Expansion(
        "x", ((("apps",), ("v1",), ("Deployment",)),), ("spec", "template"), ("", "Pod"), ""
    )
    made = template.expand(copy.deepcopy(web()), "default", {}, "deployment.apps/web")
    assert made is not None
    assert (made.subject.name, dict(made.subject.labels or {}), made.subject.source) == (
        "web-pod",
        {"app": "web"},
        "Generated",
    )


class _NoNamespaceReads:
    """A user who may not read Namespaces (the webhook still reads them, with Gatekeeper's rights)."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        from akscli import errors

        raise errors.AuthError("namespaces is forbidden")


def test_a_namespace_this_user_may_not_read_leaves_a_namespace_selector_not_known() -> None:
    from akscli.kube import gatekeeper
    from akscli.kube.gatekeeper_match import Subject

    labels = gatekeeper.namespace_labels(_NoNamespaceReads(), [], {"models"})  # type: ignore[arg-type]
    assert labels == {"models": None}
    pod_subject = Subject("", "Pod", "models", {"app": "web"}, "web", namespace_labels=labels["models"])
    verdict = gatekeeper.selects(NO_PRIVILEGE["spec"]["match"], gatekeeper.Target("pod/web", pod_subject))
    assert (verdict.matched, verdict.unknown) == (None, "the labels of namespace models, which akscli could not read")
