"""The WeCom adapter end to end: encrypted callbacks into the app, cards out to the fake WeCom.

The app is ``create_app`` with WeCom settings pointed at the fake; callbacks are sealed
and signed exactly as WeCom sends them. WeCom userids differ from the org ids
(lilei ↔ LiLei), so the mapping is exercised both ways.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fake_wecom import FakeWeCom, Media
from support import load_example_org
from wecom_callbacks import (
    AES_KEY,
    AGENT_ID,
    CORP_ID,
    SECRET,
    TOKEN,
    CallbackSender,
    card_event_xml,
    media_xml,
    text_xml,
    until,
)

from adapters.wecom import CallbackCrypto
from admin_web.app import create_app
from admin_web.chat import CHAT
from admin_web.settings import Settings
from admin_web.wecom import WECOM, WECOM_CLOCK
from cards import validate_wecom
from engine import Database, ProcessEngine
from engine.store.chat_tables import card_deliveries, inbound_events
from engine.store.schema import instances, users

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
WECOM_IDS = {"lilei": "LiLei", "chenjie": "ChenJie", "zhouli": "ZhouLi"}


@dataclass
class Harness:
    client: Any
    sender: CallbackSender
    fake: FakeWeCom
    engine: ProcessEngine
    db: Database
    msg_id: int = 1000

    def next_msg_id(self) -> int:
        self.msg_id += 1
        return self.msg_id

    async def idle(self) -> None:
        """Every queued callback worked and every outbox row fanned out."""
        app = self.client.server.app
        await app[WECOM].inbox.idle()
        await app[CHAT].notifier.drain()

    def counts(self) -> dict[str, int]:
        with self.db.read() as conn:
            return {
                table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for table in (instances, inbound_events, card_deliveries)
            }


def settings_for(db: Database, fake: FakeWeCom, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        db=db.url.render_as_string(hide_password=False),
        attachments_dir=tmp_path / "files",
        workers=4,
        public_url="http://jingwei.test",
        wecom_corp_id=CORP_ID,
        wecom_agent_id=AGENT_ID,
        wecom_secret=SECRET,
        wecom_token=TOKEN,
        wecom_aes_key=AES_KEY,
        wecom_api_base=fake.api_base,
        **extra,
    )


@pytest.fixture
async def wecom(aiohttp_client: Any, db: Database, fake_wecom: FakeWeCom, tmp_path: Path) -> Harness:
    load_example_org(db)
    with db.write() as conn:
        for org_id, wecom_id in WECOM_IDS.items():
            conn.execute(users.update().where(users.c.id == org_id).values(wecom_userid=wecom_id))
    engine = ProcessEngine(db)
    for key in ("expense", "leave"):
        engine.deploy((EXAMPLES / f"{key}.bpmn").read_bytes())
    client = await aiohttp_client(create_app(settings_for(db, fake_wecom, tmp_path)))
    return Harness(client, CallbackSender(client), fake_wecom, engine, db)


def approve_key(card: dict[str, Any]) -> str:
    return next(b["key"] for b in card["button_list"] if b["key"].startswith("approve:"))


async def test_expense_claim_approved_in_wecom(wecom: Harness) -> None:
    fake, sender = wecom.fake, wecom.sender
    now = int(time.time())
    started = time.monotonic()
    answer = await sender.post(text_xml("LiLei", "/apply 报销 amount=20000", wecom.next_msg_id(), now))
    assert answer == (200, "") and time.monotonic() - started < 1.0  # answered before the work is done

    (card,) = await until(lambda: fake.cards_for("ChenJie"))
    assert card["card_type"] == "button_interaction" and validate_wecom(card) == []
    assert [b["text"] for b in card["button_list"]] == ["同意", "驳回"]
    assert "u=chenjie" in card["card_action"]["url"]  # the approver's own signed H5 link
    assert await until(lambda: [t for t in fake.texts_for("LiLei") if "已提交" in t])
    assert await until(lambda: fake.cards_for("LiLei"))  # the request's own card

    code = fake.click("ChenJie", card["task_id"])
    click = card_event_xml("ChenJie", card["task_id"], approve_key(card), code, now + 5)
    signed = sender.sign(click)
    assert await sender.post_signed(signed) == (200, "")
    assert await sender.post_signed(signed) == (200, "")  # WeCom retries: byte-identical
    assert await sender.post(click) == (200, "")  # re-sealed with another nonce and timestamp

    (director,) = await until(lambda: fake.cards_for("ZhouLi"))
    await wecom.idle()
    (update,) = fake.updates_for("ChenJie")
    assert update["response_code"] == code and update["agentid"] == AGENT_ID
    assert update["template_card"]["emphasis_content"]["title"] == "已同意"
    (inst,) = wecom.engine.instances(starter="lilei")
    approvals = [h for h in wecom.engine.instance(inst.id).history if h.action == "approved"]
    assert [(h.actor, h.channel) for h in approvals] == [("chenjie", "wecom")]
    assert not [t for t in fake.texts_for("ChenJie") if "已被处理" in t]  # redeliveries answered nothing

    code = fake.click("ZhouLi", director["task_id"])
    await sender.post(card_event_xml("ZhouLi", director["task_id"], approve_key(director), code, now + 9))
    await until(lambda: fake.updates_for("ZhouLi"))
    results = await until(
        lambda: [c for c in fake.cards_for("LiLei") if c["emphasis_content"]["title"] == "已通过"]
    )
    assert results[-1]["card_type"] == "text_notice" and validate_wecom(results[-1]) == []
    assert wecom.engine.instance(inst.id).status == "completed"
    assert not fake.refused  # the fake accepted every call


async def test_a_stale_click_is_answered_and_the_copy_shows_the_outcome(wecom: Harness) -> None:
    fake, sender = wecom.fake, wecom.sender
    now = int(time.time())
    await sender.post(text_xml("LiLei", "/apply 报销 amount=200", wecom.next_msg_id(), now))
    (card,) = await until(lambda: fake.cards_for("ChenJie"))
    first = fake.click("ChenJie", card["task_id"])
    await sender.post(card_event_xml("ChenJie", card["task_id"], approve_key(card), first, now + 1))
    await until(lambda: fake.updates_for("ChenJie"))
    # the member clicks "reject" on an old copy a second later: a new event, refused by the engine
    second = fake.click("ChenJie", card["task_id"])
    reject = approve_key(card).replace("approve:", "reject:")
    await sender.post(card_event_xml("ChenJie", card["task_id"], reject, second, now + 2))
    assert await until(lambda: [t for t in fake.texts_for("ChenJie") if "已被处理" in t])
    await wecom.idle()
    assert [u["response_code"] for u in fake.updates_for("ChenJie")] == [first, second]
    assert fake.updates_for("ChenJie")[1]["template_card"]["emphasis_content"]["title"] == "已同意"
    (inst,) = wecom.engine.instances(starter="lilei")
    assert [h.action for h in wecom.engine.instance(inst.id).history].count("rejected") == 0


async def test_refused_callbacks_change_nothing(wecom: Harness) -> None:
    fake, sender = wecom.fake, wecom.sender
    now = int(time.time())
    before = wecom.counts()
    apply = text_xml("LiLei", "/apply 报销 amount=20000", wecom.next_msg_id(), now)

    good = sender.sign(apply)
    bad_signature = "msg_signature=" + "f" * 40 + good.query[good.query.index("&") :]
    assert (await sender.client.post(f"/wecom/callback?{bad_signature}", data=good.body)).status == 403

    stale = sender.sign(apply, timestamp=now - 301)
    assert await sender.post_signed(stale) == (403, "stale")

    other_key = CallbackSender(
        sender.client, CallbackCrypto(TOKEN, "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", CORP_ID)
    )
    assert await other_key.post(apply) == (403, "decryption")

    other_corp = CallbackSender(sender.client, CallbackCrypto(TOKEN, AES_KEY, "wwAnotherCorp0000"))
    assert await other_corp.post(apply) == (403, "receive_id")

    other_token = CallbackSender(sender.client, CallbackCrypto("another-token", AES_KEY, CORP_ID))
    assert await other_token.post(apply) == (403, "signature")

    response = await sender.client.post("/wecom/callback?timestamp=1", data=b"<xml/>")
    assert response.status == 400

    await asyncio.sleep(0.3)
    await wecom.idle()
    assert wecom.counts() == before
    assert fake.sent == [] and fake.updates == []


async def test_the_url_check_answers_the_decrypted_echostr(wecom: Harness) -> None:
    wecom.client.server.app[WECOM].clock = lambda: 1476416373.0  # Vector A was signed in 2016
    echostr = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
    sig, ts, nonce = "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "1476416373", "47744683"
    assert await wecom.sender.verify_url(sig, ts, nonce, echostr) == (200, "1288432023552776189")
    assert (await wecom.sender.verify_url("0" * 40, ts, nonce, echostr))[0] == 403
    # a proxy that decoded %2B back to a literal "+": still the same echostr, not a space
    raw = await wecom.client.get(
        f"/wecom/callback?msg_signature={sig}&timestamp={ts}&nonce={nonce}&echostr={echostr}"
    )
    assert (raw.status, await raw.text()) == (200, "1288432023552776189")
    wecom.client.server.app[WECOM].clock = time.time  # now the same check is years old
    assert await wecom.sender.verify_url(sig, ts, nonce, echostr) == (403, "stale")


async def test_an_injected_clock_replays_the_official_post_vector(
    aiohttp_client: Any, db: Database, fake_wecom: FakeWeCom, tmp_path: Path
) -> None:
    load_example_org(db)
    fake_wecom.members.add("ChenJiaShun")
    app = create_app(settings_for(db, fake_wecom, tmp_path))
    app[WECOM_CLOCK] = lambda: 1476422779.0
    client = await aiohttp_client(app)
    encrypt = (
        "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew"
        "+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24Y"
        "hmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJO"
        "pcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
    )
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
        "<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
    )
    query = "msg_signature=0c3914025cb4b4d68103f6bfc8db550f79dcf48e&timestamp=1476422779&nonce=1597212914"
    response = await client.post(f"/wecom/callback?{query}", data=body.encode())
    assert (response.status, await response.text()) == (200, "")
    await client.server.app[WECOM].inbox.idle()
    # "你好" from ChenJiaShun, who is not in the org: the bot explains, by text
    (answer,) = await until(lambda: fake_wecom.texts_for("ChenJiaShun"))
    assert answer
    with db.read() as conn:
        assert conn.execute(sa.select(inbound_events.c.key)).scalars().all() == ["wecom:msg:1456453720"]


async def test_a_file_is_downloaded_and_attached(wecom: Harness) -> None:
    fake, sender = wecom.fake, wecom.sender
    now = int(time.time())
    await sender.post(text_xml("LiLei", "/apply 报销 amount=88 reason=打车", wecom.next_msg_id(), now))
    await until(lambda: fake.cards_for("ChenJie"))
    fake.media["MEDIA-PDF"] = Media(b"%PDF-1.4 receipt", "application/pdf", "发票.pdf")
    await sender.post(
        media_xml("LiLei", "file", "MEDIA-PDF", wecom.next_msg_id(), now + 1, filename="发票.pdf")
    )
    assert await until(lambda: [t for t in fake.texts_for("LiLei") if "发票.pdf" in t])
    (inst,) = wecom.engine.instances(starter="lilei")
    (attachment,) = wecom.engine.attachments(inst.id)
    assert (attachment.filename, attachment.content_type) == ("发票.pdf", "application/pdf")

    fake.media["MEDIA-EXE"] = Media(b"MZ", "application/octet-stream", "tool.exe")
    await sender.post(media_xml("LiLei", "file", "MEDIA-EXE", wecom.next_msg_id(), now + 2))
    assert await until(lambda: [t for t in fake.texts_for("LiLei") if ".exe" in t])
    fake.media["MEDIA-BIG"] = Media(b"x" * (21 * 1024 * 1024), "image/jpeg", "big.jpg")
    await sender.post(media_xml("LiLei", "image", "MEDIA-BIG", wecom.next_msg_id(), now + 3))
    assert await until(lambda: [t for t in fake.texts_for("LiLei") if "文件太大" in t])
    assert len(wecom.engine.attachments(inst.id)) == 1


async def test_strangers_and_plain_text_get_an_answer(wecom: Harness) -> None:
    fake, sender = wecom.fake, wecom.sender
    fake.members.add("Stranger")
    now = int(time.time())
    await sender.post(text_xml("Stranger", "/todo", wecom.next_msg_id(), now))
    await sender.post(text_xml("ChenJie", "/todo", wecom.next_msg_id(), now))
    assert await until(lambda: fake.texts_for("Stranger"))
    assert await until(lambda: fake.texts_for("ChenJie"))
    assert wecom.engine.instances() == []


async def test_org_ids_can_serve_as_wecom_userids(
    aiohttp_client: Any, db: Database, fake_wecom: FakeWeCom, tmp_path: Path
) -> None:
    load_example_org(db)  # no wecom_userid anywhere: WeCom userids equal the org ids
    ProcessEngine(db).deploy((EXAMPLES / "expense.bpmn").read_bytes())
    settings = settings_for(db, fake_wecom, tmp_path, wecom_org_ids_are_userids=True)
    client = await aiohttp_client(create_app(settings))
    sender = CallbackSender(client)
    assert await sender.post(text_xml("lilei", "/apply 报销 amount=20000", 77, int(time.time()))) == (200, "")
    (card,) = await until(lambda: fake_wecom.cards_for("chenjie"))
    assert card["card_type"] == "button_interaction"
