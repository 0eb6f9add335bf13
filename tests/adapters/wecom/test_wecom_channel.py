"""The WeCom channel: one card per member, updated in place once per response code."""

from __future__ import annotations

import asyncio
import dataclasses

from fake_wecom import FakeWeCom
from wecom_callbacks import AGENT_ID, CORP_ID, SECRET

from adapters.wecom import Handle, UserIds, WeComChannel, WeComClient
from bot import Notifier, Services
from cards import Card, CardAction, CardField, CardLink
from engine import ProcessEngine, utcnow
from engine.inbound import InboundEvents
from engine.people import People

OPEN = Card(
    card_id="task-01JTASK",
    kind="task",
    title="费用报销 · 李雷",
    status="open",
    status_text="待审批 · 陈杰",
    subtitle="amount 20000",
    fields=(CardField("金额", "20000"),),
    actions=(CardAction("approve", "同意", "primary"), CardAction("reject", "驳回", "danger")),
    links=(CardLink("详情", "http://jingwei.test/h5/task/01JTASK?exp=1&sig=a"),),
    task_id="01JTASK",
    instance_id="01JINST",
)
APPROVED = dataclasses.replace(OPEN, status="approved", status_text="已同意 · 陈杰", actions=())
IDS = {"chenjie": "ChenJie", "lilei": "LiLei", "nobody": "NotAMember"}


def channel(fake: FakeWeCom, clock: list[float] | None = None) -> WeComChannel:
    now = clock or [1_700_000_000.0]
    return WeComChannel(
        WeComClient(CORP_ID, SECRET, api_base=fake.api_base),
        agent_id=AGENT_ID,
        userids=UserIds(IDS.get),
        home_url="http://jingwei.test/",
        clock=lambda: now[0],
    )


async def test_a_new_card_is_sent_with_its_own_task_id(fake_wecom: FakeWeCom) -> None:
    wecom = channel(fake_wecom)
    assert wecom.reaches("chenjie") and not wecom.reaches("zhangwei")
    first = Handle.parse(await wecom.send("chenjie", OPEN, None))
    second = Handle.parse(await wecom.send("lilei", OPEN, None))
    (card,) = fake_wecom.cards_for("ChenJie")
    assert card["card_type"] == "button_interaction"
    assert [b["key"] for b in card["button_list"]] == ["approve:task-01JTASK", "reject:task-01JTASK"]
    assert (
        card["task_id"].startswith("task-01JTASK-")
        and card["task_id"] != fake_wecom.cards_for("LiLei")[0]["task_id"]
    )
    assert first is not None and first.state == "r" and first.code == card["_response_code"]
    assert second is not None and second.code != first.code


async def test_an_unchanged_card_is_not_sent_again(fake_wecom: FakeWeCom) -> None:
    wecom = channel(fake_wecom)
    handle = await wecom.send("chenjie", OPEN, None)
    assert await wecom.send("chenjie", OPEN, handle) == handle
    assert len(fake_wecom.cards_for("ChenJie")) == 1 and not fake_wecom.updates


async def test_a_changed_card_is_updated_with_the_response_code_once(fake_wecom: FakeWeCom) -> None:
    wecom = channel(fake_wecom)
    handle = await wecom.send("chenjie", OPEN, None)
    code = Handle.parse(handle).code  # type: ignore[union-attr]
    # the bot (for the clicker) and the notifier (for every holder) ask at the same time
    after = await asyncio.gather(
        wecom.send("chenjie", APPROVED, handle), wecom.send("chenjie", APPROVED, handle)
    )
    assert after[0] == after[1]
    (update,) = fake_wecom.updates_for("ChenJie")
    assert update["response_code"] == code and update["template_card"]["card_type"] == "text_notice"
    assert update["template_card"]["emphasis_content"]["title"] == "已同意"
    assert Handle.parse(after[0]).state == "u"  # type: ignore[union-attr]
    assert len(fake_wecom.cards_for("ChenJie")) == 1


