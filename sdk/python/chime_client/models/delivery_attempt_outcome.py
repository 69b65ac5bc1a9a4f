from enum import StrEnum


class DeliveryAttemptOutcome(StrEnum):
    EXPIRED = "expired"
    PERMANENT_FAILURE = "permanent_failure"
    REFUSED = "refused"
    SUCCESS = "success"
    TRANSIENT_FAILURE = "transient_failure"

    def __str__(self) -> str:
        return str(self.value)
