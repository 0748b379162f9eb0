"""The README's "A short tour" runs against the lab the runbooks run in (tests.emulators.lab),
line by line in one shell, as a user would paste it. A line that needs what the lab lacks is
listed in tests.runbooks.tour.LAB_LACKS with why, and with the runbook line that runs it instead
(test_runbooks runs that runbook), so no tour line goes untested."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import runbooks
from tests.emulators import lab
from tests.runbooks.tour import LAB_LACKS, README, command, lines, steps

# What the README says a user sees.
PROMISED = (
    "rolled phi-4 back to revision 1 (recorded as revision 3)",
    "Ray job ",
    " succeeded",
    "deployment.apps/phi-4-vllm created",
    "podmonitor.monitoring.coreos.com/phi-4-vllm created",
    "httproute.gateway.networking.k8s.io/phi-4-vllm created",
    "recorded revision 1 of phi-4-vllm",
)


def test_the_tour_has_lines() -> None:
    assert len(lines()) > 10


def test_the_tour_asks_the_vllm_deployment_it_makes_a_question_in_the_lab() -> None:
    # The lab serves akscli's own vLLM Deployment (tests.emulators.serving), so the tour's
    # `--runtime vllm` line is followed by `model test`, which test_the_tour_runs_in_the_lab runs.
    commands = [command(line) for line in steps()]
    assert "akscli model test phi-4-vllm" in commands
    assert commands.index("akscli model test phi-4-vllm") > next(
        i for i, c in enumerate(commands) if c.startswith("akscli model deploy phi-4 --name phi-4-vllm")
    )


def test_every_line_the_lab_lacks_something_for_is_in_the_tour() -> None:
    assert set(LAB_LACKS) <= {command(line) for line in lines()}


@pytest.mark.parametrize("line", sorted(LAB_LACKS))
def test_a_tour_line_the_lab_cannot_run_is_a_line_of_a_runbook_that_runs(line: str) -> None:
    _, runbook, covering = LAB_LACKS[line]
    path = runbooks.RUNBOOKS / f"{runbook}.md"
    assert path in runbooks.runbooks()
    runbook_lines = [step.strip() for block in runbooks.blocks(path) for step in block.splitlines()]
    assert covering in runbook_lines
    assert _command_path(covering) == _command_path(line)


def _command_path(line: str) -> str:
    """The command a line runs (``akscli cluster credentials``), the longest that prefixes it."""
    from akscli.cli import grammar

    paths = [" ".join(["akscli", *path]) for path, _ in grammar.leaf_commands()]
    return max((p for p in paths if f"{line} ".startswith(f"{p} ")), key=len)


def test_the_tour_runs_in_the_lab(tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    tour = steps()
    with lab.running(tmp_path / "lab") as the_lab:
        outcome = runbooks.run(README, the_lab.environment(), tmp_path / "work", steps=tour)
        errors = list(the_lab.kube.controllers.errors)
    failed = tour[int(outcome.failed_step) - 1] if outcome.failed_step not in (None, "?") else ""
    assert outcome.returncode == 0, f"tour line {failed!r} failed:\n{outcome.output[-4000:]}"
    assert errors == []
    for text in PROMISED:
        assert text in outcome.output
    # Every object the tour places exists on the hub (fleet place warns of one that does not).
    assert "does not exist on the hub" not in outcome.output
    assert (tmp_path / "work" / "phi-4.yaml").read_text().startswith("apiVersion")
