import datetime as dt
from typing import Literal

from ninja import Field, Schema

from kafo.api_inputs import InputSchema, IsoDate

Precision = Literal["day", "month", "year"]
SexCode = Literal["M", "F"]


class PersonIn(InputSchema):
    family_name: str = Field(min_length=1, max_length=80)
    given_names: str = Field(min_length=1, max_length=120)
    sex: SexCode
    birth_date: IsoDate
    birth_date_precision: Precision = "day"
    birth_place: str = Field("", max_length=100)
    mother_name: str = Field("", max_length=160)
    national_id: str = Field("", max_length=30)
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    number: str = Field("", max_length=12, description="existing number to keep (migration)")


class PersonPatch(InputSchema):
    family_name: str | None = Field(None, min_length=1, max_length=80)
    given_names: str | None = Field(None, min_length=1, max_length=120)
    sex: SexCode | None = None
    birth_date: IsoDate | None = None
    birth_date_precision: Precision | None = None
    birth_place: str | None = Field(None, max_length=100)
    mother_name: str | None = Field(None, max_length=160)
    national_id: str | None = Field(None, max_length=30)
    phone: str | None = Field(None, max_length=30)
    address: str | None = Field(None, max_length=200)


class PersonOut(Schema):
    id: int
    organisation: str = Field(alias="organisation.code")
    number: str
    family_name: str
    given_names: str
    sex: str
    birth_date: dt.date
    birth_date_precision: str
    birth_place: str
    mother_name: str
    national_id: str
    phone: str
    address: str
    registered_on: dt.date


class PersonHitOut(Schema):
    score: float
    person: PersonOut


class EmployerIn(InputSchema):
    legal_name: str = Field(min_length=1, max_length=200)
    trade_register_id: str = Field("", max_length=40)
    tax_id: str = Field("", max_length=40)
    sector: str = Field("", max_length=100)
    risk_class: int = Field(1, ge=1, le=4)
    address: str = Field("", max_length=200)
    city: str = Field("", max_length=80)
    phone: str = Field("", max_length=30)
    number: str = Field("", max_length=12, description="existing number to keep (migration)")


class EmployerPatch(InputSchema):
    legal_name: str | None = Field(None, min_length=1, max_length=200)
    trade_register_id: str | None = Field(None, max_length=40)
    tax_id: str | None = Field(None, max_length=40)
    sector: str | None = Field(None, max_length=100)
    risk_class: int | None = Field(None, ge=1, le=4)
    address: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=80)
    phone: str | None = Field(None, max_length=30)
    status: Literal["active", "suspended", "closed"] | None = None
    status_since: IsoDate | None = None


class EmployerOut(Schema):
    id: int
    organisation: str = Field(alias="organisation.code")
    number: str
    legal_name: str
    trade_register_id: str
    tax_id: str
    sector: str
    risk_class: int
    address: str
    city: str
    phone: str
    status: str
    status_since: dt.date
    registered_on: dt.date


class DependantIn(InputSchema):
    relationship: Literal["spouse", "child"]
    family_name: str = Field(min_length=1, max_length=80)
    given_names: str = Field(min_length=1, max_length=120)
    sex: SexCode
    birth_date: IsoDate | None = None
    birth_date_precision: Precision = "day"
    marriage_date: IsoDate | None = None
    marriage_end_date: IsoDate | None = None
    filiation: Literal["", "legitimate", "natural", "adopted"] = ""


class DependantOut(Schema):
    id: int
    person_id: int
    relationship: str
    family_name: str
    given_names: str
    sex: str
    birth_date: dt.date | None
    birth_date_precision: str
    marriage_date: dt.date | None
    marriage_end_date: dt.date | None
    filiation: str


class EmploymentIn(InputSchema):
    employer_id: int
    start_date: IsoDate
    end_date: IsoDate | None = None
    job_title: str = Field("", max_length=100)


class EmploymentOut(Schema):
    id: int
    person_id: int
    employer_id: int
    start_date: dt.date
    end_date: dt.date | None
    job_title: str


class SearchOut(Schema):
    persons: list[PersonHitOut]
    employers: list[EmployerOut]
