"""The fault-injection soak: 20 seeds of 500 objects converge through faults, with no duplicates.

One test per seed, so that the suite's workers (pytest-xdist) share the seeds out.
"""

from __future__ import annotations

import os

import pytest

from tests.soak import run_seed

SEEDS = int(os.environ.get("AKSCLI_SOAK_SEEDS", "20"))
OBJECTS = int(os.environ.get("AKSCLI_SOAK_OBJECTS", "500"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(SEEDS))
def test_every_seed_converges_through_injected_faults_with_no_duplicates(seed: int) -> None:
    result = run_seed(seed, OBJECTS)
    assert result.converged and not result.duplicates, (result.seed, result.runs, result.wrong[:3])
    assert result.objects_found == OBJECTS - 1
    assert result.faults > OBJECTS // 20  # the faults were really there
