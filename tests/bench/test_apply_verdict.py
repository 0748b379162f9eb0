"""The apply bench's 0 ms verdict (tests/bench/bench_apply.py ``_verdict``): #16 item 3 lets the
0 ms figure on shared cores miss only where the emulator is what limits it, shown with the
numbers. A step is (wall s, object requests, discovery requests, emulator CPU s, tool CPU s)."""

from __future__ import annotations

from tests.bench.bench_apply import _median, _verdict

KUBECTL_NEW = (1.30, 500, 5, 0.34, 1.25)
KUBECTL_SAME = (1.30, 500, 3, 0.33, 1.22)
AKSCLI_SAME = (1.00, 502, 1, 0.38, 0.95)


def test_a_row_faster_than_kubectl_on_shared_cores_is_at_target() -> None:
    shared = [(1.20, 1001, 1, 0.70, 1.10), KUBECTL_NEW, AKSCLI_SAME, KUBECTL_SAME]
    assert "new 0.92x shared, 0.80x own core: at target" in _verdict(shared, [0.80, 0.60])


def test_a_shared_miss_at_target_on_its_own_core_names_the_emulators_extra_cpu() -> None:
    shared = [(1.40, 1001, 1, 0.70, 1.25), KUBECTL_NEW, AKSCLI_SAME, KUBECTL_SAME]
    line = _verdict(shared, [0.79, 0.58])
    assert "new 1.08x shared, 0.79x own core: at target on its own core" in line
    assert "the emulator spent 360 ms more CPU on akscli's 1001 requests than on kubectl's 500" in line
    assert "emulator-limited" in line


def test_a_miss_on_its_own_core_too_is_not_at_target() -> None:
    shared = [(1.40, 1001, 1, 0.70, 1.25), KUBECTL_NEW, AKSCLI_SAME, KUBECTL_SAME]
    assert "new 1.08x shared, 1.10x own core: NOT at target" in _verdict(shared, [1.10, 0.58])


def test_the_median_round_is_kept_whole() -> None:
    rounds = [(1.9, 1001, 1, 0.9, 1.6), (1.2, 1001, 1, 0.6, 1.0), (1.4, 1001, 1, 0.7, 1.2)]
    assert _median(rounds) == (1.4, 1001, 1, 0.7, 1.2)
