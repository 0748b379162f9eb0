"""Policy rules on manifests: what each rule finds, what it lets pass, and how enforce blocks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from akscli.errors import CheckFailedError, UsageError
from akscli.policy import engine as policy
from akscli.policy import rules as policy_rules
from tests.cli import invoke, list_items

DIGEST = "sha256:" + "a" * 64


def deployment(**overrides: Any) -> dict[str, Any]:
    """A Deployment that passes every rule; tests change one thing at a time."""
    container: dict[str, Any] = {
        "name": "server",
        "image": f"vllm/vllm-openai:v0.11.0@{DIGEST}",
        "resources": {
            "requests": {"cpu": "4", "memory": "32Gi", "nvidia.com/gpu": "1"},
            "limits": {"memory": "32Gi", "nvidia.com/gpu": "1"},
        },
        "env": [{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf", "key": "t"}}}],
    }
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "llm", "namespace": "serving"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "llm"}},
            "template": {
                "metadata": {"labels": {"app": "llm"}},
                "spec": {
                    "containers": [container],
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                },
            },
        },
    }
    for path, value in overrides.items():
        node = obj
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[keys[-1]] = value
    return obj


def container_of(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


def rules_found(objects: list[dict[str, Any]]) -> set[str]:
    return {f.rule for f in policy.evaluate(objects, policy.PolicyConfig())}


def test_a_well_formed_gpu_deployment_has_no_findings() -> None:
    assert policy.evaluate([deployment()], policy.PolicyConfig()) == []


def test_container_without_requests_is_found() -> None:
    obj = deployment()
    container_of(obj)["resources"] = {}
    findings = policy.evaluate([obj], policy.PolicyConfig())
    assert [f.rule for f in findings] == ["container-resources"]
    assert "has no requests.cpu, requests.memory, limits.memory" in findings[0].message


def test_limits_alone_pass_the_requests_rule_as_the_api_server_copies_them_to_requests() -> None:
    """kubernetes/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Pod: a limit with no request
    becomes the request in every Pod, which is what the Deployment Safeguards judge."""
    obj = deployment()
    container_of(obj)["resources"] = {"limits": {"cpu": "4", "memory": "32Gi", "nvidia.com/gpu": "1"}}
    assert rules_found([obj]) == set()


def test_an_init_containers_limits_alone_pass_the_requests_rule() -> None:
    obj = deployment()
    init = {"name": "fetch", "image": f"busybox:1.36@{DIGEST}", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}
    obj["spec"]["template"]["spec"]["initContainers"] = [init]
    assert rules_found([obj]) == set()


def test_a_memory_limit_alone_still_leaves_the_cpu_request_missing() -> None:
    obj = deployment()
    container_of(obj)["resources"] = {"limits": {"memory": "1Gi"}}
    [finding] = policy.evaluate([obj], policy.PolicyConfig())
    assert finding.rule == "container-resources"
    assert finding.message.endswith("has no requests.cpu")


def test_the_stored_view_keeps_a_typed_request_over_its_limit() -> None:
    container = {"resources": {"requests": {"cpu": "1"}, "limits": {"cpu": "2", "memory": "1Gi"}}}
    assert policy_rules.stored_requests(container) == {"cpu": "1", "memory": "1Gi"}


def test_container_without_memory_limit_is_found() -> None:
    obj = deployment()
    del container_of(obj)["resources"]["limits"]["memory"]
    assert rules_found([obj]) == {"container-resources"}


@pytest.mark.parametrize("image", ["nginx", "nginx:latest", "registry.io:5000/team/app:latest"])
def test_latest_or_untagged_image_is_an_error(image: str) -> None:
    obj = deployment()
    container_of(obj)["image"] = image
    findings = policy.evaluate([obj], policy.PolicyConfig())
    assert ("image-latest", "error") in {(f.rule, f.severity) for f in findings}


def test_registry_port_is_not_mistaken_for_a_tag() -> None:
    obj = deployment()
    container_of(obj)["image"] = "registry.io:5000/team/app:v1"
    assert rules_found([obj]) == {"image-digest"}


def test_latest_tag_pinned_by_digest_passes() -> None:
    obj = deployment()
    container_of(obj)["image"] = f"nginx:latest@{DIGEST}"
    assert rules_found([obj]) == set()


def test_gpu_workload_without_toleration_is_found() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["tolerations"] = []
    assert rules_found([obj]) == {"gpu-toleration"}


@pytest.mark.parametrize("resource", ["nvidia.com/mig-1g.10gb", "nvidia.com/gpu.shared"])
def test_a_mig_or_shared_gpu_workload_without_toleration_is_found(resource: str) -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["tolerations"] = []
    container_of(obj)["resources"] = {
        "requests": {"cpu": "4", "memory": "32Gi", resource: "1"},
        "limits": {"memory": "32Gi", resource: "1"},
    }
    assert rules_found([obj]) == {"gpu-toleration"}


def test_sku_gpu_taint_toleration_counts_as_gpu_toleration() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["tolerations"] = [
        {"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}
    ]
    assert rules_found([obj]) == set()


def test_cpu_workload_needs_no_gpu_toleration() -> None:
    obj = deployment()
    resources = container_of(obj)["resources"]
    del resources["requests"]["nvidia.com/gpu"], resources["limits"]["nvidia.com/gpu"]
    obj["spec"]["template"]["spec"]["tolerations"] = []
    assert rules_found([obj]) == set()


@pytest.mark.parametrize("amount", ["0.5", "500m", "1.5"])
def test_fractional_gpu_request_is_an_error(amount: str) -> None:
    obj = deployment()
    container_of(obj)["resources"]["limits"]["nvidia.com/gpu"] = amount
    assert "gpu-fractional" in rules_found([obj])


def test_a_gpu_request_other_than_its_limit_is_an_error_in_the_api_servers_words() -> None:
    """validation.go validateResourceRequirements: "must be equal to nvidia.com/gpu limit of 2"."""
    obj = deployment()
    container_of(obj)["resources"]["limits"]["nvidia.com/gpu"] = "2"
    [finding] = policy.evaluate([obj], policy.PolicyConfig())
    assert (finding.rule, finding.severity) == ("extended-resource-limit", "error")
    assert "requests nvidia.com/gpu: 1 must be equal to nvidia.com/gpu limit of 2" in finding.message


def test_an_extended_resource_request_without_a_limit_is_an_error() -> None:
    obj = deployment()
    container_of(obj)["resources"]["requests"]["rdma/rdma_shared_device_a"] = "1"
    [finding] = policy.evaluate([obj], policy.PolicyConfig())
    assert finding.rule == "extended-resource-limit"
    assert "Limit must be set for non overcommitable resources" in finding.message


def test_an_extended_resource_limit_alone_and_cpu_below_its_limit_pass() -> None:
    obj = deployment()
    del container_of(obj)["resources"]["requests"]["nvidia.com/gpu"]
    container_of(obj)["resources"]["limits"]["cpu"] = "8"  # cpu may be overcommitted
    assert rules_found([obj]) == set()


def test_privileged_container_outside_gpu_operator_namespace_is_an_error() -> None:
    obj = deployment()
    container_of(obj)["securityContext"] = {"privileged": True}
    assert rules_found([obj]) == {"privileged-pod"}


def test_a_privileged_finding_says_what_pod_security_standards_forbid() -> None:
    """In the words of pod-security-admission's check "privileged" (policy/check_privileged.go)."""
    obj = deployment()
    container_of(obj)["securityContext"] = {"privileged": True}
    [finding] = policy.evaluate([obj], policy.PolicyConfig())
    assert finding.message.startswith(
        "container 'server' must not set securityContext.privileged=true (Pod Security Standards baseline)"
    )


