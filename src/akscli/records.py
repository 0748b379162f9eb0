"""Record: the base of the read-only records offline commands load (Column, Model, GpuSku, Fit,
Plan, KubeFlags...): NamedTuple-like, cheaper to define (#16)."""

# A record's fields are its class's annotations, in order, as in a NamedTuple: it is built by
# position or keyword, compares and hashes by its values, prints as ``Name(field=value, ...)`` and
# has ``_fields``, ``_asdict()`` and ``_replace(**changes)``. It is not a tuple: nothing indexes,
# unpacks or sorts one (mypy --strict checks the source: a record is not iterable).
#
# Why not a NamedTuple or a dataclass: on CPython 3.11 ``typing.NamedTuple`` costs 90-230 us a
# class to make (collections.namedtuple compiles each ``__new__`` with ``eval``; typing checks each
# annotation), ``@dataclass`` 1.2-3.3 ms (it compiles up to six methods), and ``model plan`` made
# nine of them before it read a flag. A subclass of Record costs what a plain class does (about 10
# us): the methods are this module's, compiled once into its .pyc (comments, not docstrings, keep
# that small). ``dataclass_transform`` (PEP 681) tells mypy what ``__init__`` each subclass takes
# and that its fields are read-only.

import operator
from collections.abc import Callable
from typing import Any, ClassVar, Self, dataclass_transform


@dataclass_transform(frozen_default=True)
class Record:
    # Fields are the class's annotations; a field with a value in the class body has that default,
    # and the fields without one come first (mypy checks it, as for a dataclass).

    _fields: ClassVar[tuple[str, ...]] = ()
    _field_set: ClassVar[frozenset[str]] = frozenset()
    _defaults: ClassVar[dict[str, Any]] = {}
    # Every instance holds each field in its __dict__ (defaults included), so the field values
    # come out in field order in one C call: operator.itemgetter over the names.
    _values_of: ClassVar[Callable[[dict[str, Any]], tuple[Any, ...]]]

    def __init_subclass__(cls) -> None:
        # The class's own annotations, in order: what inspect.get_annotations(cls) returns for a class
        # (python/cpython Lib/inspect.py get_annotations), read without importing inspect (with
        # ast, dis, tokenize and linecache, about a tenth of `model plan`'s start-up). Since 3.10 a
        # class's __annotations__ is its own, never a base's (Objects/typeobject.c
        # type_get_annotations).
        cls._fields = fields = tuple(cls.__annotations__)
        cls._field_set = frozenset(fields)
        cls._defaults = {name: cls.__dict__[name] for name in fields if name in cls.__dict__}
        getter = operator.itemgetter(*fields)
        cls._values_of = getter if len(fields) > 1 else lambda values: (getter(values),)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        values = self.__dict__
        values.update(cls._defaults)
        if args:
            fields = cls._fields
            if len(args) > len(fields):
                raise TypeError(f"{cls.__name__}() takes {len(fields)} arguments but {len(args)} were given")
            if kwargs and not kwargs.keys().isdisjoint(fields[: len(args)]):
                twice = [name for name in fields[: len(args)] if name in kwargs]
                raise TypeError(f"{cls.__name__}() got multiple values for argument {twice[0]!r}")
            values.update(zip(fields, args, strict=False))
        values.update(kwargs)
        if values.keys() != cls._field_set:
            unknown = [name for name in kwargs if name not in cls._field_set]
            if unknown:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {unknown[0]!r}")
            missing = [name for name in cls._fields if name not in values]
            raise TypeError(f"{cls.__name__}() missing required argument {missing[0]!r}")

    def _asdict(self) -> dict[str, Any]:
        # The fields and their values, in field order (a NamedTuple's ``_asdict``).
        return dict(zip(self._fields, type(self)._values_of(self.__dict__), strict=True))

    def _replace(self, **changes: Any) -> Self:
        # A copy with ``changes`` (a NamedTuple's ``_replace``: an unknown name is a ValueError).
        cls = type(self)
        if not changes.keys() <= cls._field_set:
            raise ValueError(f"Got unexpected field names: {sorted(changes.keys() - cls._field_set)!r}")
        new = cls.__new__(cls)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(type(self)._values_of(self.__dict__))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self._asdict().items())
        return f"{type(self).__name__}({shown})"
