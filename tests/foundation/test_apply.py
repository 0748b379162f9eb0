"""The apply engine against the Kubernetes emulator: plan, apply, conflicts, prune, wait, retries."""

from __future__ import annotations

import copy
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.cli.common import apply_objects
from akscli.kube import apply as engine
from akscli.kube import client as kube_client
from akscli.kube.client import KubeTarget, RetryPolicy
from akscli.kube.connecting import connect
from akscli.kube.wait import wait_for
from akscli.render import with_stack_labels
from tests.baremetal.nodes import small_cpu_node


def config_map(name: str = "settings", **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data or {"mode": "fast"}}


def deployment(name: str = "web", replicas: int = 2) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": "nginx:1.27",
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "64Mi"},
                                "limits": {"cpu": "1", "memory": "128Mi"},
                            },
                        }
                    ]
                },
            },
        },
    }


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        kube_client, "DEFAULT_RETRY", RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.5, deadline=10)
    )


@pytest.fixture
def target(kubeconfig: Path) -> KubeTarget:
    return KubeTarget(kubeconfig=str(kubeconfig))


def plan_of(target: KubeTarget, objects: list[dict[str, Any]], **options: Any) -> engine.Plan:
    kube = connect(target)
    labelled = list(with_stack_labels(copy.deepcopy(objects), "demo"))
    return engine.plan(kube, labelled, stack="demo", options=engine.ApplyOptions(**options))


def apply(target: KubeTarget, objects: list[dict[str, Any]], **kwargs: Any) -> list[engine.Change]:
    kwargs.setdefault("yes", True)
    return apply_objects(copy.deepcopy(objects), stack="demo", target=target, **kwargs).changes


def test_new_objects_are_planned_as_created_and_then_created(target: KubeTarget, kube_emulator: Any) -> None:
    assert [c.action for c in plan_of(target, [config_map()]).changes] == ["create"]
    done = apply(target, [config_map()])
    assert [c.action for c in done] == ["create"]
    stored = kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings")
    assert stored["data"] == {"mode": "fast"}
    assert stored["metadata"]["labels"]["akscli.io/stack"] == "demo"
    assert any(m["manager"] == "akscli" for m in stored["metadata"]["managedFields"])


def test_a_changed_field_is_planned_with_a_field_level_diff(target: KubeTarget) -> None:
    apply(target, [config_map()])
    (change,) = plan_of(target, [config_map(mode="slow")]).changes
    assert change.action == "configure"
    assert "~ data.mode: fast -> slow" in change.diff


def test_reapplying_the_same_objects_leaves_them_unchanged(target: KubeTarget, kube_emulator: Any) -> None:
    apply(target, [config_map(), deployment()])
    before = kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings")["metadata"]["resourceVersion"]
    assert {c.action for c in plan_of(target, [config_map(), deployment()]).changes} == {"unchanged"}
    apply(target, [config_map(), deployment()])
    after = kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings")["metadata"]["resourceVersion"]
    assert before == after


def test_a_field_owned_by_another_manager_is_a_conflict_naming_it(target: KubeTarget) -> None:
    apply(target, [deployment(replicas=2)])
    kube = connect(target)
    kube.apply(deployment(replicas=5) | {}, field_manager="hpa-controller", force=True)
    with pytest.raises(errors.ConflictError) as caught:
        apply(target, [deployment(replicas=3)])
    assert "hpa-controller" in caught.value.message
    assert ".spec.replicas" in caught.value.message
    assert "--force-conflicts" in (caught.value.hint or "")


def test_force_conflicts_takes_ownership(target: KubeTarget, kube_emulator: Any) -> None:
    apply(target, [deployment(replicas=2)])
    connect(target).apply(deployment(replicas=5), field_manager="hpa-controller", force=True)
    apply(target, [deployment(replicas=3)], force_conflicts=True)
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web")["spec"]["replicas"] == 3


def test_prune_deletes_stack_objects_no_longer_rendered_and_lists_them_first(
    target: KubeTarget, kube_emulator: Any
) -> None:
    apply(target, [config_map("a"), config_map("b")])
    the_plan = plan_of(target, [config_map("a")], prune=True)
    assert [(c.ref, c.action) for c in the_plan.deletions] == [("configmap/b", "delete")]
    apply(target, [config_map("a")], prune=True)
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "b") is None
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "a") is not None


