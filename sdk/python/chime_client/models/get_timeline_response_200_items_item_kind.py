from enum import StrEnum


class GetTimelineResponse200ItemsItemKind(StrEnum):
    ATTEMPT = "attempt"
    AUDIT = "audit"
    CLAIMED = "claimed"
    CREATED = "created"
    ENDED = "ended"
    SCHEDULED = "scheduled"

    def __str__(self) -> str:
        return str(self.value)
