"""Every card kind rendered for every channel, compared with reviewed golden files.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/cards`` and
review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from cards import (
    Card,
    form_card,
    notice_card,
    render_dingtalk,
    render_sandbox,
    render_wecom,
    result_card,
    task_card,
)
from engine import HistoryView, InstanceView, TaskView

GOLDEN = Path(__file__).parent / "golden"
T0 = datetime(2026, 11, 25, 9, 30)
T1 = datetime(2026, 11, 25, 10, 5)
NAMES = {"lilei": "李雷", "hanmeimei": "韩梅梅", "zhouli": "周丽"}


def people(user: str | None) -> str:
    return NAMES.get(user or "", user or "-")


def links(kind: str, ident: str) -> str:
    return f"https://bpm.example.com/h5/{kind}/{ident}?sig=abc"


def _instance(status: str = "running") -> InstanceView:
    return InstanceView(
        id="06h13inst0000001",
        process_key="expense",
        version=1,
        definition_id="def1",
        status=status,
        starter="lilei",
        data={
            "amount": 20000,
            "reason": "上海出差：往返机票、四晚酒店、两次客户招待和市内交通，共五天四晚",
            "category": "差旅",
        },
        started_at=T0,
        ended_at=T1 if status != "running" else None,
        history=[
            HistoryView(1, T0, "lilei", "started", None, None, "cli", {}, "h1"),
            HistoryView(
                2, T1, "hanmeimei", "approved", "manager_approval", "t1", "wecom", {"comment": "同意"}, "h2"
            ),
        ],
    )


def _task(status: str = "open", outcome: str | None = None) -> TaskView:
    return TaskView(
        id="06h13task0000001",
        instance_id="06h13inst0000001",
        node_id="director_approval",
        name="财务总监审批",
        assignee="zhouli",
        candidates=[],
        status=status,
        created_at=T1,
        outcome=outcome,
        completed_by="zhouli" if status == "completed" else None,
        completed_at=T1 if status != "open" else None,
        process_key="expense",
    )


LABELS = {"amount": "金额", "reason": "事由", "category": "类别"}
CARDS: dict[str, Card] = {
    "task_open": task_card(
        _task(), _instance(), people=people, links=links, labels=LABELS, process_name="费用报销"
    ),
    "task_approved": task_card(
        _task("completed", "approved"),
        _instance(),
        people=people,
        links=links,
        labels=LABELS,
        process_name="费用报销",
    ),
    "result_completed": result_card(
        _instance("completed"), people=people, links=links, process_name="费用报销"
    ),
    "notice_urge": notice_card(
        "urge", _instance(), by="lilei", people=people, links=links, process_name="费用报销", notice_id="n1"
    ),
    "form_expense": form_card(
        "expense", "费用报销", [("amount", "金额"), ("reason", "事由")], missing=["amount"]
    ),
}
RENDERERS = {
    "wecom": lambda c: json.dumps(
        render_wecom(c, home_url="https://bpm.example.com/"), ensure_ascii=False, indent=1
    ),
    "dingtalk": lambda c: json.dumps(render_dingtalk(c), ensure_ascii=False, indent=1),
    "sandbox": render_sandbox,
}


@pytest.mark.parametrize("channel", sorted(RENDERERS))
@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_matches_golden_file(name: str, channel: str) -> None:
    rendered = RENDERERS[channel](CARDS[name])
    path = GOLDEN / f"{name}.{channel}.{'html' if channel == 'sandbox' else 'json'}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(rendered + "\n", encoding="utf-8")
    assert rendered + "\n" == path.read_text(encoding="utf-8")


def test_open_task_card_has_buttons_and_decided_one_has_none() -> None:
    open_card = render_wecom(CARDS["task_open"])
    assert open_card["card_type"] == "button_interaction"
    assert [b["text"] for b in open_card["button_list"]] == ["同意", "驳回"]
    decided = render_wecom(CARDS["task_approved"], home_url="https://x")
    assert decided["card_type"] == "text_notice" and "button_list" not in decided
    assert CARDS["task_approved"].status_text.startswith("已同意 · 周丽")
    assert CARDS["task_approved"].to_dict()["actions"] == []


def test_long_text_is_cut_with_an_ellipsis() -> None:
    card = render_wecom(CARDS["task_open"])
    reason = next(i for i in card["horizontal_content_list"] if i["keyname"] == "事由")
    assert len(reason["value"]) == 26 and reason["value"].endswith("…")


def test_sandbox_html_escapes_user_text() -> None:
    inst = _instance()
    inst.data = {"reason": "<script>alert(1)</script>"}
    html = render_sandbox(task_card(_task(), inst, people=people, links=links))
    assert "<script>" not in html and "&lt;script&gt;" in html
