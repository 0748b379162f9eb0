"""Each warning on the model path stays one line of at most bounded.WIDTH characters however long
the value it names (a model id, --region, config.json's quant_method, a recorded option, the
reasons no Prometheus selects a PodMonitor, the tainted pools): the value is shortened in the
middle and a list counts what it leaves out (akscli.model.bounded)."""

from __future__ import annotations

from types import SimpleNamespace

from akscli.model import airunway, bounded, catalog, hub_describe, kaito_names, monitoring, planning, reuse

LONG_ID = f"{'a' * 96}/{'b' * 96}"  # the longest id catalog.validate_hf_id takes


def _described(model_id: str, weights_gib: float = 14) -> catalog.Model:
    return catalog.custom(model_id, weights_gib=weights_gib, layers=32, attention_heads=32, head_dim=128, context=8192)


def _fits(lines: tuple[str, ...] | list[str]) -> bool:
    return all(len(line) <= bounded.WIDTH for line in lines)


def test_a_long_value_is_shortened_in_the_middle() -> None:
    shown = bounded.value("x" * 30 + "tail", 12)
    assert (shown, len(shown)) == ("xxxxxx…xtail", 12)


def test_a_short_value_is_kept_whole() -> None:
    assert bounded.value("acme/chat-7b") == "acme/chat-7b"


def test_a_long_list_names_the_first_few_and_counts_the_rest() -> None:
    assert bounded.listed(["a", "b", "c", "d", "e"], 2) == "a, b, and 3 more"


def test_kaitos_hub_note_for_the_longest_model_id_keeps_every_line_within_the_width() -> None:
    for model in (_described(LONG_ID), _described(LONG_ID)._replace(source=catalog.HUB_SOURCE)):
        notes = kaito_names.hub_note(model, 8192)
        assert notes and _fits(notes), [len(n) for n in notes]


def test_a_plan_that_fits_nowhere_names_a_long_model_id_within_the_width() -> None:
    plan = planning.plan(_described(LONG_ID, weights_gib=50_000), runtime="vllm")
    assert any("does not fit any known VM size" in w for w in plan.warnings)
    assert _fits(plan.warnings), [len(w) for w in plan.warnings]


def test_an_unknown_long_region_is_named_within_the_width() -> None:
    plan = planning.plan(_described("acme/chat-7b"), runtime="vllm", region="r" * 300)
    assert any("no prices for region" in w for w in plan.warnings)
    assert _fits(plan.warnings), [len(w) for w in plan.warnings]


def test_a_long_quant_method_from_config_json_is_named_within_the_width() -> None:
    line = hub_describe.unknown_quantization({"quantization_config": {"quant_method": "q" * 5000}})
    assert line is not None and "is not one akscli sizes" in line
    assert len(line) <= bounded.WIDTH, len(line)


def test_the_options_a_redeploy_drops_are_named_within_the_width() -> None:
    options = {
        "--image": "example.azurecr.io/" + "i" * 300,
        "--hostname": "h" * 250,
        "--storage-class": "s" * 250,
        "--member": [f"cluster-{n}-" + "m" * 60 for n in range(40)],
        "--region": "eastus2",
    }
    history = [SimpleNamespace(revision=3, params={"options": options})]
    line = reuse.going_back(history, reuse.DeployOptions())
    assert line is not None and "not given now" in line and "more, not given now" in line
    assert len(line) <= bounded.WIDTH, len(line)


def test_the_history_still_shows_a_recorded_option_whole() -> None:
    assert reuse.options_line({"options": {"--hostname": "h" * 250}}) == "--hostname " + "h" * 250


def test_the_reasons_no_prometheus_selects_a_pod_monitor_are_named_within_the_width() -> None:
    detail = "; ".join(f"Prometheus monitoring/p{n} selects podMonitorSelector team=x{n}" for n in range(50))
    line = monitoring.unscraped_warning("default", "phi-4", detail)
    assert line.startswith("no Prometheus selects PodMonitor default/phi-4 (Prometheus monitoring/p0")
    # the reasons take at most 80 characters of the line, whatever their number
    assert len(line) <= len(monitoring.unscraped_warning("default", "phi-4", "")) + 80


def test_the_tainted_pools_that_keep_kuberay_workers_off_are_named_within_the_width() -> None:
    blocked = {f"dedicated=team{n}:NoSchedule on pool gpu{n}": ["n1", "n2"] for n in range(30)}
    line = airunway.kuberay_warning(blocked)
    assert "(dedicated=team0:NoSchedule on pool gpu0 (2 nodes); and 29 more)" in line
    assert len(line) <= bounded.WIDTH, len(line)


def test_the_kuberay_warning_stays_one_line_with_its_fix_for_the_longest_taint() -> None:
    # A taint's key runs to 253 + 63 characters and its value to 63 (Kubernetes' qualified name and
    # label value): the warning still fits and still ends with what to do.
    taint = f"{'k' * 253}/{'x' * 63}={'v' * 63}:NoSchedule on pool {'p' * 12}"
    line = airunway.kuberay_warning({f"{taint}{n}": ["n"] * 1000 for n in range(300)})
    assert len(line) <= bounded.WIDTH, len(line)
    assert line.endswith("untaint a pool or use --provider vllm, llmd or dynamo")


def test_kaitos_hub_note_names_the_served_model_name_whole_for_the_longest_model_id() -> None:
    """The served name is what a client sends as ``model``: shortened, it could not be copied. The
    longest (96 characters) still fits the width beside a shortened id."""
    notes = kaito_names.hub_note(_described(LONG_ID), 8192)
    served = kaito_names.served_name(LONG_ID)
    assert len(served) == 96
    assert any(line.endswith(f" as {served}") for line in notes), notes
    assert _fits(notes), [len(n) for n in notes]
