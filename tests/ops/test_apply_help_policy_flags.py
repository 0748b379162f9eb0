"""``apply``'s help names the global flags its policy refusal's hint asks for (``--allow RULE
--reason TEXT``): a user reading ``akscli apply --help`` after a blocked apply found no --allow
there (journeys11), since global flags are listed only by ``akscli --help``."""

from __future__ import annotations

from tests.cli import invoke


def test_apply_help_names_the_policy_flags_a_blocked_apply_asks_for() -> None:
    result = invoke("apply", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--allow RULE --reason TEXT" in text
    assert "--policy-file PATH" in text
