"""The callback crypto against WeCom's published sample vectors, and its refusals."""

from __future__ import annotations

import pytest

from adapters.wecom import (
    CallbackCrypto,
    CallbackRefused,
    aes_key_problem,
    check_fresh,
    parse_message,
    signature,
)
from adapters.wecom.crypto import DECRYPTION, MALFORMED, RECEIVE_ID, SIGNATURE, STALE

# Vector A: WeCom's current official Python sample (sbzhu/weworkapi_python, callback/Sample.py)
A_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
A_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
A_CORP = "ww1436e0e65a779aee"
A_GET = (
    "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "1476416373",
    "47744683",
    "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
)
A_POST_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew"
    "+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24Y"
    "hmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJO"
    "pcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+"
)
A_POST = ("0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "1476422779", "1597212914", A_POST_ENCRYPT)
A_POST_PLAINTEXT = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)

# Vector B: the example of Doc 90968 (加解密方案说明), also in Tencent's C#/PHP/Java samples
B_TOKEN = "QDG6eK"
B_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
B_CORP = "wx5823bf96d3bd56c7"
B_GET = (
    "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "1409659589",
    "263014780",
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
)
B_POST_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvu"
    "JTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwG"
    "c2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9"
    "EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0"
    "lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
B_POST = ("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", B_POST_ENCRYPT)
B_POST_PLAINTEXT = "\n".join(
    [
        "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>",
        "<FromUserName><![CDATA[mycreate]]></FromUserName>",
        "<CreateTime>1409659813</CreateTime>",
        "<MsgType><![CDATA[text]]></MsgType>",
        "<Content><![CDATA[hello]]></Content>",
        "<MsgId>4561255354251345929</MsgId>",
        "<AgentID>218</AgentID>",
        "</xml>",
    ]
)

# Vector C: wechatpy's own test suite (tests/test_crypto.py), with a deterministic encryption
C_TOKEN = "123456"
C_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
C_CORP = "wx49f0ab532d5d035a"
C_GET = (
    "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
    "1411443780",
    "437374425",
    "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==",
)
C_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
    "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
)
C_REPLY_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtOb"
    "vesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8"
    "NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O"
    "5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)


def test_vector_a_url_check_and_message() -> None:
    crypto = CallbackCrypto(A_TOKEN, A_KEY, A_CORP)
    assert crypto.verify_url(*A_GET) == "1288432023552776189"
    plaintext = crypto.decrypt(*A_POST)
    assert plaintext == A_POST_PLAINTEXT and len(plaintext.encode()) == 228
    message = parse_message(plaintext)
    assert (message.user, message.msg_type, message.get("Content")) == ("ChenJiaShun", "text", "你好")
    assert (message.get("MsgId"), message.agent_id, message.create_time) == (
        "1456453720",
        "1000002",
        1476422779,
    )


def test_vector_b_url_check_and_message_with_cdata_and_newlines() -> None:
    crypto = CallbackCrypto(B_TOKEN, B_KEY, B_CORP)
    assert crypto.verify_url(*B_GET) == "1616140317555161061"
    plaintext = crypto.decrypt(*B_POST)
    assert plaintext == B_POST_PLAINTEXT and len(plaintext.encode()) == 284
    message = parse_message(plaintext)
    assert (message.user, message.get("Content"), message.get("MsgId")) == (
        "mycreate",
        "hello",
        "4561255354251345929",
    )


def test_vector_c_url_check_and_deterministic_reply() -> None:
    crypto = CallbackCrypto(C_TOKEN, C_KEY, C_CORP)
    assert crypto.verify_url(*C_GET) == "5927782489442352469"
    reply = crypto.reply(C_REPLY, nonce="461056294", timestamp="1411525903", random16="1234567890123456")
    assert f"<Encrypt><![CDATA[{C_REPLY_ENCRYPT}]]></Encrypt>" in reply
    assert "<MsgSignature><![CDATA[407518b7649e86ef23978113f92d27afa9296533]]></MsgSignature>" in reply
    sealed = crypto.seal(C_REPLY, nonce="461056294", timestamp="1411525903", random16="1234567890123456")
    assert crypto.decrypt(sealed.signature, "1411525903", "461056294", sealed.encrypt) == C_REPLY


