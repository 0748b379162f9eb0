"""KAITO's feature gates read from its controller's arguments as KAITO reads them (Go's flag
package, component-base's MapStringBool, strconv.ParseBool; kaito-project/kaito v0.12.0
cmd/workspace/main.go and pkg/featuregates/featuregates.go)."""

from __future__ import annotations

from akscli.model.preflight import kaito_feature_gates


def test_the_charts_joined_gates_are_read() -> None:
    args = ["--feature-gates=ModelMirror=false,gatewayAPIInferenceExtension=true,vLLM=true"]
    assert kaito_feature_gates(args)["gatewayAPIInferenceExtension"] is True


def test_without_the_flag_the_controllers_default_leaves_the_gate_off() -> None:
    assert "gatewayAPIInferenceExtension" not in kaito_feature_gates(["--metrics-bind-address=:8080"])


def test_the_last_feature_gates_flag_counts() -> None:
    args = ["--feature-gates=gatewayAPIInferenceExtension=true", "-feature-gates", "gatewayAPIInferenceExtension=false"]
    assert kaito_feature_gates(args)["gatewayAPIInferenceExtension"] is False


def test_values_are_read_as_go_parses_booleans() -> None:
    assert kaito_feature_gates(["--feature-gates=gatewayAPIInferenceExtension=T, vLLM=1,,"]) == {
        "gatewayAPIInferenceExtension": True,
        "vLLM": True,
    }


def test_a_value_kaito_refuses_to_start_with_turns_no_gate_on() -> None:
    assert kaito_feature_gates(["--feature-gates=gatewayAPIInferenceExtension=yes"]) == {}
