"""F1: a form-js schema per process version; every field kind is read, bad schemas are refused."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from form_support import EVERY_KIND
from support import bpmn, chain, task

from engine import InvalidInput, ProcessEngine
from engine.forms import parse_form
from engine.store.schema import definitions, forms


def test_every_field_kind_is_read() -> None:
    schema = parse_form(EVERY_KIND)
    kinds = {f.key: f.kind for f in schema.fields}
    assert kinds == {
        "title": "text",
        "reason": "textarea",
        "days": "number",
        "total": "money",
        "due": "date",
        "period": "daterange",
        "kind": "choice",
        "urgent": "choice",
        "tags": "choices",
        "agree": "boolean",
        "reviewer": "user",
        "dept": "department",
        "invoices": "attachment",
        "lines": "table",
    }
    lines = schema.field("lines")
    assert lines is not None and [c.key for c in lines.columns] == ["item", "amount"] and lines.min_rows == 1
    total = schema.field("total")
    assert total is not None and total.decimals == 2


@pytest.mark.parametrize(
    ("components", "needle"),
    [
        ([{"type": "slider", "key": "x"}], "component type 'slider' is not supported"),
        ([{"type": "textfield"}], "textfield needs a key"),
        (
            [{"type": "textfield", "key": "a"}, {"type": "number", "key": "a"}],
            'key "a" is used by two fields',
        ),
        (
            [{"type": "money", "key": "t", "properties": {"jw:sumOf": "lines.amount"}}],
            "does not name a column",
        ),
        ([{"type": "textfield", "key": "a", "validate": {"pattern": "("}}], "pattern does not compile"),
    ],
)
def test_bad_schemas_are_refused_per_component(components: list[dict[str, Any]], needle: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_form({"components": components})
    assert needle in caught.value.message
    assert caught.value.details and all("field" in d for d in caught.value.details)


def test_a_form_is_attached_to_one_version(eng: ProcessEngine) -> None:
    xml = bpmn('<startEvent id="s"/>' + task("a", "manager") + '<endEvent id="e"/>' + chain("s", "a", "e"))
    v1 = eng.deploy(xml, form=EVERY_KIND)
    v2 = eng.deploy(xml)
    assert eng.form(v1.id) == EVERY_KIND
    assert eng.form(v2.id) is None
    assert ProcessEngine(eng.db).form(v1.id) == EVERY_KIND  # read back from the database


def test_a_bad_form_refuses_the_deploy_and_writes_nothing(eng: ProcessEngine) -> None:
    xml = bpmn('<startEvent id="s"/>' + task("a", "manager") + '<endEvent id="e"/>' + chain("s", "a", "e"))
    with pytest.raises(InvalidInput, match="form refused"):
        eng.deploy(xml, form={"components": [{"type": "nope", "key": "x"}]})
    with eng.db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(definitions)).scalar_one() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(forms)).scalar_one() == 0
