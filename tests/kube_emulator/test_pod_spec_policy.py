"""The API server refuses a pod spec whose envFrom, securityContext, node affinity or tolerations
cannot work, with ValidatePodSpec's field paths and texts (tests/emulators/kube/
pod_spec_policy_validation.py names the upstream functions), in a template and a bare Pod alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.emulators.kube import KubeEmulator
from tests.emulators.kube.job_validation import SUBDOMAIN_MSG
from tests.kube_emulator.helpers import kubectl_create
from tests.kube_emulator.test_pod_spec_containers import AT, accepted, main, refusal, web

ID_RANGE = "must be between 0 and 2147483647, inclusive"


def with_term(**requirement: Any) -> dict[str, Any]:
    term = {"matchExpressions": [{"key": "agentpool", **requirement}]}
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}}}


def bare_pod(**fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [main()], **fields},
    }


def test_an_env_from_without_a_source_is_refused_on_the_list(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(envFrom=[{"prefix": "HF_"}])])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].envFrom", 'Invalid value: "": must specify one of: `configMapRef` or `secretRef`')
    ]


def test_an_env_from_with_both_sources_is_refused(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(envFrom=[{"configMapRef": {"name": "a"}, "secretRef": {"name": "b"}}])])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].envFrom", 'Invalid value: "": may not have more than one field specified at a time')
    ]


def test_an_env_from_secret_name_must_be_a_subdomain(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(envFrom=[{"secretRef": {"name": "HF_Token"}}])])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].envFrom[0].secretRef.name", f'Invalid value: "HF_Token": {SUBDOMAIN_MSG}')
    ]


def test_an_env_from_prefix_with_an_equals_sign_is_refused(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(envFrom=[{"prefix": "A=", "configMapRef": {"name": "cfg"}}])])
    [(field, message)] = refusal(kube_emulator, body)
    assert field == f"{AT}.containers[0].envFrom[0].prefix"
    assert message.startswith('Invalid value: "A=": a valid environment variable name')


def test_a_negative_run_as_user_is_refused_on_the_container_and_the_pod(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main(securityContext={"runAsUser": -1})], securityContext={"fsGroup": -2})
    assert refusal(kube_emulator, body) == [
        (f"{AT}.containers[0].securityContext.runAsUser", f"Invalid value: -1: {ID_RANGE}"),
        (f"{AT}.securityContext.fsGroup", f"Invalid value: -2: {ID_RANGE}"),
    ]


def test_a_seccomp_profile_needs_a_supported_type(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main()], securityContext={"seccompProfile": {"type": "Default"}})
    assert refusal(kube_emulator, body) == [
        (
            f"{AT}.securityContext.seccompProfile.type",
            'Unsupported value: "Default": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
        )
    ]


def test_required_node_affinity_needs_a_term(kube_emulator: KubeEmulator) -> None:
    body = web(
        containers=[main()],
        affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}},
    )
    path = f"{AT}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
    assert refusal(kube_emulator, body) == [(path, "Required value: must have at least one node selector term")]


def test_an_in_requirement_needs_values_and_a_bad_operator_is_refused(kube_emulator: KubeEmulator) -> None:
    path = f"{AT}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
    assert refusal(kube_emulator, web(containers=[main()], affinity=with_term(operator="In"))) == [
        (f"{path}.matchExpressions[0].values", "Required value: must be specified when `operator` is 'In' or 'NotIn'")
    ]
    assert refusal(kube_emulator, web(containers=[main()], affinity=with_term(operator="Equals", values=["gpu"]))) == [
        (f"{path}.matchExpressions[0].operator", 'Invalid value: "Equals": not a valid selector operator')
    ]


def test_a_toleration_without_a_key_must_be_exists(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main()], tolerations=[{"operator": "Equal", "value": "gpu", "effect": "NoSchedule"}])
    assert refusal(kube_emulator, body) == [
        (
            f"{AT}.tolerations[0].operator",
            'Invalid value: "Equal": operator must be Exists when `key` is empty, which means '
            '"match all values and all keys"',
        )
    ]


def test_toleration_seconds_need_the_no_execute_effect(kube_emulator: KubeEmulator) -> None:
    body = web(
        containers=[main()],
        tolerations=[{"key": "sku", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 60}],
    )
    assert refusal(kube_emulator, body) == [
        (
            f"{AT}.tolerations[0].effect",
            "Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
        )
    ]


def test_an_exists_toleration_with_a_value_is_refused_with_the_toleration_printed(kube_emulator: KubeEmulator) -> None:
    body = web(
        containers=[main()], tolerations=[{"key": "sku", "operator": "Exists", "value": "gpu", "effect": "NoSchedule"}]
    )
    assert refusal(kube_emulator, body) == [
        (
            f"{AT}.tolerations[0].operator",
            'Invalid value: core.Toleration{Key:"sku", Operator:"Exists", Value:"gpu", Effect:"NoSchedule", '
            "TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'",
        )
    ]


def test_an_unknown_toleration_effect_and_operator_are_refused(kube_emulator: KubeEmulator) -> None:
    body = web(containers=[main()], tolerations=[{"key": "sku", "operator": "In", "effect": "NoRun"}])
    assert refusal(kube_emulator, body) == [
        (f"{AT}.tolerations[0].operator", 'Unsupported value: "In": supported values: "Equal", "Exists"'),
        (
            f"{AT}.tolerations[0].effect",
            'Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
        ),
    ]


def test_akscli_style_gpu_scheduling_is_accepted(kube_emulator: KubeEmulator) -> None:
    accepted(
        kube_emulator,
        web(
            containers=[
                main(
                    envFrom=[{"secretRef": {"name": "hf-token"}}],
                    securityContext={"capabilities": {"add": ["IPC_LOCK"]}},
                )
            ],
            tolerations=[{"key": "sku", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}],
            affinity=with_term(operator="In", values=["gpu"]),
            securityContext={"runAsUser": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
        ),
    )


def test_a_bare_pod_gets_the_same_checks(kube_emulator: KubeEmulator) -> None:
    body = bare_pod(tolerations=[{"operator": "Equal"}])
    assert [f for f, _ in refusal(kube_emulator, body, "pods")] == ["spec.tolerations[0].operator"]


@pytest.mark.kubectl
def test_kubectl_prints_the_toleration_refusal(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl_create(bare_pod(tolerations=[{"key": "sku", "operator": "In", "value": "gpu"}]))
    assert r.returncode == 1
    assert r.stderr.strip() == (
        'The Pod "p" is invalid: spec.tolerations[0].operator: Unsupported value: "In": '
        'supported values: "Equal", "Exists"'
    )
