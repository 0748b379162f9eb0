"""`-o jsonpath=` and `-o custom-columns=` that read `.metadata` (kubectl's habit) on akscli's records,
which have none (`model list`, `model status`, ARM resources): kubectl allows missing keys, so the
command printed nothing, or `<none>`, and said nothing. Now a warning on stderr names the fields."""

from __future__ import annotations

import pytest

from akscli import output
from akscli.output import Column

RECORDS = [{"name": "phi-4", "namespace": "default", "state": "Ready"}]
COLUMNS = [Column("name", "name")]
SAID = (
    "warning: the items have no .metadata: their fields are name, namespace, state (-o json shows them); "
    "the name is .name\n"
)


def test_jsonpath_reading_metadata_of_records_warns_with_their_fields(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(RECORDS, "jsonpath={.items[*].metadata.name}", COLUMNS)
    assert capsys.readouterr() == ("", SAID)


def test_custom_columns_reading_metadata_of_records_warns_with_their_fields(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(RECORDS, "custom-columns=NAME:.metadata.name", COLUMNS)
    assert capsys.readouterr() == ("NAME\n<none>\n", SAID)


def test_jsonpath_on_one_record_warns_too(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit_object(RECORDS[0], "jsonpath={.metadata.name}")
    assert capsys.readouterr().err == SAID


def test_jsonpath_reading_the_records_own_fields_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit(RECORDS, "jsonpath={.items[*].name}", COLUMNS)
    assert capsys.readouterr() == ("phi-4", "")


def test_jsonpath_reading_metadata_of_kubernetes_objects_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    output.emit([{"kind": "Pod", "metadata": {"name": "p"}}], "jsonpath={.items[*].metadata.name}", COLUMNS)
    assert capsys.readouterr() == ("p", "")
