"""Who may read an instance: the list filter and the single-instance check always agree."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import bpmn, chain, task

from engine import NotAllowed, ProcessEngine
from engine.queries import list_instances
from engine.readers import may_read
from engine.store.instances import load_instance

PEOPLE = ["zhangwei", "lilei", "chenjie", "wangfang", "liuting", "zhouli"]  # none is an org admin
PROCESS = bpmn(
    '<startEvent id="s"/>' + task("a", "field:approver") + '<endEvent id="e"/>' + chain("s", "a", "e"),
    key="readers",
)
request = st.tuples(
    st.sampled_from(PEOPLE),  # starter
    st.sampled_from(PEOPLE),  # approver
    st.lists(st.sampled_from(PEOPLE), max_size=2, unique=True),  # copied by the approver
    st.booleans(),  # approved (the task closes) or still open
)


@pytest.mark.db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=st.lists(request, min_size=1, max_size=4))
def test_the_list_holds_exactly_what_each_person_may_read(
    engine: ProcessEngine, requests: list[tuple[str, str, list[str], bool]]
) -> None:
    if not engine.definitions():
        engine.deploy(PROCESS)
    involved: set[str] = set()
    for starter, approver, copied, decide in requests:
        inst = engine.start("readers", starter=starter, data={"approver": approver})
        cc = [u for u in copied if u != approver]
        if cc:
            engine.act(inst.tasks[0].id, "cc", actor=approver, to=cc)
        if decide:
            engine.act(inst.tasks[0].id, "approve", actor=approver)
        involved = {starter, approver, *cc}
    for person in PEOPLE:  # the last request: its people read it, nobody else does
        if person in involved:
            engine.check_reader(inst.id, person)
        else:
            with pytest.raises(NotAllowed, match=person):
                engine.check_reader(inst.id, person)
    with engine.db.read() as conn:
        everything = [i.id for i in list_instances(conn, limit=10_000)]
        for person in PEOPLE:
            listed = {i.id for i in list_instances(conn, involved=person, limit=10_000)}
            readable = set()
            for instance_id in everything:
                rec = load_instance(conn, instance_id)
                if may_read(conn, rec, engine.cache.get(conn, rec.definition_id), person):
                    readable.add(instance_id)
            assert listed == readable, person
