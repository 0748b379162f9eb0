"""-l/--selector, kubectl get's, on every list of Kubernetes objects: the selector goes to the
API server with every page of the list (labelSelector beside limit and continue), so only the
objects it selects come back. A list of what is no Kubernetes object refuses -l in one line."""

from __future__ import annotations

from typing import Any

import pytest

from akscli.model.kinds import MODEL_LABEL
from tests.cli import invoke

FLEET = "placement.kubernetes-fleet.io/v1"


def _deployment(name: str, team: str) -> dict[str, Any]:
    labels = {MODEL_LABEL: name, "app": name}
    pod = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "vllm", "image": "vllm/vllm-openai"}]}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "labels": {**labels, "team": team}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}}, "template": pod},
    }


def _placement(name: str, team: str) -> dict[str, Any]:
    return {
        "apiVersion": FLEET,
        "kind": "ClusterResourcePlacement",
        "metadata": {"name": name, "labels": {"team": team}},
        "spec": {"resourceSelectors": [{"group": "", "version": "v1", "kind": "Namespace", "name": name}]},
    }


def _nodepool(name: str, team: str) -> dict[str, Any]:
    return {
        "apiVersion": "karpenter.sh/v1",
        "kind": "NodePool",
        "metadata": {"name": name, "labels": {"team": team}},
        "spec": {
            "template": {
                "spec": {
                    "nodeClassRef": {"group": "karpenter.azure.com", "kind": "AKSNodeClass", "name": "default"},
                    "requirements": [],
                }
            }
        },
    }


def _selected_lists(emu: Any, plural: str) -> list[str]:
    """The labelSelector of each list request of ``plural`` (None where a list sent none)."""
    return [
        (r.query.get("labelSelector") or [None])[0]
        for r in emu.request_log
        if r.method == "GET" and r.verb == "list" and r.path.rsplit("/", 1)[-1] == plural
    ]


