"""Template cards on DingTalk's card platform (card_1_0 "高级版" APIs), one instance per person's copy.

``createAndDeliver`` puts a copy into the person's 1:1 chat with the robot
(``IM_ROBOT``) with ``callbackType: STREAM``, so its button clicks arrive on the Stream
connection; ``PUT /v1.0/card/instances`` updates a copy in place. The instance id
(``outTrackId``) is deterministic per card and person, so a retried create finds the
card already there and updates it instead.
"""

from __future__ import annotations

from typing import Any

from adapters.dingtalk.config import DingTalkConfig
from adapters.dingtalk.openapi import DingTalkError, OpenApi

CREATE_AND_DELIVER = "/v1.0/card/instances/createAndDeliver"
UPDATE = "/v1.0/card/instances"
ALREADY_EXISTS = "param.cardAlreadyExist"
USER_ID_TYPE = 1  # userId (staff id), not unionId


def robot_space(dingtalk_user: str) -> str:
    return f"dtv1.card//IM_ROBOT.{dingtalk_user}"


class CardInstances:
    def __init__(self, api: OpenApi, config: DingTalkConfig) -> None:
        self.api = api
        self.config = config

    async def create_and_deliver(
        self, track_id: str, card_data: dict[str, Any], dingtalk_user: str, *, preview: str
    ) -> None:
        """Create the card and put it into the person's chat with the robot; updates it if it exists."""
        if not self.config.card_template_id:
            raise DingTalkError(
                CREATE_AND_DELIVER, 0, "config", "JINGWEI_DINGTALK_CARD_TEMPLATE_ID is not set"
            )
        body = {
            "cardTemplateId": self.config.card_template_id,
            "outTrackId": track_id,
            "callbackType": "STREAM",
            "cardData": card_data,
            "openSpaceId": robot_space(dingtalk_user),
            "imRobotOpenSpaceModel": {
                "supportForward": False,  # a forwarded approval card could not be acted on anyway
                "lastMessageI18n": {"ZH_CN": preview},
                "notification": {"alertContent": preview, "notificationOff": False},
            },
            "imRobotOpenDeliverModel": {"spaceType": "IM_ROBOT", "robotCode": self.config.robot},
            "userIdType": USER_ID_TYPE,
        }
        try:
            answer = await self.api.call("POST", CREATE_AND_DELIVER, body)
        except DingTalkError as exc:
            if exc.code != ALREADY_EXISTS:
                raise
            await self.update(track_id, card_data)  # an earlier attempt got through: bring it up to date
            return
        for result in (answer.get("result") or {}).get("deliverResults") or []:
            if not result.get("success", False):
                raise DingTalkError(
                    CREATE_AND_DELIVER, 200, "deliver.failed", str(result.get("errorMsg") or result)
                )

    async def update(self, track_id: str, card_data: dict[str, Any]) -> None:
        body = {
            "outTrackId": track_id,
            "cardData": card_data,
            "cardUpdateOptions": {"updateCardDataByKey": True},
            "userIdType": USER_ID_TYPE,
        }
        await self.api.call("PUT", UPDATE, body)


def callback_response(card_data: dict[str, Any]) -> dict[str, Any]:
    """What a card callback's ACK carries to update the clicker's copy in place."""
    return {"cardData": card_data, "cardUpdateOptions": {"updateCardDataByKey": True}}


__all__ = ["CREATE_AND_DELIVER", "UPDATE", "CardInstances", "callback_response", "robot_space"]
