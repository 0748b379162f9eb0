"""`--prune` of a fleet model's stack and its staged update runs. A run is immutable once started,
so each rollout is a new run (kubefleet-dev/kubefleet apis/placement/v1beta1/stageupdate_types.go:
its spec cannot change after creation; its labels are free): a prune removes the old runs that have
finished and leaves one that is still rolling out, as deleting it stops the rollout part way
(kubefleet-dev/kubefleet pkg/controllers/updaterun/controller.go handleDelete). A cluster-scoped
object an older akscli applied carries no akscli.io/stack-namespace: prune leaves it and says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.cli import invoke
from tests.emulators.kube.apiserver import wait_until
from tests.model.test_cli_cluster_fleet import _members
from tests.model.test_fleet_model_namespace import FLEET, Start, _deploy_on_hub

RUN = "ClusterStagedUpdateRun"
CRP = "clusterresourceplacement.placement.kubernetes-fleet.io/phi-4"


def _staged_deploy(model_emulator: Start, strategy: str, stage: str, *flags: str) -> tuple[Any, str]:
    emu = model_emulator(fleet=True)
    _members(emu, {"gpu-east": {"kubernetes.azure.com/vm-sizes/Standard_NC24ads_A100_v4/count": "2"}})
    made = invoke("fleet", "rollout", "strategy", "create", strategy, "--stage", stage, "-y")
    assert made.exit_code == 0, made
    result = invoke("model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", strategy, *flags, "-y")
    assert result.exit_code == 0, result
    [run] = emu.cluster.list(FLEET, RUN)
    return emu, run["metadata"]["name"]


def _rendered(tmp_path: Path, *flags: str, drop: str | None = None) -> Path:
    """The fleet stack as GitOps renders it for the next rollout: a run of a new name (and no
    object of kind ``drop``), written to a file for `apply -f`."""
    rendered = invoke("model", "deploy", "phi-4", "--fleet-hub", *flags, "--dry-run=client")
    assert rendered.exit_code == 0, rendered
    yaml = YAML(typ="safe")
    docs = [d for d in yaml.load_all(rendered.stdout) if d and d["kind"] != drop]
    for doc in docs:
        if doc["kind"] == RUN:
            doc["metadata"]["name"] = "phi-4-next"
    manifest = tmp_path / "phi-4.yaml"
    with manifest.open("w") as out:
        yaml.dump_all(docs, out)
    return manifest


def _prune(manifest: Path) -> Any:
    return invoke("apply", "-f", str(manifest), "-n", "phi-4", "--stack", "model-phi-4", "--prune", "-y")


def test_the_staged_update_run_carries_the_namespace_of_its_stack(model_emulator: Start) -> None:
    emu, name = _staged_deploy(model_emulator, "one-by-one", "all;max=1")
    run = emu.cluster.get(FLEET, RUN, None, name)
    assert run["metadata"]["labels"]["akscli.io/stack-namespace"] == "phi-4"


def test_prune_of_the_fleet_stack_deletes_the_finished_run_of_the_last_rollout(
    model_emulator: Start, tmp_path: Path
) -> None:
    emu, name = _staged_deploy(model_emulator, "one-by-one", "all;max=1", "--wait", "--timeout", "30s")
    result = _prune(_rendered(tmp_path, "--staged-strategy", "one-by-one"))
    assert result.exit_code == 0, result
    assert f"clusterstagedupdaterun.placement.kubernetes-fleet.io/{name} pruned" in result.stderr
    assert wait_until(lambda: emu.cluster.get(FLEET, RUN, None, name) is None)


def test_prune_of_the_fleet_stack_leaves_a_run_still_rolling_out_and_says_so(
    model_emulator: Start, tmp_path: Path
) -> None:
    # Its one stage waits for an approval nobody gives: the run does not finish.
    emu, name = _staged_deploy(model_emulator, "gated", "all;before=approval")
    result = _prune(_rendered(tmp_path, "--staged-strategy", "gated"))
    assert result.exit_code == 0, result
    assert emu.cluster.get(FLEET, RUN, None, name) is not None
    ref = f"clusterstagedupdaterun.placement.kubernetes-fleet.io/{name}"
    assert (
        f"warning: --prune of stack model-phi-4 left 1 staged update run(s) still rolling out: {ref}; "
        "deleting one stops its rollout part way; prune again once it finished"
    ) in result.stderr.splitlines()


def test_prune_names_a_cluster_scoped_object_an_older_akscli_left_unlabelled(
    model_emulator: Start, tmp_path: Path
) -> None:
    emu = _deploy_on_hub(model_emulator)
    # as an akscli before audit 37 applied it: no stack-namespace label
    emu.cluster.patch(
        FLEET, "ClusterResourcePlacement", None, "phi-4", {"metadata": {"labels": {"akscli.io/stack-namespace": None}}}
    )
    manifest = _rendered(tmp_path, drop="ClusterResourcePlacement")
    result = _prune(manifest)
    assert result.exit_code == 0, result
    assert emu.cluster.get(FLEET, "ClusterResourcePlacement", None, "phi-4") is not None
    assert (
        "warning: --prune left 1 cluster-scoped object(s) of stack model-phi-4 that an older akscli applied "
        "without the akscli.io/stack-namespace label, so the namespace whose stack they belong to is unknown: "
        f"{CRP}; if this stack's, delete them with: kubectl delete {CRP}"
    ) in result.stderr.splitlines()


def test_a_redeploy_leaves_the_run_of_the_last_deploy_still_rolling_out_and_says_so(model_emulator: Start) -> None:
    """The last revision's run is no longer rendered (a new rollout is a new run); it was deleted
    with the rest of what the deploy no longer renders, stopping its rollout part way."""
    emu, name = _staged_deploy(model_emulator, "gated", "all;before=approval")
    result = invoke(
        "model", "deploy", "phi-4", "--fleet-hub", "--staged-strategy", "gated", "--max-model-len", "4096", "-y"
    )
    assert result.exit_code == 0, result
    assert emu.cluster.get(FLEET, RUN, None, name) is not None
    ref = f"clusterstagedupdaterun.placement.kubernetes-fleet.io/{name}"
    assert (
        f"warning: model deploy phi-4 left 1 staged update run(s) still rolling out: {ref}; "
        "deleting one stops its rollout part way"
    ) in result.stderr.splitlines()
