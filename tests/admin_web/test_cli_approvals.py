"""The approval operations through ``jingwei``: the contract example end to end, admin commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_cli import EXAMPLES, Cli

from admin_web.cli import main

LINES = [{"item": "服务器", "quantity": 2, "amount": 80000}, {"item": "实施服务", "amount": 40000}]
CONTRACT = {
    "title": "华北区机房扩容",
    "counterparty": "某某科技有限公司",
    "contract_type": "purchase",
    "amount": 120000,
    "sign_date": "2026-12-01",
    "period": {"start": "2026-12-01", "end": "2027-11-30"},
    "lines": LINES,
}


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    run = Cli(f"sqlite:///{tmp_path / 'cli.db'}", capsys)
    run("init-db")
    run("org", "import", str(EXAMPLES / "org.json"))
    run("deploy", str(EXAMPLES / "contract.bpmn"), "--form", str(EXAMPLES / "contract-form.json"))
    return run


def only(inst: dict[str, Any], user: str) -> str:
    mine = [t["id"] for t in inst["tasks"] if t["assignee"] == user or user in t["candidates"]]
    assert len(mine) == 1, (user, inst["tasks"])
    return mine[0]


def test_contract_example_walks_through_return_countersign_or_sign_and_cc(cli: Cli) -> None:
    bad = cli(
        "start", "contract", "--as", "qianyu", "--data", json.dumps({**CONTRACT, "amount": 100}), ok=False
    )
    assert bad["error"]["code"] == "invalid_input"
    assert bad["error"]["details"] == [
        {"field": "amount", "message": "must equal the sum of lines[].amount (120000)"}
    ]

    inst = cli("start", "contract", "--as", "qianyu", "--data", json.dumps(CONTRACT))
    inst = cli(
        "act",
        only(inst, "zhaogang"),
        "approve",
        "--as",
        "zhaogang",
        "--data",
        '{"remark": "请法务重点看违约条款"}',
    )
    assert sorted(t["assignee"] for t in inst["tasks"]) == ["linjing", "zhengqiang"]  # countersign
    inst = cli(
        "act", only(inst, "zhengqiang"), "approve", "--as", "zhengqiang", "--data", '{"legal_note": "可以"}'
    )
    refused = cli(
        "act", only(inst, "linjing"), "approve", "--as", "linjing", "--data", '{"amount": 1}', ok=False
    )
    assert (
        refused["error"]["code"] == "not_allowed" and '"amount" is read-only' in refused["error"]["message"]
    )
    inst = cli(
        "act",
        only(inst, "linjing"),
        "return",
        "--as",
        "linjing",
        "--node",
        "starter",
        "--comment",
        "缺报价单",
    )
    assert [(t["node_id"], t["assignee"]) for t in inst["tasks"]] == [("start", "qianyu")]

    fixed = {"lines": [*LINES, {"item": "质保", "amount": 5000}], "amount": 125000}
    inst = cli("act", only(inst, "qianyu"), "resubmit", "--as", "qianyu", "--data", json.dumps(fixed))
    assert sorted(t["assignee"] for t in inst["tasks"]) == [
        "linjing",
        "zhengqiang",
    ]  # resumed at the countersign
    inst = cli("act", only(inst, "zhengqiang"), "approve", "--as", "zhengqiang")
    inst = cli("act", only(inst, "linjing"), "approve", "--as", "linjing")
    assert sorted(t["assignee"] for t in inst["tasks"]) == ["huanglei", "liuyang"]  # or-sign
    director_task = only(inst, "huanglei")
    inst = cli("act", only(inst, "liuyang"), "approve", "--as", "liuyang", "--comment", "同意")
    assert inst["status"] == "completed"
    late = cli("act", director_task, "approve", "--as", "huanglei", ok=False)
    assert late["error"]["code"] == "conflict" and "already decided by liuyang" in late["error"]["message"]

    assert [i["id"] for i in cli("copied", "--as", "zhaogang")] == [inst["id"]]  # CC: the dept head
    versions = cli("versions", inst["id"])
    assert [(v["version"], v["actor"]) for v in versions] == [
        (1, "qianyu"),
        (2, "zhaogang"),
        (3, "zhengqiang"),
        (4, "qianyu"),
    ]
    assert {"field": "amount", "kind": "changed", "before": 120000, "after": 125000} in versions[3]["changes"]
    assert cli("verify", inst["id"])["ok"] is True


def test_transfer_delegate_and_signers_from_the_command_line(cli: Cli) -> None:
    inst = cli("start", "contract", "--as", "qianyu", "--data", json.dumps(CONTRACT))
    inst = cli("act", only(inst, "zhaogang"), "transfer", "--as", "zhaogang", "--to", "huanglei")
    inst = cli("act", only(inst, "huanglei"), "delegate", "--as", "huanglei", "--to", "xuli")
    inst = cli("act", only(inst, "xuli"), "approve", "--as", "xuli", "--comment", "建议通过")
    inst = cli(
        "act",
        only(inst, "huanglei"),
        "add-signer",
        "--as",
        "huanglei",
        "--to",
        "wangjianguo",
        "--position",
        "before",
    )
    inst = cli("act", only(inst, "wangjianguo"), "approve", "--as", "wangjianguo")
    inst = cli("act", only(inst, "huanglei"), "approve", "--as", "huanglei")
    assert sorted(t["assignee"] for t in inst["tasks"]) == ["linjing", "zhengqiang"]
    shown = [h["action"] for h in cli("show", inst["id"])["history"]]
    for action in ("transferred", "delegated", "delegate_answered", "signers_added"):
        assert action in shown


def test_admin_commands_need_a_reason_and_an_admin(cli: Cli) -> None:
    inst = cli("start", "contract", "--as", "qianyu", "--data", json.dumps(CONTRACT))
    denied = cli("admin", "terminate", inst["id"], "--as", "qianyu", "--reason", "x", ok=False)
    assert denied["error"]["code"] == "not_allowed"
    missing = cli("admin", "terminate", inst["id"], "--as", "lixue", ok=False)
    assert missing["error"]["code"] == "usage"
    moved = cli(
        "admin", "reassign", only(inst, "zhaogang"), "--to", "xuli", "--as", "lixue", "--reason", "休假"
    )
    assert [t["assignee"] for t in moved["tasks"]] == ["xuli"]
    jumped = cli(
        "admin", "jump", inst["id"], "--node", "director_approval", "--as", "lixue", "--reason", "加急"
    )
    assert sorted(t["assignee"] for t in jumped["tasks"]) == ["huanglei", "liuyang"]
    ended = cli("admin", "terminate", inst["id"], "--as", "lixue", "--reason", "合作取消")
    assert ended["status"] == "terminated"


def test_unknown_action_is_one_line_and_non_zero(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    inst = cli("start", "contract", "--as", "qianyu", "--data", json.dumps(CONTRACT))
    err = cli("act", only(inst, "zhaogang"), "frobnicate", "--as", "zhaogang", ok=False)
    assert (
        err["error"]["code"] == "invalid_input" and 'unknown action "frobnicate"' in err["error"]["message"]
    )
    assert main(["act", only(inst, "zhaogang"), "approve", "--as", "qianyu", "--db", cli.url]) == 5
    assert "qianyu is not an approver" in capsys.readouterr().err
