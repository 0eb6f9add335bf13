"""F3: per-step field permissions: editable, read-only, hidden."""

from __future__ import annotations

import pytest
from support import bpmn, chain, task

from engine import NotAllowed, ProcessEngine
from engine.forms import visible_data

FORM = {
    "components": [
        {"type": "money", "key": "amount", "validate": {"required": True}},
        {"type": "textfield", "key": "iban"},
        {"type": "textarea", "key": "remark"},
        {"type": "textarea", "key": "finance_note"},
    ]
}
PROCESS = bpmn(
    '<startEvent id="s"/>'
    + task("a", "manager", 'jw:fieldPermissions="iban:hidden,remark:editable"')
    + task("b", "user:fin1", 'jw:fieldPermissions="*:editable,amount:readonly"')
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "e")
)


def test_an_approver_writes_only_editable_fields(eng: ProcessEngine) -> None:
    eng.deploy(PROCESS, form=FORM)
    inst = eng.start("p", starter="alice", data={"amount": 100, "iban": "CN123"})
    t = inst.tasks[0].id
    with pytest.raises(NotAllowed, match='"amount" is read-only at this step') as caught:
        eng.act(t, "approve", actor="mgr", data={"amount": 1, "remark": "ok"})
    assert caught.value.details == [{"field": "amount", "message": "is read-only at this step"}]
    with pytest.raises(NotAllowed, match='"iban" is hidden at this step'):
        eng.act(t, "approve", actor="mgr", data={"iban": "CN999"})
    out = eng.act(t, "approve", actor="mgr", data={"remark": "同意"})
    assert out.data["remark"] == "同意"
    t2 = out.tasks[0].id
    with pytest.raises(NotAllowed, match='"amount" is read-only'):
        eng.act(t2, "approve", actor="fin1", data={"amount": 5})
    assert eng.act(t2, "approve", actor="fin1", data={"finance_note": "已付"}).status == "completed"


def test_hidden_fields_are_left_out_of_what_the_step_sees(eng: ProcessEngine) -> None:
    view = eng.deploy(PROCESS, form=FORM)
    assert view.key == "p"
    node = eng.cache._compiled[view.id].nodes["a"]
    assert visible_data(node, {"amount": 1, "iban": "CN1", "remark": "r"}) == {"amount": 1, "remark": "r"}
