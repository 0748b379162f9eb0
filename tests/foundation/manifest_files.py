"""The manifest the tests of ``apply -f`` and ``diff -f`` read: two ConfigMaps, ``one`` and
``two``, in the context's namespace. tests/foundation/conftest.py's ``manifest`` fixture writes
it; the texts make variants of it (one object, a changed value, another namespace)."""

from __future__ import annotations

CONFIG_MAP_ONE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
data:
  a: "1"
"""
CONFIG_MAP_TWO = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: two
data:
  b: "2"
"""
CONFIG_MAPS = CONFIG_MAP_ONE + "---\n" + CONFIG_MAP_TWO
