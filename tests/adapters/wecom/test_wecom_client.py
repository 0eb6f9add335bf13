"""The WeCom client against the fake server: tokens, retries, limits, cards, media."""

from __future__ import annotations

from typing import Any

import pytest
from fake_wecom import FakeWeCom, Media
from wecom_callbacks import AGENT_ID, CORP_ID, SECRET

from adapters.wecom import MediaTooLarge, RateLimiter, WeComApiError, WeComClient

CARD = {
    "card_type": "button_interaction",
    "main_title": {"title": "费用报销", "desc": "李雷"},
    "task_id": "task-1-abc",
    "button_list": [{"type": 0, "text": "同意", "style": 1, "key": "approve:task-1"}],
}


def client(fake: FakeWeCom, **kwargs: Any) -> tuple[WeComClient, list[float]]:
    slept: list[float] = []
    made = WeComClient(CORP_ID, SECRET, api_base=fake.api_base, sleep=slept.append, **kwargs)
    return made, slept


def test_the_token_is_fetched_once_and_reused(fake_wecom: FakeWeCom) -> None:
    wecom, _ = client(fake_wecom)
    for n in range(3):
        wecom.send_text(AGENT_ID, "lilei", f"hello {n}")
    assert fake_wecom.tokens_issued == 1
    assert fake_wecom.texts_for("lilei") == ["hello 0", "hello 1", "hello 2"]


def test_an_expired_token_is_refreshed_once_and_the_call_retried(fake_wecom: FakeWeCom) -> None:
    wecom, _ = client(fake_wecom)
    wecom.send_text(AGENT_ID, "lilei", "one")
    fake_wecom.expire_tokens()
    wecom.send_text(AGENT_ID, "lilei", "two")
    assert fake_wecom.tokens_issued == 2
    assert fake_wecom.texts_for("lilei") == ["one", "two"]


def test_a_token_refused_twice_is_not_retried_forever(fake_wecom: FakeWeCom) -> None:
    wecom, _ = client(fake_wecom)
    fake_wecom.fail_next("message/send", 40014, times=5)
    with pytest.raises(WeComApiError) as caught:
        wecom.send_text(AGENT_ID, "lilei", "x")
    assert caught.value.errcode == 40014
    assert fake_wecom.endpoint_calls("message/send") == 2  # the call and one retry
    assert fake_wecom.tokens_issued == 2


def test_rate_limited_calls_back_off_and_retry(fake_wecom: FakeWeCom) -> None:
    wecom, slept = client(fake_wecom)
    fake_wecom.fail_next("message/send", 45009, times=2)
    wecom.send_text(AGENT_ID, "lilei", "eventually")
    assert slept == [1.0, 2.0]
    assert fake_wecom.texts_for("lilei") == ["eventually"]
    fake_wecom.fail_next("message/send", 45009, times=10)
    with pytest.raises(WeComApiError) as caught:
        wecom.send_text(AGENT_ID, "lilei", "never")
    assert caught.value.errcode == 45009 and slept[2:] == [1.0, 2.0, 4.0]


def test_the_client_side_limiter_spaces_calls() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(rate=10, burst=2, clock=lambda: now[0], sleep=sleep)
    assert [limiter.acquire() for _ in range(4)] == [0.0, 0.0, pytest.approx(0.1), pytest.approx(0.1)]
    now[0] += 1.0  # a quiet second refills the bucket up to the burst
    assert [limiter.acquire() for _ in range(2)] == [0.0, 0.0]


def test_wrong_credentials_say_so(fake_wecom: FakeWeCom) -> None:
    wecom = WeComClient(CORP_ID, "wrong", api_base=fake_wecom.api_base)
    with pytest.raises(WeComApiError) as caught:
        wecom.send_text(AGENT_ID, "lilei", "x")
    assert (caught.value.errcode, caught.value.endpoint) == (40001, "gettoken")


def test_template_cards_are_sent_and_updated_once_per_response_code(fake_wecom: FakeWeCom) -> None:
    wecom, _ = client(fake_wecom)
    answer = wecom.send_template_card(AGENT_ID, "chenjie", CARD)
    code = answer["response_code"]
    assert answer["errcode"] == 0 and code
    with pytest.raises(WeComApiError) as caught:  # a task_id never repeats
        wecom.send_template_card(AGENT_ID, "chenjie", CARD)
    assert caught.value.errcode == 40058
    wecom.update_template_card(AGENT_ID, ["chenjie"], code, replace_name="已同意")
    with pytest.raises(WeComApiError, match="already used"):
        wecom.update_template_card(AGENT_ID, ["chenjie"], code, replace_name="已同意")
    assert fake_wecom.updates_for("chenjie") == [
        {
            "userids": ["chenjie"],
            "agentid": AGENT_ID,
            "response_code": code,
            "button": {"replace_name": "已同意"},
        }
    ]


def test_invalid_cards_are_refused_with_wecoms_codes(fake_wecom: FakeWeCom) -> None:
    wecom, _ = client(fake_wecom)
    with pytest.raises(WeComApiError) as caught:
        wecom.send_template_card(AGENT_ID, "chenjie", {**CARD, "task_id": "has space"})
    assert caught.value.errcode == 40058 and "task_id" in caught.value.errmsg
    with pytest.raises(WeComApiError) as caught:
        wecom.send_template_card(AGENT_ID + 1, "chenjie", {**CARD, "task_id": "t2"})
    assert caught.value.errcode == 40056
    with pytest.raises(WeComApiError) as caught:
        wecom.send_template_card(AGENT_ID, "stranger", {**CARD, "task_id": "t3"})
    assert caught.value.errcode == 81013
    answer = wecom.send_template_card(AGENT_ID, "chenjie|stranger", {**CARD, "task_id": "t4"})
    assert answer["invaliduser"] == "stranger"


def test_media_is_streamed_within_the_limit(fake_wecom: FakeWeCom) -> None:
    fake_wecom.media["M1"] = Media(b"%PDF-1.4 " + b"x" * 5000, "application/pdf", "发票.pdf")
    wecom, _ = client(fake_wecom)
    media = wecom.download_media("M1", max_bytes=10_000)
    assert (media.content_type, media.filename, len(media.data)) == ("application/pdf", "发票.pdf", 5009)
    with pytest.raises(MediaTooLarge):
        wecom.download_media("M1", max_bytes=1000)
    with pytest.raises(WeComApiError) as caught:
        wecom.download_media("nope", max_bytes=1000)
    assert caught.value.errcode == 40007


def test_contacts(fake_wecom: FakeWeCom) -> None:
    wecom, _ = client(fake_wecom)
    assert [d["id"] for d in wecom.departments()] == [1, 2, 3, 4]
    assert {u["userid"] for u in wecom.department_users(4)} == {"newbie", "zhouli"}
    with pytest.raises(WeComApiError) as caught:
        wecom.department_users(99)
    assert caught.value.errcode == 60003
