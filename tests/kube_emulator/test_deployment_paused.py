"""akscli's wait on a Deployment that someone paused (`kubectl rollout pause`): the emulator keeps
the new template from rolling, as kube-controller-manager does (tests/emulators/kube/controllers/
deployment_revisions.py), and the wait's message says the Deployment is paused."""

from __future__ import annotations

from akscli.kube import readiness
from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.apiserver import wait_until
from tests.kube_emulator.helpers import a_node, deployment
from tests.kube_emulator.test_deployment_progress import conditions, get


def test_the_wait_on_a_paused_deployment_with_a_new_template_says_it_is_paused(kube_emulator: KubeEmulator) -> None:
    a_node(kube_emulator)
    kube_emulator.cluster.create(deployment("web", replicas=1))
    assert wait_until(
        lambda: conditions(kube_emulator, "web").get("Progressing", {}).get("reason") == "NewReplicaSetAvailable"
    )
    template = get(kube_emulator, "web")["spec"]["template"]
    template["spec"]["containers"][0]["image"] = "nginx:1.28"
    kube_emulator.cluster.patch(
        "apps/v1", "Deployment", "default", "web", {"spec": {"paused": True, "template": template}}
    )
    assert wait_until(lambda: conditions(kube_emulator, "web")["Progressing"]["reason"] == "DeploymentPaused")
    verdict = readiness.check(get(kube_emulator, "web"))
    assert not verdict.ready and not verdict.failed
    assert verdict.message == "0 of 1 new replicas updated: the Deployment is paused"
    assert verdict.fix == "resume it: kubectl rollout resume deployment/web -n default"
