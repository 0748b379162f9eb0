"""`model deploy --expose` writes a request timeout on its HTTPRoute (kinds.DEFAULT_ROUTE_TIMEOUT,
--route-timeout): without one Envoy Gateway and kgateway cut every request at Envoy's 15 s, a long
generation among them. Plain units; the route read back by `model status`/`model endpoint` is in
test_route_status.py."""

from __future__ import annotations

import pytest

from akscli import render
from akscli.errors import UsageError
from akscli.model import deploy, exposure, flag_checks
from akscli.model.kinds import DEFAULT_ROUTE_TIMEOUT, NO_ROUTE_TIMEOUT
from tests.cli import invoke

from ._shared import crd_dir
from .test_render import _request


def test_the_route_timeout_is_checked_with_the_crds_own_duration_pattern() -> None:
    # kubernetes-sigs/gateway-api v1.6.1 apis/v1/shared_types.go Duration, as the standard CRD has it
    crd = (crd_dir() / "gateway-api/gateway.networking.k8s.io_httproutes.yaml").read_text(encoding="utf-8")
    declared = render.values_spec("model/httproute")["request_timeout"]
    # akscli's own `none` (no timeouts field) in front of the CRD's Duration pattern
    assert declared["pattern"].startswith(f"^{NO_ROUTE_TIMEOUT}$|")
    assert f"pattern: {declared['pattern'].removeprefix(f'^{NO_ROUTE_TIMEOUT}$|')}\n" in crd
    assert declared["default"] == DEFAULT_ROUTE_TIMEOUT


@pytest.mark.parametrize("value", ["300s", "10m", "1h30m", "500ms", "0s", "99999s", "1h2m3s4ms"])
def test_a_gateway_api_duration_is_taken_as_typed(value: str) -> None:
    assert flag_checks.route_timeout(value) == value


@pytest.mark.parametrize("value", ["300", "1.5s", "-5s", "5d", "100000s", "1h2m3s4ms5s", " 5s", "", "None", "nonee"])
def test_what_the_crd_would_refuse_is_refused_before_anything_is_sent(value: str) -> None:
    with pytest.raises(UsageError, match=r"invalid --route-timeout .*: a Gateway API duration") as info:
        flag_checks.route_timeout(value)
    assert "0s: no timeout" in (info.value.hint or "")


def _route_rule(**kwargs: object) -> dict[str, object]:
    route = next(o for o in deploy.build(_request(runtime="vllm", expose=True, **kwargs)) if o["kind"] == "HTTPRoute")
    rule: dict[str, object] = route["spec"]["rules"][0]
    return rule


def test_the_route_carries_the_default_timeout_or_the_one_given() -> None:
    assert _route_rule()["timeouts"] == {"request": "300s"}
    assert _route_rule(route_timeout="0s")["timeouts"] == {"request": "0s"}  # zero: no timeout (Gateway API)


def test_route_timeout_none_leaves_the_timeouts_field_out() -> None:
    assert flag_checks.route_timeout("none") == "none"
    assert "timeouts" not in _route_rule(route_timeout="none")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"runtime": "vllm"}, "--route-timeout sets the request timeout of the HTTPRoute, so it needs --expose"),
        (
            {"runtime": "airunway", "provider": "vllm", "expose": True},
            "--route-timeout does not apply to --runtime airunway: AI Runway makes the HTTPRoute",
        ),
    ],
)
def test_a_route_timeout_with_no_route_of_akscli_to_set_it_on_is_refused(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        _request(route_timeout="10m", **kwargs).check()


def test_a_bad_route_timeout_is_one_line_and_exit_2() -> None:
    result = invoke("model", "deploy", "phi-4", "--expose", "--route-timeout", "5min", "--dry-run=client")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: invalid --route-timeout '5min': a Gateway API duration"), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_status_says_what_a_route_without_a_timeout_gets() -> None:
    # AI Runway's and akscli's routes have one; an older akscli's route has none
    assert exposure.timeout_shown({"spec": {"rules": [{}]}}).startswith("not set (the gateway's default:")
    assert exposure.timeout_shown({"spec": {"rules": [{"timeouts": {"request": "0s"}}]}}) == "none (0s)"
    assert exposure.request_timeout({"spec": {"rules": [{"timeouts": {"request": "5m"}}]}}) == "5m"
