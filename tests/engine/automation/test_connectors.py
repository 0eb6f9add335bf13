"""Service tasks call the example connectors on a real local HTTP server; retries, keys, incidents."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock
from fake_remote import FakeRemote
from support import bpmn, chain, task

from engine import ProcessEngine
from engine.connectors import save_connector, verify_signature
from engine.errors import RuleViolation
from engine.jobs import DEAD, DONE, Worker, list_jobs, retry_job

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "connectors"


def install(eng: ProcessEngine, remote: FakeRemote, *names: str, **override: Any) -> None:
    with eng.db.write() as conn:
        for name in names:
            config = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
            config["base_url"] = remote.url
            config.update(override)
            save_connector(conn, config, eng.clock())


def approve_all(eng: ProcessEngine, inst_id: str) -> None:
    for open_task in eng.tasks(instance_id=inst_id):
        eng.act(open_task.id, "approve", actor=open_task.assignee or open_task.candidates[0])


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "HR_API_TOKEN": "hr-token",
        "FINANCE_HMAC_SECRET": "fin-secret-0123456789",
        "ERP_USER": "jingwei",
        "ERP_PASSWORD": "pw",
        "CRM_TOKEN": "crm-token",
    }.items():
        monkeypatch.setenv(name, value)


def test_hr_attendance_after_leave_approval_retries_500s_and_timeouts_with_one_key(
    eng: ProcessEngine, remote: FakeRemote, clock: FakeClock, run_jobs: Callable[[], int]
) -> None:
    install(eng, remote, "hr-attendance", timeout_seconds=0.5)
    remote.delay = 1.0
    remote.script("/api/attendance/leaves", [500, "timeout", 503])
    remote.reply("/api/attendance/leaves", {"record_id": "ATT-77"})
    eng.deploy((EXAMPLES / "leave-hr.bpmn").read_bytes())
    data = {"leaveType": "annual", "startDate": "2026-12-01", "days": 3}
    inst = eng.start("leave-hr", starter="alice", data=data)
    approve_all(eng, inst.id)
    for _ in range(4):  # each failure waits its backoff (30 s, 60 s, 120 s): move the clock, never sleep
        run_jobs()
        clock.advance(seconds=300)
    calls = remote.seen("/api/attendance/leaves")
    assert len(calls) == 4
    keys = {c.headers["Idempotency-Key"] for c in calls}
    assert len(keys) == 1  # the same key on every retry of one call
    first = calls[0]
    assert first.method == "POST"
    assert first.headers["Authorization"] == "Bearer hr-token"
    assert first.headers["X-Source"] == "jingwei"
    assert first.json == {
        "employee_id": "alice",
        "leave_type": "annual",
        "start_date": "2026-12-01",
        "days": 3,
        "approval_instance": inst.id,
    }
    assert all(c.json == first.json for c in calls)
    view = eng.instance(inst.id)
    assert view.status == "completed"
    assert view.data["attendanceRecordId"] == "ATT-77"


def test_finance_voucher_is_hmac_signed(
    eng: ProcessEngine, remote: FakeRemote, run_jobs: Callable[[], int]
) -> None:
    install(eng, remote, "finance-voucher")
    remote.reply("/api/vouchers", {"voucher_no": "V-2026-0001", "status": "posted"})
    eng.deploy((EXAMPLES / "expense-finance.bpmn").read_bytes())
    inst = eng.start(
        "expense-finance",
        starter="alice",
        data={"amount": 12800.5, "category": "差旅", "reason": "上海客户拜访"},
    )
    approve_all(eng, inst.id)
    run_jobs()
    (call,) = remote.seen("/api/vouchers")
    assert verify_signature(
        "fin-secret-0123456789", call.headers["X-Timestamp"], call.body, call.headers["X-Signature"]
    )
    assert call.json["summary"] == "报销 差旅: 上海客户拜访" and call.json["amount"] == 12800.5
    assert eng.instance(inst.id).data["voucherNo"] == "V-2026-0001"


def test_erp_order_uses_basic_auth(
    eng: ProcessEngine, remote: FakeRemote, run_jobs: Callable[[], int]
) -> None:
    install(eng, remote, "erp-order")
    remote.reply("/api/purchase-orders", {"order_no": "PO-9"})
    eng.deploy((EXAMPLES / "purchase-erp.bpmn").read_bytes())
    items = [{"sku": "LAPTOP-14", "qty": 2, "price": 6999}]
    inst = eng.start(
        "purchase-erp", starter="alice", data={"supplier": "联想", "items": items, "total": 13998}
    )
    approve_all(eng, inst.id)
    run_jobs()
    (call,) = remote.seen("/api/purchase-orders")
    assert call.headers["Authorization"] == "Basic " + base64.b64encode(b"jingwei:pw").decode()
    assert call.json["lines"] == items
    assert eng.instance(inst.id).data["orderNo"] == "PO-9"


def test_crm_customer_then_follow_up_task_chain_their_answers(
    eng: ProcessEngine, remote: FakeRemote, run_jobs: Callable[[], int]
) -> None:
    install(eng, remote, "crm-customer", "crm-followup-task")
    remote.reply("/api/customers/C-001", {"id": "cust-42"})
    remote.reply("/api/customers/cust-42/tasks", {"id": "task-7"})
    eng.deploy((EXAMPLES / "contract-crm.bpmn").read_bytes())
    data = {"customer": {"code": "C-001", "name": "杭州某公司"}, "contractNo": "HT-2026-18"}
    inst = eng.start("contract-crm", starter="alice", data=data)
    approve_all(eng, inst.id)
    run_jobs()
    assert [(r.method, r.path) for r in remote.requests] == [
        ("PUT", "/api/customers/C-001"),
        ("POST", "/api/customers/cust-42/tasks"),
    ]
    assert remote.requests[1].json == {
        "title": "合同 HT-2026-18 签约回访",
        "assignee": "alice",
        "due_in_days": 7,
    }
    view = eng.instance(inst.id)
    assert (view.status, view.data["crmCustomerId"], view.data["crmTaskId"]) == (
        "completed",
        "cust-42",
        "task-7",
    )


def test_a_call_that_keeps_failing_becomes_an_incident_and_is_retried_by_hand(
    eng: ProcessEngine, remote: FakeRemote, clock: FakeClock, run_jobs: Callable[[], int], worker: Worker
) -> None:
    install(eng, remote, "erp-order", retry={"max_attempts": 2, "backoff_seconds": 1})
    remote.script("/api/purchase-orders", [500, 500])
    remote.reply("/api/purchase-orders", {"order_no": "PO-1"})
    eng.deploy((EXAMPLES / "purchase-erp.bpmn").read_bytes())
    inst = eng.start("purchase-erp", starter="alice", data={"supplier": "x", "items": [], "total": 0})
    approve_all(eng, inst.id)
    run_jobs()
    clock.advance(seconds=5)
    run_jobs()
    with eng.db.read() as conn:
        (dead,) = list_jobs(conn, status=DEAD)
    assert "HTTP 500" in (dead.last_error or "")
    view = eng.instance(inst.id)
    assert view.status == "running"
    incident = [h for h in view.history if h.action == "incident"]
    assert incident and incident[0].details["job_id"] == dead.id
    with eng.db.write() as conn:
        retry_job(conn, dead.id, clock())
    run_jobs()
    assert eng.instance(inst.id).status == "completed"
    with eng.db.read() as conn:
        assert [j.status for j in list_jobs(conn, instance_id=inst.id) if j.kind == "connector"] == [DONE]
    keys = {r.headers["Idempotency-Key"] for r in remote.seen("/api/purchase-orders")}
    assert keys == {dead.id}


def test_a_client_error_is_not_retried(
    eng: ProcessEngine, remote: FakeRemote, run_jobs: Callable[[], int]
) -> None:
    install(eng, remote, "erp-order")
    remote.script("/api/purchase-orders", [422])
    eng.deploy((EXAMPLES / "purchase-erp.bpmn").read_bytes())
    inst = eng.start("purchase-erp", starter="alice", data={"supplier": "x", "items": [], "total": 0})
    approve_all(eng, inst.id)
    run_jobs()
    assert len(remote.seen("/api/purchase-orders")) == 1
    assert any(h.action == "incident" for h in eng.instance(inst.id).history)


def test_over_budget_read_from_a_connector_blocks_the_start(eng: ProcessEngine, remote: FakeRemote) -> None:
    with eng.db.write() as conn:
        save_connector(
            conn,
            {
                "schema_version": 1,
                "name": "budget",
                "base_url": remote.url,
                "request": {"method": "GET", "path": "/api/budget", "query": {"dept": "${dept}"}},
                "response": {"map": {"remaining": "${body.remaining}"}},
            },
            eng.clock(),
        )
    remote.reply("/api/budget", {"remaining": 1000})
    rules = json.dumps(
        {
            "schema_version": 1,
            "rules": [
                {
                    "id": "fetch",
                    "on": "start",
                    "then": [{"lookup": {"connector": "budget", "into": "budget"}}],
                },
                {
                    "id": "over",
                    "on": "start",
                    "when": "${total > budget.remaining}",
                    "then": [{"block": "超出预算：剩余 ${budget.remaining}，申请 ${total}"}],
                },
            ],
        }
    ).replace("<", "&lt;")
    eng.deploy(
        bpmn(
            f"<extensionElements><jw:rules>{rules}</jw:rules></extensionElements>"
            '<startEvent id="s"/>' + task("t", "user:bob") + '<endEvent id="e"/>' + chain("s", "t", "e")
        )
    )
    with pytest.raises(RuleViolation, match="超出预算：剩余 1000，申请 5000"):
        eng.start("p", starter="alice", data={"dept": "eng", "total": 5000})
    inst = eng.start("p", starter="alice", data={"dept": "eng", "total": 500})
    assert inst.data["budget"] == {"remaining": 1000}
    assert [r.path for r in remote.requests] == ["/api/budget?dept=eng", "/api/budget?dept=eng"]
    assert eng.instances(process_key="p")[0].id == inst.id  # the blocked start left nothing behind
