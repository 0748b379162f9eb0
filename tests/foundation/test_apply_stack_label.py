"""`apply -f` of manifests that already name their stack (`akscli.io/stack`, as `model deploy
--dry-run=client` writes it) and no `--stack`: the objects stay in that stack. They used to be
relabelled `default`, so they left their stack, and a later `apply --prune` in `default` deleted
them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.cli import invoke

LABELLED = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: phi-4-inference-config
  labels:
    akscli.io/stack: model-phi-4
data:
  a: "1"
"""

OTHER = """\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  labels:
    akscli.io/stack: web
"""


def stack_label(emu: Any, name: str) -> str:
    return str(emu.cluster.get("v1", "ConfigMap", "default", name)["metadata"]["labels"]["akscli.io/stack"])


def test_without_stack_a_manifest_stays_in_the_stack_its_label_names(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    path = tmp_path / "phi-4.yaml"
    path.write_text(LABELLED)
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 0, result
    assert "stack model-phi-4 (the manifests' akscli.io/stack label)" in result.stderr
    assert stack_label(kube_emulator, "phi-4-inference-config") == "model-phi-4"
    unlabelled = tmp_path / "other.yaml"
    unlabelled.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n")
    pruned = invoke("apply", "-f", str(unlabelled), "--prune", "-y")  # stack default
    assert pruned.exit_code == 0, pruned
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config") is not None


def test_an_explicit_stack_still_moves_the_objects_to_it(kubeconfig: Path, kube_emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "phi-4.yaml"
    path.write_text(LABELLED)
    assert invoke("apply", "-f", str(path), "--stack", "mine", "-y").exit_code == 0
    assert stack_label(kube_emulator, "phi-4-inference-config") == "mine"


def test_manifests_of_several_stacks_without_stack_are_refused_before_anything_is_sent(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    path = tmp_path / "both.yaml"
    path.write_text(LABELLED + OTHER)
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert "error: the manifests are labelled with several stacks (akscli.io/stack=model-phi-4, web)" in result.stderr
    assert "hint: pass --stack NAME" in result.stderr
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "web") is None


def test_a_stack_label_that_is_no_stack_name_is_refused_as_stack_would_be(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    # `--stack Team_A` is refused (a DNS-1123 label); the same name from the label must be too.
    path = tmp_path / "team.yaml"
    path.write_text(LABELLED.replace("model-phi-4", "Team_A"))
    result = invoke("apply", "-f", str(path), "-y")
    assert result.exit_code == 2, result
    assert "stack name (the manifests' akscli.io/stack label)" in result.stderr
    assert "Team_A" in result.stderr
    assert kube_emulator.cluster.get("v1", "ConfigMap", "default", "phi-4-inference-config") is None
