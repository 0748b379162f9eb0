"""Validators: one clear message and a hint for every bad value."""

from __future__ import annotations

import pytest

from akscli import helm_values, validate
from akscli.errors import UsageError


@pytest.mark.parametrize("value", ["a", "llama-3-8b", "x" * 63, "0abc"])
def test_dns_label_names_are_accepted(value: str) -> None:
    assert validate.name(value) == value


@pytest.mark.parametrize("value", ["", "A", "-a", "a-", "a_b", "a.b", "x" * 64, "a\nb", "ü"])
def test_bad_names_are_rejected_with_a_hint(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate.name(value, "model name")
    assert "model name" in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize(
    ("value", "suggested"),
    [("Bad_Stage", "bad-stage"), ("My Model 2", "my-model-2"), ("-a", "a"), ("a.b", "a-b"), ("ü", "llama-3-8b")],
)
def test_a_bad_name_s_hint_shows_it_in_the_form_that_works(value: str, suggested: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate.name(value, "stage name")
    assert caught.value.hint == f"for example: {suggested}"
    assert validate.name(suggested) == suggested


@pytest.mark.parametrize("value", ["500m", "2", "16Gi", "1e3", "0.5", "+1", "1.5Ti"])
def test_quantities_are_accepted(value: str) -> None:
    assert validate.quantity(value) == value


@pytest.mark.parametrize("value", ["", "1GB", "-1", "abc", "1 Gi", "1Gi\nkind: x"])
def test_bad_quantities_are_rejected(value: str) -> None:
    with pytest.raises(UsageError):
        validate.quantity(value)


def test_quantity_values_are_computed_in_base_units() -> None:
    assert validate.quantity_value("16Gi") == 16 * 2**30
    assert validate.quantity_value("500m") == validate.quantity_value("0.5")


@pytest.mark.parametrize(
    "value",
    [
        "vllm/vllm-openai:v0.11.0",
        "mcr.microsoft.com/aks/kaito/kaito-base:0.0.8",
        "localhost:5000/a/b",
        "nginx@sha256:" + "a" * 64,
        "rayproject/ray:2.41.0-py311-gpu",
    ],
)
def test_image_references_are_accepted(value: str) -> None:
    assert validate.image(value) == value


@pytest.mark.parametrize("value", ["", "UPPER/case", "a b", "img:tag\nkind: x", "a:b:c:d", "a@sha256:xyz"])
def test_bad_image_references_are_rejected(value: str) -> None:
    with pytest.raises(UsageError):
        validate.image(value)


def test_integers_out_of_range_say_the_range() -> None:
    with pytest.raises(UsageError) as caught:
        validate.integer("0", "replicas", 1, 10)
    assert "between 1 and 10" in caught.value.message


def test_durations_accept_go_syntax() -> None:
    assert validate.duration("1h30m") == 5400
    assert validate.duration("90s") == 90
    assert validate.duration("500ms") == 0.5
    assert validate.duration("45") == 45


@pytest.mark.parametrize("value", ["", "10x", "m", "1h 2m"])
def test_bad_durations_are_rejected(value: str) -> None:
    with pytest.raises(UsageError):
        validate.duration(value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("99999999h", "it is longer than a year"),
        ("99999999999999999999", "it is longer than a year"),
        ("+99999999999999999999", "it is longer than a year"),
        ("-99999999h", "it is negative"),
    ],
)
def test_a_duration_past_gos_int64_nanoseconds_is_called_too_long_not_malformed(value: str, problem: str) -> None:
    """Go's time.ParseDuration refuses these as "invalid duration" (int64 nanoseconds, about 292
    years): they are durations all the same, so the line says what is wrong with them, as it does
    for 9999h."""
    with pytest.raises(UsageError) as caught:
        validate.duration(value, "--timeout")
    assert caught.value.message.startswith(f"invalid --timeout '{value}': {problem}")


def test_taints_parse_key_value_effect() -> None:
    assert validate.taint("nvidia.com/gpu=present:NoSchedule") == {
        "key": "nvidia.com/gpu",
        "value": "present",
        "effect": "NoSchedule",
    }
    with pytest.raises(UsageError):
        validate.taint("nvidia.com/gpu=present")


@pytest.mark.parametrize(
    ("value", "effect", "fixed"),
    [
        ("k=v:Bogus", "Bogus", "k=v:NoSchedule"),
        ("nvidia.com/gpu:noschedule", "noschedule", "nvidia.com/gpu:NoSchedule"),
    ],
)
def test_a_taint_with_an_unknown_effect_names_the_effect_and_keeps_the_key(value: str, effect: str, fixed: str) -> None:
    """kubectl taint says "invalid taint effect" (kubernetes/kubernetes pkg/util/taints/taints.go
    validateTaintEffect); "it is not key[=value]:Effect" read as if the form were wrong."""
    with pytest.raises(UsageError) as caught:
        validate.taint(value, "--taint")
    assert caught.value.message == (
        f"invalid --taint '{value}': its effect '{effect}' is not NoSchedule, PreferNoSchedule or NoExecute"
    )
    assert caught.value.hint == f"for example: {fixed}"


def test_labels_parse_pairs_and_reject_bad_keys() -> None:
    assert validate.labels(["a=b,c=d", "team=ml"]) == {"a": "b", "c": "d", "team": "ml"}
    with pytest.raises(UsageError):
        validate.labels(["no-equals"])
    with pytest.raises(UsageError):
        validate.labels(["bad key=v"])


def test_choice_returns_the_canonical_spelling() -> None:
    assert validate.choice("SERVER", ["none", "client", "server"], "--dry-run") == "server"
    with pytest.raises(UsageError) as caught:
        validate.choice("maybe", ["none", "client", "server"], "--dry-run")
    assert "none, client, server" in (caught.value.hint or "")


def test_free_text_rejects_control_characters_and_lone_surrogates() -> None:
    assert validate.text("hello: world", "prompt") == "hello: world"
    with pytest.raises(UsageError):
        validate.text("a\x00b", "prompt")
    with pytest.raises(UsageError):
        validate.text("a\ud800", "prompt")


def test_set_values_nest_dotted_keys() -> None:
    assert helm_values.set_values(["a.b=1", "a.c=x=y", "d="]) == {"a": {"b": "1", "c": "x=y"}, "d": ""}
    with pytest.raises(UsageError):
        helm_values.set_values(["a=1", "a.b=2"])


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("team", True),
        ("example.com/team", True),
        ("ray.io/node-type", True),
        ("A_b.c-D", True),
        ("/team", False),  # empty prefix
        ("Example.com/team", False),  # the prefix is a lower-case DNS subdomain
        ("a/b/c", False),
        ("bad key", False),
        ("-team", False),
        ("x" * 63, True),
        ("x" * 64, False),
        ("", False),
    ],
)
def test_is_label_key_is_apimachinerys_is_qualified_name(key: str, ok: bool) -> None:
    assert validate.is_label_key(key) is ok


