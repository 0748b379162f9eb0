"""A flag the command does not take. Click offered whatever difflib found close with the leading
``--`` counted (pallets/click src/click/parser.py, _OptionParser._match_long_opt): ``model deploy
--gpu`` got ``(Possible options: --output)``. The hint now offers only a close spelling of one of
the command's own flags, or else names the commands that take the flag and, where akscli names
the same choice differently, this command's flag for it (akscli/cli/unknown_flag.py)."""

from __future__ import annotations

import pytest

from tests.cli import invoke


def lines(*args: str) -> list[str]:
    result = invoke(*args, env={"KUBECONFIG": "/nonexistent/kubeconfig"})
    assert result.exit_code == 2
    assert result.stdout == ""
    return result.stderr.splitlines()


def test_a_flag_of_another_command_is_not_answered_with_an_unrelated_one() -> None:
    assert lines("model", "deploy", "phi-4", "--gpu", "h100") == [
        "error: No such option: --gpu",
        "hint: --gpu is a flag of 'akscli nodepool add'; 'akscli model deploy' sets the GPU VM size with "
        "--vm-size (run 'akscli model deploy --help' for usage)",
    ]


@pytest.mark.parametrize(
    ("words", "meant"),
    [
        (["model", "deploy", "phi-4", "--max-modle-len", "4096"], "--max-model-len"),
        (["model", "deploy", "phi-4", "--max-len", "4096"], "--max-model-len"),
        (["model", "deploy", "phi-4", "--namepsace", "ml"], "--namespace"),
        (["model", "deploy", "phi-4", "--wiat"], "--wait"),
        (["model", "deploy", "phi-4", "--ouput", "json"], "--output"),
        (["model", "deploy", "phi-4", "--autoscal", "1:4"], "--autoscale"),
        (["model", "plan", "phi-4", "--vmsize", "Standard_NC24ads_A100_v4"], "--vm-size"),
        (["model", "list", "--contxt", "prod"], "--context"),
        (["model", "deploy", "phi-4", "--create-ns"], "--create-namespace"),
        (["nodepool", "add", "gpu", "-c", "ml", "-g", "rg", "--gpus-per-nod", "8"], "--gpus-per-node"),
        (["ray", "cluster", "create", "rc", "--worker-gpus", "1"], "--worker-gpu"),
    ],
)
def test_a_typo_is_answered_with_the_flag_spelled_close_to_it(words: list[str], meant: str) -> None:
    path = " ".join(w for w in words[:3] if not w.startswith("-") and w not in ("phi-4", "gpu", "rc"))
    assert lines(*words)[1] == f"hint: did you mean {meant}? (run 'akscli {path} --help' for usage)"


@pytest.mark.parametrize(
    ("words", "meant"),
    [
        (["model", "delete", "phi-4", "--yse"], "--yes"),
        (["nodepool", "add", "gpu", "-c", "ml", "-g", "rg", "--mni", "1"], "--min"),
        (["cluster", "create", "ml", "-g", "rg", "--skx", "Free"], "--sku"),
    ],
)
def test_a_three_letter_flag_with_a_letter_changed_or_two_swapped_is_answered_with_it(
    words: list[str], meant: str
) -> None:
    # Without the dashes 'yse' and 'yes' are 0.67 alike, under the 0.7 cutoff, though one edit
    # apart; click, counting the dashes (0.8), offered --yes.
    assert lines(*words)[1].startswith(f"hint: did you mean {meant}? ")


@pytest.mark.parametrize(
    ("words", "meant"),
    [
        (["model", "deploy", "phi-4", "--nait"], "--wait"),
        (["cluster", "update", "ml", "-g", "rg", "--dnable-kaito"], "--enable-kaito"),
        (["baremetal", "test", "nccl", "--post-network"], "--host-network"),
    ],
)
def test_a_typo_of_the_first_letter_is_answered_with_the_flag_one_letter_away(words: list[str], meant: str) -> None:
    # Of two flags about as close, the one that starts as the typo does (--no-wait, --disable-kaito,
    # --pod-network) was kept alone, though the typo is one letter from the other.
    assert lines(*words)[1].startswith(f"hint: did you mean {meant}? ")


def test_the_leading_dashes_do_not_make_a_short_flag_close_to_a_long_one() -> None:
    # click: '--gpu' and '--output' are 0.62 alike with the dashes, 0.44 without.
    assert "--output" not in "\n".join(lines("model", "deploy", "phi-4", "--gpu=h100"))


