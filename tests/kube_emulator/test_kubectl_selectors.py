"""The real kubectl sends -l and --field-selector as typed (kubernetes/cli-runtime
pkg/resource/builder.go LabelSelectorParam, FieldSelectorParam) and prints the API server's 400
inside its own sentence (pkg/resource/helper.go EnhanceListError). The emulator answers a bad
selector with the message a kubernetes-1.32 API server gives (kubernetes/apiserver
pkg/endpoints/handlers/get.go listOpts: errors.NewBadRequest of labels.Parse's or
fields.ParseSelector's error), and akscli refuses the same selector before sending it, carrying
that same message (akscli/kube/selectors.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from akscli.kube import selectors
from tests.emulators.kube import KubeEmulator
from tests.kube_emulator.helpers import configmap

pytestmark = [
    pytest.mark.kubectl,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]

KEY_RULE = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
# A bad label selector and the message of the server's 400 (kubernetes/kubernetes#52971 shows a
# real server's "unable to parse requirement: ..." body; the texts are kubernetes-1.32.0's
# pkg/labels/selector.go and pkg/util/validation/validation.go).
BAD_LABEL_SELECTORS = {
    "app:web": f'unable to parse requirement: <nil>: Invalid value: "app:web": {KEY_RULE}',
    "a b": "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
    "env in prod": "unable to parse requirement: found 'prod' expected: '('",
    "x,,y": "found ',', expected: identifier after ','",
    "!x=a": "found '=', expected: ',' or 'end of string'",
    "x<a": "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value "
    "must be an integer",
}
BAD_FIELD_SELECTORS = {
    "spec.nodeName": "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'",
    "spec.nodeName=a=b": "invalid field selector: unescaped character in value: 61",
    # no spaces are trimmed: the field is "spec.nodeName ", which no Pod field is
    "spec.nodeName = aks-0": "field label not supported: spec.nodeName ",
}


def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, timeout=30, check=False)


def kubectl_error(resource: str, label: str, field: str, message: str) -> str:
    return (
        f'Error from server (BadRequest): Unable to find "/v1, Resource={resource}" that match label selector '
        f'"{label}", field selector "{field}": {message}'
    )


@pytest.mark.parametrize(("selector", "message"), BAD_LABEL_SELECTORS.items(), ids=list(BAD_LABEL_SELECTORS))
def test_kubectl_prints_the_servers_message_for_a_bad_label_selector(
    kube_emulator: KubeEmulator, kubeconfig: Path, selector: str, message: str
) -> None:
    r = kubectl("get", "configmaps", "-l", selector)
    assert r.returncode == 1
    assert r.stderr.rstrip("\n") == kubectl_error("configmaps", selector, "", message)


@pytest.mark.parametrize(("selector", "message"), BAD_LABEL_SELECTORS.items(), ids=list(BAD_LABEL_SELECTORS))
def test_akscli_refuses_the_selector_with_the_message_the_server_would_give(selector: str, message: str) -> None:
    with pytest.raises(selectors.SelectorError) as caught:
        selectors.parse_labels(selector)
    assert caught.value.message == message


def test_a_watch_with_a_bad_label_selector_gets_the_same_answer(kube_emulator: KubeEmulator, kubeconfig: Path) -> None:
    r = kubectl("get", "pods", "--watch", "-l", "a b", "--request-timeout=10s")
    assert r.returncode == 1
    assert r.stderr.rstrip("\n") == kubectl_error("pods", "a b", "", BAD_LABEL_SELECTORS["a b"])


@pytest.mark.parametrize(("selector", "message"), BAD_FIELD_SELECTORS.items(), ids=list(BAD_FIELD_SELECTORS))
def test_kubectl_prints_the_servers_message_for_a_bad_field_selector(
    kube_emulator: KubeEmulator, kubeconfig: Path, selector: str, message: str
) -> None:
    r = kubectl("get", "pods", "--field-selector", selector)
    assert r.returncode == 1
    assert r.stderr.rstrip("\n") == kubectl_error("pods", "", selector, message)


def test_kubectl_selects_with_set_based_and_bare_key_requirements(
    kube_emulator: KubeEmulator, kubeconfig: Path
) -> None:
    for name, labels in [("a", {"tier": "web"}), ("b", {"tier": "db", "legacy": "1"}), ("c", {"tier": "cache"})]:
        kube_emulator.cluster.create(configmap(name, labels))
    # notin selects what lacks the key too (Requirement.Matches): the root CA ConfigMap of the namespace
    r = kubectl("get", "configmaps", "-l", "tier notin (cache), !legacy", "-o", "name")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["configmap/a", "configmap/kube-root-ca.crt"]
    r = kubectl("get", "configmaps", "-l", "tier,tier notin (cache),!legacy", "-o", "name")
    assert r.stdout.split() == ["configmap/a"]
