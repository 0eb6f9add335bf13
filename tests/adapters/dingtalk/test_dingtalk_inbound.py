"""DingTalk payloads → channel-neutral events (no network)."""

from __future__ import annotations

import json

from dingtalk_payloads import BOT, bot_message, card_callback

from adapters.dingtalk.inbound import card_id_of, out_track_id, parse_bot_message, parse_card_callback
from adapters.events import CardAction, CommandText, FileReceived, Mention

ROBOT = "dingrobot"


def test_a_direct_text_is_a_command_keyed_by_the_message_id() -> None:
    data = bot_message("dt1001", "  /apply 报销 amount=20000 ", robot_code=ROBOT)
    incoming = parse_bot_message(data, "frame-1")
    assert incoming is not None and not incoming.origin.group
    (event,) = incoming.events
    assert isinstance(event, CommandText)
    assert (event.channel, event.user, event.text) == ("dingtalk", "dt1001", "/apply 报销 amount=20000")
    assert event.key == f"dingtalk:{data['msgId']}" and event.conversation == data["conversationId"]


def test_a_group_message_is_a_mention_of_the_others_not_the_bot_or_the_sender() -> None:
    data = bot_message("dt1001", "@陈杰 看一下 /todo", robot_code=ROBOT, group=True, at=("dt1003", "dt1001"))
    incoming = parse_bot_message(data)
    assert incoming is not None and incoming.origin.group
    (event,) = incoming.events
    assert isinstance(event, Mention)
    assert event.mentions == ("dt1003",) and event.text == "@陈杰 看一下 /todo"
    assert {"dingtalkId": BOT} in data["atUsers"]
    data["isInAtList"] = False  # not addressed to the robot: none of its business
    assert parse_bot_message(data) is None


def test_files_pictures_and_rich_text_become_files_each_with_its_own_key() -> None:
    file = parse_bot_message(
        bot_message(
            "u", robot_code=ROBOT, msgtype="file", content={"downloadCode": "c1", "fileName": "发票.pdf"}
        )
    )
    assert file is not None
    (event,) = file.events
    assert isinstance(event, FileReceived) and (event.filename, event.media_ref, event.data) == (
        "发票.pdf",
        "c1",
        b"",
    )
    rich = bot_message(
        "u",
        robot_code=ROBOT,
        msgtype="richText",
        content={
            "richText": [
                {"text": "/status 42"},
                {"type": "picture", "downloadCode": "p1"},
                {"downloadCode": "p2"},
            ]
        },
    )
    incoming = parse_bot_message(rich)
    assert incoming is not None
    kinds = [(type(e).__name__, e.key.rsplit("#", 1)[-1] if "#" in e.key else "") for e in incoming.events]
    assert kinds == [("CommandText", ""), ("FileReceived", "1"), ("FileReceived", "2")]
    picture = parse_bot_message(
        bot_message("u", robot_code=ROBOT, msgtype="picture", content={"downloadCode": "p"})
    )
    assert picture is not None and isinstance(picture.events[0], FileReceived)


def test_voice_uses_the_recognised_text_and_strangers_are_ignored() -> None:
    voice = parse_bot_message(
        bot_message(
            "u", robot_code=ROBOT, msgtype="audio", content={"downloadCode": "a", "recognition": "待办"}
        )
    )
    assert voice is not None and isinstance(voice.events[0], CommandText) and voice.events[0].text == "待办"
    outsider = bot_message("u", "/todo", robot_code=ROBOT)
    outsider["senderStaffId"] = ""  # someone from another organisation
    assert parse_bot_message(outsider) is None
    assert (
        parse_bot_message(bot_message("u", robot_code=ROBOT, msgtype="video", content={"downloadCode": "v"}))
        is None
    )


def test_a_card_click_names_the_card_the_verb_and_its_inputs() -> None:
    track = out_track_id("task-01abc", "dt1003")
    assert card_id_of(track) == "task-01abc" and track != out_track_id("task-01abc", "dt1004")
    parsed = parse_card_callback(card_callback(track, "dt1003", "reject", comment="金额不对"), "m-9")
    assert parsed is not None
    event, track_id = parsed
    assert isinstance(event, CardAction) and track_id == track
    assert (event.user, event.card_id, event.action, event.params) == (
        "dt1003",
        "task-01abc",
        "reject",
        {"comment": "金额不对"},
    )
    assert event.key == "dingtalk:cb:m-9"


def test_card_clicks_are_read_defensively() -> None:
    data = card_callback("task-1_abc", "u", "approve")
    data["content"] = json.loads(data["content"])  # some senders nest it as an object
    assert parse_card_callback(data, "m")[0].action == "approve"  # type: ignore[index]
    by_id = card_callback("task-1_abc", "u", "x")
    by_id["content"] = json.dumps({"cardPrivateData": {"actionIds": ["approve"], "params": {}}})
    assert parse_card_callback(by_id, "m")[0].action == "approve"  # type: ignore[index]
    old = {k: v for k, v in card_callback("task-1_abc", "u", "reject").items() if k != "content"}
    old["value"] = json.dumps({"cardPrivateData": {"params": {"action": "reject"}}})
    assert parse_card_callback(old, "m")[0].action == "reject"  # type: ignore[index]
    nothing = card_callback("task-1_abc", "u", "x")
    nothing["content"] = "not json"
    assert parse_card_callback(nothing, "m") is None
