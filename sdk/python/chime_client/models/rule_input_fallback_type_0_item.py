from enum import StrEnum


class RuleInputFallbackType0Item(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"

    def __str__(self) -> str:
        return str(self.value)
