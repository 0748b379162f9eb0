"""A stack's name is not its identity: `model deploy phi-4` in default and `model deploy phi-4
--fleet-hub` (namespace phi-4) both label their objects akscli.io/stack=model-phi-4. Their namespaced
objects are told apart by namespace (docs/changes/audit36-journey36.md); the placement is
cluster-scoped, so it carries its stack's namespace (akscli.io/stack-namespace), and `model delete`
finds it by the namespace it places. kubectl's ApplySet keys its members by a parent that has a
namespace (kubernetes/kubectl pkg/cmd/apply/applyset.go ID)."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from tests.cli import invoke
from tests.model.test_fleet_model_namespace import FLEET, KAITO, Start, _deploy_on_hub, _deployed_here_too


def test_the_placement_carries_the_namespace_of_its_stack(model_emulator: Start) -> None:
    emu = _deploy_on_hub(model_emulator)
    crp = emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4")
    assert crp["metadata"]["labels"]["akscli.io/stack-namespace"] == "phi-4"


def test_readme_gitops_prune_in_default_leaves_the_fleet_placement_of_the_same_name(
    model_emulator: Start, tmp_path: Path
) -> None:
    """The README's GitOps line for the model in default pruned clusterresourceplacement/phi-4, the
    placement of the fleet's phi-4: its members would have lost the model."""
    emu = _deploy_on_hub(model_emulator)
    rendered = invoke("model", "deploy", "phi-4", "-n", "default", "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    manifest = tmp_path / "phi-4.yaml"
    manifest.write_text(rendered.stdout)
    result = invoke("apply", "-f", str(manifest), "--stack", "model-phi-4", "--prune", "-y")
    assert result.exit_code == 0, result
    assert "pruned" not in result.stdout + result.stderr
    assert emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4") is not None
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is not None


def test_prune_of_the_fleet_stack_still_deletes_its_own_placement_it_no_longer_renders(
    model_emulator: Start, tmp_path: Path
) -> None:
    _deploy_on_hub(model_emulator)
    rendered = invoke("model", "deploy", "phi-4", "--fleet-hub", "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    yaml = YAML(typ="safe")
    docs = [d for d in yaml.load_all(rendered.stdout) if d and d["kind"] != "ClusterResourcePlacement"]
    manifest = tmp_path / "phi-4.yaml"
    with manifest.open("w") as out:
        yaml.dump_all(docs, out)
    result = invoke("apply", "-f", str(manifest), "-n", "phi-4", "--stack", "model-phi-4", "--prune", "-y")
    assert result.exit_code == 0, result
    # deleting: Fleet's finalizer holds it until the members' copies are gone
    assert "clusterresourceplacement.placement.kubernetes-fleet.io/phi-4 pruned" in result.stderr


def test_delete_with_namespace_leaves_the_placement_of_the_other_namespaces_model(model_emulator: Start) -> None:
    emu = _deploy_on_hub(model_emulator)
    _deployed_here_too(emu)
    result = invoke("model", "delete", "phi-4", "-n", "default", "-y")
    assert result.exit_code == 0, result
    assert emu.cluster.get(KAITO, "Workspace", "default", "phi-4") is None
    assert emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4") is not None
    assert emu.cluster.get(KAITO, "Workspace", "phi-4", "phi-4") is not None