def _listed(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def test_model_list_sends_the_selector_with_the_model_label_and_prints_only_what_it_selects(
    kube_emulator: Any, kubeconfig: Any
) -> None:
    for name, team in (("llama", "research"), ("mistral", "serving")):
        kube_emulator.cluster.create(_deployment(name, team))
    kube_emulator.record_requests = True
    names = _listed("model", "list", "-l", "team=serving", "-o", "name")
    assert names.split() == ["model/mistral"]
    assert _selected_lists(kube_emulator, "deployments") == [f"{MODEL_LABEL},team=serving"]


def test_fleet_placement_list_sends_the_selector(kube_emulator: Any, kubeconfig: Any) -> None:
    for name, team in (("a", "research"), ("b", "serving")):
        kube_emulator.cluster.create(_placement(name, team))
    kube_emulator.record_requests = True
    names = _listed("fleet", "placement", "list", "-l", "team in (serving)", "-o", "name")
    assert names.split() == [f"clusterresourceplacement.{FLEET.split('/')[0]}/b"]
    assert _selected_lists(kube_emulator, "clusterresourceplacements") == ["team in (serving)"]


def test_nodepool_list_auto_provision_sends_the_selector(kube_emulator: Any, kubeconfig: Any) -> None:
    for name, team in (("gpu-a", "research"), ("gpu-b", "serving")):
        kube_emulator.cluster.create(_nodepool(name, team))
    kube_emulator.record_requests = True
    names = _listed("nodepool", "list", "--auto-provision", "-l", "team!=research", "-o", "name")
    assert names.split() == ["nodepool.karpenter.sh/gpu-b"]
    assert _selected_lists(kube_emulator, "nodepools") == ["team!=research"]


@pytest.mark.parametrize(
    "args",
    [
        ("ray", "service", "list"),
        ("fleet", "rollout", "list"),
        ("fleet", "rollout", "strategy", "list"),
    ],
    ids=lambda a: " ".join(a),
)
def test_these_lists_send_the_selector_with_each_list_request(
    kube_emulator: Any, kubeconfig: Any, args: tuple[str, ...]
) -> None:
    kube_emulator.record_requests = True
    result = invoke(*args, "-l", "team=serving")
    assert result.exit_code == 0, result
    sent = [(r.query.get("labelSelector") or [None])[0] for r in kube_emulator.request_log if r.verb == "list"]
    assert sent and all(s == "team=serving" for s in sent)


@pytest.mark.parametrize(
    "args",
    [
        ("cluster", "list"),
        ("fleet", "list"),
        ("fleet", "member", "list", "--fleet", "f", "-g", "rg"),
        ("fleet", "autoupgrade", "list", "--fleet", "f", "-g", "rg"),
        ("baremetal", "cluster", "list"),
        ("ray", "workergroup", "list", "rc"),
        ("audit", "list"),
        ("fleet", "gates", "--fleet", "f", "-g", "rg"),
        ("model", "catalog"),
        ("model", "history", "phi-4"),
        ("policy", "rules"),
    ],
    ids=lambda a: " ".join(a[:3]),
)
def test_a_list_of_what_is_no_kubernetes_object_refuses_the_selector_in_one_line(args: tuple[str, ...]) -> None:
    result = invoke(*args, "-l", "team=serving")
    assert result.exit_code == 2
    assert result.stdout == ""
    error = result.stderr.splitlines()[0]
    assert error.startswith("error: -l/--selector selects Kubernetes objects by label;"), result.stderr
    assert "lists no Kubernetes objects" in error


@pytest.mark.parametrize(
    "args",
    [
        ("nodepool", "list", "-c", "c1", "-g", "rg"),
        ("fleet", "rollout", "list", "--fleet", "f", "-g", "rg"),
        ("fleet", "rollout", "strategy", "list", "--fleet", "f", "-g", "rg"),
    ],
    ids=lambda a: " ".join(a[:-4]),
)
def test_an_azure_list_of_a_command_that_also_lists_kubernetes_objects_refuses_the_selector(
    args: tuple[str, ...],
) -> None:
    result = invoke(*args, "-l", "team=serving")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "are not Kubernetes objects" in result.stderr.splitlines()[0], result.stderr
    assert result.stderr.splitlines()[1].startswith("hint: drop -l, or ")


def test_a_selector_that_is_no_selector_is_refused_before_anything_is_sent(kube_emulator: Any, kubeconfig: Any) -> None:
    kube_emulator.record_requests = True
    result = invoke("model", "list", "-l", "team=a\nb")
    assert result.exit_code == 2
    assert kube_emulator.request_log == []


# Lists left without -l on purpose: they list only beside their change (the upgrade commands).
NOT_DECLARED = {"cluster upgrade", "nodepool upgrade"}


def test_every_list_command_takes_the_selector_or_declares_it_lists_no_kubernetes_objects() -> None:
    """A new list command either takes -l or says it lists no Kubernetes objects, whatever its
    name: the -l refusal reads that declaration (options.lists_no_kubernetes_objects)."""
    from akscli.cli import grammar
    from akscli.cli.options import lists_no_kubernetes_objects_declared

    undeclared = []
    for path, command in grammar.leaf_commands():
        name = " ".join(path)
        lists = path[-1] == "list" or (command.help or "").startswith("List")
        takes_selector = any("--selector" in getattr(p, "opts", ()) for p in command.params)
        declared = lists_no_kubernetes_objects_declared(command)
        if lists and name not in NOT_DECLARED and not takes_selector and not declared:
            undeclared.append(name)
    assert undeclared == []


def test_a_command_that_takes_the_selector_does_not_declare_it_lists_no_kubernetes_objects() -> None:
    from akscli.cli import grammar
    from akscli.cli.options import lists_no_kubernetes_objects_declared

    both = [
        " ".join(path)
        for path, command in grammar.leaf_commands()
        if lists_no_kubernetes_objects_declared(command)
        and any("--selector" in getattr(p, "opts", ()) for p in command.params)
    ]
    assert both == []
