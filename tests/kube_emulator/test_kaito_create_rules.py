"""KAITO's webhooks on a create, as v0.12.0 refuses it (plain calls, no emulator): a Workspace's
resource with node auto-provisioning on (kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go
ResourceSpec.validateCreateWithInference: the label selector, KAITO's reserved labels, a partition,
an instance type outside its SKU table that is not N- or D-series), and an InferenceSet, whose webhook
runs the same ValidateCreate on the Workspace the set would make (api/v1beta1/inferenceset_validation.go
Validate; pkg/utils/inferenceset/inferenceset.go ValidateWorkspaceForInferenceSet)."""

from __future__ import annotations

from typing import Any

from tests.emulators.kube import admission
from tests.emulators.kube.status import ApiError
from tests.kube_emulator.test_admission import workspace
from tests.kube_emulator.test_kaito_update_rules import DENIED

SIZES = (
    "Standard_NV36ads_A10_v5 Standard_NV72ads_A10_v5 Standard_NC24ads_A100_v4 Standard_NC48ads_A100_v4 "
    "Standard_NC96ads_A100_v4 Standard_ND96asr_A100_v4 Standard_ND96amsr_A100_v4 Standard_NC40ads_H100_v5 "
    "Standard_NC80adis_H100_v5 Standard_ND96isr_H100_v5 Standard_NCC40ads_H100_v5 Standard_ND96isr_H200_v5 "
    "Standard_NG32ads_V620_v1 Standard_NG32adms_V620_v1"
)


def _refusal(kind: str, obj: dict[str, Any]) -> str | None:
    try:
        admission.review("kaito.sh", kind, obj, None)
    except ApiError as exc:
        return str(exc)
    return None


def _inferenceset(name: str = "phi", preset: str = "phi-4-mini-instruct", **resource: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "InferenceSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "labelSelector": {"matchLabels": {"apps": name}},
            "template": {
                "resource": {"instanceType": "Standard_NC24ads_A100_v4", **resource},
                "inference": {"preset": {"name": preset}},
            },
        },
    }


def test_a_workspace_on_a_size_that_is_neither_in_kaitos_table_nor_n_or_d_series_is_refused() -> None:
    message = _refusal("Workspace", workspace(instance_type="Standard_E4s_v5"))
    assert message is not None and message.endswith(
        DENIED + f"invalid value: Unsupported instance type Standard_E4s_v5. Supported SKUs: [{SIZES}]: "
        "resource.instanceType"
    ), message


def test_an_n_series_size_outside_kaitos_table_is_admitted_and_left_to_the_estimator() -> None:
    assert _refusal("Workspace", workspace(instance_type="Standard_NC4as_T4_v3")) is None
    assert _refusal("Workspace", workspace(instance_type="standard_nc24ads_a100_v4")) is None


def test_a_label_selector_of_kaitos_reserved_labels_only_is_refused() -> None:
    ws = workspace()
    ws["resource"]["labelSelector"] = {"matchLabels": {"kaito.sh/workspace": "other"}}
    message = _refusal("Workspace", ws)
    assert message is not None and message.endswith(
        DENIED + "invalid value: matchLabels must contain at least one non-reserved label: "
        "resource.labelSelector.matchLabels"
    ), message


def test_a_label_selector_with_a_notin_expression_is_refused() -> None:
    ws = workspace()
    ws["resource"]["labelSelector"] = {"matchExpressions": [{"key": "apps", "operator": "NotIn", "values": ["x"]}]}
    message = _refusal("Workspace", ws)
    assert message is not None and message.endswith(
        DENIED + 'invalid value: operator "NotIn" cannot be converted into the old label selector format: '
        "resource.labelSelector"
    ), message


def test_a_partition_needs_byo_nodes() -> None:
    ws = workspace()
    ws["resource"]["partition"] = {"mode": "mig", "profile": "1g.10gb"}
    message = _refusal("Workspace", ws)
    assert message is not None and message.endswith(
        DENIED + "GPU partitioning is only supported with BYO nodes (disableNodeAutoProvisioning=true): "
        "resource.partition"
    ), message


def test_an_inferenceset_of_an_unknown_preset_is_refused_at_its_template() -> None:
    message = _refusal("InferenceSet", _inferenceset(preset="no-such-model"))
    assert message == (
        'admission webhook "validation.inferenceset.kaito.sh" '
        + DENIED
        + "invalid value: Unsupported inference preset name no-such-model: spec.template.inference.presetName"
    )


def test_an_inferenceset_without_an_instance_type_is_refused_at_its_template() -> None:
    inferenceset = _inferenceset()
    del inferenceset["spec"]["template"]["resource"]["instanceType"]
    message = _refusal("InferenceSet", inferenceset) or ""
    # knative's ErrMissingField takes its arguments as paths, the sentence too; and an empty size has no row
    # and no N- or D-series prefix either.
    assert message.endswith(
        DENIED + f"invalid value: Unsupported instance type . Supported SKUs: [{SIZES}]: "
        "spec.template.resource.instanceType\n"
        "missing field(s): spec.template.spec.instanceType is required when node auto-provisioning is enabled, "
        "spec.template.spec.resource.instanceType"
    ), message


def test_an_inferenceset_name_must_be_a_dns_1123_label() -> None:
    message = _refusal("InferenceSet", _inferenceset(name="Phi"))
    assert message is not None and message.startswith(
        'admission webhook "validation.inferenceset.kaito.sh" ' + DENIED + "invalid value: a lowercase RFC 1123 label"
    ), message
    assert message.endswith(": name"), message


def test_an_inferenceset_akscli_would_render_is_admitted() -> None:
    assert _refusal("InferenceSet", _inferenceset()) is None