def test_a_fractional_gpu_finding_says_what_the_api_server_says() -> None:
    """pkg/apis/core/validation/validation.go: an extended resource quantity "must be an integer"."""
    obj = deployment()
    container_of(obj)["resources"]["limits"]["nvidia.com/gpu"] = "0.5"
    [finding] = [f for f in policy.evaluate([obj], policy.PolicyConfig()) if f.rule == "gpu-fractional"]
    assert "limits nvidia.com/gpu: 0.5 must be an integer" in finding.message


def test_policy_rules_names_the_upstream_policy_each_rule_enforces() -> None:
    result = invoke("policy", "rules", "-o", "json")
    upstream = {r["rule"]: r["upstream"] for r in list_items(result.stdout)}
    assert upstream["image-latest"] == (
        "AKS Deployment Safeguards: Kubernetes cluster container images should not include latest image tag"
    )
    assert upstream["container-resources"].startswith("AKS Deployment Safeguards: Kubernetes cluster containers CPU")
    assert upstream["privileged-pod"].startswith("Pod Security Standards baseline, check privileged")
    assert "Kubernetes clusters should use internal load balancers" in upstream["service-load-balancer"]
    assert upstream["gpu-fractional"].startswith("Kubernetes API server validation")
    assert upstream["extended-resource-limit"].startswith("Kubernetes API server validation")
    assert upstream["pdb-missing"] is None  # akscli's own


