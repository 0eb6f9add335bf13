"""Callback XML → what a member did → channel-neutral events, and the idempotency keys."""

from __future__ import annotations

import pytest
from wecom_callbacks import card_event_xml, media_xml, text_xml

from adapters import CardAction, CommandText
from adapters.wecom import (
    CallbackRefused,
    CardClickIn,
    ContactsChanged,
    Ignored,
    MediaIn,
    TextIn,
    classify,
    file_event,
    parse_envelope,
    parse_message,
    to_event,
)
from adapters.wecom.crypto import MALFORMED

# the template_card_event of Doc 90240, verbatim layout (SelectedItems with two questions)
DOC_CARD_EVENT = """<xml>
<ToUserName><![CDATA[toUser]]></ToUserName>
<FromUserName><![CDATA[FromUser]]></FromUserName>
<CreateTime>123456789</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[template_card_event]]></Event>
<EventKey><![CDATA[key111]]></EventKey>
<TaskId><![CDATA[taskid111]]></TaskId>
<CardType><![CDATA[text_notice]]></CardType>
<ResponseCode><![CDATA[ResponseCode]]></ResponseCode>
<AgentID>1</AgentID>
<SelectedItems>
    <SelectedItem>
        <QuestionKey><![CDATA[QuestionKey1]]></QuestionKey>
        <OptionIds>
            <OptionId><![CDATA[OptionId1]]></OptionId>
            <OptionId><![CDATA[OptionId2]]></OptionId>
        </OptionIds>
    </SelectedItem>
    <SelectedItem>
        <QuestionKey><![CDATA[QuestionKey2]]></QuestionKey>
        <OptionIds>
            <OptionId><![CDATA[OptionId3]]></OptionId>
        </OptionIds>
    </SelectedItem>
</SelectedItems>
</xml>"""


def test_envelope() -> None:
    envelope = parse_envelope(
        b"<xml><ToUserName><![CDATA[ww1]]></ToUserName>\n<Encrypt><![CDATA[abc+/=]]></Encrypt>\n"
        b"<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
    )
    assert (envelope.to_user, envelope.encrypt, envelope.agent_id) == ("ww1", "abc+/=", "1000002")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<xml><ToUserName>ww1</ToUserName></xml>",
        b"<root><Encrypt>x</Encrypt></root>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>',
    ],
)
def test_bad_envelopes_are_malformed(body: bytes) -> None:
    with pytest.raises(CallbackRefused) as caught:
        parse_envelope(body)
    assert caught.value.reason == MALFORMED


def test_text_message_becomes_a_command() -> None:
    item = classify(
        parse_message(text_xml("LiLei", " /apply 报销 amount=20000 ", msg_id=42, created=1700000000))
    )
    assert item == TextIn("LiLei", "wecom:msg:42", text=" /apply 报销 amount=20000 ")
    event = to_event(item)
    assert isinstance(event, CommandText)
    assert (event.channel, event.user, event.conversation, event.key, event.text) == (
        "wecom",
        "LiLei",
        "dm:LiLei",
        "wecom:msg:42",
        "/apply 报销 amount=20000",
    )


def test_card_click_becomes_a_card_action() -> None:
    xml = card_event_xml("ChenJie", "task-01ABC-9f8e", "approve:task-01ABC", "RC123", created=1700000001)
    item = classify(parse_message(xml))
    assert isinstance(item, CardClickIn)
    assert (item.task_id, item.event_key, item.response_code, item.card_type) == (
        "task-01ABC-9f8e",
        "approve:task-01ABC",
        "RC123",
        "button_interaction",
    )
    assert item.key == "wecom:card:ChenJie:1700000001:task-01ABC-9f8e:approve:task-01ABC"
    event = to_event(item)
    assert isinstance(event, CardAction)
    assert (event.user, event.card_id, event.action, event.key) == (
        "ChenJie",
        "task-01ABC",
        "approve",
        item.key,
    )


def test_the_documented_card_event_with_selected_items() -> None:
    item = classify(parse_message(DOC_CARD_EVENT))
    assert isinstance(item, CardClickIn)
    assert item.selected == (("QuestionKey1", ("OptionId1", "OptionId2")), ("QuestionKey2", ("OptionId3",)))
    event = to_event(item)
    assert isinstance(event, CardAction)
    assert event.action == "key111" and event.card_id == ""
    assert event.params == {
        "selected": {"QuestionKey1": ["OptionId1", "OptionId2"], "QuestionKey2": ["OptionId3"]}
    }


def test_redeliveries_share_a_key_and_clicks_at_other_times_do_not() -> None:
    first = classify(parse_message(card_event_xml("u", "t", "approve:c", "RC1", created=10)))
    again = classify(parse_message(card_event_xml("u", "t", "approve:c", "RC1", created=10)))
    later = classify(parse_message(card_event_xml("u", "t", "approve:c", "RC2", created=11)))
    assert first.key == again.key != later.key


def test_long_keys_are_hashed_to_fit_the_column() -> None:
    item = classify(parse_message(card_event_xml("u", "t" * 128, "approve:" + "c" * 900, "RC", created=1)))
    assert item.key.startswith("wecom:h:") and len(item.key) <= 255


def test_files_and_images_carry_their_media_id() -> None:
    file = classify(parse_message(media_xml("LiLei", "file", "MEDIA1", 7, 1, filename="发票.pdf")))
    assert file == MediaIn("LiLei", "wecom:msg:7", media_id="MEDIA1", kind="file", filename="发票.pdf")
    image = classify(parse_message(media_xml("LiLei", "image", "MEDIA2", 8, 1)))
    assert isinstance(image, MediaIn) and image.kind == "image" and image.filename == ""
    event = file_event(file, data=b"%PDF", filename="发票.pdf", content_type="application/pdf")
    assert (event.size, event.media_ref, event.key) == (4, "MEDIA1", "wecom:msg:7")


def test_other_callbacks() -> None:
    change = (
        "<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName><CreateTime>5</CreateTime>"
        "<MsgType>event</MsgType><Event>change_contact</Event><ChangeType>update_user</ChangeType></xml>"
    )
    assert isinstance(classify(parse_message(change)), ContactsChanged)
    enter = change.replace("change_contact", "enter_agent")
    assert isinstance(classify(parse_message(enter)), Ignored)
    location = text_xml("u", "x", 1, 1).replace("<![CDATA[text]]>", "<![CDATA[location]]>")
    ignored = classify(parse_message(location))
    assert isinstance(ignored, Ignored) and to_event(ignored) is None