def test_without_prune_old_objects_stay(target: KubeTarget, kube_emulator: Any) -> None:
    apply(target, [config_map("a"), config_map("b")])
    apply(target, [config_map("a")])
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "b") is not None


def test_prune_without_yes_and_without_a_tty_refuses(target: KubeTarget, kube_emulator: Any) -> None:
    apply(target, [config_map("a"), config_map("b")])
    with pytest.raises(errors.ConfirmationRequired):
        apply(target, [config_map("a")], prune=True, yes=False)
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "b") is not None


def test_namespaces_are_applied_before_what_lives_in_them(target: KubeTarget, kube_emulator: Any) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}
    cm = config_map() | {"metadata": {"name": "settings", "namespace": "team-a"}}
    done = apply(target, [cm, ns])
    assert [c.obj["kind"] for c in done] == ["Namespace", "ConfigMap"]
    assert kube_emulator.cluster.get("v1", "ConfigMap", "team-a", "settings") is not None


def test_a_custom_resource_without_its_crd_names_the_operator(kube_emulator_factory: Any, tmp_path: Path) -> None:
    emu = kube_emulator_factory(crd_dirs=[])
    config = emu.write_kubeconfig(tmp_path / "config")
    workspace = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "llm"},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4"},
    }
    with pytest.raises(errors.NotInstalledError) as caught:
        apply(KubeTarget(kubeconfig=str(config)), [config_map(), workspace])
    assert caught.value.message.startswith("KAITO is not installed on this cluster: kaito.sh/v1beta1 Workspace")
    assert emu.cluster.get("v1", "ConfigMap", "default", "settings") is None  # nothing half-applied


def test_server_dry_run_changes_nothing(target: KubeTarget, kube_emulator: Any) -> None:
    apply(target, [config_map()], dry_run="server")
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is None


def test_client_dry_run_needs_no_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outcome = apply_objects(
        [config_map()], stack="demo", dry_run="client", target=KubeTarget(kubeconfig=str(tmp_path / "missing"))
    )
    assert outcome.kube is None
    assert "kind: ConfigMap" in capsys.readouterr().out


def test_wait_follows_a_deployment_until_it_is_available(target: KubeTarget, kube_emulator: Any) -> None:
    kube_emulator.cluster.create(small_cpu_node())  # its pods are Ready only on a node
    done = apply(target, [deployment(replicas=2)], wait=True, timeout="20s")
    assert done[0].action == "create"


def test_wait_timeout_names_the_condition_still_false(target: KubeTarget, kube_emulator: Any) -> None:
    workspace = {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "Workspace",
        "metadata": {"name": "llm"},
        "resource": {"instanceType": "Standard_NC24ads_A100_v4", "labelSelector": {"matchLabels": {"apps": "llm"}}},
        "inference": {"preset": {"name": "phi-4"}},
    }
    with pytest.raises(errors.WaitTimeoutError) as caught:
        apply(target, [workspace], wait=True, timeout="1s")
    assert "workspace.kaito.sh/llm" in caught.value.message
    assert "ResourceReady" in caught.value.message


def test_wait_uses_watches_not_polling(kube_emulator_factory: Any, tmp_path: Path) -> None:
    kube_emulator = kube_emulator_factory(controller_delay=1.0)
    target = KubeTarget(kubeconfig=str(kube_emulator.write_kubeconfig(tmp_path / "config")))
    kube_emulator.cluster.create(small_cpu_node())  # its pods are Ready only on a node
    apply(target, [deployment(replicas=2)], wait=True, timeout="20s")
    watches = [e for e in kube_emulator.request_log if e.query.get("watch") == ["true"]]
    gets = [
        e
        for e in kube_emulator.request_log
        if e.method == "GET" and e.path.endswith("/deployments") and "watch" not in e.query
    ]
    assert watches, "no watch request was made"
    assert len(gets) <= 2


@pytest.mark.parametrize(
    "fault", [{"status": 429, "retry_after": 1}, {"status": 500}, {"status": 503}, {"drop_connection": True}]
)
def test_transient_failures_are_retried(target: KubeTarget, kube_emulator: Any, fault: dict[str, Any]) -> None:
    injected = kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", count=1, **fault)
    apply(target, [config_map()])
    patches = [e for e in kube_emulator.request_log if e.method == "PATCH" and e.path.endswith("/configmaps/settings")]
    assert injected.hits == 1
    assert len(patches) == 3  # the dry run, the apply, and the retry of the one that failed
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is not None


