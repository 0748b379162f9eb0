"""akscli.records.Record: what the NamedTuples it replaced gave their users (fields in order,
defaults, value equality and hashing, the repr, _fields, _asdict, _replace) and the errors a
wrong call gets."""

from typing import Any, NamedTuple

import pytest

from akscli.records import Record


class Sized(Record):
    name: str
    gpus: int
    note: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name}x{self.gpus}"


class SizedTuple(NamedTuple):
    name: str
    gpus: int
    note: str = ""
    warnings: tuple[str, ...] = ()


def test_fields_are_the_annotations_in_order() -> None:
    assert Sized._fields == SizedTuple._fields == ("name", "gpus", "note", "warnings")


def test_positional_and_keyword_arguments_fill_the_fields_and_defaults_the_rest() -> None:
    assert Sized("a", 2)._asdict() == {"name": "a", "gpus": 2, "note": "", "warnings": ()}
    assert Sized("a", gpus=2, note="n")._asdict() == SizedTuple("a", gpus=2, note="n")._asdict()


def test_the_repr_is_a_namedtuples() -> None:
    assert repr(Sized("a", 2, warnings=("w",))) == repr(SizedTuple("a", 2, warnings=("w",))).replace(
        "SizedTuple", "Sized"
    )


def test_records_with_the_same_values_are_equal_and_hash_alike() -> None:
    assert Sized("a", 2) == Sized(name="a", gpus=2, note="")
    assert hash(Sized("a", 2)) == hash(Sized("a", 2))
    assert Sized("a", 2) != Sized("a", 3)
    assert len({Sized("a", 2), Sized("a", 2)}) == 1


def test_a_record_is_not_equal_to_another_class_with_the_same_values() -> None:
    assert Sized("a", 2) != SizedTuple("a", 2)
    assert Sized("a", 2) != ("a", 2, "", ())


def test_replace_copies_with_changes_and_leaves_the_original() -> None:
    first = Sized("a", 2)
    second = first._replace(gpus=4, note="more")
    assert (first.gpus, first.note) == (2, "")
    assert second == Sized("a", 4, "more")
    assert second.label == "ax4"


def test_replace_refuses_a_name_that_is_no_field() -> None:
    with pytest.raises(ValueError, match="unexpected field names"):
        Sized("a", 2)._replace(vcpus=1)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {"gpus": 1}, "missing required argument 'name'"),
        (("a",), {}, "missing required argument 'gpus'"),
        (("a", 1), {"vcpus": 2}, "unexpected keyword argument 'vcpus'"),
        (("a", 1), {"name": "b"}, "multiple values for argument 'name'"),
        (("a", 1, "", (), "extra"), {}, "takes 4 arguments but 5 were given"),
    ],
)
def test_a_wrong_call_is_a_type_error(args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Sized(*args, **kwargs)


class Named(Record):
    name: str


def test_a_record_of_one_field_hashes_and_copies_as_the_others() -> None:
    assert Named("a")._asdict() == {"name": "a"}
    assert hash(Named("a")) == hash(Named(name="a"))
    assert repr(Named("a")._replace(name="b")) == "Named(name='b')"