@pytest.mark.parametrize(
    ("value", "ok"), [("", True), ("v1.2_x", True), ("x" * 64, False), ("a b", False), ("-a", False)]
)
def test_is_label_value_is_apimachinerys_is_valid_label_value(value: str, ok: bool) -> None:
    assert validate.is_label_value(value) is ok


@pytest.mark.parametrize(
    ("value", "suggested"),
    [
        ("Bad_Name", "bad-name"),
        ("My.Host", "my.host"),
        ("a..b", "a.b"),
        ("-x.", "x"),
        ("a: b", "a-b"),
        ("{{x}}", "x"),
        ("ü", "example.com"),
    ],
)
def test_a_bad_subdomain_s_hint_shows_it_in_the_form_that_works(value: str, suggested: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate.subdomain(value, "--hostname")
    assert caught.value.hint == f"for example: {suggested}"


@pytest.mark.parametrize(
    ("value", "suggested"),
    [
        ("b: c", "b-c"),
        ("Team A", "Team-A"),
        ("{{x}}", "x"),
        ("-v1.2_", "v1.2"),
        ("a" * 70 + "!", "a" * 63),
        ("ü", "ml-platform"),
    ],
)
def test_a_bad_label_value_s_hint_shows_it_in_the_form_that_works(value: str, suggested: str) -> None:
    """As a name's and a subdomain's hint do: the user's own value, with what a label value may not
    hold replaced (kubernetes/apimachinery pkg/util/validation/validation.go IsValidLabelValue)."""
    with pytest.raises(UsageError) as caught:
        validate.label_value(value, "--label value")
    assert caught.value.hint == f"for example: {suggested}"


@pytest.mark.parametrize(
    ("value", "lo", "hi", "example"),
    [("nan", 1, 100_000_000, "1"), ("inf", 0.01, 100_000, "0.9"), ("x", None, None, "0.9"), ("nan", -5, 0.5, "0.5")],
)
def test_a_value_that_is_no_finite_number_gets_an_example_the_range_accepts(
    value: str, lo: float | None, hi: float | None, example: str
) -> None:
    with pytest.raises(UsageError) as caught:
        validate.number(value, "--budget", lo, hi)
    assert caught.value.hint == f"for example: {example}"
