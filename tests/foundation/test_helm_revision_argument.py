"""helm takes a rollback's revision as its second argument (helm/helm 0e32b3ac pkg/cmd/rollback.go,
``rollback <RELEASE> [REVISION]``); akscli takes it as --to-revision, as kubectl rollout undo.
`model rollback phi-4 1` is one usage line that says so, with the line written akscli's way as
the hint (click said `Got unexpected extra argument(s) (1)` and pointed at --help)."""

from __future__ import annotations

from tests.cli import invoke


def test_helm_s_revision_argument_is_refused_with_the_line_written_akscli_s_way() -> None:
    r = invoke("model", "rollback", "phi-4", "1", "-y")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines() == [
        "error: 'akscli model rollback' takes the revision as --to-revision, not as an argument (helm's grammar)",
        "hint: akscli model rollback phi-4 --to-revision 1 -y",
    ]


def test_another_extra_argument_stays_click_s_error() -> None:
    r = invoke("model", "rollback", "phi-4", "x")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0] == "error: Got unexpected extra argument(s) (x)"
