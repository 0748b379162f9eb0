"""`akscli version` names the Python and the platform as CPython's platform module does
(platform.python_version(), platform.system().lower() and platform.machine()) without importing it."""

from __future__ import annotations

import platform
import sys
from collections import namedtuple

import pytest

from akscli.cli import version_body


def test_the_python_version_is_platforms() -> None:
    assert version_body._python_version() == platform.python_version()


def test_the_platform_is_platforms_system_and_machine() -> None:
    assert version_body._platform() == f"{platform.system().lower()}/{platform.machine()}"


@pytest.mark.parametrize(
    ("sys_version", "expected"),
    [
        ("3.11.7 (main, Jan  1 2024, 00:00:00) [GCC 12.2.0]", "3.11.7"),
        ("3.13.0rc1 (main, Aug  1 2024, 00:00:00) [Clang 15.0.0]", "3.13.0rc1"),
        ("3.14.0a1+ (heads/main:abc, Oct  1 2024, 00:00:00) [GCC 13.2.0]", "3.14.0a1+"),
        ("3.12 (main, Jan  1 2024, 00:00:00) [GCC 12.2.0]", "3.12.0"),
    ],
)
def test_a_cpython_version_string_reads_as_platform_reads_it(
    monkeypatch: pytest.MonkeyPatch, sys_version: str, expected: str
) -> None:
    monkeypatch.setattr(sys, "version", sys_version)
    assert version_body._python_version() == expected
    assert platform._sys_version(sys_version)[1] == expected  # type: ignore[attr-defined]


def test_a_system_uname_renames_is_left_to_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    uname = namedtuple("uname", "sysname nodename release version machine")
    monkeypatch.setattr(version_body.os, "uname", lambda: uname("OpenVMS", "n", "0", "V8.4", "IA64"))
    monkeypatch.setattr(platform, "system", lambda: "OpenVMS")
    monkeypatch.setattr(platform, "machine", lambda: "read-by-platform")
    assert version_body._platform() == "openvms/read-by-platform"
