"""A value's ``pattern`` (the CRD's own regex on its target field) is checked before rendering,
whatever the path: ``render --set``, a ``--values`` file, or a command's flag (akscli.nap.nodepool)."""

from __future__ import annotations

import re

import pytest

from akscli import render, validate
from akscli.errors import UsageError
from tests.cli import invoke

# (template, key, a value the CRD takes, one it refuses with 422). Every declared pattern is here.
CASES = [
    ("nodepool/nap-gpu", "consolidate_after", "1h30m", "10 minutes"),
    ("nodepool/nap-gpu", "expire_after", "Never", "1d"),
    ("nodepool/nap-gpu", "termination_grace_period", "90s", "Never"),
    ("nodepool/nap-gpu", "disruption_budget", "20%", "101%"),
    ("nodepool/nap-gpu", "labels", {"team": "ml-1"}, {"team": "ml/1"}),
    ("model/httproute", "path_prefix", "/v1/chat", "/v1//chat"),
    ("model/httproute", "hostnames", ["*.example.com"], ["Models.example.com"]),
    ("model/httproute", "request_timeout", "1h30m", "5min"),
]
REQUIRED = {
    "nodepool/nap-gpu": {"name": "gpu", "sku_names": ["Standard_NC40ads_H100_v5"]},
    "model/httproute": {"name": "m", "namespace": "ns", "parent_refs": [{"name": "gw"}], "backend_refs": []},
}


def test_each_declared_pattern_takes_the_crds_values_and_refuses_the_rest_in_words() -> None:
    declared = {
        (t.removesuffix(render.TEMPLATE_SUFFIX), key)
        for t in render.list_templates()
        for key, decl in render.values_spec(t).items()
        if "pattern" in decl
    }
    assert declared == {(t, k) for t, k, _, _ in CASES}
    for template, key, good, bad in CASES:
        decl = render.values_spec(template)[key]
        assert decl["pattern_words"] and decl["example"], key
        assert render.check_values(template, {**REQUIRED[template], key: good})[key] == good
        with pytest.raises(UsageError) as err:
            render.check_values(template, {**REQUIRED[template], key: bad})
        message = err.value.message
        assert key in message and decl["pattern"] in message and decl["pattern_words"] in message, message
        assert err.value.hint and "--set" in err.value.hint and "\n" not in message
        # the hint's fix passes
        fix = re.sub(r"^e\.g\. --set '?[a-z_]+=|'$", "", err.value.hint)
        render.check_values(template, {**REQUIRED[template], key: fix})


def test_render_refuses_a_duration_the_nodepool_crd_would_refuse_with_exit_2() -> None:
    result = invoke(
        "render", "nodepool/nap-gpu", "--set", "name=gpu", "--set", "sku_names={Standard_NC40ads_H100_v5}",
        "--set", "expire_after=1d",
    )  # fmt: skip
    assert result.exit_code == 2 and result.stdout == ""
    assert "invalid value expire_after of template nodepool/nap-gpu '1d'" in result.stderr
    assert "whole s, m and h units, or Never" in result.stderr and "--set expire_after=720h" in result.stderr


@pytest.mark.parametrize(
    ("label", "reserved"),
    [
        ("agentpool", 'label "agentpool" is restricted'),
        ("accelerator", 'label "accelerator" is restricted'),
        ("storageprofile", 'label "storageprofile" is restricted'),
        ("storagetier", 'label "storagetier" is restricted'),
        ("team.karpenter.sh/pool", 'label domain "karpenter.sh" is restricted'),
        ("karpenter.azure.com/sku-name", 'label domain "karpenter.azure.com" is restricted'),
        ("kubernetes.azure.com/mode", 'label domain "kubernetes.azure.com" is restricted'),
        ("kubernetes.io/hostname", "the prefix kubernetes.io/ is restricted"),
    ],
)
def test_render_refuses_a_nodepool_label_the_crd_restricts(label: str, reserved: str) -> None:
    # The NodePool CRD's CEL rules on spec.template.metadata.labels (the key's domain endsWith the
    # restricted one; agentpool, storageprofile, storagetier, accelerator, kubernetes.io/hostname): a 422
    # at apply, refused before rendering.
    with pytest.raises(UsageError) as caught:
        render.check_values("nodepool/nap-gpu", {"name": "gpu", "sku_names": ["a"], "labels": {label: "x"}})
    assert caught.value.message.startswith(f"invalid value labels of template nodepool/nap-gpu key {label}: ")
    assert f"{reserved}, kept for labels set by Karpenter and AKS" in caught.value.message
    assert "example.com/team=ml" in (caught.value.hint or "")


def test_a_nodepool_label_of_another_domain_is_kept() -> None:
    values = {"name": "gpu", "sku_names": ["a"], "labels": {"example.com/team": "ml", "node.kubernetes.io/x": "y"}}
    assert render.check_values("nodepool/nap-gpu", values)["labels"] == values["labels"]


