from enum import StrEnum


class SeriesStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    ENDED = "ended"

    def __str__(self) -> str:
        return str(self.value)