def test_signature_is_sha1_of_the_sorted_strings() -> None:
    assert signature(A_TOKEN, A_GET[1], A_GET[2], A_GET[3]) == A_GET[0]
    assert signature(B_TOKEN, B_POST[1], B_POST[2], B_POST_ENCRYPT) == B_POST[0]


def test_a_bad_signature_is_refused() -> None:
    crypto = CallbackCrypto(A_TOKEN, A_KEY, A_CORP)
    with pytest.raises(CallbackRefused) as caught:
        crypto.decrypt("0" * 40, *A_POST[1:])
    assert caught.value.reason == SIGNATURE
    with pytest.raises(CallbackRefused) as caught:
        crypto.verify_url(A_GET[0], A_GET[1], "47744684", A_GET[3])  # another nonce
    assert caught.value.reason == SIGNATURE
    with pytest.raises(CallbackRefused) as caught:
        CallbackCrypto("another-token", A_KEY, A_CORP).decrypt(*A_POST)
    assert caught.value.reason == SIGNATURE


def test_a_message_for_another_corp_is_refused() -> None:
    with pytest.raises(CallbackRefused) as caught:
        CallbackCrypto(A_TOKEN, A_KEY, "ww0000000000000000").decrypt(*A_POST)
    assert caught.value.reason == RECEIVE_ID
    sealed = CallbackCrypto(A_TOKEN, A_KEY, "wwSomeoneElse").seal("<xml/>", nonce="1", timestamp="2")
    with pytest.raises(CallbackRefused) as caught:
        CallbackCrypto(A_TOKEN, A_KEY, A_CORP).decrypt(sealed.signature, "2", "1", sealed.encrypt)
    assert caught.value.reason == RECEIVE_ID


def test_ciphertext_under_another_key_or_garbage_is_refused_as_undecryptable() -> None:
    other = CallbackCrypto(A_TOKEN, B_KEY, A_CORP).seal("<xml/>", nonce="1", timestamp="2")
    crypto = CallbackCrypto(A_TOKEN, A_KEY, A_CORP)
    for encrypted in (other.encrypt, "bm90IGNpcGhlcnRleHQ=", "***", ""):
        sig = signature(A_TOKEN, "2", "1", encrypted)
        with pytest.raises(CallbackRefused) as caught:
            crypto.decrypt(sig, "2", "1", encrypted)
        assert caught.value.reason in (DECRYPTION, RECEIVE_ID)
    sig = signature(A_TOKEN, "2", "1", other.encrypt)
    with pytest.raises(CallbackRefused) as caught:
        crypto.decrypt(sig, "2", "1", other.encrypt)
    assert caught.value.reason == DECRYPTION  # the padding check catches the wrong key


def test_freshness_window() -> None:
    assert check_fresh("1000", now=1200, window=300) == 1000
    assert check_fresh("1500", now=1200, window=300) == 1500  # a slightly fast clock at WeCom
    with pytest.raises(CallbackRefused) as caught:
        check_fresh("1000", now=1301, window=300)
    assert caught.value.reason == STALE
    with pytest.raises(CallbackRefused) as caught:
        check_fresh("yesterday", now=1301, window=300)
    assert caught.value.reason == MALFORMED


def test_aes_key_rules() -> None:
    assert aes_key_problem(A_KEY) is None
    assert "43-character" in (aes_key_problem(A_KEY[:-1]) or "")
    assert "letters, digits" in (aes_key_problem(A_KEY[:-1] + "!") or "")
    with pytest.raises(ValueError, match="EncodingAESKey"):
        CallbackCrypto(A_TOKEN, "short", A_CORP)
