"""Every runbook in docs/runbooks runs: each fenced bash block in order, in one shell, against
the lab (the Kubernetes API emulator with its operator simulators, and the ARM emulator)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import runbooks
from tests.emulators import lab

RUNBOOKS = runbooks.runbooks()
# What each runbook promises its reader, seen in what it printed: a step that runs and prints
# nothing useful (a table with only its header) passes on its exit code alone.
PROMISED = {
    "serve-a-model": ("found: kaito, kaito-inferenceset, gpu-nodes, keda", "rolled phi-4 back to revision 1"),
    "ray-job-on-spot-gpus": ("Ray job train succeeded",),
    "fleet-model-rollout": ("phi-4   gpu-west   Available",),
    "bare-metal-gpu-nodes": (
        "gpu\t16\n",
        "No findings: the cluster is ready for GPU work.",
        "result:               pass",
    ),
    "nap-gpu-pool": (
        "gpu-",
        "Standard_NC40ads_H100_v5   on-demand   aks-gpu-",
        "made for it, is gone: InsufficientCapacityError",
        "pin the pods to another size the NodePool allows",
        'nodepool.karpenter.sh "gpu" deleted',
    ),
    "upgrade-a-gpu-cluster": (
        "node pools behind the control plane: system (1.32.9), gpu (1.32.9)",
        "gpu      1.33.5",
        "system   1.33.5",
    ),
}


def test_there_are_at_least_four_runbooks() -> None:
    names = {p.stem for p in RUNBOOKS}
    assert {"serve-a-model", "ray-job-on-spot-gpus", "fleet-model-rollout", "bare-metal-gpu-nodes"} <= names


def test_every_runbook_names_what_it_promises() -> None:
    assert set(PROMISED) == {p.stem for p in RUNBOOKS}


@pytest.mark.parametrize("runbook", RUNBOOKS, ids=[p.stem for p in RUNBOOKS])
def test_runbook_runs(runbook: Path, tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    assert runbooks.blocks(runbook), f"{runbook.name} has no bash block"
    with lab.running(tmp_path / "lab", nap=runbooks.wants_nap(runbook)) as the_lab:
        outcome = runbooks.run(runbook, the_lab.environment(), tmp_path / "work")
        errors = list(the_lab.kube.controllers.errors)
    assert outcome.returncode == 0, f"{runbook.name} failed at step {outcome.failed_step}:\n{outcome.output[-4000:]}"
    assert errors == []
    for line in PROMISED.get(runbook.stem, ()):
        assert line in outcome.output, f"{runbook.name} did not print {line!r}"


def test_a_failing_step_is_reported_with_its_number(tmp_path: Path) -> None:
    book = tmp_path / "broken.md"
    book.write_text("# t\n\n```bash\ntrue\n```\n\n```text\nnot run\n```\n\n```bash\nakscli no-such-command\n```\n")
    outcome = runbooks.run(book, {"PATH": "/usr/bin:/bin"}, tmp_path / "work")
    assert outcome.returncode != 0
    assert outcome.failed_step == "2"
