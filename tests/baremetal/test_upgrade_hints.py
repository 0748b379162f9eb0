"""The hints of `baremetal cluster upgrade` run as typed: they name the cluster and its resource
group (audit14 day-2 journeys, docs/changes/audit14-day2.md)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.baremetal.test_clusters import RG, add_edge_machine, create
from tests.baremetal.test_clusters import ssh_key as ssh_key  # the autouse fixture: a key file
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

REPO = Path(__file__).resolve().parents[2]


def _hint(stderr: str) -> str:
    [line] = [line for line in stderr.splitlines() if line.startswith("hint: ")]
    return line.removeprefix("hint: ")


def _runs_as_typed(command: str) -> None:
    args = shlex.split(command)
    assert args[:1] == ["akscli"], command
    result = invoke(*args[1:])
    assert result.exit_code == 0, result


@pytest.mark.parametrize(
    "args",
    [
        ["-k", "1.35.0", "-y"],  # a minor upgrade: patch upgrades only
        ["-k", "1.34.2", "-y"],  # older (the version it runs is no refusal: test_upgrade_same_version.py)
        [],  # no version at all
    ],
)
def test_an_upgrade_refusal_hints_a_listing_that_runs_as_typed(azure_env: ArmEmulator, args: list[str]) -> None:
    add_edge_machine(azure_env)
    assert create("edge1", "--kubernetes-version", "1.34.3").exit_code == 0
    result = invoke("baremetal", "cluster", "upgrade", "edge1", "-g", RG, *args)
    assert result.exit_code == 2, result
    hint = _hint(result.stderr)
    command = hint[hint.index("akscli") :].removesuffix(" shows the available patches")
    assert command == f"akscli baremetal cluster upgrade edge1 -g {RG} --list"
    _runs_as_typed(command)


def test_the_lab_holds_the_edge_machine_docs_baremetal_md_names(azure_env: ArmEmulator) -> None:
    # `baremetal cluster create` could not be tried in the lab: rg-edge held no edge machine
    from tests.emulators.lab import LAB_EDGE_MACHINE, seed_subscription

    seed_subscription(azure_env)
    group, machine = LAB_EDGE_MACHINE
    assert f"-g {group} --edge-machine {machine}" in (REPO / "docs" / "baremetal.md").read_text()
    assert create("edge1").exit_code == 0
