"""`--dry-run=client` reads the namespace's PodSecurity labels where it can, as the other modes do.

kubectl's client dry run of `apply` reads the cluster too (discovery, each live object:
kubernetes/kubectl pkg/cmd/apply/apply.go); only admission is left to `--dry-run=server`. So a
client dry run that can read the namespace refuses what its enforce level refuses (exit 9, the same
line), and one that cannot says that it did not check (akscli.kube.podsecurity.check_client_dry_run)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cli import invoke
from tests.kube_emulator.helpers import raw

Start = Callable[..., Any]
ENFORCE = "pod-security.kubernetes.io/enforce"


def namespace(emu: Any, name: str, **labels: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    assert raw(emu, "POST", "/api/v1/namespaces", body).status == 201


def test_a_client_dry_run_refuses_with_the_line_and_code_a_deploy_would(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "locked", **{ENFORCE: "restricted"})
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-n", "locked", "--dry-run=client")
    assert result.exit_code == 9, result
    assert result.stdout == ""
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert error.startswith(
        "error: deployment.apps/phi-4: namespace locked would refuse its pods: "
        'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false ('
    )


def test_a_client_dry_run_in_a_baseline_namespace_prints_the_manifests(model_emulator: Start) -> None:
    emu = model_emulator()
    namespace(emu, "team", **{ENFORCE: "baseline"})
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "-n", "team", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "kind: Deployment" in result.stdout
    assert "PodSecurity" not in result.stderr


def test_a_client_dry_run_without_a_cluster_says_it_did_not_check() -> None:
    result = invoke("model", "deploy", "phi-4", "--runtime", "vllm", "--dry-run=client")
    assert result.exit_code == 0, result
    assert "kind: Deployment" in result.stdout
    assert "warning: PodSecurity not checked: no kubeconfig found at " in result.stderr