def test_persistent_failure_lists_what_was_applied_and_what_was_not(target: KubeTarget, kube_emulator: Any) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}}
    cm = config_map() | {"metadata": {"name": "settings", "namespace": "team-b"}}
    kube_emulator.faults.add(verb="PATCH", path=r"/configmaps/settings$", status=500, count=100)
    with pytest.raises(errors.PartialApplyError) as caught:
        apply(target, [ns, cm])
    assert "Applied 1: namespace/team-b" in caught.value.message
    assert "Not applied 1: configmap/settings" in caught.value.message
    kube_emulator.faults.clear()
    apply(target, [ns, cm])  # re-running converges
    assert kube_emulator.cluster.get("v1", "ConfigMap", "team-b", "settings") is not None


def test_lists_are_paginated(target: KubeTarget, kube_emulator: Any) -> None:
    for index in range(7):
        kube_emulator.cluster.create(
            config_map(f"cm-{index}") | {"metadata": {"name": f"cm-{index}", "namespace": "default"}}
        )
    kube = connect(target)
    names = [o["metadata"]["name"] for o in kube.list("v1", "ConfigMap", page_size=3)]
    # and the root CA publisher's kube-root-ca.crt, which every namespace has
    assert sorted(names) == [*(f"cm-{i}" for i in range(7)), "kube-root-ca.crt"]
    pages = [e for e in kube_emulator.request_log if e.path.endswith("/configmaps") and e.query.get("limit") == ["3"]]
    assert len(pages) == 3


def test_a_missing_kubeconfig_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(errors.UsageError) as caught:
        connect(KubeTarget(kubeconfig=str(tmp_path / "nope")))
    assert "no kubeconfig found" in caught.value.message
    assert "akscli cluster credentials" in (caught.value.hint or "")


def test_an_unknown_context_lists_the_known_ones(kubeconfig: Path) -> None:
    with pytest.raises(errors.UsageError) as caught:
        connect(KubeTarget(kubeconfig=str(kubeconfig), context="prod"))
    assert "emulator" in (caught.value.hint or "")


JOB = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {"name": "j", "namespace": "default"},
    "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36"}]}}},
}
JOB_FAILED = {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "boom"}]}


def test_wait_for_reports_a_failed_job(target: KubeTarget, kube_emulator: Any) -> None:
    kube = connect(target)
    job = copy.deepcopy(JOB)
    kube.apply(job)
    kube_emulator.cluster.patch_status("batch/v1", "Job", "default", "j", JOB_FAILED)
    with pytest.raises(errors.AkscliError) as caught:
        wait_for(kube, [job], timeout=5)
    assert "BackoffLimitExceeded" in caught.value.message


def test_a_failure_ends_the_wait_while_other_kinds_are_still_pending(
    kube_emulator_factory: Any, tmp_path: Path
) -> None:
    kube_emulator = kube_emulator_factory(controller_delay=3600)  # the Deployment never becomes available
    kube = connect(KubeTarget(kubeconfig=str(kube_emulator.write_kubeconfig(tmp_path / "config"))))
    job = copy.deepcopy(JOB)
    web = {**deployment(), "metadata": {"name": "web", "namespace": "default"}}
    kube.apply(job)
    kube.apply(web)
    threading.Timer(0.5, kube_emulator.cluster.patch_status, ("batch/v1", "Job", "default", "j", JOB_FAILED)).start()
    started = time.monotonic()
    with pytest.raises(errors.ObjectFailedError) as caught:
        wait_for(kube, [job, web], timeout=120)
    assert "BackoffLimitExceeded" in caught.value.message
    # The Deployment's quiet watch was shut, not waited for until its timeoutSeconds (120 s).
    assert time.monotonic() - started < 60


