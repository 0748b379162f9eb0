"""model plan --region R --subscription S marks the sizes this subscription cannot get there and
moves the pick to one it can (issue #13 item 6)."""

from __future__ import annotations

import json

from akscli.model import skus
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.compute import quota_name


def _plan(*extra: str) -> dict:
    r = invoke("model", "plan", "phi-4-mini-instruct", "--region", "eastus", "-o", "json", *extra)
    assert r.exit_code in (0, 9), r
    return json.loads(r.stdout)


def test_without_subscription_the_plan_stays_offline(azure_env: ArmEmulator) -> None:
    _plan()
    assert azure_env.requests_to("/subscriptions/") == []


def test_a_size_over_quota_is_marked_and_not_recommended(azure_env: ArmEmulator) -> None:
    offline = _plan()
    cheapest = offline["recommended"]
    assert cheapest
    azure_env.quota_limits[("eastus", quota_name(cheapest).lower())] = 0
    doc = _plan("--subscription", azure_env.subscription)
    marked = next(o for o in doc["options"] if o["vm_size"] == cheapest)
    assert any("over quota" in w for w in marked["warnings"])
    assert doc["recommended"] != cheapest
    assert any(cheapest in w for w in doc["warnings"])


def test_a_size_not_offered_in_the_region_is_marked(azure_env: ArmEmulator) -> None:
    cheapest = _plan()["recommended"]
    azure_env.sku_availability[cheapest] = {"westus3": ["1"]}
    doc = _plan("--subscription", azure_env.subscription)
    marked = next(o for o in doc["options"] if o["vm_size"] == cheapest)
    assert "not offered in eastus" in marked["warnings"]


def test_deploy_with_a_subscription_refuses_nodes_over_quota_before_applying(azure_env: ArmEmulator) -> None:
    size = _plan()["recommended"]
    azure_env.quota_limits[("eastus", quota_name(size).lower())] = 0
    r = invoke("model", "deploy", "phi-4-mini-instruct", "--region", "eastus", "--subscription", azure_env.subscription)
    assert r.exit_code == 8, r
    # The plan's pick for KAITO (the default runtime) is a size in KAITO's SKU table.
    vcpus = skus.get(size).vcpus  # type: ignore[union-attr]
    assert f"deploy microsoft/Phi-4-mini-instruct: needs {vcpus} vCPUs" in r.stderr and "quota" in r.stderr


def test_deploy_with_a_bad_flag_asks_azure_nothing(azure_env: ArmEmulator) -> None:
    r = invoke(
        "model", "deploy", "phi-4-mini-instruct", "--region", "eastus", "--subscription", azure_env.subscription,
        "--hostname", "not a hostname",
    )  # fmt: skip
    assert r.exit_code == 2, r
    assert azure_env.requests_to("/subscriptions/") == []
