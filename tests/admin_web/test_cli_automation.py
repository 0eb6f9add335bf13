"""Automation on the command line: worker --once, jobs, webhook, connector, decision, calendar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from admin_web.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


class Cli:
    def __init__(self, url: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.url = url
        self.capsys = capsys

    def __call__(self, *args: str, ok: bool = True) -> Any:
        code = main([*args, "--db", self.url, "--json"])
        out = self.capsys.readouterr().out
        assert (code == 0) == ok, (code, out)
        return json.loads(out)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    run = Cli(f"sqlite:///{tmp_path / 'cli.db'}", capsys)
    run("init-db")
    run("org", "import", str(EXAMPLES / "org.json"))
    return run


def test_webhooks_are_added_listed_and_removed(cli: Cli) -> None:
    hook = cli(
        "webhook",
        "add",
        "https://crm.example.com/h",
        "--events",
        "instance.completed,task.created",
        "--secret",
        "0123456789abcdef",
    )
    assert hook["events"] == ["instance.completed", "task.created"] and "secret" not in hook
    assert [h["id"] for h in cli("webhook", "list")] == [hook["id"]]
    bad = cli(
        "webhook",
        "add",
        "https://x",
        "--events",
        "instance.exploded",
        "--secret",
        "0123456789abcdef",
        ok=False,
    )
    assert "unknown webhook event" in bad["error"]["message"]
    cli("webhook", "remove", hook["id"])
    assert cli("webhook", "list") == []


def test_failed_connector_jobs_are_dead_lettered_and_retried_by_hand(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = cli(
        "connector",
        "add",
        str(EXAMPLES / "connectors" / "erp-order.json"),
        "--base-url",
        "http://127.0.0.1:9",
    )
    assert added == {"name": "erp-order", "base_url": "http://127.0.0.1:9"}
    assert [c["name"] for c in cli("connector", "list")] == ["erp-order"]
    cli("deploy", str(EXAMPLES / "connectors" / "purchase-erp.bpmn"))
    inst = cli(
        "start", "purchase-erp", "--as", "lilei", "--data", '{"supplier": "x", "items": [], "total": 1}'
    )
    task = inst["tasks"][0]
    cli("act", task["id"], "approve", "--as", task["assignee"] or task["candidates"][0])
    assert cli("worker", "--once")["jobs"] == 1
    (dead,) = cli("jobs", "--dead")  # no credentials in the environment: no point in retrying
    assert "auth username is not set" in dead["last_error"]
    assert "incident" in [h["action"] for h in cli("show", inst["id"])["history"]]
    monkeypatch.setenv("ERP_USER", "u")
    monkeypatch.setenv("ERP_PASSWORD", "p")
    assert cli("jobs", "retry", dead["id"])["status"] == "pending"
    assert cli("worker", "--once")["jobs"] == 1  # nothing listens on port 9: fails again, waits to retry
    (job,) = cli("jobs", "--instance", inst["id"])
    assert job["status"] == "pending" and job["attempts"] == 1 and "request failed" in job["last_error"]


def test_decisions_and_calendars(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "limits.json"
    path.write_text(
        json.dumps(
            {
                "key": "limits",
                "hit_policy": "FIRST",
                "inputs": [{"name": "amount", "type": "number"}],
                "outputs": [{"name": "level"}],
                "rules": [{"when": ["< 1000"], "then": ["'low'"]}, {"when": ["-"], "then": ["'high'"]}],
            }
        )
    )
    assert cli("decision", "deploy", str(path)) == [{"key": "limits", "version": 1, "rules": 2}]
    assert cli("decision", "eval", "limits", "--data", '{"amount": 5000}') == [{"level": "high"}]
    assert [d["key"] for d in cli("decisions")] == ["limits"]
    cal = cli("calendar", "set", "cn-2026", "--holidays", "2026-10-01,2026-10-02", "--workdays", "2026-10-10")
    assert cal["holidays"] == ["2026-10-01", "2026-10-02"]
    assert [c["name"] for c in cli("calendar", "list")] == ["cn-2026"]
    bad = cli("calendar", "set", "x", "--holidays", "yesterday", ok=False)
    assert "calendar is not valid" in bad["error"]["message"]
