"""The Blocked event's message as Karpenter writes it (kubernetes-sigs/karpenter v1.14.0
pkg/controllers/provisioning/scheduling/scheduler.go Results.NonPendingPodSchedulingErrors: each pod's
"NS/NAME => ERR ", and once five are written " and N other(s)", the check coming after the fifth,
so five errors end in " and 0 other(s)"; pkg/utils/pretty/pretty.go Sentence capitalizes it)."""

from __future__ import annotations

from tests.emulators.kube.controllers.karpenter_disruption import blocked_message


def errors(n: int) -> list[str]:
    return [f"default/p{i} => no fit " for i in range(n)]


def test_fewer_than_five_errors_are_all_listed_with_no_count() -> None:
    assert blocked_message(errors(2)) == "Not all pods would schedule, default/p0 => no fit default/p1 => no fit "


def test_five_errors_end_in_and_zero_others_as_the_loop_writes_them() -> None:
    assert blocked_message(errors(5)).endswith("default/p4 => no fit  and 0 other(s)")


def test_past_five_errors_the_rest_are_counted() -> None:
    said = blocked_message(errors(7))
    assert "p5" not in said and said.endswith("default/p4 => no fit  and 2 other(s)")
