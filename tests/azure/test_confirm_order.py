"""A confirmation comes after every read and check that can refuse the change: a user who
answers "y" must not then learn that the cluster or pool does not exist (kubectl delete
--interactive lists what it found before it asks: upstream kubernetes/kubectl
pkg/cmd/delete/delete.go, confirmation(infos)). Each test answers "y" on a terminal, as a user
would, and checks that no question was asked."""

from __future__ import annotations

import json

from tests.azure.helpers import RG, seed_cluster
from tests.cli import Result, invoke
from tests.emulators.arm import ArmEmulator

PROMPT = "[y/N]"


def _answer_yes(*args: str) -> Result:
    return invoke(*args, input="y\n", tty=True)


def _not_found_without_a_question(r: Result, name: str) -> None:
    assert r.exit_code == 3, r
    assert PROMPT not in r.stderr, r
    assert name in r.stderr and "not found" in r.stderr.lower(), r
    assert len(r.stderr.strip().splitlines()) <= 2, r  # the error line and its hint


def test_cluster_upgrade_of_a_missing_cluster_is_not_found_before_any_question(azure_env: ArmEmulator) -> None:
    r = _answer_yes("cluster", "upgrade", "ghost", "-g", RG, "-k", "1.34")
    _not_found_without_a_question(r, "ghost")
    assert azure_env.requests_to("/managedClusters/ghost$", "PUT") == []


def test_cluster_node_image_upgrade_of_a_missing_cluster_is_not_found_before_any_question(
    azure_env: ArmEmulator,
) -> None:
    r = _answer_yes("cluster", "upgrade", "ghost", "-g", RG, "--node-image-only")
    _not_found_without_a_question(r, "ghost")


def test_cluster_upgrade_to_a_version_not_offered_is_refused_before_any_question(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = _answer_yes("cluster", "upgrade", "aks1", "-g", RG, "-k", "1.20")
    assert r.exit_code == 2, r
    assert PROMPT not in r.stderr and "cannot be upgraded to 1.20" in r.stderr, r


def test_nodepool_upgrade_of_a_missing_pool_is_not_found_before_any_question(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    r = _answer_yes("nodepool", "upgrade", "ghost", "-c", "aks1", "-g", RG, "-k", "1.34")
    _not_found_without_a_question(r, "ghost")


def test_nodepool_node_image_upgrade_of_a_missing_pool_is_not_found_before_any_question(
    azure_env: ArmEmulator,
) -> None:
    seed_cluster(azure_env)
    r = _answer_yes("nodepool", "upgrade", "ghost", "-c", "aks1", "-g", RG, "--node-image-only")
    _not_found_without_a_question(r, "ghost")
    assert azure_env.requests_to("/upgradeNodeImageVersion$", "POST") == []


def test_a_confirmed_cluster_upgrade_still_asks_once_and_upgrades(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env)
    offered = invoke("cluster", "upgrade", "aks1", "-g", RG, "-o", "json")
    assert offered.exit_code == 0, offered
    target = json.loads(offered.stdout)["availableUpgrades"][0]
    r = _answer_yes("cluster", "upgrade", "aks1", "-g", RG, "-k", target, "-o", "json")
    assert r.exit_code == 0, r
    assert r.stderr.count(PROMPT) == 1, r
    assert len(azure_env.requests_to("/managedClusters/aks1$", "PUT")) == 1
