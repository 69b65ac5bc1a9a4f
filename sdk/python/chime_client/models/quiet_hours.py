from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="QuietHours")


@_attrs_define
class QuietHours:
    """A daily window of local wall-clock time (`HH:MM`, in the recipient's `timezone`, UTC without one) in which nothing
    is sent; a send due inside is held until the window ends (DST-correct: an end inside a spring-forward gap moves to
    the jump). `start` after `end` spans midnight.

        Attributes:
            start (str):  Example: 21:00.
            end (str):  Example: 08:00.
    """

    start: str
    end: str

    def to_dict(self) -> dict[str, Any]:
        start = self.start

        end = self.end

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "start": start,
                "end": end,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        start = d.pop("start")

        end = d.pop("end")

        quiet_hours = cls(
            start=start,
            end=end,
        )

        return quiet_hours
