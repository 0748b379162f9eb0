"""A wait in a crowded namespace: what ``apply --wait`` applied is judged on the server's answer
first, and what is not ready yet is followed with a list and watch narrowed on the server: by name
for one object, by the stack label akscli put on each for several (kube/wait.py ``selector_of``),
and by name for each of up to eight that share no stack label (more are one follow of the kind);
never by paging through every object of the kind in the namespace for each object. Requests and their parameters are
counted as the emulator saw them, never timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli.kube import wait
from akscli.kube.client import KubeTarget
from akscli.kube.connecting import connect
from akscli.render import with_stack_labels
from tests.cli import invoke

CROWD = 1_100  # three pages of 500 of other ConfigMaps in the namespace


@pytest.fixture
def crowded(kube_emulator: Any) -> Any:
    for i in range(CROWD):
        kube_emulator.cluster.create(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{i:04}", "namespace": "default"}}
        )
    return kube_emulator


def configmap(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}}


def manifests(tmp_path: Path, *names: str) -> Path:
    path = tmp_path / "stack.yaml"
    path.write_text(
        "\n---\n".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\ndata:\n  k: v\n" for n in names)
    )
    return path


def configmap_reads(emu: Any) -> list[Any]:
    return [r for r in emu.requests(method="GET", path="/configmaps") if r.verb in ("list", "watch")]


def test_a_wait_for_several_objects_lists_and_watches_them_by_their_stack_label(crowded: Any, kubeconfig: Path) -> None:
    # Objects as rendered, not as the server answered them: the wait reads them.
    objects = with_stack_labels([configmap("zz-a"), configmap("zz-b")], "web")  # last in key order
    for obj in objects:
        crowded.cluster.create(obj)
    crowded.request_log.clear()
    wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), objects, timeout=20)
    reads = configmap_reads(crowded)
    assert [(r.verb, r.query.get("labelSelector")) for r in reads] == [
        ("watch", ["akscli.io/stack=web,app.kubernetes.io/managed-by=akscli"])  # a watch-list
    ]


def test_apply_wait_reads_nothing_for_objects_ready_on_the_servers_answer(
    crowded: Any, kubeconfig: Path, tmp_path: Path
) -> None:
    path = manifests(tmp_path, "zz-a", "zz-b")
    result = invoke("apply", "-f", str(path), "--stack", "web", "--wait", "--timeout", "20s", "-y")
    assert result.exit_code == 0, result
    assert "all 2 object(s) ready" in result.stderr
    # The plan's one read of the stack's ConfigMaps (by its label), and no list or watch after it.
    assert [(r.verb, r.query.get("labelSelector")) for r in configmap_reads(crowded)] == [
        ("list", ["akscli.io/stack=web"])
    ]


def test_a_wait_for_one_object_is_narrowed_by_its_name(crowded: Any, kubeconfig: Path) -> None:
    crowded.cluster.create(configmap("zz-one"))
    crowded.request_log.clear()
    wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [configmap("zz-one")], timeout=20)
    assert [(r.verb, r.query.get("fieldSelector")) for r in configmap_reads(crowded)] == [
        ("watch", ["metadata.name=zz-one"])  # a watch-list
    ]


@pytest.mark.parametrize("watch_list", [True, False], ids=["watch-list", "paged-list"])
def test_a_wait_for_objects_with_no_stack_label_in_common_reads_each_by_its_name(
    crowded: Any, kubeconfig: Path, watch_list: bool
) -> None:
    # Objects akscli did not apply: kubectl wait narrows each by metadata.name
    # (kubernetes/kubectl pkg/cmd/wait/condition.go); so does akscli, never the kind whole.
    crowded.watch_list = watch_list
    for name in ("zz-a", "zz-b"):
        crowded.cluster.create(configmap(name))
    crowded.request_log.clear()
    wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [configmap("zz-a"), configmap("zz-b")], timeout=20)
    reads = [r for r in configmap_reads(crowded) if r.status == 200]
    assert sorted(r.query.get("fieldSelector", ["(none)"])[0] for r in reads) == [
        "metadata.name=zz-a",
        "metadata.name=zz-b",
    ]
    assert all(r.verb == ("watch" if watch_list else "list") for r in reads)


def test_a_group_with_no_stack_label_in_common_has_no_label_selector() -> None:
    first = {"akscli.io/stack": "web", "tier": "web"}
    assert wait.selector_of(wait.common_labels(first, {"akscli.io/stack": "db", "tier": "web"})) is None
    assert wait.selector_of(wait.common_labels(first, {"tier": "web"})) is None
    assert wait.selector_of(None) is None


def test_the_stack_labels_alone_are_the_selector_where_every_object_carries_them() -> None:
    labels = {"akscli.io/stack": "web", "app.kubernetes.io/managed-by": "akscli", "app": "x"}
    assert wait.selector_of(labels) == "akscli.io/stack=web,app.kubernetes.io/managed-by=akscli"


def test_a_wait_for_more_objects_than_named_follows_with_no_stack_label_is_one_watch(
    crowded: Any, kubeconfig: Path
) -> None:
    # One watch per object up to NAMED_FOLLOWS; past it, the kind in the namespace once (a
    # field selector names one object only: kubernetes/apimachinery pkg/fields/selector.go).
    names = [f"zz-{i}" for i in range(wait.NAMED_FOLLOWS + 1)]
    for name in names:
        crowded.cluster.create(configmap(name))
    crowded.request_log.clear()
    wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), [configmap(n) for n in names], timeout=20)
    reads = configmap_reads(crowded)
    assert [(r.verb, r.query.get("fieldSelector"), r.query.get("labelSelector")) for r in reads] == [
        ("watch", None, None)  # a watch-list of the namespace's ConfigMaps
    ]


def test_a_wait_for_more_than_named_follows_objects_of_a_cluster_scoped_kind_follows_each_by_name(
    kube_emulator: Any, kubeconfig: Path
) -> None:
    # The kind whole of a cluster-scoped kind is the cluster's every object (75,000 Nodes): each
    # is followed by its name instead, as kubectl wait does (kubernetes/kubectl pkg/cmd/wait/condition.go).
    names = [f"zz-{i}" for i in range(wait.NAMED_FOLLOWS + 2)]
    roles = [
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": n}} for n in names
    ]
    for role in roles:
        kube_emulator.cluster.create(role)
    kube_emulator.request_log.clear()
    wait.wait_for(connect(KubeTarget(kubeconfig=str(kubeconfig))), roles, timeout=20)
    reads = [r for r in kube_emulator.requests(method="GET", path="/clusterroles") if r.verb in ("list", "watch")]
    assert sorted(tuple(r.query.get("fieldSelector") or ()) for r in reads) == sorted(
        (f"metadata.name={n}",) for n in names
    )
