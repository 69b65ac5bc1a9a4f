from enum import StrEnum


class ListNotificationsStatus(StrEnum):
    CANCELLED = "cancelled"
    DEAD = "dead"
    EXPIRED = "expired"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    SUPPRESSED = "suppressed"

    def __str__(self) -> str:
        return str(self.value)