async def test_a_copy_that_cannot_be_updated_gets_a_new_message(fake_wecom: FakeWeCom) -> None:
    now = [1_700_000_000.0]
    wecom = channel(fake_wecom, now)
    handle = await wecom.send("chenjie", OPEN, None)
    used = await wecom.send("chenjie", APPROVED, handle)
    withdrawn = dataclasses.replace(APPROVED, status="withdrawn", status_text="已撤回")
    await wecom.send("chenjie", withdrawn, used)  # the code is spent: a new message
    assert len(fake_wecom.updates_for("ChenJie")) == 1 and len(fake_wecom.cards_for("ChenJie")) == 2
    stale = await wecom.send("lilei", OPEN, None)
    now[0] += 72 * 3600 + 1  # response codes live 72 hours
    await wecom.send("lilei", APPROVED, stale)
    assert not fake_wecom.updates_for("LiLei") and len(fake_wecom.cards_for("LiLei")) == 2


async def test_a_click_brings_a_fresh_code_that_redeliveries_never_reuse(fake_wecom: FakeWeCom) -> None:
    wecom = channel(fake_wecom)
    sent = await wecom.send("chenjie", OPEN, None)
    task_id = fake_wecom.cards_for("ChenJie")[0]["task_id"]
    click = fake_wecom.click("ChenJie", task_id)
    handle = wecom.clicked(sent, click)
    assert Handle.parse(handle).code == click  # type: ignore[union-attr]
    assert Handle.parse(handle).digest == Handle.parse(sent).digest  # type: ignore[union-attr]
    after = await wecom.send("chenjie", APPROVED, handle)
    assert fake_wecom.updates_for("ChenJie")[0]["response_code"] == click
    assert wecom.clicked(after, click) is None  # the same click delivered again


async def test_a_member_outside_the_apps_range_keeps_the_previous_handle(fake_wecom: FakeWeCom) -> None:
    wecom = channel(fake_wecom)
    sent = await wecom.send("chenjie", OPEN, None)
    assert await wecom.send("nobody", OPEN, None) is None
    assert await wecom.send("zhangwei", OPEN, sent) == sent  # no WeCom userid at all: nothing sent
    assert fake_wecom.refused[-1][1] == 81013


def test_task_ids_follow_wecoms_charset_and_length(fake_wecom: FakeWeCom) -> None:
    wecom = channel(fake_wecom)
    odd = dataclasses.replace(OPEN, card_id="notice-12:34/中文" + "x" * 200)
    task_id = wecom.task_id(odd)
    assert len(task_id.encode()) <= 128 and all(c.isascii() and (c.isalnum() or c in "_-@") for c in task_id)
    assert wecom.task_id(OPEN) != wecom.task_id(OPEN)


def test_user_ids_are_cached_for_a_while() -> None:
    asked: list[str] = []
    now = [0.0]

    def lookup(user: str) -> str | None:
        asked.append(user)
        return user.upper()

    ids = UserIds(lookup, ttl=60, clock=lambda: now[0])
    assert [ids.get("a"), ids.get("a")] == ["A", "A"] and asked == ["a"]
    now[0] = 61
    ids.get("a")
    assert asked == ["a", "a"]


async def test_the_notifier_updates_every_holders_copy_with_their_own_code(
    engine: ProcessEngine, fake_wecom: FakeWeCom
) -> None:
    services = Services(
        engine=engine,
        people=People(engine.db),
        inbound=InboundEvents(engine.db),
        links=lambda kind, ident: f"http://jingwei.test/h5/{kind}/{ident}",
        clock=utcnow,
    )
    notifier = Notifier(services, [channel(fake_wecom)], owner="test")
    await notifier.deliver(OPEN, ["chenjie", "lilei"])
    codes = {u: fake_wecom.cards_for(u)[0]["_response_code"] for u in ("ChenJie", "LiLei")}
    await notifier.deliver(APPROVED, ["chenjie", "lilei"], update_only=True)
    await notifier.deliver(APPROVED, ["chenjie", "lilei", "zhouli"], update_only=True)  # nothing new
    assert {u: [x["response_code"] for x in fake_wecom.updates_for(u)] for u in codes} == {
        u: [code] for u, code in codes.items()
    }
    handles = {d.recipient: Handle.parse(d.handle) for d in notifier.deliveries.of_card(OPEN.card_id)}
    assert set(handles) == {"chenjie", "lilei"} and all(h and h.state == "u" for h in handles.values())
    assert len(fake_wecom.sent) == 2
