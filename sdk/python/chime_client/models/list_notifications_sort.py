from enum import StrEnum


class ListNotificationsSort(StrEnum):
    CREATED_AT = "created_at"
    SEND_AT = "send_at"
    VALUE_2 = "-send_at"

    def __str__(self) -> str:
        return str(self.value)
