"""The policy step of `akscli apply -f`: it blocks with exit 9 and names the way through, --allow
lets a change through and the audit log records it, and `policy check` gives the same verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from akscli import yamlio
from tests.cli import invoke, list_items


def web(image: str = "nginx:1.27.3", replicas: int = 1, **pod_spec: Any) -> dict[str, Any]:
    """A Deployment with warnings only (image-digest; pdb-missing from 2 replicas): the image or
    a ``pod_spec`` field makes it fail."""
    container = {
        "name": "web",
        "image": image,
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "64Mi"}},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container], **pod_spec}},
        },
    }


def public_service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]},
    }


def manifest(tmp_path: Path, *objects: dict[str, Any]) -> str:
    path = tmp_path / "stack.yaml"
    path.write_text(yamlio.dump_all(objects))
    return str(path)


def audit_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# ---- apply blocks, names the rule and the way through ---------------------------------------


def test_a_blocking_finding_stops_apply_with_exit_9_and_one_error_line_naming_the_rule(tmp_path: Path) -> None:
    result = invoke("apply", "-f", manifest(tmp_path, web("nginx:latest")), "--dry-run=client")
    assert result.exit_code == 9, result
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: policy blocked the apply")
    assert "[image-latest] Deployment default/web" in error
    assert hint.startswith("hint: ")
    assert "--allow image-latest" in hint
    assert result.stdout == ""


def test_a_blocked_apply_changes_nothing_and_writes_no_audit_line(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    result = invoke("apply", "-f", manifest(tmp_path, web("nginx:latest")), "--audit-log", str(log))
    assert result.exit_code == 9, result
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") is None
    assert audit_lines(log) == []


def test_allow_lets_the_apply_through_and_the_audit_line_records_the_rule_and_reason(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    args = ("--allow", "image-latest", "--reason", "CHG-42 pin next sprint", "--audit-log", str(log))
    result = invoke("apply", "-f", manifest(tmp_path, web("nginx:latest")), *args)
    assert result.exit_code == 0, result
    assert kube_emulator.cluster.get("apps/v1", "Deployment", "default", "web") is not None
    (entry,) = audit_lines(log)
    assert entry["allowedRules"] == ["image-latest"]
    assert entry["reason"] == "CHG-42 pin next sprint"
    assert entry["result"] == "success"
    assert entry["objects"][0]["resourceVersion"]


def test_an_allowed_finding_is_still_shown_as_a_warning(tmp_path: Path) -> None:
    result = invoke(
        "apply", "-f", manifest(tmp_path, web("nginx:latest")), "--dry-run=client", "--allow", "image-latest"
    )
    assert result.exit_code == 0, result
    assert "warning: policy image-latest (error): Deployment default/web" in result.stderr


def test_an_allowed_apply_lists_the_allowed_changes_in_audit_list(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    log = tmp_path / "audit.jsonl"
    invoke("apply", "-f", manifest(tmp_path, web()), "--audit-log", str(log))
    invoke("apply", "-f", manifest(tmp_path, web("nginx:latest")), "--allow", "image-latest", "--audit-log", str(log))
    result = invoke("audit", "list", "--allowed", "-o", "json", "--audit-log", str(log))
    assert result.exit_code == 0, result
    assert [e["allowedRules"] for e in list_items(result.stdout)] == [["image-latest"]]


def test_a_privileged_pod_without_a_namespace_applied_to_gpu_operator_is_not_blocked(tmp_path: Path) -> None:
    pod = web(f"nvcr.io/nvidia/driver:550@sha256:{'a' * 64}")
    pod["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {"privileged": True}
    del pod["metadata"]["namespace"]
    result = invoke("apply", "-f", manifest(tmp_path, pod), "-n", "gpu-operator", "--dry-run=client")
    assert result.exit_code == 0, result


# ---- policy check and apply agree -------------------------------------------------------------

SAME_VERDICT = {
    "clean": [web(f"nginx:1.27.3@sha256:{'a' * 64}")],
    "image-latest": [web("nginx:latest")],
    "untagged image": [web("nginx")],
    "warnings only": [web(replicas=3)],
    "public load balancer": [web(), public_service()],
    "privileged": [web(securityContext={"privileged": True})],
    "two blocking rules": [web("nginx:latest"), public_service()],
}


def apply_and_check(tmp_path: Path, objects: list[dict[str, Any]], *flags: str) -> tuple[Any, Any]:
    path = manifest(tmp_path, *objects)
    return (
        invoke("policy", "check", "-f", path, *flags),
        invoke("apply", "-f", path, "--dry-run=client", *flags),
    )


def blocked_rules(stderr: str) -> set[str]:
    """The rules named by ``--allow RULE`` in the hint."""
    (hint,) = [line for line in stderr.splitlines() if line.startswith("hint: ")]
    words = hint.split()
    return {words[i + 1] for i, word in enumerate(words) if word == "--allow"}


@pytest.mark.parametrize("case", list(SAME_VERDICT))
def test_policy_check_and_apply_give_the_same_verdict(case: str, tmp_path: Path) -> None:
    check, apply = apply_and_check(tmp_path, SAME_VERDICT[case])
    assert check.exit_code == apply.exit_code, (check, apply)
    if check.exit_code:
        assert blocked_rules(check.stderr) == blocked_rules(apply.stderr)


def test_allowing_every_blocking_rule_lets_both_through(tmp_path: Path) -> None:
    allow = ("--allow", "image-latest", "--allow", "service-load-balancer")
    check, apply = apply_and_check(tmp_path, SAME_VERDICT["two blocking rules"], *allow)
    assert (check.exit_code, apply.exit_code) == (0, 0), (check, apply)


def test_allowing_one_of_two_blocking_rules_still_blocks_both_on_the_other(tmp_path: Path) -> None:
    check, apply = apply_and_check(tmp_path, SAME_VERDICT["two blocking rules"], "--allow", "image-latest")
    assert (check.exit_code, apply.exit_code) == (9, 9)
    assert blocked_rules(check.stderr) == blocked_rules(apply.stderr) == {"service-load-balancer"}


def test_a_policy_file_that_regrades_a_warning_to_an_error_blocks_both(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("rules:\n  image-digest: error\n")
    check, apply = apply_and_check(tmp_path, [web()], "--policy-file", str(tmp_path / "policy.yaml"))
    assert (check.exit_code, apply.exit_code) == (9, 9)
    assert blocked_rules(check.stderr) == blocked_rules(apply.stderr) == {"image-digest"}


def test_a_policy_file_that_disables_a_rule_lets_both_through(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text("rules:\n  image-latest: off\n")
    check, apply = apply_and_check(tmp_path, [web("nginx:latest")], "--policy-file", str(tmp_path / "policy.yaml"))
    assert (check.exit_code, apply.exit_code) == (0, 0), (check, apply)


def test_an_unknown_allow_rule_is_a_usage_error_in_both(tmp_path: Path) -> None:
    check, apply = apply_and_check(tmp_path, [web("nginx:latest")], "--allow", "image-latst")
    assert (check.exit_code, apply.exit_code) == (2, 2)
    assert "unknown policy rule 'image-latst'" in check.stderr
    assert "unknown policy rule 'image-latst'" in apply.stderr


def test_a_gpu_request_the_api_server_would_refuse_is_refused_before_anything_is_sent(
    kubeconfig: Path, kube_emulator: Any, tmp_path: Path
) -> None:
    obj = web(f"nginx:1.27.3@sha256:{'a' * 64}")
    obj["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] = "1"
    result = invoke("apply", "-f", manifest(tmp_path, obj))
    assert result.exit_code == 9, result
    assert "[extended-resource-limit] Deployment default/web" in result.stderr
    assert [r for r in kube_emulator.requests() if r.method != "GET"] == []
