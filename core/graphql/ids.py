"""Global ids ("<Type>:<pk>" in base64, as Relay clients expect): the one encoder and decoder.

A decoded id is only ever trusted for its type: an id of another type, one that is not base64,
or one whose pk does not parse is simply no id at all (None), so that the caller answers with
its usual "not found" and never says which of these it was.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar, overload

import strawberry
from strawberry.relay import GlobalID, from_base64, to_base64

from core.errors import NotFound

PK = TypeVar("PK")
MAX_BIGINT = 2**63 - 1


def uuid_pk(raw: str) -> uuid.UUID:
    """A UUID primary key (ValueError for anything else)."""
    return uuid.UUID(raw)


def int_pk(raw: str) -> int:
    """A positive bigint primary key written in decimal digits (ValueError for anything else)."""
    if not raw.isdigit() or not 0 < int(raw) <= MAX_BIGINT:
        raise ValueError(raw)
    return int(raw)


def encode_global_id(type_name: str, pk: object) -> strawberry.ID:
    """The global id of the object `pk` of GraphQL type `type_name`."""
    return strawberry.ID(to_base64(type_name, str(pk)))


@overload
def decode_global_id(value: object, type_name: str) -> str | None: ...
@overload
def decode_global_id(value: object, type_name: str, parse: Callable[[str], PK]) -> PK | None: ...
def decode_global_id(
    value: object, type_name: str, parse: Callable[[str], object] = str
) -> object | None:
    """The pk inside a global id of `type_name`, parsed by `parse`; None for an id of another
    type, garbage, or a pk that does not parse."""
    if isinstance(value, GlobalID):
        decoded_type, raw = value.type_name, value.node_id
    elif isinstance(value, str) and value:
        try:
            decoded_type, raw = from_base64(value)
        except (ValueError, TypeError):
            return None
    else:
        return None
    if decoded_type != type_name:
        return None
    try:
        return parse(raw)
    except (ValueError, TypeError, OverflowError):
        return None


def require_global_id(
    value: object, type_name: str, parse: Callable[[str], PK], *, not_found: NotFound
) -> PK:
    """Like `decode_global_id`, but raises `not_found` (the object's one "not found") instead of
    returning None."""
    pk = decode_global_id(value, type_name, parse)
    if pk is None:
        raise not_found
    return pk


__all__ = [
    "decode_global_id",
    "encode_global_id",
    "int_pk",
    "require_global_id",
    "uuid_pk",
]
