"""`akscli version --client`, kubectl's habit (kubernetes/kubectl pkg/cmd/version/version.go,
ClientOnly: the client's version, no server asked): akscli's version never asks a server, so the
flag is accepted and prints what `akscli version` prints."""

from __future__ import annotations

import json

from tests.cli import invoke


def test_version_client_prints_the_version_as_version_does() -> None:
    plain = invoke("version")
    client = invoke("version", "--client")
    assert client.exit_code == 0, client
    assert client.stdout == plain.stdout


def test_version_client_takes_o_json() -> None:
    result = invoke("version", "--client", "-o", "json")
    assert result.exit_code == 0, result
    assert "akscli" in json.loads(result.stdout)
