"""The one input-cleaning step: every text argument of every GraphQL field, cleaned before its
resolver runs.

`InputTextCleaning` (a schema extension of the root schema) walks a field's arguments along their
GraphQL types, into input objects and lists, and cleans every `String` and `ID` value it finds:
liaison's inputs, the hotline's and any added later, with no code per field. A field opts in to
multi-line text with `metadata=MULTILINE` (`strawberry.field` of an input type, or
`strawberry.argument` of a plain argument); every other text field is single-line.

The rules, in order (`clean_text`):

1. Lone surrogates (U+D800-U+DFFF, which JSON's `\\ud800` escapes can smuggle in) are refused
   with the code `invalid_characters`.
2. Unicode NFC normalisation: "e" + U+0301 and "é" are the same text, stored once.
3. A value that is not empty but shows nothing (only whitespace, zero-width and other format
   characters, variation selectors, Hangul fillers, the braille blank) is refused with the
   code `blank`, in every field, required or not: it would pass a service's `value.strip()`
   check and be stored as an invisible value. An empty or whitespace-only value is left to the
   service, which knows whether the field is required for this kind of request.
4. Leading and trailing whitespace is removed, with the zero-width space, word joiner and BOM
   that copy and paste leave around a value; internal newlines of multi-line fields stay.
5. Refused anywhere, with the code `invalid_characters`: C0 control characters (NUL ...) except
   tab, line feed and carriage return in multi-line fields; DEL and the C1 controls; the bidi
   controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), which make text read in
   another order than it is stored (a reversed file number, a spoofed link); Unicode
   noncharacters (U+FDD0-U+FDEF and the last two code points of every plane). In single-line
   fields also tab and the line breaks (line feed, carriage return, U+2028, U+2029). A value
   holding one of these is refused for it, even if it shows nothing else (not `blank`).

The message names the character by its code point and position, never echoing it.

A refusal names the field by its GraphQL path, relative to a mutation's single `input`
argument (`reference`, `targets.0.value`, `report.jurisdiction`; a plain argument by its name):
in a field whose result can be an `OperationInfo` it is that result, with one message per bad
value (kind VALIDATION, the code above), and the resolver does not run, so nothing is stored;
in any other field (queries, `hotlineTyping`) it is a GraphQL error with the same message and
`extensions {code, field}`. Never a masked "Unexpected error".

A subscription's source stream is opened without the schema's middleware (graphql-core), so
its arguments reach it uncleaned; the portal's are ids and numbers, and an id that is not clean
text is simply "not found" there, like any other unknown id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Final

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLUnionType,
    get_nullable_type,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.utils.await_maybe import AwaitableOrValue
from strawberry_django.fields.types import OperationInfo, OperationMessage

TEXT_KIND: Final = "core.graphql.text"
# The metadata of a multi-line text field or argument: `strawberry.field(metadata=MULTILINE)`.
MULTILINE: Final[Mapping[str, str]] = MappingProxyType({TEXT_KIND: "multiline"})

INVALID_CHARACTERS: Final = "invalid_characters"
BLANK: Final = "blank"
TEXT_SCALARS: Final = frozenset({"String", "ID"})

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI_CONTROLS_RE = re.compile(f"[{_BIDI_CONTROLS}]")
# Everything refused in every field; single-line fields also refuse tab and the line breaks.
_REFUSED_MULTILINE_RE = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CONTROLS}{_NONCHARACTERS}]"
)
_REFUSED_SINGLE_LINE_RE = re.compile(
    f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI_CONTROLS}{_NONCHARACTERS}]"
)
# Characters that show nothing: the format characters (all of Unicode category Cf; a test holds
# the list against unicodedata), variation selectors, the combining grapheme joiner, Hangul
# fillers, the braille blank, and the whitespace of `\s`.
_INVISIBLE = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u2800\u3164\ufe00-\ufe0f"
    "\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)
_BLANK_RE = re.compile(f"[\\s{_INVISIBLE}]*")
# What is trimmed around a value: whitespace (Unicode Zs, tab, the line breaks) and the
# zero-width space, word joiner and BOM that copy and paste leave behind. Not the bidi controls:
# those are refused wherever they are.
_EDGE_CHARACTERS = " \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
_EDGES_RE = re.compile(f"\\A[{_EDGE_CHARACTERS}]+|[{_EDGE_CHARACTERS}]+\\Z")


class TextRefused(ValueError):
    """A text value the cleaning rules refuse: what is wrong, and its code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _describe(character: str) -> str:
    """What a refused character is, by its code point (never the character itself)."""
    point = f"U+{ord(character):04X}"
    if _SURROGATE_RE.match(character):
        return f"a lone surrogate ({point})"
    if _BIDI_CONTROLS_RE.match(character):
        return f"a bidirectional control character ({point} {unicodedata.name(character, '')})"
    if character in "\n\r\t\u2028\u2029":
        return f"a line break or tab ({point})"
    if unicodedata.category(character) == "Cc":
        return f"a control character ({point})"
    return f"a noncharacter ({point})"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """The value cleaned by the rules of this module, or TextRefused."""
    surrogate = _SURROGATE_RE.search(value)
    if surrogate is not None:
        raise TextRefused(
            f"Contains {_describe(surrogate.group())}, which is not text.", INVALID_CHARACTERS
        )
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    if (
        value
        and not value.isspace()
        and _BLANK_RE.fullmatch(value)
        and not _REFUSED_MULTILINE_RE.search(value)  # a bidi control alone is refused as such
    ):
        raise TextRefused(
            "Contains only invisible characters (such as zero-width spaces): write the value "
            "or leave it empty.",
            BLANK,
        )
    value = _EDGES_RE.sub("", value)
    refused = (_REFUSED_MULTILINE_RE if multiline else _REFUSED_SINGLE_LINE_RE).search(value)
    if refused is not None:
        line_break = refused.group() in "\n\r\t\u2028\u2029"
        where = " (this field is one line)" if line_break else ""
        raise TextRefused(
            f"Contains {_describe(refused.group())} at position {refused.start() + 1}{where}; "
            "remove it.",
            INVALID_CHARACTERS,
        )
    return value


