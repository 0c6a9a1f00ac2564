"""docker/: the Prometheus alert rules, its config and the Grafana dashboard, checked by
promtool (Debian's ``prometheus`` package) and against the families /metrics exposes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "docker" / "prometheus"
DASHBOARD = ROOT / "docker" / "grafana" / "dashboards" / "dde.json"
METRICS_TOKEN = "alert-rules-test-token"
ALERTS = {
    "DdeFeedStale",
    "DdeTokenRejected",
    "DdeFixtureUnfollowed",
    "DdeBroadcastLagHigh",
    "DdeBeatMissing",
    "DdeMetricsDown",
    "DdeReconciliationMismatch",
}


@pytest.fixture
def exposed(db: None, settings: Any) -> set[str]:
    """The series names a scrape of /metrics holds now (every family, even at zero)."""
    settings.METRICS_TOKEN = METRICS_TOKEN
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    families = text_string_to_metric_families(response.content.decode())
    names = set()
    for family in families:
        suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names | {"up"}  # Prometheus's own, per scrape target


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("promtool is missing in CI: scripts/test.sh installs Debian's prometheus")
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=60)


def test_promtool_accepts_the_rules() -> None:
    result = run("check", "rules", str(PROMETHEUS / "alerts.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


def test_the_rules_fire_on_the_series_they_are_meant_for() -> None:
    result = run("test", "rules", str(PROMETHEUS / "alerts_test.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_config(tmp_path: Path) -> None:
    # The container writes the token file at start; here a stand-in takes its place.
    token = tmp_path / "metrics_token"
    token.write_text("token")
    for name in ("prometheus.yml", "alerts.yml"):
        text = (PROMETHEUS / name).read_text().replace("/tmp/metrics_token", str(token))
        (tmp_path / name).write_text(text)
    result = run("check", "config", str(tmp_path / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def metric_names(expr: str) -> set[str]:
    """The metric names in a PromQL expression (identifiers that start a selector)."""
    words = set(re.findall(r"\b([a-z_][a-z0-9_]*)\b(?=\s*(?:\{|\[|\)|$|\s*[<>=]))", expr))
    return {w for w in words if w.startswith("dde_") or w == "up"}


def rules() -> list[dict[str, Any]]:
    loaded = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def test_the_rules_are_the_documented_alerts_on_metrics_that_exist(exposed: set[str]) -> None:
    assert {rule["alert"] for rule in rules()} == ALERTS
    operations = (ROOT / "docs" / "operations.md").read_text()
    for rule in rules():
        names = metric_names(rule["expr"])
        assert names, rule["alert"]
        assert names <= exposed, (rule["alert"], names - exposed)
        if rule["alert"] != "DdeMetricsDown":
            assert f"`{rule['alert']}`" in operations, rule["alert"]


def test_the_dashboard_queries_only_metrics_that_exist(exposed: set[str]) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["panels"]
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = set().union(*(metric_names(e) for e in exprs))
    assert used <= exposed, used - exposed
    # Every family the alerts watch is on the dashboard too.
    watched = set().union(*(metric_names(rule["expr"]) for rule in rules())) - {"up"}
    assert watched <= used, watched - used


def test_compose_runs_prometheus_and_grafana_under_the_monitoring_profile() -> None:
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]
        assert services[name]["ports"][0].startswith("127.0.0.1:")
    mounts = services["prometheus"]["volumes"]
    assert "./prometheus:/etc/prometheus:ro" in mounts
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    [job] = config["scrape_configs"]
    assert job["static_configs"][0]["targets"] == ["web:8000"]
    assert job["authorization"]["credentials_file"] == "/tmp/metrics_token"
    assert "/tmp/metrics_token" in " ".join(services["prometheus"]["command"])
