"""akscli.kube.safeguards knows the Pod Security Standards constraint the Deployment Safeguards
initiative assigns for privileged containers, K8sAzureV2NoPrivilege (Azure/azure-policy f4a50bac
built-in-policies/policyDefinitions/Kubernetes/ContainerNoPrivilege.json, template
samples/KubernetesService/container-no-privilege/template.yaml), matched as every constraint is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import errors
from akscli.kube import safeguards
from tests.cli import invoke
from tests.emulators.kube.gatekeeper import (
    NO_PRIVILEGE_KIND,
    NO_PRIVILEGE_NAME,
    install_no_privilege_safeguard,
    probes_constraint,
)
from tests.model.test_safeguards_probes_constraint import BOTH, FakeKube, deployment, templates

PRIVILEGED = {**BOTH, "securityContext": {"privileged": True}}


def no_privilege(action: str = "deny", **params: Any) -> dict[str, Any]:
    obj = probes_constraint(action=action, name=NO_PRIVILEGE_NAME)
    obj["kind"] = NO_PRIVILEGE_KIND
    obj["spec"]["parameters"] = {"excludedContainers": [], "excludedImages": [], **params}
    return obj


def check(kube: FakeKube, obj: dict[str, Any]) -> list[str]:
    return safeguards.check(kube, templates(obj))  # type: ignore[arg-type]


def test_a_privileged_container_is_refused_with_the_templates_message() -> None:
    with pytest.raises(errors.CheckFailedError) as caught:
        check(FakeKube(no_privilege()), deployment(PRIVILEGED))
    assert (
        'Privileged container is not allowed: app, securityContext: {"privileged": true} '
        f"(constraint {NO_PRIVILEGE_NAME})" in caught.value.message
    )
    assert "--excluded-ns models" in str(caught.value.hint)


def test_a_privileged_init_container_is_refused_too() -> None:
    obj = deployment(BOTH)
    init = {"name": "setup", "image": "busybox:1.36", "securityContext": {"privileged": True}}
    obj["spec"]["template"]["spec"]["initContainers"] = [init]
    with pytest.raises(errors.CheckFailedError, match="not allowed: setup"):
        check(FakeKube(no_privilege()), obj)


def test_a_pod_for_windows_nodes_is_not_judged() -> None:
    obj = deployment(PRIVILEGED)
    obj["spec"]["template"]["spec"]["nodeSelector"] = {"kubernetes.io/os": "windows"}
    assert check(FakeKube(no_privilege()), obj) == []


def test_an_excluded_image_prefix_lets_the_privileged_container_through() -> None:
    assert check(FakeKube(no_privilege(excludedImages=["app:*"])), deployment(PRIVILEGED)) == []


def test_a_warn_constraint_gives_a_warning() -> None:
    found = check(FakeKube(no_privilege("warn")), deployment(PRIVILEGED))
    assert len(found) == 1 and "Deployment Safeguards warn: Privileged container is not allowed: app" in found[0]


def test_only_the_privileged_kind_is_listed_for_a_privileged_template_with_probes() -> None:
    kube = FakeKube(no_privilege())
    with pytest.raises(errors.CheckFailedError):
        check(kube, deployment(PRIVILEGED))
    assert kube.listed == [NO_PRIVILEGE_KIND]


def test_an_unprivileged_template_with_probes_lists_nothing() -> None:
    kube = FakeKube(no_privilege())
    assert check(kube, deployment({**BOTH, "securityContext": {"privileged": False}})) == []
    assert kube.listed == []


def test_apply_refuses_a_privileged_deployment_before_sending_it(
    kube_emulator: Any, kubeconfig: Any, tmp_path: Path
) -> None:
    # before: with akscli's own privileged-pod rule allowed, the Deployment was applied and the webhook
    # refused each of its pods (FailedCreate)
    install_no_privilege_safeguard(kube_emulator)
    kube_emulator.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "models"}})
    app = deployment(PRIVILEGED)
    app["spec"]["selector"] = {"matchLabels": {"app": "app"}}
    app["spec"]["template"]["metadata"] = {"labels": {"app": "app"}}
    path = tmp_path / "app.yaml"
    path.write_text(json.dumps(app), encoding="utf-8")
    result = invoke("apply", "-f", str(path), "-y", "--allow", "privileged-pod")
    assert result.exit_code == 9, result
    assert "Privileged container is not allowed: app" in result.stderr
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "models", "app") is None
