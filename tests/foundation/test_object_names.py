"""One rule names a Kubernetes object wherever akscli names it to a user: kubectl's
``kind.group/name`` (``deployment.apps/web``, ``configmap/x``), the form kubectl delete
--interactive lists and its name printer prints (kubernetes/kubectl pkg/cmd/delete/delete.go
confirmation). The delete question, a deploy's question before it replaces a server, and the
dry-run plan use it; so do -o name and the apply lines."""

from __future__ import annotations

from typing import Any

from akscli import output
from akscli.cli.common import deletion_question
from akscli.kube import plan_diff
from akscli.model import revisions
from tests.cli import invoke

WORKSPACE = {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": {"name": "phi-4"}}
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}


def test_an_object_of_a_group_is_named_kind_dot_group_slash_name() -> None:
    assert output.object_ref(DEPLOYMENT) == "deployment.apps/web"


def test_an_object_of_the_core_group_is_named_kind_slash_name() -> None:
    assert output.object_ref(CONFIGMAP) == "configmap/x"


def test_the_deploy_question_and_the_plan_name_objects_by_the_same_rule() -> None:
    for obj in (WORKSPACE, CONFIGMAP, DEPLOYMENT):
        assert revisions.ref(obj) == plan_diff.object_ref(obj) == output.object_ref(obj)


def test_a_recreate_names_the_object_whose_field_cannot_change_as_kubectl_does() -> None:
    desired = {**WORKSPACE, "resource": {"instanceType": "Standard_NC40ads_H100_v5"}}
    live = {**WORKSPACE, "resource": {"instanceType": "Standard_NC24ads_A100_v4"}}
    assert revisions.immutable_changes(desired, live) == [
        "workspace.kaito.sh/phi-4 resource.instanceType: Standard_NC24ads_A100_v4 -> Standard_NC40ads_H100_v5"
    ]


def test_the_delete_question_lists_each_object_then_its_namespace() -> None:
    refs = [("ray.io/v1", "RayCluster", "rc", "ml"), ("v1", "Service", "rc-head", "ml")]
    assert deletion_question(refs) == "delete raycluster.ray.io/rc, service/rc-head in namespace ml"


def test_the_delete_question_of_a_cluster_scoped_object_names_no_namespace_and_keeps_the_commands_note() -> None:
    refs = [("karpenter.sh/v1", "NodePool", "gpu", None)]
    assert deletion_question(refs, "node auto-provisioning removes its nodes") == (
        "delete nodepool.karpenter.sh/gpu (node auto-provisioning removes its nodes)"
    )


def test_a_delete_without_yes_and_without_a_terminal_names_the_object_as_kubectl_does(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    kube_emulator.cluster.create(
        {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {"name": "rc", "namespace": "default"},
            "spec": {"headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": []}}}},
        }
    )
    result = invoke("ray", "cluster", "delete", "rc")
    assert result.exit_code == 2, result
    assert result.stderr.splitlines()[0] == (
        "error: refusing to delete raycluster.ray.io/rc in namespace default without confirmation"
    )
