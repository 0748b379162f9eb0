"""KAITO's webhooks on an update, as v0.12.0 refuses it (plain calls, no emulator): a Workspace's
label selector, partition and the setting of a template (kaito-project/kaito v0.12.0
api/v1beta1/workspace_validation.go ResourceSpec.validateUpdate, InferenceSpec.validateUpdate),
and an InferenceSet's template partition, the only template field its webhook holds
(api/v1beta1/inferenceset_validation.go validateUpdate)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.emulators.kube import admission
from tests.emulators.kube.status import ApiError
from tests.kube_emulator.test_admission import workspace

DENIED = "denied the request: validation failed: "


def _refusal(kind: str, new: dict[str, Any], old: dict[str, Any]) -> str | None:
    try:
        admission.review("kaito.sh", kind, new, old)
    except ApiError as exc:
        return str(exc)
    return None


def test_a_workspace_label_selector_partition_and_template_cannot_change() -> None:
    old = workspace()
    new = copy.deepcopy(old)
    new["resource"]["labelSelector"] = {"matchLabels": {"apps": "other"}}
    new["resource"]["partition"] = {"mode": "mig"}
    new["inference"]["template"] = {"spec": {"containers": []}}
    message = _refusal("Workspace", new, old) or ""
    assert message.endswith(
        DENIED + "field cannot be unset/set if it was set/unset: inference.template\n"
        "field is immutable: resource.labelSelector, resource.partition"
    ), message


def test_a_selector_written_as_an_in_expression_of_one_value_is_the_same_selector() -> None:
    old = workspace()
    new = copy.deepcopy(old)
    new["resource"]["labelSelector"] = {"matchExpressions": [{"key": "apps", "operator": "In", "values": ["phi"]}]}
    assert _refusal("Workspace", new, old) is None


def _inferenceset(**resource: Any) -> dict[str, Any]:
    return {
        "apiVersion": "kaito.sh/v1beta1",
        "kind": "InferenceSet",
        "metadata": {"name": "phi", "namespace": "default"},
        "spec": {
            "labelSelector": {"matchLabels": {"apps": "phi"}},
            "template": {
                "resource": {"instanceType": "Standard_NC24ads_A100_v4", **resource},
                "inference": {"preset": {"name": "phi-4-mini-instruct"}},
            },
        },
    }


@pytest.mark.parametrize(
    ("new", "refused"),
    [
        (_inferenceset(instanceType="Standard_NC40ads_H100_v5"), False),  # accepted: no running Workspace changes
        (_inferenceset(partition={"mode": "mig"}), True),
    ],
)
def test_an_inferenceset_refuses_only_a_new_partition(new: dict[str, Any], refused: bool) -> None:
    message = _refusal("InferenceSet", new, _inferenceset())
    if refused:
        assert message is not None
        # ErrGeneric's three paths; and the Workspace the set would make is refused as well, as on create:
        # a partition needs BYO nodes (ValidateInferenceSetWorkspace runs on update too).
        assert message.endswith(
            DENIED
            + "GPU partitioning is only supported with BYO nodes (disableNodeAutoProvisioning=true): "
            + "spec.template.resource.partition\nfield is immutable: spec.partition, spec.resource, spec.template"
        ), message
        assert 'admission webhook "validation.inferenceset.kaito.sh"' in message
    else:
        assert message is None
