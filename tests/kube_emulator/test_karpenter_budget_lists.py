"""A NodePool's budgets as Karpenter reads an empty list (kubernetes-sigs/karpenter v1.14.0
pkg/apis/v1/nodepool.go GetAllowedDisruptionsByReason: ``budget.Reasons == nil ||
lo.Contains(budget.Reasons, reason)``, so ``reasons: []`` is a budget for no method; no budget at
all allows math.MaxInt32). The CRD defaults ``budgets`` to ``[{nodes: 10%}]`` only where it is
absent, and sets no minItems on either list (Azure/karpenter-provider-azure 352646f
pkg/apis/crds/karpenter.sh_nodepools.yaml), so both empty lists are stored as written."""

from __future__ import annotations

import datetime
from typing import Any

from tests.emulators.kube.controllers.karpenter_budgets import allowed_by_reason

NOW = datetime.datetime(2026, 1, 5, 12, 0, tzinfo=datetime.UTC)
UNLIMITED = 2**31 - 1  # math.MaxInt32


def pool(budgets: list[dict[str, Any]] | None) -> dict[str, Any]:
    disruption = {} if budgets is None else {"budgets": budgets}
    return {"spec": {"disruption": disruption}}


def test_a_pool_with_no_budgets_field_gets_the_crds_ten_percent() -> None:
    assert allowed_by_reason(pool(None), 20, "Drifted", NOW) == 2


def test_an_empty_budget_list_limits_no_disruption() -> None:
    assert allowed_by_reason(pool([]), 20, "Drifted", NOW) == UNLIMITED


def test_a_budget_with_an_empty_reasons_list_applies_to_no_method() -> None:
    assert allowed_by_reason(pool([{"nodes": "0", "reasons": []}]), 20, "Drifted", NOW) == UNLIMITED
