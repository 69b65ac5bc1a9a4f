from enum import StrEnum


class ListSeriesStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    ENDED = "ended"

    def __str__(self) -> str:
        return str(self.value)
