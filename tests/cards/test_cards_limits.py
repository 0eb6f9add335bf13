"""Whatever people type, rendered WeCom and DingTalk payloads stay within the platforms' limits."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from cards import render_dingtalk, render_wecom, task_card, validate_dingtalk, validate_wecom
from engine import HistoryView, InstanceView, TaskView

T = datetime(2026, 1, 2, 3, 4)
texts = st.text(min_size=0, max_size=3000)
values = st.one_of(
    texts, st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(texts, max_size=5)
)


@settings(max_examples=150, deadline=None)
@given(
    name=texts,
    starter=st.text(min_size=1, max_size=300),
    data=st.dictionaries(st.text(min_size=1, max_size=200), values, max_size=12),
    comments=st.lists(texts, max_size=6),
)
def test_rendered_payloads_respect_limits(name: str, starter: str, data: dict, comments: list[str]) -> None:
    inst = InstanceView(
        id="i1",
        process_key="p",
        version=1,
        definition_id="d",
        status="running",
        starter=starter,
        data=data,
        started_at=T,
        history=[
            HistoryView(i + 1, T, starter, "commented", None, None, None, {"comment": c}, "h")
            for i, c in enumerate(comments)
        ],
    )
    task = TaskView("t1", "i1", "n", name or "n", starter, [], "open", T)
    card = task_card(task, inst, people=lambda u: u or "-", links=lambda k, i: f"https://x/{k}/{i}")
    assert validate_wecom(render_wecom(card)) == []
    assert validate_dingtalk(render_dingtalk(card)) == []


def test_validator_catches_an_overlong_title() -> None:
    bad = {
        "card_type": "text_notice",
        "main_title": {"title": "x" * 40},
        "card_action": {"type": 1, "url": "u"},
    }
    assert any("main_title.title" in p for p in validate_wecom(bad))
