"""The longest name KAITO can run an InferenceSet under: its Workspaces are generateName NAME- (kaito-project/kaito
pkg/utils/inferenceset/inferenceset.go NewWorkspaceForInferenceSet; 5 characters added, kubernetes/kubernetes
staging/src/k8s.io/apiserver/pkg/storage/names/generate.go) and each gets a headless Service WORKSPACE-headless
(pkg/workspace/manifests/manifests.go), a DNS-1035 label of at most 63 characters; past 48 KAITO fails every
Workspace's reconcile, so akscli refuses the name before anything is rendered."""

from __future__ import annotations

from tests.cli import Result, invoke

NAME = "phi-4-mini-instruct-for-the-support-team-in-eu-a"  # 48 characters


def _deploy(name: str, *args: str) -> Result:
    return invoke("model", "deploy", "phi-4", "--name", name, "--dry-run=client", "-o", "yaml", *args)


def test_an_inferenceset_named_with_49_characters_is_refused_before_anything_is_rendered() -> None:
    refused = _deploy(f"{NAME}b", "--replicas", "2")
    assert refused.exit_code == 2 and refused.stdout == "", refused
    assert refused.stderr.splitlines() == [
        f"error: --name: invalid model deployment name '{NAME}b': it is 49 characters long, and KAITO's InferenceSet "
        "names its Workspaces NAME-xxxxx and their headless Services NAME-xxxxx-headless, which must fit 63: at most "
        "48 allowed",
        "hint: shorten it to 48 characters or fewer",
    ]


def test_an_inferenceset_named_with_48_characters_renders() -> None:
    rendered = _deploy(NAME, "--replicas", "2")
    assert rendered.exit_code == 0, rendered
    assert f"name: {NAME}\n" in rendered.stdout


def test_a_lone_workspace_keeps_the_50_characters_of_any_deployment_name() -> None:
    # WORKSPACE-headless is 59 characters then.
    rendered = _deploy(f"{NAME}bc")
    assert rendered.exit_code == 0, rendered
