"""A8: every change of the form data is a version with who and when, viewable as a diff."""

from __future__ import annotations

from support import bpmn, chain, task

from engine import ProcessEngine
from engine.versions import diff_data

PROCESS = bpmn(
    '<startEvent id="s"/>'
    + task("a", "manager", 'jw:fieldPermissions="*:editable"')
    + task("b", "user:fin1")
    + '<endEvent id="e"/>'
    + chain("s", "a", "b", "e")
)


def test_versions_record_who_changed_what(eng: ProcessEngine) -> None:
    eng.deploy(PROCESS)
    data = {"amount": 100, "lines": [{"amount": 40}, {"amount": 60}]}
    inst = eng.start("p", starter="alice", data=data)
    out = eng.act(
        inst.tasks[0].id,
        "approve",
        actor="mgr",
        data={"amount": 90, "lines": [{"amount": 40}, {"amount": 50}]},
    )
    eng.act(out.tasks[0].id, "return", actor="fin1", node="starter")
    resubmit = eng.tasks(instance_id=inst.id)[0].id
    eng.act(resubmit, "resubmit", actor="alice", data={"note": "补充"})
    versions = eng.data_versions(inst.id)
    assert [(v.version, v.actor) for v in versions] == [(1, "alice"), (2, "mgr"), (3, "alice")]
    assert versions[0].data == data
    assert versions[1].changes == [
        {"field": "amount", "kind": "changed", "before": 100, "after": 90},
        {"field": "lines[1].amount", "kind": "changed", "before": 60, "after": 50},
    ]
    assert versions[2].changes == [{"field": "note", "kind": "added", "before": None, "after": "补充"}]
    assert versions[2].data == {
        **data,
        "amount": 90,
        "lines": [{"amount": 40}, {"amount": 50}],
        "note": "补充",
    }
    assert eng.verify_history(inst.id).ok  # versions live in the hash-chained history


def test_an_unchanged_submission_is_no_new_version(eng: ProcessEngine) -> None:
    eng.deploy(PROCESS)
    inst = eng.start("p", starter="alice", data={"amount": 1})
    eng.act(inst.tasks[0].id, "approve", actor="mgr", data={"amount": 1})
    assert len(eng.data_versions(inst.id)) == 1


def test_diff_names_nested_paths() -> None:
    before = {"a": 1, "lines": [{"x": 1}, {"x": 2}], "gone": True}
    after = {"a": 1, "lines": [{"x": 1}, {"x": 3}, {"x": 4}], "new": "n"}
    assert diff_data(before, after) == [
        {"field": "lines[1].x", "kind": "changed", "before": 2, "after": 3},
        {"field": "lines[2]", "kind": "added", "before": None, "after": {"x": 4}},
        {"field": "gone", "kind": "removed", "before": True, "after": None},
        {"field": "new", "kind": "added", "before": None, "after": "n"},
    ]
