"""The fault-injection soak: 20 seeds of 500 objects converge through faults, with no duplicates."""

from __future__ import annotations

import os

import pytest

from tests.soak import run_seed

SEEDS = int(os.environ.get("AKSCLI_SOAK_SEEDS", "20"))
OBJECTS = int(os.environ.get("AKSCLI_SOAK_OBJECTS", "500"))


@pytest.mark.slow
def test_every_seed_converges_through_injected_faults_with_no_duplicates() -> None:
    results = [run_seed(seed, OBJECTS) for seed in range(SEEDS)]
    failed = [r for r in results if not r.converged or r.duplicates or r.objects_found != OBJECTS - 1]
    assert not failed, [(r.seed, r.runs, r.wrong[:3]) for r in failed]
    assert all(r.faults > OBJECTS // 20 for r in results)  # the faults were really there