def test_privileged_container_in_gpu_operator_namespace_passes() -> None:
    obj = deployment()
    obj["metadata"]["namespace"] = "gpu-operator"
    container_of(obj)["securityContext"] = {"privileged": True}
    assert rules_found([obj]) == set()


def test_privileged_container_without_a_namespace_passes_when_applied_to_gpu_operator() -> None:
    obj = deployment()
    del obj["metadata"]["namespace"]
    container_of(obj)["securityContext"] = {"privileged": True}
    assert policy.enforce([obj], namespace="gpu-operator") == []


def test_privileged_container_without_a_namespace_is_blocked_when_applied_elsewhere() -> None:
    obj = deployment()
    del obj["metadata"]["namespace"]
    container_of(obj)["securityContext"] = {"privileged": True}
    with pytest.raises(CheckFailedError, match=r"baseline\) in namespace 'serving'"):
        policy.enforce([obj], namespace="serving")


def load_balancer(annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "llm", "namespace": "serving", "annotations": annotations or {}},
        "spec": {"type": "LoadBalancer", "selector": {"app": "llm"}, "ports": [{"port": 80}]},
    }


def test_load_balancer_service_without_opt_in_is_an_error() -> None:
    assert rules_found([load_balancer()]) == {"service-load-balancer"}


def test_load_balancer_with_opt_in_annotation_passes() -> None:
    assert rules_found([load_balancer({policy_rules.LOAD_BALANCER_OPT_IN: "true"})]) == set()


def test_internal_azure_load_balancer_passes() -> None:
    assert rules_found([load_balancer({policy_rules.AZURE_INTERNAL_LB: "true"})]) == set()


@pytest.mark.parametrize("value", ["True", "TRUE", "yes", " true"])
def test_an_internal_annotation_other_than_exactly_true_gets_a_public_ip_so_it_is_an_error(value: str) -> None:
    # cloud-provider-azure requiresInternalLoadBalancer compares with "true" exactly.
    assert rules_found([load_balancer({policy_rules.AZURE_INTERNAL_LB: value})]) == {"service-load-balancer"}


def pdb(selector: dict[str, Any], namespace: str = "serving") -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "llm", "namespace": namespace},
        "spec": {"minAvailable": 1, "selector": selector},
    }


def test_multi_replica_deployment_without_pdb_is_found() -> None:
    assert rules_found([deployment(spec__replicas=3)]) == {"pdb-missing"}


def test_matching_pdb_in_the_same_set_satisfies_the_rule() -> None:
    objects = [deployment(spec__replicas=3), pdb({"matchLabels": {"app": "llm"}})]
    assert rules_found(objects) == set()


def test_pdb_in_another_namespace_does_not_count() -> None:
    objects = [deployment(spec__replicas=3), pdb({"matchLabels": {"app": "llm"}}, "other")]
    assert rules_found(objects) == {"pdb-missing"}


def test_pdb_without_a_namespace_counts_for_a_deployment_in_the_apply_namespace() -> None:
    scaled = deployment(spec__replicas=3)
    budget = pdb({"matchLabels": {"app": "llm"}})
    del budget["metadata"]["namespace"]
    config = policy.PolicyConfig(default_namespace="serving")
    assert "pdb-missing" not in {f.rule for f in policy.evaluate([scaled, budget], config)}


def test_pdb_match_expressions_are_honoured() -> None:
    selector = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["llm", "x"]}]}
    assert rules_found([deployment(spec__replicas=2), pdb(selector)]) == set()


def test_plain_secret_env_value_is_found_without_echoing_it() -> None:
    obj = deployment()
    container_of(obj)["env"] = [{"name": "OPENAI_API_KEY", "value": "sk-very-secret-value"}]
    findings = policy.evaluate([obj], policy.PolicyConfig())
    assert [f.rule for f in findings] == ["env-plain-secret"]
    assert "sk-very-secret-value" not in json.dumps([f.to_dict() for f in findings])


def test_jwt_in_an_innocent_variable_name_is_found() -> None:
    obj = deployment()
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2ln"
    container_of(obj)["env"] = [{"name": "SETTINGS", "value": jwt}]
    assert rules_found([obj]) == {"env-plain-secret"}


def test_ordinary_env_values_pass() -> None:
    obj = deployment()
    container_of(obj)["env"] = [
        {"name": "TOKENIZERS_PARALLELISM", "value": "false"},
        {"name": "MODEL", "value": "llama-3-8b"},
    ]
    assert rules_found([obj]) == set()