def test_server_dry_run_prints_the_servers_objects_on_stdout_as_json(
    target: KubeTarget, capsys: pytest.CaptureFixture[str]
) -> None:
    # kubectl apply --dry-run=server -o json prints what the server answered, not a plan.
    apply(target, [config_map()])
    capsys.readouterr()
    apply(target, [config_map(mode="slow"), config_map("new")], dry_run="server", output_format="json")
    printed = capsys.readouterr()
    listed = json.loads(printed.out)
    assert [(o["metadata"]["name"], o["data"]) for o in listed["items"]] == [
        ("settings", {"mode": "slow"}),
        ("new", {"mode": "fast"}),
    ]
    # The existing object comes back with the server's resourceVersion; the plan goes to stderr.
    assert listed["items"][0]["metadata"]["resourceVersion"]
    assert "configmap/settings (default): will be changed" in printed.err


def test_client_dry_run_delete_lists_and_keeps_the_objects(
    target: KubeTarget, kube_emulator: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from akscli.cli.common import delete_objects

    apply(target, [config_map()])
    capsys.readouterr()
    delete_objects(
        connect(target),
        [("v1", "ConfigMap", "settings", "default")],
        yes=False,
        what="x",
        action="delete",
        dry_run="client",
    )
    assert capsys.readouterr().out == 'configmap "settings" deleted from default namespace (dry run)\n'
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is not None


def test_delete_without_a_terminal_or_yes_refuses(target: KubeTarget, kube_emulator: Any) -> None:
    from akscli.cli.common import delete_objects

    apply(target, [config_map()])
    with pytest.raises(errors.ConfirmationRequired):
        delete_objects(
            connect(target), [("v1", "ConfigMap", "settings", "default")], yes=False, what="x", action="delete"
        )
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "settings") is not None


def test_a_plan_keeps_the_servers_answers_only_when_asked(target: KubeTarget) -> None:
    # --dry-run=server -o yaml prints them; an apply does not need them, and 5,000 kept answers
    # cost as much memory as the objects (nox -s bench's 5,000-object row).
    kube = connect(target)
    plain = engine.plan(kube, [config_map()], stack=None, options=engine.ApplyOptions())
    kept = engine.plan(kube, [config_map()], stack=None, options=engine.ApplyOptions(keep_answers=True))
    assert plain.changes[0].server is None
    assert kept.changes[0].server is not None and kept.changes[0].server["metadata"]["uid"]


def test_an_object_applied_last_never_shares_the_deferred_objects_batch() -> None:
    # a ConfigMap (tier 2) the caller wants last goes after the deferred KAITO objects (2.5), which
    # must come right after the ConfigMaps they read, and before tier 3
    from akscli.kube import deferred_checks
    from akscli.kube.changes import ApplyOptions, Change

    options = ApplyOptions(last=frozenset({"configmap/settings"}))
    last = engine._tier_of(Change(config_map(), "create"), options)
    deferred = Change(
        {"apiVersion": "kaito.sh/v1beta1", "kind": "Workspace", "metadata": {"name": "w"}},
        "create",
        deferred=deferred_checks.Deferred(("inference",), "cm", "configmap/cm"),
    )
    assert engine._tier_of(Change(config_map("other"), "create"), options) < engine._tier_of(deferred, options)
    assert engine._tier_of(deferred, options) < last < engine._tier_of(Change(deployment(), "create"), options)


def test_create_only_posts_so_a_name_taken_after_the_plan_is_refused(target: KubeTarget, kube_emulator: Any) -> None:
    # kubectl create: the write is a POST, which the API server answers 409 AlreadyExists for a
    # taken name (kubernetes/apiserver pkg/registry/generic/registry/store.go Store.Create), where
    # an apply would go over what another writer made after the plan.
    kube = connect(target)
    options = engine.ApplyOptions(create_only=True)
    the_plan = engine.plan(kube, [config_map()], stack=None, options=options)
    assert [c.action for c in the_plan.changes] == ["create"]
    kube.apply(config_map(mode="theirs"), field_manager="someone")
    with pytest.raises(errors.ConflictError) as caught:
        engine.execute(kube, the_plan, options=options)
    assert caught.value.reason == "AlreadyExists"
    assert (kube.get("v1", "ConfigMap", "settings", kube.namespace) or {})["data"] == {"mode": "theirs"}
    with pytest.raises(errors.ConflictError, match="already exists"):
        engine.plan(kube, [config_map()], stack=None, options=options)  # the plan's dry run refuses it too
