"""The real `kubectl rollout history/undo/pause/resume/status` against the emulator's Deployment
controller, which keeps revisions, pausing and minReadySeconds as kube-controller-manager does
(kubernetes/kubernetes pkg/controller/deployment/sync.go getNewReplicaSet, checkPausedConditions,
pkg/controller/replicaset/replica_set_utils.go calculateStatus: tests/emulators/kube/controllers/
deployment_revisions.py). kubectl's side: kubernetes/kubectl pkg/polymorphichelpers/history.go,
rollback.go, rollout_status.go."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import a_node, deployment
from tests.kube_emulator.test_deployment_progress import conditions, controller, get
from tests.kube_emulator.test_kubectl_fidelity import kubectl

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


def rolled_out(emu: KubeEmulator, name: str = "web") -> bool:
    d = get(emu, name)
    st = d.get("status") or {}
    return (
        st.get("observedGeneration") == d["metadata"].get("generation")
        and conditions(emu, name).get("Progressing", {}).get("reason") == "NewReplicaSetAvailable"
        and st.get("updatedReplicas") == st.get("replicas") == st.get("availableReplicas")
    )


def observed(emu: KubeEmulator, name: str = "web") -> bool:
    d = get(emu, name)
    return bool((d.get("status") or {}).get("observedGeneration") == d["metadata"].get("generation"))


def revision(emu: KubeEmulator, name: str = "web") -> str | None:
    return (get(emu, name)["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision")


def replica_sets(emu: KubeEmulator) -> list[dict[str, Any]]:
    return emu.cluster.list("apps/v1", "ReplicaSet", "default")


@pytest.fixture
def web(kube_emulator: KubeEmulator, kubeconfig: Path) -> KubeEmulator:
    """A two-replica Deployment "web" on nginx:1.27, rolled out (revision 1)."""
    a_node(kube_emulator)
    d = deployment("web", replicas=2)
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    kube_emulator.cluster.create(d)
    assert wait_until(lambda: rolled_out(kube_emulator))
    return kube_emulator


def set_image(emu: KubeEmulator, image: str) -> None:
    r = kubectl("set", "image", "deployment/web", f"{container(emu)}={image}")
    assert r.returncode == 0, r.stderr


def container(emu: KubeEmulator) -> str:
    return str(get(emu, "web")["spec"]["template"]["spec"]["containers"][0]["name"])


def image(emu: KubeEmulator) -> str:
    return str(get(emu, "web")["spec"]["template"]["spec"]["containers"][0]["image"])


def history(*args: str) -> list[list[str]]:
    r = kubectl("rollout", "history", "deployment/web", *args)
    assert r.returncode == 0, r.stderr
    return [line.split(None, 1) for line in r.stdout.strip().splitlines()]


def test_rollout_history_numbers_each_new_template(web: KubeEmulator) -> None:
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: rolled_out(web))
    set_image(web, "nginx:1.29")
    assert wait_until(lambda: rolled_out(web))
    assert history() == [
        ["deployment.apps/web"],
        ["REVISION", "CHANGE-CAUSE"],
        ["1", "<none>"],
        ["2", "<none>"],
        ["3", "<none>"],
    ]
    assert revision(web) == "3"


def test_rollout_undo_gives_the_previous_template_the_next_revision(web: KubeEmulator) -> None:
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: rolled_out(web))
    r = kubectl("rollout", "undo", "deployment/web")
    assert (r.returncode, r.stdout.strip()) == (0, "deployment.apps/web rolled back"), r.stderr
    assert wait_until(lambda: rolled_out(web) and revision(web) == "3")
    assert image(web) == "nginx:1.27"
    assert history()[2:] == [["2", "<none>"], ["3", "<none>"]]
    adopted = next(rs for rs in replica_sets(web) if rs["spec"]["replicas"] == 2)
    assert adopted["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert len(replica_sets(web)) == 2  # the first ReplicaSet came back: no third one


def test_rollout_undo_to_revision_restores_that_template(web: KubeEmulator) -> None:
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: rolled_out(web) and revision(web) == "2")
    set_image(web, "nginx:1.29")
    assert wait_until(lambda: rolled_out(web) and revision(web) == "3")
    r = kubectl("rollout", "undo", "deployment/web", "--to-revision=2")
    assert r.returncode == 0, r.stderr
    assert wait_until(lambda: rolled_out(web) and revision(web) == "4")
    assert image(web) == "nginx:1.28"


def test_rollout_history_shows_the_change_cause_of_the_revision_it_was_set_on(web: KubeEmulator) -> None:
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: rolled_out(web) and revision(web) == "2")
    r = kubectl("annotate", "deployment/web", "kubernetes.io/change-cause=nginx 1.28")
    assert r.returncode == 0, r.stderr
    assert wait_until(lambda: history()[3] == ["2", "nginx 1.28"])
    assert history()[2] == ["1", "<none>"]


def test_rollout_status_for_a_revision_that_is_not_running_fails(web: KubeEmulator) -> None:
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: rolled_out(web) and revision(web) == "2")
    r = kubectl("rollout", "status", "deployment/web", "--revision=1", "--timeout=5s")
    assert r.returncode == 1
    assert r.stderr.strip() == "error: desired revision (1) is different from the running revision (2)"


def test_a_paused_deployment_does_not_roll_a_new_template(web: KubeEmulator) -> None:
    assert kubectl("rollout", "pause", "deployment/web").stdout.strip() == "deployment.apps/web paused"
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: observed(web))
    web.idle()
    assert len(replica_sets(web)) == 1
    assert revision(web) == "1"
    progressing = conditions(web, "web")["Progressing"]
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "Unknown",
        "DeploymentPaused",
        "Deployment is paused",
    )
    r = kubectl("rollout", "status", "deployment/web", "--watch=false")
    assert (
        r.stdout.strip()
        == 'Waiting for deployment "web" rollout to finish: 0 out of 2 new replicas have been updated...'
    )


def test_a_paused_deployment_still_scales(web: KubeEmulator) -> None:
    kubectl("rollout", "pause", "deployment/web")
    r = kubectl("scale", "deployment/web", "--replicas=3")
    assert r.returncode == 0, r.stderr
    assert wait_until(lambda: (get(web, "web").get("status") or {}).get("availableReplicas") == 3)
    assert [rs["spec"]["replicas"] for rs in replica_sets(web)] == [3]
    assert conditions(web, "web")["Progressing"]["reason"] == "DeploymentPaused"


def test_rollout_resume_rolls_the_template_changed_while_paused(web: KubeEmulator) -> None:
    kubectl("rollout", "pause", "deployment/web")
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: conditions(web, "web")["Progressing"]["reason"] == "DeploymentPaused" and observed(web))
    assert kubectl("rollout", "resume", "deployment/web").stdout.strip() == "deployment.apps/web resumed"
    r = kubectl("rollout", "status", "deployment/web", "--timeout=20s")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == 'deployment "web" successfully rolled out'
    assert revision(web) == "2"


def test_rollout_undo_refuses_a_paused_deployment(web: KubeEmulator) -> None:
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: rolled_out(web) and revision(web) == "2")
    kubectl("rollout", "pause", "deployment/web")
    r = kubectl("rollout", "undo", "deployment/web")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again"
    )


def test_a_paused_deployment_never_times_out(web: KubeEmulator) -> None:
    kubectl("rollout", "pause", "deployment/web")
    set_image(web, "nginx:1.28")
    assert wait_until(lambda: conditions(web, "web")["Progressing"]["reason"] == "DeploymentPaused")
    controller(web).advance(601)
    web.idle()
    assert conditions(web, "web")["Progressing"]["reason"] == "DeploymentPaused"


def test_min_ready_seconds_holds_ready_pods_unavailable_until_they_have_been_ready_that_long(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    a_node(kube_emulator)
    d = deployment("web", replicas=2)
    d["spec"]["minReadySeconds"] = 30
    kube_emulator.cluster.create(d)
    assert wait_until(lambda: (get(kube_emulator, "web").get("status") or {}).get("readyReplicas") == 2)
    kube_emulator.idle()
    assert get(kube_emulator, "web")["status"].get("availableReplicas", 0) == 0
    r = kubectl("rollout", "status", "deployment/web", "--watch=false")
    assert (
        r.stdout.strip() == 'Waiting for deployment "web" rollout to finish: 0 of 2 updated replicas are available...'
    )
    controller(kube_emulator).advance(31)
    assert wait_until(lambda: rolled_out(kube_emulator))
    r = kubectl("rollout", "status", "deployment/web", "--watch=false")
    assert r.stdout.strip() == 'deployment "web" successfully rolled out'
