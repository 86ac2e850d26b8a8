"""Request and response bodies of the document types API, and the rules a type keeps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from portico.documents.checklist import UploadMode
from portico.kit.schema import JsonBool, JsonInt

# The kinds of file a type may take, read from the content (``portico.pdf.sniff``).
Format = Literal["pdf", "jpeg", "png", "webp", "heic", "docx", "odt"]
FieldKind = Literal["text", "date", "number", "select"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]

MAX_FIELDS = 20
DEFAULT_FORMATS: tuple[Format, ...] = ("pdf", "jpeg", "png")


class DataField(BaseModel):
    """A piece of data asked with the file: an ID card's number, its expiry date..."""

    model_config = ConfigDict(extra="forbid")

    key: Key = Field(description="Its name in the document's data: lowercase, digits, _")
    label_en: Name
    label_fr: Name
    kind: FieldKind = "text"
    options: list[Option] = Field(default_factory=list, max_length=50)
    required: JsonBool = False
    is_expiry: JsonBool = Field(
        default=False, description="This date is when the document expires (date fields)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind == "select" and not self.options:
            raise ValueError("a select field needs its options")
        if self.kind != "select" and self.options:
            raise ValueError("only a select field has options")
        if self.is_expiry and self.kind != "date":
            raise ValueError("only a date field can be the expiry date")
        return self


class DocumentTypeIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name_en": "ID card",
                    "name_fr": "Carte d'identité",
                    "description_en": "Both sides, readable.",
                    "description_fr": "Recto et verso, lisibles.",
                    "upload_mode": "required",
                    "formats": ["pdf", "jpeg", "png"],
                    "max_size_mib": 10,
                    "expires": True,
                    "fields": [
                        {
                            "key": "number",
                            "label_en": "Card number",
                            "label_fr": "Numéro de la carte",
                            "required": True,
                        },
                        {
                            "key": "valid_until",
                            "label_en": "Valid until",
                            "label_fr": "Valable jusqu'au",
                            "kind": "date",
                            "required": True,
                            "is_expiry": True,
                        },
                    ],
                    "client_tag": None,
                }
            ]
        },
    )

    name_en: Name
    name_fr: Name
    description_en: Description = ""
    description_fr: Description = ""
    upload_mode: UploadMode = UploadMode.OPTIONAL
    formats: list[Format] = Field(
        default_factory=lambda: list(DEFAULT_FORMATS),
        min_length=1,
        max_length=7,
        json_schema_extra={"uniqueItems": True},
    )
    max_size_mib: JsonInt = Field(default=10, ge=1, le=2048)
    expires: JsonBool = Field(
        default=False, description="Its documents expire: on the date of the expiry field"
    )
    fields: list[DataField] = Field(default_factory=list, max_length=MAX_FIELDS)
    client_tag: Tag | None = Field(
        default=None, description="Asked only of clients with this tag (else of every client)"
    )
    position: JsonInt = Field(default=0, ge=0, le=10_000)

    @field_validator("formats")
    @classmethod
    def _each_format_once(cls, formats: list[str]) -> list[str]:
        if len(set(formats)) != len(formats):
            raise ValueError("each format once")
        return formats

    @field_validator("fields")
    @classmethod
    def _each_key_once(cls, fields: list[DataField]) -> list[DataField]:
        keys = [field.key for field in fields]
        if len(set(keys)) != len(keys):
            raise ValueError("each key once")
        if sum(field.is_expiry for field in fields) > 1:
            raise ValueError("one expiry date at most")
        return fields


def expiry_problem(expires: bool, fields: list[DataField]) -> str | None:
    """Why ``expires`` does not go with the fields, if it does not (a rule across fields,
    checked by the endpoints so that the refusal names ``expires``)."""
    marked = any(field.is_expiry for field in fields)
    if expires and not marked:
        return "A type that expires needs a date field marked as the expiry date."
    if marked and not expires:
        return "An expiry date field belongs to a type that expires."
    return None


class DocumentTypePatch(BaseModel):
    """Any of a type's settings; the result is checked as a whole."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"upload_mode": "required", "max_size_mib": 20}]},
    )

    name_en: Name | None = None
    name_fr: Name | None = None
    description_en: Description | None = None
    description_fr: Description | None = None
    upload_mode: UploadMode | None = None
    formats: list[Format] | None = Field(default=None, min_length=1, max_length=7)
    max_size_mib: JsonInt | None = Field(default=None, ge=1, le=2048)
    expires: JsonBool | None = None
    fields: list[DataField] | None = Field(default=None, max_length=MAX_FIELDS)
    client_tag: Tag | None = None
    position: JsonInt | None = Field(default=None, ge=0, le=10_000)


class DocumentTypeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name_en: str
    name_fr: str
    description_en: str
    description_fr: str
    upload_mode: UploadMode
    formats: list[str]
    max_size_mib: int
    expires: bool
    fields: list[DataField]
    client_tag: str | None
    position: int
    created_at: datetime
    updated_at: datetime
