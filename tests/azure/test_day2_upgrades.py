"""Day-2 journeys of a platform engineer (upgrades and scale) against the ARM emulator: what
audit14's hand runs found (docs/changes/audit14-day2.md)."""

from __future__ import annotations

import re

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator


def test_progress_lines_of_a_long_running_operation_say_the_elapsed_time_once(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    azure_env.lro_polls = 2
    azure_env.retry_after = 1
    r = invoke("cluster", "stop", "aks1", "-g", RG, "-y", "-o", "name")
    assert r.exit_code == 0, r
    progress = [line for line in r.stderr.splitlines() if line.startswith("stop cluster aks1:")]
    assert progress, r.stderr
    # "stop cluster aks1: Succeeded, 1s", not "stop cluster aks1: Succeeded (1s), 1s"
    assert not [line for line in progress if re.search(r"\(\d+s\)", line)], progress