@pytest.mark.parametrize(
    ("label", "rule"),
    [("agentpool=gpu", 'label "agentpool" is restricted'), ("team.karpenter.sh/x=1", 'label domain "karpenter.sh"')],
)
def test_nodepool_add_refuses_a_crd_restricted_label_naming_the_flag_and_the_rule(label: str, rule: str) -> None:
    # The flag the user typed, and the CRD's rule in its own words (Azure/karpenter-provider-azure
    # pkg/apis/crds/karpenter.sh_nodepools.yaml x-kubernetes-validations messages), not the template's
    # value; and nothing before it (not the --gpu sizes line).
    flags = ("--auto-provision", "--gpu", "h100", "--labels", label, "--dry-run")
    result = invoke("nodepool", "add", "gpu", *flags)
    assert result.exit_code == 2 and result.stdout == ""
    key = label.split("=")[0]
    assert result.stderr.startswith(f"error: invalid --labels key {key}: {rule}"), result.stderr
    assert "template" not in result.stderr and "kept for labels set by Karpenter and AKS" in result.stderr


def test_an_aks_reserved_label_prefix_is_refused_in_one_grammatical_line() -> None:
    with pytest.raises(UsageError) as caught:
        validate.labels(["kubernetes.azure.com/mode=x"], "--labels", ("kubernetes.azure.com/",), "AKS")
    assert caught.value.message == (
        "--labels kubernetes.azure.com/mode uses the prefix kubernetes.azure.com/, kept for labels set by AKS"
    )


SELECT = [{"group": "", "version": "v1", "kind": "Namespace", "name": "ml"}]
STAGE = {"name": "canary", "labelSelector": {"matchLabels": {"env": "canary"}}}


@pytest.mark.parametrize(
    ("template", "values", "message"),
    [
        (
            "fleet/staged-strategy",
            {"stages": [{**STAGE, "name": "Stage-1"}]},
            "stages[0].name 'Stage-1' does not match",
        ),
        ("fleet/staged-strategy", {"stages": [STAGE] * 32}, "it has 32 items, at most 31"),
        (
            "fleet/staged-strategy",
            {"stages": [{**STAGE, "afterStageTasks": [{"type": "TimedWait", "waitTime": "1d"}]}]},
            "stages[0].afterStageTasks[0].waitTime '1d' does not match",
        ),
        ("fleet/placement", {"policy": {"placementType": "PickSome"}}, "policy.placementType 'PickSome' is not one of"),
        (
            "fleet/placement",
            {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "150%"}}},
            "strategy.rollingUpdate.maxUnavailable '150%' does not match",
        ),
    ],
)
def test_a_field_inside_an_object_value_is_checked_against_the_crd(template: str, values: dict, message: str) -> None:
    # kubefleet-dev/kubefleet's CRDs (../shared/crds/fleet): the hub answers 422 for each of these.
    base = {"name": "x", "resource_selectors": SELECT} if template == "fleet/placement" else {"name": "x"}
    with pytest.raises(UsageError) as caught:
        render.check_values(template, {**base, **values})
    assert message in caught.value.message


def test_crd_valid_fields_inside_object_values_pass() -> None:
    stage = {**STAGE, "maxConcurrency": 2, "afterStageTasks": [{"type": "TimedWait", "waitTime": "1h30m"}]}
    assert render.check_values("fleet/staged-strategy", {"name": "x", "stages": [stage]})["stages"] == [stage]
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2, "maxUnavailable": "25%"}}
    values = {"name": "x", "resource_selectors": SELECT, "policy": {"placementType": "PickN", "numberOfClusters": 2}}
    assert render.check_values("fleet/placement", {**values, "strategy": strategy})["strategy"] == strategy


VLLM = {"name": "m", "namespace": "d", "pod_labels": "app=m", "node_selector": "a=b"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"vllm_args": ["--model", "a\x00b"]}, "item 1 holds the NUL character U+0000"),
        (
            {"vllm_args": ["--model", "x"], "annotations": {"a": "x\ud800y"}},
            "annotations.a holds the lone surrogate U+D800",
        ),
    ],
)
def test_a_list_item_or_map_value_no_pod_or_api_server_keeps_is_refused(values: dict, message: str) -> None:
    # A values file's (or --set's YAML) "\0" would reach execve (EINVAL: the pod never starts); a
    # lone surrogate is stored as U+FFFD by the API server's JSON decoder.
    with pytest.raises(UsageError) as caught:
        render.check_values("model/vllm", {**VLLM, **values})
    assert message in caught.value.message


def test_a_newline_or_non_ascii_text_in_a_map_value_is_kept() -> None:
    values = {**VLLM, "vllm_args": ["--model", "x"], "annotations": {"a": "line one\nligne deux é"}}
    assert render.check_values("model/vllm", values)["annotations"] == {"a": "line one\nligne deux é"}


def test_a_nul_in_a_configmaps_file_is_kept() -> None:
    # A file of a Ray working dir: the kubelet writes a ConfigMap's data as it is.
    values = {"name": "w", "namespace": "d", "job": "j", "data": {"a.py": "x\x00y"}}
    assert render.check_values("ray/workdir-configmap", values)["data"] == {"a.py": "x\x00y"}
