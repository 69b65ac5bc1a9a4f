from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_error import ErrorError
    from ..models.readiness import Readiness


T = TypeVar("T", bound="NotReady")


@_attrs_define
class NotReady:
    """
    Attributes:
        error (ErrorError):
        checks (Readiness | Unset):
    """

    error: ErrorError
    checks: Readiness | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error = self.error.to_dict()

        checks: dict[str, Any] | Unset = UNSET
        if not isinstance(self.checks, Unset):
            checks = self.checks.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "error": error,
            }
        )
        if checks is not UNSET:
            field_dict["checks"] = checks

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error_error import ErrorError
        from ..models.readiness import Readiness

        d = dict(src_dict)
        error = ErrorError.from_dict(d.pop("error"))

        _checks = d.pop("checks", UNSET)
        checks: Readiness | Unset
        if isinstance(_checks, Unset):
            checks = UNSET
        else:
            checks = Readiness.from_dict(_checks)

        not_ready = cls(
            error=error,
            checks=checks,
        )

        not_ready.additional_properties = d
        return not_ready

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
