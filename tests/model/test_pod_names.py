"""akscli.kube.pod_names: Gatekeeper's namesMatch (Matches on the generated name, or
MatchesGenerateName on the generateName) for a Pod whose name the API server generates."""

from __future__ import annotations

from akscli.kube.pod_names import generated_name_matches as matches


def test_a_prefix_glob_within_a_known_generate_name_matches() -> None:
    assert matches("train-*", "train-", True) is True


def test_a_contains_glob_within_the_generate_name_matches() -> None:
    assert matches("*rain*", "train-", True) is True


def test_a_suffix_glob_on_the_random_part_is_not_known() -> None:
    assert matches("*-bcdfg", "train-", True) is None


def test_a_suffix_glob_the_random_alphabet_cannot_spell_never_matches() -> None:
    assert matches("*-aaaaa", "train-", True) is False


def test_an_exact_name_with_the_known_prefix_and_five_random_characters_is_not_known() -> None:
    assert matches("train-bcdfg", "train-", True) is None


def test_an_exact_name_of_another_length_never_matches() -> None:
    assert matches("train-bcd", "train-", True) is False


def test_a_generate_name_over_58_characters_still_matches_a_prefix_glob_through_generate_name() -> None:
    # the name is cut to 58 before the random part; MatchesGenerateName reads all of generateName
    base = "a" * 60 + "-"
    assert matches("a" * 60 + "-*", base, True) is True


def test_a_suffix_only_glob_is_not_a_generate_name_match() -> None:
    # wildcard.go MatchesGenerateName: only "*x*" and "x*"
    assert matches("*in-", "train-", True) is False


def test_a_partly_known_generate_name_decides_what_its_prefix_decides() -> None:
    assert matches("app-*", "app-", False) is True
    assert matches("web-*", "app-", False) is False
    assert matches("app-7*", "app-", False) is None


def test_an_indexed_jobs_long_name_is_known_only_as_far_as_every_index_keeps_it() -> None:
    # podGenerateNameWithIndex cuts <name> so that <name>-<index>- fits 58 characters
    from akscli.kube import pod_labels

    name = "j" * 55
    job = {"kind": "Job", "metadata": {"name": name}, "spec": {"completionMode": "Indexed", "completions": 100}}
    (guess,) = pod_labels.pods(job, "", {})
    assert guess.generate_name == "j" * 54  # index 99: "-99-" leaves 54 of the name
    assert not guess.generate_exact
    assert matches(name + "-*", guess.generate_name, guess.generate_exact) is None