Path = tuple[str | int, ...]
Refusal = tuple[str, TextRefused]


def _is_multiline(definition_holder: Any) -> bool:
    definition = definition_holder.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    metadata = getattr(definition, "metadata", None) or {}
    return bool(metadata.get(TEXT_KIND) == "multiline")


def _clean_value(
    value: Any, type_: GraphQLInputType, path: Path, multiline: bool, refusals: list[Refusal]
) -> Any:
    """`value` (as graphql-core coerced it for `type_`) with its text cleaned; every refusal
    is appended to `refusals` with its path."""
    if value is None:
        return None
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        if not isinstance(value, list):
            return value
        return [
            _clean_value(item, type_.of_type, (*path, index), multiline, refusals)
            for index, item in enumerate(value)
        ]
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, dict):
            return value
        cleaned = dict(value)
        for name, field in type_.fields.items():
            if name in cleaned:
                cleaned[name] = _clean_value(
                    cleaned[name], field.type, (*path, name), _is_multiline(field), refusals
                )
        return cleaned
    if isinstance(type_, GraphQLScalarType) and type_.name in TEXT_SCALARS:
        if not isinstance(value, str):
            return value
        try:
            return clean_text(value, multiline=multiline)
        except TextRefused as refusal:
            refusals.append((".".join(str(part) for part in path), refusal))
            return value
    return value


def _returns_operation_info(info: GraphQLResolveInfo) -> bool:
    result_type = get_nullable_type(info.return_type)
    return isinstance(result_type, GraphQLUnionType) and any(
        member.name == "OperationInfo" for member in result_type.types
    )


def clean_arguments(
    info: GraphQLResolveInfo, arguments: dict[str, Any]
) -> tuple[dict[str, Any], list[Refusal]]:
    """The field's arguments with every text value cleaned, and the refusals (path, reason).

    Paths are GraphQL names; a mutation's input object argument named `input` is the root."""
    field = info.parent_type.fields.get(info.field_name)
    if field is None:
        return arguments, []
    refusals: list[Refusal] = []
    cleaned = dict(arguments)
    for name, value in arguments.items():
        argument = field.args.get(name)
        if argument is None:
            continue
        is_input = isinstance(get_nullable_type(argument.type), GraphQLInputObjectType)
        root: Path = () if name == "input" and is_input else (name,)
        cleaned[name] = _clean_value(value, argument.type, root, _is_multiline(argument), refusals)
    return cleaned, refusals


class InputTextCleaning(SchemaExtension):
    """Cleans every text argument of every field before its resolver (see the module)."""

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo,
        *args: str,
        **kwargs: Any,
    ) -> AwaitableOrValue[object]:
        if not kwargs:  # most fields have no arguments: nothing to walk
            return _next(root, info, *args, **kwargs)
        cleaned, refusals = clean_arguments(info, kwargs)
        if not refusals:
            return _next(root, info, *args, **cleaned)
        if _returns_operation_info(info):
            return OperationInfo(
                messages=[
                    OperationMessage(
                        kind=OperationMessage.Kind.VALIDATION,
                        field=path or None,
                        message=refusal.message,
                        code=refusal.code,
                    )
                    for path, refusal in refusals
                ]
            )
        path, refusal = refusals[0]
        raise GraphQLError(
            f"{path}: {refusal.message}" if path else refusal.message,
            extensions={"code": refusal.code.upper(), "field": path},
        )


__all__ = [
    "BLANK",
    "INVALID_CHARACTERS",
    "MULTILINE",
    "InputTextCleaning",
    "TextRefused",
    "clean_arguments",
    "clean_text",
]
