from enum import StrEnum


class NotificationDeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"

    def __str__(self) -> str:
        return str(self.value)
