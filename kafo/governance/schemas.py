import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from kafo.api_inputs import InputSchema

ManualStatus = Literal["todo", "in_progress", "done", "dropped"]


class StatusChangeOut(Schema):
    id: int
    status: str
    date: dt.date
    by: str = Field(alias="by_label")
    note: str
    has_evidence: bool

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class DecisionOut(Schema):
    id: int
    organisation: str = Field(alias="organisation.code")
    reference: str
    body: str = Field(alias="session.body.name")
    session_number: int = Field(alias="session.number")
    session_date: dt.date = Field(alias="session.date")
    number: int
    kind: str
    title: str
    owner_name: str
    owner_unit: str
    deadline: dt.date | None
    status: str
    follow_up_note: str


class DecisionDetailOut(DecisionOut):
    text: str
    history: list[StatusChangeOut]

    @staticmethod
    def resolve_history(obj):
        return obj.history_rows


class DecisionStatusIn(InputSchema):
    status: ManualStatus
    note: str = Field("", max_length=2000)
    follow_up_note: str | None = Field(None, max_length=5000)


class ActionOut(Schema):
    id: int
    reference: str
    title: str
    owner_name: str
    owner_unit: str
    start_date: dt.date | None
    end_date: dt.date
    budget: Decimal | None
    status: str
    percent_done: int | None
    progress: Decimal | None


class PriorityOut(Schema):
    id: int
    number: int
    title: str
    progress: Decimal | None = Field(alias="rollup.percent")
    progress_method: str = Field(alias="rollup.method")
    actions: list[ActionOut] = Field(alias="action_rows")


class PlanOut(Schema):
    id: int
    organisation: str = Field(alias="organisation.code")
    title: str
    kind: str
    start_date: dt.date
    end_date: dt.date


class PlanDetailOut(PlanOut):
    progress: Decimal | None = Field(alias="rollup.percent")
    priorities: list[PriorityOut] = Field(alias="priority_rows")