def test_the_autoscaler_bounds_name_the_commands_own_flag() -> None:
    assert lines("model", "deploy", "phi-4", "--min", "1")[1] == (
        "hint: --min is a flag of 'akscli nodepool add', 'akscli nodepool scale', 'akscli ray cluster scale' "
        "and 1 more; 'akscli model deploy' sets the autoscaler's bounds with --autoscale "
        "(run 'akscli model deploy --help' for usage)"
    )
    assert lines("nodepool", "add", "gpu", "-c", "ml", "-g", "rg", "--autoscale", "1:4")[1] == (
        "hint: --autoscale is a flag of 'akscli model deploy'; 'akscli nodepool add' sets the autoscaler's bounds "
        "with --min and --max (run 'akscli nodepool add --help' for usage)"
    )


def test_the_commands_that_take_the_flag_are_named_those_of_the_same_group_first() -> None:
    assert lines("ray", "cluster", "create", "rc", "--replicas", "2")[1] == (
        "hint: --replicas is a flag of 'akscli ray cluster scale', 'akscli ray workergroup add' and "
        "'akscli model deploy' (run 'akscli ray cluster create --help' for usage)"
    )


def test_fleet_place_names_its_own_vm_size_flag() -> None:
    assert (
        "'akscli fleet place' sets the GPU VM size with --gpu-size" in lines("fleet", "place", "m", "--vm-size", "x")[1]
    )


def test_a_flag_no_command_takes_keeps_the_usage_hint_alone() -> None:
    assert lines("model", "list", "--bogus") == [
        "error: No such option: --bogus",
        "hint: run 'akscli model list --help' for usage",
    ]


def test_an_unknown_short_flag_gets_no_guess() -> None:
    assert lines("model", "deploy", "phi-4", "-x") == [
        "error: No such option: -x",
        "hint: run 'akscli model deploy --help' for usage",
    ]


def test_under_kubectl_the_commands_are_named_as_kubectl_runs_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["/usr/local/bin/kubectl-akscli"])
    result = invoke("model", "deploy", "phi-4", "--gpu", "h100")
    assert "--gpu is a flag of 'kubectl akscli nodepool add'" in result.stderr


def test_a_typo_of_a_global_flag_is_answered_with_it() -> None:
    assert lines("model", "list", "--reasn", "ticket-1")[1] == (
        "hint: did you mean --reason? (run 'akscli model list --help' for usage)"
    )


def test_a_typo_of_a_connection_flag_before_the_command_is_answered_with_it() -> None:
    assert (
        lines("--contxt", "prod", "model", "list")[1] == "hint: did you mean --context? (run 'akscli --help' for usage)"
    )


def test_another_commands_flag_is_not_taken_for_a_typo_of_a_global_one() -> None:
    # --follow is logs' flag, not --allow misspelt (difflib puts them 0.73 apart).
    assert lines("ray", "cluster", "list", "--follow")[1].startswith(
        "hint: --follow is a flag of 'akscli ray job logs'"
    )


@pytest.mark.parametrize(
    ("words", "flag"),
    [
        (["cluster", "credentials", "ml", "-g", "rg-ml"], "--file"),
        (["cluster", "credentials", "ml", "-g", "rg-ml"], "-f"),
        (["fleet", "credentials", "hub", "-g", "rg-fleet"], "--file"),
        (["baremetal", "cluster", "credentials", "edge1", "-g", "rg-edge"], "-f"),
    ],
)
def test_az_get_credentials_file_flag_is_answered_with_kubeconfig(words: list[str], flag: str) -> None:
    # az aks|fleet get-credentials name the file --file/-f (Azure/azure-cli
    # src/azure-cli/azure/cli/command_modules/acs/_params.py); akscli takes kubectl's --kubeconfig.
    command = "akscli " + " ".join(words[: words.index("credentials") + 1])
    assert lines(*words, flag, "kc") == [
        f"error: No such option: {flag}",
        f"hint: {flag} is az get-credentials' flag for the kubeconfig file; '{command}' takes --kubeconfig PATH",
    ]


def test_a_short_f_elsewhere_is_not_answered_as_az_s_file() -> None:
    assert "get-credentials" not in lines("model", "list", "-f", "x")[1]
