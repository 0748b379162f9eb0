"""`model deploy` checks each flag's value once, in model/flag_checks.py: the deploy and
`--reuse-values` (the values typed with it, before the revision is read) call the same check,
so they cannot disagree on a range, a choice or a name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from akscli.errors import UsageError
from akscli.model import flag_checks, planning, reuse, skus
from tests.cli import invoke

# The options --reuse-values reuses that have no value to check: switches.
SWITCHES = {"expose", "inference_pool", "hub_config", "trust_remote_code"}

# Each option's command-line words that reach its check in a deploy.
ARGS: dict[str, list[str]] = {
    "runtime": ["--runtime", "kaito"],
    "provider": ["--provider", "vllm"],
    "replicas": ["--replicas", "1"],
    "queue_threshold": ["--queue-threshold", "5"],
    "clusters": ["--fleet-hub", "--clusters", "2"],
    "access_secret": ["--access-secret", "hf-token"],
    "autoscale": ["--autoscale", "1:3"],
    "gateway": ["--gateway", "gw"],
    "context": ["--max-model-len", "4096"],
    "concurrency": ["--concurrency", "2"],
    "region": ["--region", "eastus"],
    "budget": ["--budget", "100"],
    "hostname": ["--hostname", "llm.example.com"],
    "route_timeout": ["--expose", "--route-timeout", "10m"],
    "endpoint_picker": ["--endpoint-picker", "epp"],
    "staged_strategy": ["--fleet-hub", "--staged-strategy", "canary"],
    "member": ["--fleet-hub", "--member", "member-1"],
    "image": ["--runtime", "vllm", "--image", "vllm/vllm-openai:v0.9.0"],
    "storage_class": ["--runtime", "vllm", "--storage-class", "fast"],
    "prometheus": ["--prometheus", "http://prometheus.monitoring:9090"],
    "vm_size": ["--vm-size", "Standard_NC24ads_A100_v4"],
    "price_file": ["--price-file", "prices.csv"],
}

# Where both paths meet the check: flag_checks' function, or the shared function it calls where
# the deploy reaches that one through another (check_vm_size, skus.load).
SEAMS: dict[str, tuple[Any, str]] = {p: (flag_checks, p) for p in ARGS} | {
    "vm_size": (planning, "known_sku"),
    "price_file": (skus, "read_price_file"),
}


def test_every_reused_option_with_a_value_has_one_check_that_judges_it_alone() -> None:
    assert set(flag_checks.alone()) == set(reuse.REUSABLE) - SWITCHES
    assert set(ARGS) == set(flag_checks.alone())


@pytest.mark.parametrize("param", list(ARGS))
@pytest.mark.parametrize("reuse_values", [False, True], ids=["deploy", "reuse-values"])
def test_the_deploy_and_reuse_values_refuse_a_value_through_the_same_check(
    param: str, reuse_values: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise UsageError(f"checked by the shared {param} check")

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))  # the check comes before any read
    monkeypatch.setattr(*SEAMS[param], refuse)
    extra = ["--reuse-values"] if reuse_values else []
    result = invoke("model", "deploy", "phi-4", *ARGS[param], *extra, "--dry-run=server")
    assert result.exit_code == 2, result
    assert result.stderr.startswith(f"error: checked by the shared {param} check"), result


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--access-secret", "hf-token.v1"], "modelAccessSecret: hf-token.v1"),
        (["--runtime", "vllm", "--access-secret", "hf-token.v1"], "name: hf-token.v1"),
        (["--runtime", "vllm", "--storage-class", "premium.zrs"], "storageClassName: premium.zrs"),
        (["--runtime", "vllm", "--expose", "--gateway", "infra/gw.v1"], "- name: gw.v1"),
    ],
)
def test_a_secret_storage_class_or_gateway_name_with_a_dot_is_taken_as_kubernetes_takes_it(
    argv: list[str], line: str
) -> None:
    # each is a DNS-1123 subdomain (kubernetes/kubernetes pkg/apis/core/validation/validation.go
    # ValidateSecretName, ValidateClassName; gateway-api apis/v1/shared_types.go ObjectName); they
    # were refused as labels
    result = invoke("model", "deploy", "phi-4", *argv, "--dry-run=client")
    assert result.exit_code == 0, result.stderr
    assert line in result.stdout
