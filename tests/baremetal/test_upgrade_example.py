"""docs/baremetal.md's upgrade, run in the lab as written: create at the version its create line
names, `upgrade --list`, then the help's upgrade example. The ARM emulator offers what AKS on bare
metal offers in its preview, 1.34.2 and 1.34.3 (tests/emulators/arm/hybrid.py VERSIONS), so the
listing has a patch to offer and the example's target is it."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from akscli.cli.examples import EXAMPLES
from tests.baremetal.test_clusters import ssh_key as ssh_key  # the autouse fixture: a key file
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.lab import seed_subscription

REPO = Path(__file__).resolve().parents[2]


def _docs_line(prefix: str) -> str:
    text = (REPO / "docs" / "baremetal.md").read_text()
    [line] = [line for line in text.splitlines() if line.startswith(prefix)]
    return line


def _docs_create() -> list[str]:
    """The create line as typed, less its optional [..] parts but with the version it shows, and
    the test's key file for ~/.ssh/id_ed25519.pub."""
    text = (REPO / "docs" / "baremetal.md").read_text()
    start = text.index("akscli baremetal cluster create ")
    command = text[start : text.index("\nakscli baremetal cluster list", start)].replace("\\\n", " ")
    version = re.search(r"\[--kubernetes-version (\S+)\]", command)
    assert version is not None, command
    required = re.sub(r"\[[^\]]*\]", "", command).replace("~/.ssh/id_ed25519.pub", "id.pub")
    return [*shlex.split(required)[1:], "--kubernetes-version", version.group(1)]


def _run(args: list[str]) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result
    return result.stdout


def test_the_docs_upgrade_example_runs_end_to_end_in_the_lab(azure_env: ArmEmulator) -> None:
    seed_subscription(azure_env)  # the lab's rg-edge and its edge machine
    _run(_docs_create())
    listing = _docs_line("akscli baremetal cluster upgrade edge1 -g rg-edge --list").split("#")[0]
    offered = json.loads(_run([*shlex.split(listing)[1:], "-o", "json"]))
    [example] = [e for e in EXAMPLES["baremetal cluster upgrade"] if " -k " in e]
    target = shlex.split(example)[shlex.split(example).index("-k") + 1]
    assert (offered["currentVersion"], offered["availableUpgrades"]) == ("1.34.2", [target])
    _run(shlex.split(example)[1:])
    shown = json.loads(_run(["baremetal", "cluster", "show", "edge1", "-g", "rg-edge", "-o", "json"]))
    assert shown["kubernetesVersion"] == target


def test_the_template_s_build_dated_version_is_its_patch(azure_env: ArmEmulator) -> None:
    # The ARM template sends 1.34.3-20260204 (Azure/aksArc aks-baremetal-arm.json): Azure takes it,
    # and it is the latest, so nothing newer is offered.
    seed_subscription(azure_env)
    created = invoke(*_docs_create()[:-1], "1.34.3-20260204")
    assert created.exit_code == 0, created
    offered = json.loads(_run(["baremetal", "cluster", "upgrade", "edge1", "-g", "rg-edge", "--list", "-o", "json"]))
    assert (offered["currentVersion"], offered["availableUpgrades"]) == ("1.34.3-20260204", [])
