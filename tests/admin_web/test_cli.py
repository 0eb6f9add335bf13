"""The ``jingwei`` command line: the contract of DESIGN.md, on the four examples."""

from __future__ import annotations

import json
import subprocess
import sys
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
        data = json.loads(out)
        assert (code == 0) == ok, (code, out)
        return data


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    run = Cli(f"sqlite:///{tmp_path / 'cli.db'}", capsys)
    run("init-db")
    run("org", "import", str(EXAMPLES / "org.json"))
    return run


def _approve_all(cli: Cli, inst: dict[str, Any]) -> dict[str, Any]:
    while inst["tasks"]:
        task = inst["tasks"][0]
        actor = task["assignee"] or task["candidates"][0]
        inst = cli("act", task["id"], "approve", "--as", actor, "--comment", "ok")
    return inst


def test_deploy_prints_key_version_id(cli: Cli) -> None:
    first = cli("deploy", str(EXAMPLES / "expense.bpmn"))
    again = cli("deploy", str(EXAMPLES / "expense.bpmn"))
    assert set(first) >= {"key", "version", "id"}
    assert (first["key"], first["version"], again["version"]) == ("expense", 1, 2)
    listed = cli("definitions")
    assert [(d["key"], d["version"]) for d in listed] == [("expense", 1), ("expense", 2)]


@pytest.mark.parametrize(
    ("key", "starter", "data", "expected_nodes"),
    [
        ("expense", "zhangwei", {"amount": 12800}, ["manager_approval", "director_approval"]),
        ("expense", "zhangwei", {"amount": 800}, ["manager_approval"]),
        ("leave", "zhangwei", {"days": 5, "reason": "探亲"}, ["manager_approval", "hr_approval"]),
        ("leave", "zhangwei", {"days": 1}, ["manager_approval"]),
        ("purchase", "zhangwei", {"category": "IT", "item": "笔记本"}, ["manager_approval", "it_buyer"]),
        (
            "purchase",
            "zhangwei",
            {"category": "office", "item": "打印纸"},
            ["manager_approval", "admin_buyer"],
        ),
    ],
)
def test_examples_walk_to_completion(
    cli: Cli, key: str, starter: str, data: dict[str, Any], expected_nodes: list[str]
) -> None:
    cli("deploy", str(EXAMPLES / f"{key}.bpmn"))
    inst = cli("start", key, "--as", starter, "--data", json.dumps(data))
    assert {"id", "process_key", "version", "status", "starter", "data", "tasks", "history"} <= set(inst)
    assert inst["status"] == "running" and inst["data"] == data
    task_keys = {"id", "instance_id", "node_id", "name", "assignee", "status", "created_at"}
    assert task_keys <= set(inst["tasks"][0])
    seen = []
    while inst["tasks"]:
        seen.append(inst["tasks"][0]["node_id"])
        mine = cli("tasks", "--assignee", inst["tasks"][0]["assignee"] or inst["tasks"][0]["candidates"][0])
        assert inst["tasks"][0]["id"] in [t["id"] for t in mine]
        inst = _approve_all_one(cli, inst)
    assert seen == expected_nodes and inst["status"] == "completed"
    shown = cli("show", inst["id"])
    assert shown["history"][0]["action"] == "started" and shown["history"][-1]["action"] == "ended"
    assert cli("verify", inst["id"])["ok"] is True


def _approve_all_one(cli: Cli, inst: dict[str, Any]) -> dict[str, Any]:
    task = inst["tasks"][0]
    return cli("act", task["id"], "approve", "--as", task["assignee"] or task["candidates"][0])


def test_onboarding_runs_three_branches_in_parallel(cli: Cli) -> None:
    cli("deploy", str(EXAMPLES / "onboarding.bpmn"))
    inst = cli("start", "onboarding", "--as", "zhaomin", "--data", '{"employee": "新同事"}')
    assert sorted(t["node_id"] for t in inst["tasks"]) == ["it_equipment", "training", "workstation"]
    inst = _approve_all(cli, inst)
    assert inst["status"] == "completed"
    nodes = [h["node_id"] for h in cli("show", inst["id"])["history"] if h["action"] == "approved"]
    assert nodes[-1] == "hr_confirm" and sorted(nodes[:3]) == ["it_equipment", "training", "workstation"]


