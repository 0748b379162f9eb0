"""`policy check --context` lists the cluster's Gatekeeper (Azure Policy) constraints whose match
selects the manifest's objects or their pods, with their enforcement action and what their last
audit found in the objects' namespace; it evaluates no Rego and names the server dry run that shows
a deny (akscli.kube.gatekeeper).

The constraints are upstream's examples: Azure/azure-policy built-in-references/Kubernetes/
container-no-privilege/constraint.yaml (K8sAzureContainerNoPrivilege, kinds [""]/[Pod], a
namespaceSelector) and the K8sRequiredLabels constraint with an audited status in
open-policy-agent/gatekeeper website/docs/audit.md; the CRDs as Gatekeeper makes them
(tests/emulators/kube/gatekeeper.py install_constraint_crd)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from tests.cli import invoke, list_items
from tests.emulators.kube.gatekeeper import install_constraint_crd
from tests.ops.test_policy_apply import manifest, web

# Azure/azure-policy built-in-references/Kubernetes/container-no-privilege/constraint.yaml
NO_PRIVILEGE: dict[str, Any] = {
    "apiVersion": "constraints.gatekeeper.sh/v1beta1",
    "kind": "K8sAzureContainerNoPrivilege",
    "metadata": {"name": "container-no-privilege"},
    "spec": {
        "match": {
            "kinds": [{"apiGroups": [""], "kinds": ["Pod"]}],
            "namespaceSelector": {"matchExpressions": [{"key": "control-plane", "operator": "DoesNotExist"}]},
        }
    },
}

# open-policy-agent/gatekeeper website/docs/audit.md "Here is an example of a constraint with violations"
REQUIRED_LABELS: dict[str, Any] = {
    "apiVersion": "constraints.gatekeeper.sh/v1beta1",
    "kind": "K8sRequiredLabels",
    "metadata": {"name": "ns-must-have-gk"},
    "spec": {
        "match": {"kinds": [{"apiGroups": [""], "kinds": ["Namespace"]}]},
        "parameters": {"labels": ["gatekeeper"]},
    },
    "status": {
        "auditTimestamp": "2019-05-11T01:46:13Z",
        "enforced": True,
        "violations": [
            {
                "enforcementAction": "deny",
                "group": "",
                "version": "v1",
                "kind": "Namespace",
                "message": 'you must provide labels: {"gatekeeper"}',
                "name": name,
            }
            for name in ("default", "gatekeeper-system", "kube-public", "kube-system")
        ],
    },
}


def pods_in(namespace: str, *, action: str | None = None, **status: Any) -> dict[str, Any]:
    """A constraint on Pods with no selector (so it surely selects), audited with ``status``."""
    obj = copy.deepcopy(NO_PRIVILEGE)
    obj["metadata"]["name"] = f"pods-{namespace}"
    del obj["spec"]["match"]["namespaceSelector"]
    obj["spec"]["match"]["namespaces"] = [namespace]
    if action:
        obj["spec"]["enforcementAction"] = action
    if status:
        obj["status"] = status
    return obj


def add(emu: Any, *constraints: dict[str, Any]) -> None:
    for obj in constraints:
        install_constraint_crd(emu, obj["kind"])
        emu.cluster.create(copy.deepcopy(obj))


def check(tmp_path: Path, *objects: dict[str, Any], extra: tuple[str, ...] = ()) -> Any:
    return invoke("policy", "check", "-f", manifest(tmp_path, *objects), "--context", "emulator", *extra)


def violation(name: str, namespace: str) -> dict[str, Any]:
    return {
        "enforcementAction": "deny",
        "group": "",
        "version": "v1",
        "kind": "Pod",
        "name": name,
        "namespace": namespace,
        "message": f"Privileged container is not allowed: {name}",
    }


def pod(name: str = "web") -> dict[str, Any]:
    spec = web()["spec"]["template"]["spec"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def expand_deployments(emu: Any, action: str = "") -> None:
    """The ExpansionTemplate of open-policy-agent/gatekeeper website/docs/expansion.md (Deployments and
    the other workloads into Pods; its enforcementAction override only where ``action`` is given: the
    page's is ``warn``), and its CRD as
    charts/gatekeeper/crds/expansiontemplate-customresourcedefinition.yaml names it (plural
    expansiontemplate, Cluster, v1alpha1 stored, v1beta1 served)."""
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    emu.cluster.create(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "expansiontemplate.expansion.gatekeeper.sh"},
            "spec": {
                "group": "expansion.gatekeeper.sh",
                "scope": "Cluster",
                "names": {
                    "plural": "expansiontemplate",
                    "singular": "expansiontemplate",
                    "kind": "ExpansionTemplate",
                    "listKind": "ExpansionTemplateList",
                },
                "versions": [
                    {"name": "v1alpha1", "served": True, "storage": True, "schema": schema},
                    {"name": "v1beta1", "served": True, "storage": False, "schema": schema},
                ],
            },
        }
    )
    emu.cluster.create(
        {
            "apiVersion": "expansion.gatekeeper.sh/v1beta1",
            "kind": "ExpansionTemplate",
            "metadata": {"name": "expand-deployments"},
            "spec": {
                "applyTo": [
                    {
                        "groups": ["apps"],
                        "kinds": ["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
                        "versions": ["v1"],
                    },
                    {"groups": [""], "kinds": ["ReplicationController"], "versions": ["v1"]},
                    {"groups": ["batch"], "kinds": ["Job"], "versions": ["v1"]},
                ],
                "templateSource": "spec.template",
                "generatedGVK": {"kind": "Pod", "group": "", "version": "v1"},
                **({"enforcementAction": action} if action else {}),
            },
        }
    )


def test_a_deny_constraint_on_the_pods_of_a_deployment_is_listed_with_its_action(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default"))
    result = check(tmp_path, web())
    assert result.exit_code == 0, result
    assert (
        "Gatekeeper constraint K8sAzureContainerNoPrivilege/pods-default (deny: refuses what breaks it) "
        "selects deployment.apps/web (its pods)"
    ) in result.stderr


def test_a_pod_constraint_without_expansion_is_said_to_act_after_the_apply_with_no_dry_run_hint(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default"))
    result = check(tmp_path, web())
    assert "a server dry run does not show it: a deny shows as FailedCreate events" in result.stderr
    assert "--dry-run=server" not in result.stderr


def test_a_deny_constraint_on_a_pod_names_the_server_dry_run_that_shows_the_deny(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default"))
    result = check(tmp_path, pod())
    assert "akscli does not evaluate Gatekeeper's Rego" in result.stderr
    assert f"akscli apply -f {tmp_path / 'stack.yaml'} --dry-run=server" in result.stderr
    assert "FailedCreate" not in result.stderr


def test_an_expansion_template_makes_the_deployments_dry_run_show_its_pods_deny(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    expand_deployments(kube_emulator)
    add(kube_emulator, pods_in("default"))
    result = check(tmp_path, web())
    assert "FailedCreate" not in result.stderr
    assert f"akscli apply -f {tmp_path / 'stack.yaml'} --dry-run=server" in result.stderr


def test_a_namespace_selector_is_judged_on_the_labels_of_the_namespace_the_objects_land_in(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, NO_PRIVILEGE)  # DoesNotExist control-plane: the default namespace has no such label
    result = check(tmp_path, web())
    assert (
        "K8sAzureContainerNoPrivilege/container-no-privilege (deny: refuses what breaks it) "
        "selects deployment.apps/web (its pods)"
    ) in result.stderr


def test_the_audit_violations_in_the_objects_namespace_are_reported_and_others_are_not(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    status = {"totalViolations": 3, "violations": [violation("old", "default"), violation("x", "other")]}
    obj = pods_in("default", **status)
    obj["spec"]["match"]["namespaces"] = ["default", "other"]
    add(kube_emulator, obj)
    result = check(tmp_path, web())
    assert (
        "its last audit found 3 violation(s) in the cluster, 1 listed for namespace default, e.g. "
        "Pod/old: Privileged container is not allowed: old"
    ) in result.stderr
    assert "Pod/x" not in result.stderr


def test_a_constraint_on_namespaces_reports_the_audited_namespace_the_manifest_holds(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, REQUIRED_LABELS)
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-public"}}
    result = check(tmp_path, namespace)
    assert "K8sRequiredLabels/ns-must-have-gk (deny: refuses what breaks it) selects namespace/kube-public" in (
        result.stderr
    )
    assert (
        '1 listed for Namespace/kube-public, e.g. Namespace/kube-public: you must provide labels: {"gatekeeper"}'
        in (result.stderr)
    )


def test_a_constraint_whose_namespaces_leave_out_the_objects_is_not_listed(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("models"))
    result = check(tmp_path, web())
    assert "pods-models" not in result.stderr
    assert "no Gatekeeper constraint on emulator selects these objects" in result.stderr


def test_dash_n_places_objects_without_a_namespace(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    add(kube_emulator, pods_in("models"))
    obj = web()
    del obj["metadata"]["namespace"]
    result = check(tmp_path, obj, extra=("-n", "models"))
    assert "K8sAzureContainerNoPrivilege/pods-models" in result.stderr


def test_an_excluded_namespace_is_not_selected(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    obj = pods_in("default")
    del obj["spec"]["match"]["namespaces"]
    obj["spec"]["match"]["excludedNamespaces"] = ["def*"]
    add(kube_emulator, obj)
    assert "no Gatekeeper constraint on emulator selects these objects" in check(tmp_path, web()).stderr


def test_a_constraint_on_other_kinds_is_not_listed(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    add(kube_emulator, REQUIRED_LABELS)
    assert "no Gatekeeper constraint on emulator selects these objects" in check(tmp_path, web()).stderr


def test_a_dryrun_constraint_is_listed_as_one_that_only_audits_with_no_dry_run_hint(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default", action="dryrun"))
    result = check(tmp_path, web())
    assert "pods-default (dryrun: only audits)" in result.stderr
    assert "--dry-run=server" not in result.stderr


def test_a_scoped_constraint_takes_the_webhooks_action(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    obj = pods_in("default", action="scoped")
    obj["spec"]["scopedEnforcementActions"] = [
        {"action": "warn", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]},
        {"action": "deny", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]},
    ]
    add(kube_emulator, obj)
    assert "pods-default (warn: warns on what breaks it)" in check(tmp_path, web()).stderr


def test_every_page_of_a_kinds_constraints_is_read(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    many = []
    for index in range(55):  # more than one page of 50
        obj = pods_in("default")
        obj["metadata"]["name"] = f"c{index:02d}"
        many.append(obj)
    add(kube_emulator, *many)
    result = check(tmp_path, web())
    assert result.stderr.count("Gatekeeper constraint K8sAzureContainerNoPrivilege/") == 55


def test_a_cluster_without_gatekeeper_says_no_constraint_selects(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    result = check(tmp_path, web())
    assert result.exit_code == 0, result
    assert "no Gatekeeper constraint on emulator selects these objects" in result.stderr


def test_without_context_or_kubeconfig_the_check_stays_offline(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default"))
    result = invoke("policy", "check", "-f", manifest(tmp_path, web()))
    assert result.exit_code == 0, result
    assert "Gatekeeper" not in result.stderr


def test_the_constraints_are_listed_on_stderr_so_json_output_stays_the_findings(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    add(kube_emulator, pods_in("default"))
    result = check(tmp_path, web(), extra=("-o", "json"))
    assert "Gatekeeper" not in result.stdout
    assert "pods-default" in result.stderr


class _Forbidding:
    """A cluster that serves one constraint kind this user may not list."""

    def served_kinds(self, api_version: str) -> list[str]:
        return ["K8sAzureContainerNoPrivilege"]

    def list(self, *args: Any, **kwargs: Any) -> Any:
        from akscli import errors

        raise errors.AuthError("forbidden")


def test_a_kind_this_user_may_not_list_is_named_not_passed_in_silence() -> None:
    from akscli.kube import gatekeeper

    found, forbidden = gatekeeper.applying(_Forbidding(), [])  # type: ignore[arg-type]
    assert (found, forbidden) == ([], ["K8sAzureContainerNoPrivilege"])


def test_a_namespaced_scope_leaves_out_a_cluster_scoped_object() -> None:
    from akscli.kube import gatekeeper
    from akscli.kube.gatekeeper_match import Subject

    subject = Subject("rbac.authorization.k8s.io", "ClusterRole", None, {}, "reader")
    role = gatekeeper.Target("clusterrole/reader", subject)
    assert gatekeeper.selects({"scope": "Namespaced"}, role).matched is False
    assert gatekeeper.selects({"scope": "Cluster", "namespaces": ["default"]}, role).matched is True


def test_dash_n_names_the_namespace_of_an_offline_finding(tmp_path: Path) -> None:
    obj = web()
    del obj["metadata"]["namespace"]
    result = invoke("policy", "check", "-f", manifest(tmp_path, obj), "-n", "models", "-o", "json")
    assert result.exit_code == 0, result
    assert {f["object"] for f in list_items(result.stdout)} == {"Deployment models/web"}
