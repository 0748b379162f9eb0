"""akscli.redact: which values of a Secret are remembered, and where they are hidden."""

from __future__ import annotations

import base64

import pytest

from akscli import output, redact


def secret(**fields: dict[str, str]) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, **fields}


def test_a_data_value_is_hidden_encoded_and_decoded() -> None:
    encoded = base64.b64encode(b"hunter2-long").decode()
    redact.remember_secret(secret(data={"p": encoded}))
    assert redact.scrub(f"got {encoded} = hunter2-long") == "got *** = ***"


def test_a_string_data_value_is_hidden_plain_and_base64() -> None:
    redact.remember_secret(secret(stringData={"p": "hunter2-long"}))
    encoded = base64.b64encode(b"hunter2-long").decode()
    assert redact.scrub(f"{encoded} hunter2-long") == "*** ***"


def test_each_line_of_a_multi_line_value_is_hidden() -> None:
    redact.remember_secret(secret(stringData={"key": "-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----\n"}))
    assert redact.scrub("bad line: MIIEvQIBADANBgkq") == "bad line: ***"


def test_a_secret_lists_items_are_remembered() -> None:
    item = {"metadata": {"name": "s"}, "data": {"p": base64.b64encode(b"from-a-list").decode()}}
    redact.remember_secret({"apiVersion": "v1", "kind": "SecretList", "items": [item]})
    assert redact.scrub("from-a-list") == "***"


def test_a_short_value_is_not_hidden_in_every_word() -> None:
    redact.remember_secret(secret(stringData={"enabled": "true"}))
    assert redact.scrub("true") == "true"


def test_a_config_map_is_not_a_secret() -> None:
    redact.remember_secret({"apiVersion": "v1", "kind": "ConfigMap", "data": {"mode": "fast-and-loose"}})
    assert redact.scrub("fast-and-loose") == "fast-and-loose"


def test_a_stderr_line_hides_a_remembered_value_but_not_the_word_basic(capsys: pytest.CaptureFixture[str]) -> None:
    redact.remember("hunter2-long")
    output.warn("Basic tier: the server said hunter2-long")
    assert capsys.readouterr().err == "warning: Basic tier: the server said ***\n"


def test_a_value_quoted_by_a_field_error_is_hidden() -> None:
    # apimachinery's field.Error quotes a string value with Go's %q, escaping its quotes and
    # backslashes (k8s.io/apimachinery pkg/util/validation/field/errors.go ErrorBody).
    redact.remember_secret(secret(stringData={"p": 'pa"ss\\word-long'}))
    assert redact.scrub('spec.p: Invalid value: "pa\\"ss\\\\word-long": not allowed') == (
        'spec.p: Invalid value: "***": not allowed'
    )


def test_a_stderr_line_sorts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # The longest-first order is kept as values are remembered; a line only walks it.
    redact.remember("hunter2-long")
    redact.remember("another-value")

    def no_sort(*args: object, **kwargs: object) -> None:
        raise AssertionError("hide_known sorted the remembered values")

    monkeypatch.setattr(redact, "sorted", no_sort, raising=False)
    assert redact.hide_known("said hunter2-long and another-value") == "said *** and ***"


def test_a_longer_value_is_hidden_before_a_part_of_it_whatever_the_order_remembered() -> None:
    redact.remember("abcdef")
    redact.remember("abcdef-ghijkl")
    redact.remember("abcdefgh")
    assert redact.hide_known("x abcdef-ghijkl y abcdefgh z abcdef") == "x *** y *** z ***"


def test_values_remembered_from_many_threads_are_all_hidden() -> None:
    import threading

    values = [f"value-{i:03d}-" + "x" * (i % 7) for i in range(200)]
    threads = [threading.Thread(target=redact.remember, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(redact.hide_known(v) == redact.MASK for v in values)