def test_reject_withdraw_and_urge(cli: Cli) -> None:
    cli("deploy", str(EXAMPLES / "expense.bpmn"))
    inst = cli("start", "expense", "--as", "zhangwei", "--data", '{"amount": 50}')
    urged = cli("urge", inst["id"], "--as", "zhangwei")
    assert urged["status"] == "running"
    assert cli("withdraw", inst["id"], "--as", "zhangwei")["status"] == "withdrawn"
    other = cli("start", "expense", "--as", "zhangwei", "--data", '{"amount": 50}')
    task = other["tasks"][0]
    out = cli("act", task["id"], "reject", "--as", task["assignee"], "--comment", "发票不全")
    assert out["status"] == "rejected"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["start", "expense", "--as", "nobody"], "not_found", 'unknown user "nobody"'),
        (["start", "nope", "--as", "zhangwei"], "not_found", 'no process definition "nope"'),
        (
            ["start", "expense", "--as", "zhangwei", "--data", "{oops"],
            "invalid_input",
            "--data is not valid JSON",
        ),
        (["act", "missing", "approve", "--as", "zhangwei"], "not_found", 'unknown task "missing"'),
        (["frobnicate"], "usage", "invalid choice"),
    ],
)
def test_errors_are_one_json_object_and_non_zero(cli: Cli, args: list[str], code: str, needle: str) -> None:
    cli("deploy", str(EXAMPLES / "expense.bpmn"))
    err = cli(*args, ok=False)
    assert err["error"]["code"] == code and needle in err["error"]["message"]


def test_global_options_anywhere_and_plain_text_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    env_cmd = [sys.executable, "-m", "admin_web.cli"]
    ok = subprocess.run(
        [*env_cmd, "tasks", "--json", "--assignee", "bob", "--db", url], capture_output=True, text=True
    )
    assert ok.returncode == 0 and json.loads(ok.stdout) == []
    bad = subprocess.run([*env_cmd, "--db", url, "show", "nope"], capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 3
    assert bad.stderr.strip() == 'error: unknown instance "nope"'
    assert "Traceback" not in bad.stderr


NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
BAD_FILES = {
    "laughs.bpmn": (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        f'<definitions {NS}><process id="p">&lol2;</process></definitions>'
    ),
    "broken.bpmn": '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">',
    "service.bpmn": (
        f'<definitions {NS}><process id="p" isExecutable="true">'
        '<startEvent id="s"/><serviceTask id="Charge_card"/><endEvent id="e"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="Charge_card"/>'
        '<sequenceFlow id="f2" sourceRef="Charge_card" targetRef="e"/></process></definitions>'
    ),
    "badexpr.bpmn": (
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:jw="https://jingwei.dev/schema/bpmn/1.0"><process id="p" isExecutable="true">'
        '<startEvent id="s"/><exclusiveGateway id="g" default="f3"/><userTask id="t" jw:approver="starter"/>'
        '<endEvent id="e"/><sequenceFlow id="f1" sourceRef="s" targetRef="g"/>'
        '<sequenceFlow id="f2" sourceRef="g" targetRef="t"><conditionExpression>${amount &gt;&gt; 3}'
        '</conditionExpression></sequenceFlow><sequenceFlow id="f3" sourceRef="g" targetRef="e"/>'
        '<sequenceFlow id="f4" sourceRef="t" targetRef="e"/></process></definitions>'
    ),
}


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("laughs.bpmn", "not allowed"),
        ("broken.bpmn", "line"),
        ("service.bpmn", 'serviceTask "Charge_card" has no connector'),
        ("badexpr.bpmn", "f2"),
    ],
)
def test_bad_bpmn_is_refused_in_one_line_and_nothing_is_written(
    cli: Cli, tmp_path: Path, name: str, needle: str
) -> None:
    path = tmp_path / name
    path.write_text(BAD_FILES[name], encoding="utf-8")
    err = cli("deploy", str(path), ok=False)
    assert err["error"]["code"] == "invalid_bpmn"
    assert needle in err["error"]["message"] and "\n" not in err["error"]["message"]
    assert cli("definitions") == []