def test_ray_cluster_worker_templates_are_checked() -> None:
    ray = {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "r", "namespace": "ml"},
        "spec": {
            "headGroupSpec": {"template": {"spec": {"containers": []}}},
            "workerGroupSpecs": [
                {
                    "groupName": "gpu",
                    "template": {"spec": {"containers": [{"name": "w", "image": "rayproject/ray:latest"}]}},
                }
            ],
        },
    }
    findings = policy.evaluate([ray], policy.PolicyConfig())
    assert any(f.rule == "image-latest" and "worker group 'gpu'" in f.message for f in findings)


def test_findings_list_errors_before_warnings() -> None:
    obj = deployment(spec__replicas=3)
    container_of(obj)["image"] = "nginx"
    severities = [f.severity for f in policy.evaluate([obj], policy.PolicyConfig())]
    assert severities == sorted(severities, key=policy.SEVERITIES.index)


# ---- enforce, --allow and the policy file ------------------------------------------------------


def test_enforce_blocks_an_error_finding_and_names_the_allow_flag() -> None:
    with pytest.raises(CheckFailedError) as caught:
        policy.enforce([load_balancer()])
    assert "service-load-balancer" in caught.value.message
    assert "--allow service-load-balancer" in (caught.value.hint or "")


def test_enforce_lets_an_allowed_rule_through_and_returns_its_finding() -> None:
    findings = policy.enforce([load_balancer()], allow=["service-load-balancer"])
    assert [f.rule for f in findings] == ["service-load-balancer"]


def test_enforce_returns_warnings_without_raising() -> None:
    findings = policy.enforce([deployment(spec__replicas=2)])
    assert [(f.rule, f.severity) for f in findings] == [("pdb-missing", "warning")]


def test_enforce_rejects_an_unknown_allow_rule() -> None:
    with pytest.raises(UsageError, match="unknown policy rule 'no-such-rule'"):
        policy.enforce([deployment()], allow=["no-such-rule"])


def test_policy_file_can_disable_and_regrade_rules(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("rules:\n  service-load-balancer: off\n  pdb-missing: error\n")
    objects = [load_balancer(), deployment(spec__replicas=2)]
    with pytest.raises(CheckFailedError) as caught:
        policy.enforce(objects, policy_file=str(path))
    assert "pdb-missing" in caught.value.message
    assert "service-load-balancer" not in caught.value.message


def test_policy_file_can_widen_the_privileged_namespaces(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("privilegedNamespaces: [serving]\n")
    obj = deployment()
    container_of(obj)["securityContext"] = {"privileged": True}
    assert policy.enforce([obj], policy_file=str(path)) == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("rules:\n  no-such-rule: error\n", "unknown policy rule"),
        ("rules:\n  pdb-missing: loud\n", "unknown setting"),
        ("ruless: {}\n", "unknown keys"),
        ("- a\n- b\n", "is not a mapping"),
    ],
)
def test_bad_policy_file_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        policy.load_config(str(path))


def test_missing_policy_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read --policy-file "):
        policy.load_config(str(tmp_path / "absent.yaml"))


# ---- SARIF -----------------------------------------------------------------------------------


def test_sarif_has_the_2_1_0_shape_and_indexes_rules_correctly() -> None:
    findings = policy.evaluate(
        [load_balancer(), deployment(spec__replicas=2)],
        policy.PolicyConfig(),
        ["svc.yaml", "deploy.yaml"],
    )
    doc = policy.sarif(findings)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert doc["version"] == "2.1.0"
    assert {r["id"] for r in rules} == set(policy.RULES)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {"service-load-balancer": "error", "pdb-missing": "warning"}
    uris = {r["physicalLocation"]["artifactLocation"]["uri"] for res in run["results"] for r in res["locations"]}
    assert uris == {"svc.yaml", "deploy.yaml"}


# ---- the CLI ---------------------------------------------------------------------------------


def write_manifests(folder: Path, *objects: dict[str, Any]) -> None:
    from akscli import yamlio

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stack.yaml").write_text(yamlio.dump_all(objects))


def test_policy_check_on_a_clean_folder_exits_zero(tmp_path: Path) -> None:
    write_manifests(tmp_path / "m", deployment())
    result = invoke("policy", "check", "-f", str(tmp_path / "m"))
    assert result.exit_code == 0, result
    assert "No findings in 1 object(s)" in result.stderr


