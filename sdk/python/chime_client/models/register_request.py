from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RegisterRequest")


@_attrs_define
class RegisterRequest:
    """
    Example:
        {'email': 'founder@acme.example', 'password': 'correct horse battery', 'tenant': 'acme'}

    Attributes:
        tenant (str): The new tenant's name, used to sign in.
        email (str):
        password (str):
    """

    tenant: str
    email: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        email = self.email

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tenant": tenant,
                "email": email,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        tenant = d.pop("tenant")

        email = d.pop("email")

        password = d.pop("password")

        register_request = cls(
            tenant=tenant,
            email=email,
            password=password,
        )

        return register_request
