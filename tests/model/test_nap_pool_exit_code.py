"""`nodepool add --auto-provision --dry-run=server --exit-code`: the NAP NodePool's plan with kubectl
diff's exit status, 0 nothing would change, 1 something would (kubernetes/kubectl
pkg/cmd/diff/diff.go), as `model deploy --exit-code`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import assert_exit_code_needs_server_dry_run, invoke, server_diff
from tests.emulators.kube.controllers.karpenter_install import install_nap
from tests.model.conftest import SERVING_CRDS

ADD = ("nodepool", "add", "gpu", "--auto-provision", "--gpu", "h100", "--max-gpus", "8")


def test_a_new_nap_pool_would_change_something_exit_1(model_emulator: Callable[..., Any]) -> None:
    install_nap(model_emulator(crds=(*SERVING_CRDS, "karpenter")))
    result = server_diff(*ADD)
    assert result.exit_code == 1, result
    assert "nodepool.karpenter.sh/gpu (cluster): will be created" in result.stdout


def test_the_same_nap_pool_again_is_no_change_exit_0(model_emulator: Callable[..., Any]) -> None:
    install_nap(model_emulator(crds=(*SERVING_CRDS, "karpenter")))
    assert invoke(*ADD, "-y").exit_code == 0
    result = server_diff(*ADD)
    assert result.exit_code == 0, result


def test_exit_code_without_a_server_dry_run_is_one_usage_line() -> None:
    assert_exit_code_needs_server_dry_run(*ADD)


def test_exit_code_on_an_aks_pool_is_refused_as_arm_has_no_server_dry_run() -> None:
    result = invoke(
        "nodepool", "add", "gpu", "--gpu", "h100", "--cluster", "ml", "-g", "rg", "--dry-run=server", "--exit-code"
    )
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: --dry-run=server is not available for Azure Resource Manager")