def test_policy_check_exits_9_and_lists_blocking_rules(tmp_path: Path) -> None:
    write_manifests(tmp_path / "m", load_balancer(), deployment())
    result = invoke("policy", "check", "-f", str(tmp_path / "m"))
    assert result.exit_code == 9
    assert "service-load-balancer" in result.stdout
    assert "--allow service-load-balancer" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_check_with_allow_exits_zero(tmp_path: Path) -> None:
    write_manifests(tmp_path / "m", load_balancer())
    result = invoke("policy", "check", "-f", str(tmp_path / "m"), "--allow", "service-load-balancer")
    assert result.exit_code == 0, result
    # The table still says "error": a line says the job passed because --allow let it through.
    assert "1 error finding(s) let through by --allow: service-load-balancer" in result.stderr


def test_policy_checks_help_lists_the_global_flags_it_talks_about() -> None:
    # They were named in its text but listed only by akscli --help (global flags).
    help_text = invoke("policy", "check", "--help").stdout
    options = help_text.split("Options:", 1)[1].split("Examples:", 1)[0]
    assert "--allow RULE" in options and "--policy-file PATH" in options
    rules = invoke("policy", "rules", "--help").stdout
    assert "--policy-file PATH" in rules.split("Options:", 1)[1]


def test_policy_check_reads_a_kubectl_list_in_json(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [load_balancer(), deployment()]}))
    result = invoke("policy", "check", "-f", str(path), "-o", "json")
    assert result.exit_code == 9
    assert [f["rule"] for f in list_items(result.stdout)] == ["service-load-balancer"]


def test_policy_check_sarif_goes_to_stdout(tmp_path: Path) -> None:
    write_manifests(tmp_path / "m", deployment(spec__replicas=2))
    result = invoke("policy", "check", "-f", str(tmp_path / "m"), "-o", "sarif")
    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    assert doc["runs"][0]["results"][0]["ruleId"] == "pdb-missing"


def test_policy_check_on_a_missing_path_is_one_clear_error(tmp_path: Path) -> None:
    result = invoke("policy", "check", "-f", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert "hint: " in result.stderr


def test_policy_check_on_a_folder_without_manifests_fails_rather_than_passing(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "deploy.yaml.j2").write_text("kind: Deployment\n")
    result = invoke("policy", "check", "-f", str(tmp_path / "m"))
    assert result.exit_code == 2, result
    assert "no manifests found" in result.stderr


def test_policy_check_on_invalid_yaml_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("kind: [unclosed\n")
    result = invoke("policy", "check", "-f", str(tmp_path / "bad.yaml"))
    assert result.exit_code == 2
    assert "is not valid YAML" in result.stderr


def test_policy_rules_shows_the_policy_file_severity(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("rules:\n  image-digest: error\n  pdb-missing: off\n")
    result = invoke("policy", "rules", "-o", "json", "--policy-file", str(path))
    assert result.exit_code == 0, result
    severities = {r["rule"]: r["severity"] for r in list_items(result.stdout)}
    assert severities["image-digest"] == "error"
    assert severities["pdb-missing"] is None


def test_evaluate_does_not_modify_the_objects() -> None:
    objects = [deployment(spec__replicas=3), load_balancer()]
    before = copy.deepcopy(objects)
    policy.evaluate(objects, policy.PolicyConfig())
    assert objects == before


def test_policy_check_reads_stdin_with_dash() -> None:
    from akscli import yamlio

    result = invoke("policy", "check", "-f", "-", "-o", "json", input=yamlio.dump_all([load_balancer()]))
    assert result.exit_code == 9
    assert list_items(result.stdout)[0]["source"] == "<stdin>"


def rdma_pod(amount: str) -> dict[str, Any]:
    resources = {"requests": {"rdma/ib": amount}, "limits": {"rdma/ib": amount}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "nccl", "namespace": "ml"},
        "spec": {"containers": [{"name": "nccl", "image": "nccl:1.0", "resources": resources}]},
    }


@pytest.mark.parametrize("amount", ["500m", "1.5"])
def test_a_fractional_amount_of_an_rdma_device_is_refused_as_the_api_server_refuses_it(amount: str) -> None:
    # kubernetes/kubernetes validation.go: every extended resource is an integer resource
    found = [f for f in policy.evaluate([rdma_pod(amount)], policy.PolicyConfig()) if f.rule == "gpu-fractional"]
    assert [f.message.split(" must")[0] for f in found] == [
        f"container 'nccl' requests rdma/ib: {amount}",
        f"container 'nccl' limits rdma/ib: {amount}",
    ]


def test_a_whole_number_of_rdma_devices_passes() -> None:
    assert "gpu-fractional" not in rules_found([rdma_pod("2")])
