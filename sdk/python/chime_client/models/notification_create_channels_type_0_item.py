from enum import StrEnum


class NotificationCreateChannelsType0Item(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
