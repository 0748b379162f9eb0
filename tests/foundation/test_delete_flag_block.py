"""The delete commands' one flag block (flag_types.on_delete -> options.DeleteFlags)."""

import inspect
from collections.abc import Callable

from akscli.cli import azopts, flag_types
from akscli.cli import options as opts


def _take(into: list[opts.DeleteFlags]) -> Callable[..., None]:
    def command(name: str, arm: str = "", delete: opts.DeleteFlags = opts.DeleteFlags()) -> None:
        into.append(delete)

    return command


def test_the_block_lists_its_flags_in_the_order_given_in_place_of_the_delete_parameter() -> None:
    order = ("dry_run", "yes", "output_", "ignore_not_found", "wait", "timeout")
    command = flag_types.on_delete(order)(_take([]))
    assert list(inspect.signature(command).parameters) == ["name", "arm", *order]


def test_before_puts_yes_ahead_of_another_parameter_as_fleet_delete_lists_it() -> None:
    command = flag_types.on_delete(before={"yes": "arm"})(_take([]))
    names = list(inspect.signature(command).parameters)
    assert names == ["name", "yes", "arm", "dry_run", "output_", "ignore_not_found", "wait", "timeout"]


def test_an_arm_delete_given_no_wait_hands_over_wait_false_and_its_own_timeout_default() -> None:
    seen: list[opts.DeleteFlags] = []
    command = flag_types.on_delete(
        ("yes", "dry_run", "output_", "ignore_not_found", "timeout", "no_wait"),
        wait=("no_wait", azopts.NoWait, False),
        timeout=(azopts.Timeout, azopts.ARM_TIMEOUT_DEFAULT),
    )(_take(seen))
    defaults = {p.name: p.default for p in inspect.signature(command).parameters.values()}
    assert (defaults["no_wait"], defaults["timeout"], defaults["ignore_not_found"]) == (False, "60m", False)
    command(
        name="fl", arm="", yes=True, dry_run="none", output_="name", ignore_not_found=True, no_wait=True, timeout="5m"
    )
    assert seen == [opts.DeleteFlags(True, "none", "name", True, False, "5m")]


def test_wait_seconds_falls_back_to_the_default_and_is_none_with_no_wait() -> None:
    assert opts.DeleteFlags(timeout=None).wait_seconds("5m") == 300
    assert opts.DeleteFlags(wait=False, timeout="1m").wait_seconds("5m") is None
