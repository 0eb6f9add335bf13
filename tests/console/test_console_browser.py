"""The console in real headless Chromium: model, set approvers and a condition, design a form, deploy,
start, watch the instance on its diagram; a refused deploy marks the offending element."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import unused_port
from console_browser import ARTIFACTS, Shots, drag, ids_of, launch, login, select, watch_errors
from console_support import PASSWORD, console_settings, seed_console

from admin_web.app import create_app
from engine import Database

KEY = "purchase_request"


@pytest.fixture
async def chromium() -> AsyncIterator[Any]:
    async for browser in launch():
        yield browser


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    folder = ARTIFACTS / request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)
    return Shots(folder)


@pytest.fixture
async def base(aiohttp_server: Any, sqlite_db: Database, tmp_path: Path) -> str:
    seed_console(sqlite_db)
    port = unused_port()
    server = await aiohttp_server(
        create_app(console_settings(sqlite_db, tmp_path, host="127.0.0.1", port=port)), port=port
    )
    return str(server.make_url("")).rstrip("/")


async def _append(page: Any, action: str) -> None:
    """Click a context-pad entry of the selected element (bpmn-js places and connects the new one)."""
    entry = page.locator(f'.djs-context-pad .entry[data-action="{action}"]')
    await entry.wait_for()
    await entry.click()


async def _toast(page: Any, text: str) -> None:
    await page.wait_for_selector(f'#toasts .toast:has-text("{text}")')


async def test_model_deploy_start_and_watch_in_chromium(chromium: Any, base: str, shots: Shots) -> None:
    page = await chromium.new_page(viewport={"width": 1280, "height": 860})
    errors = watch_errors(page)
    await login(page, base, "lilei", PASSWORD)
    await page.wait_for_function("window.JWDashboard && window.JWDashboard.ready")

    # a new process, from an empty diagram
    await page.goto(base + "/admin/processes")
    await page.click("#new-process")
    await page.fill("#new-key", KEY)
    await page.fill("#new-name", "采购申请")
    await page.click("#new-create")
    await page.wait_for_url(f"{base}/admin/processes/{KEY}/design")
    await page.wait_for_function("window.JWDesigner && window.JWDesigner.ready")
    assert await ids_of(page, "bpmn:StartEvent") == []

    # a real palette drag: the start event onto the canvas
    canvas = await page.locator("#canvas").bounding_box()
    assert canvas
    await drag(
        page,
        page.locator('.djs-palette .entry[data-action="create.start-event"]'),
        canvas["x"] + 260,
        canvas["y"] + 260,
    )
    [start] = await ids_of(page, "bpmn:StartEvent")
    # then the context pad: approval → exclusive gateway → two approvals → end
    await select(page, start)
    await _append(page, "append.append-task")
    [first] = await ids_of(page, "bpmn:UserTask")
    await _append(page, "append.gateway")
    [gateway] = await ids_of(page, "bpmn:ExclusiveGateway")
    await _append(page, "append.append-task")
    await select(page, gateway)
    await _append(page, "append.append-task")
    tasks = await ids_of(page, "bpmn:UserTask")
    assert len(tasks) == 3
    big, small = [t for t in tasks if t != first]
    await select(page, big)
    await _append(page, "append.end-event")
    [end] = await ids_of(page, "bpmn:EndEvent")
    await page.evaluate(
        """([source, target]) => { const m = window.JWDesigner.modeler, r = m.get('elementRegistry');
             m.get('modeling').connect(r.get(source), r.get(target)); }""",
        [small, end],
    )
    flows = await page.evaluate(
        """(gw) => window.JWDesigner.modeler.get('elementRegistry').get(gw).businessObject.outgoing
                 .map((f) => [f.id, f.targetRef.id])""",
        gateway,
    )
    to_big = next(f for f, target in flows if target == big)
    to_small = next(f for f, target in flows if target == small)

    # approvers in the properties panel
    await page.click(f'.djs-element[data-element-id="{first}"]')
    await page.fill("#prop-name", "主管审批")
    await page.press("#prop-name", "Tab")
    await page.select_option("#prop-strategy", "manager")
    await page.fill("#prop-levels", "1")
    await page.press("#prop-levels", "Tab")
    await select(page, big)
    await page.fill("#prop-name", "财务总监审批")
    await page.press("#prop-name", "Tab")
    await page.select_option("#prop-strategy", "user")
    await page.fill('.picker[data-picker="approver-users"] input[type=search]', "zhouli")
    await page.check('.picker[data-picker="approver-users"] input[value="zhouli"]')
    await page.select_option("#prop-mode", "or")
    await select(page, small)
    await page.fill("#prop-name", "人事备案")
    await page.press("#prop-name", "Tab")
    await page.select_option("#prop-strategy", "role")
    await page.check('.picker[data-picker="approver-roles"] input[value="hr"]')
    # a condition, checked by the server, and the default flow
    await select(page, to_big)
    await page.fill("#prop-condition", "${amount > }")
    await page.press("#prop-condition", "Tab")
    await page.wait_for_selector("#prop-condition-result.bad")
    await page.fill("#prop-condition", "${amount > 10000}")
    await page.press("#prop-condition", "Tab")
    await page.wait_for_selector("#prop-condition-result.ok")
    await page.fill("#prop-name", "> 10000")
    await page.press("#prop-name", "Tab")
    await select(page, to_small)
    await page.check("#prop-default")
    await page.fill("#prop-name", "其他")
    await page.press("#prop-name", "Tab")
    approvers = await page.evaluate(
        """(ids) => ids.map((id) => window.JWDesigner.modeler.get('elementRegistry').get(id)
                 .businessObject.get('jw:approver'))""",
        [first, big, small],
    )
    assert approvers == ["manager:1", "user:zhouli", "role:hr"]
    await select(page, to_big)
    await page.click("#fit")
    await shots.take(page, "designer-condition", docs="designer")
    await page.click("#save")
    await _toast(page, "草稿已保存")

    # the form: a number field "amount", dragged from form-js' palette
    await page.click("#form-link")
    await page.wait_for_function("window.JWForm && window.JWForm.ready")
    target = await page.locator(".fjs-drop-container-vertical").first.bounding_box()
    assert target
    await drag(
        page,
        page.locator('.fjs-palette-field[data-field-type="number"]'),
        target["x"] + 200,
        target["y"] + 40,
    )
    await page.click('.bio-properties-panel-group-header:has-text("General")')
    await page.fill("#bio-properties-panel-key", "amount")
    await page.press("#bio-properties-panel-key", "Tab")
    await page.click(".bio-properties-panel-feelers-editor .cm-content")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("金额 (元)")
    await page.wait_for_function("window.JWForm.editor.saveSchema().components[0].label === '金额 (元)'")
    await page.click('.bio-properties-panel-group-header:has-text("Validation")')
    await page.check("#bio-properties-panel-required")
    schema = await page.evaluate("window.JWForm.editor.saveSchema().components")
    assert [(c["key"], c["label"], c["validate"]["required"]) for c in schema] == [
        ("amount", "金额 (元)", True)
    ]
    await page.click("#save-form")
    await _toast(page, "表单已保存")
    # the preview is checked by the server: its own message for a missing amount
    await page.click("#preview")
    await page.wait_for_selector("#form-preview input")
    await page.click("#check-form")
    await page.wait_for_selector("#check-result.bad")
    assert "amount: is required" in await page.inner_text("#check-problems")
    await page.fill("#form-preview input", "15000")
    await page.click("#check-form")
    await page.wait_for_selector("#check-result.ok")
    await page.set_viewport_size({"width": 1280, "height": 1180})
    await page.evaluate("window.scrollTo(0, 0)")
    await shots.take(page, "form-designer", docs="form-designer")
    await page.set_viewport_size({"width": 1280, "height": 860})

    # deploy
    await page.goto(f"{base}/admin/processes/{KEY}/design")
    await page.wait_for_function("window.JWDesigner && window.JWDesigner.ready")
    await page.click("#deploy")
    await _toast(page, "已发布")

    # start an instance with the form, from the processes page
    await page.goto(base + "/admin/processes")
    await page.click(f'button[data-start="{KEY}"]')
    await page.wait_for_selector("#start-form input")
    await page.fill("#start-form input", "20000")
    await page.click("#start-submit")
    await page.wait_for_url(f"{base}/admin/instances/*")
    await page.wait_for_function("window.JWInstance && window.JWInstance.ready")
    active = page.locator(f'.djs-element.jw-active[data-element-id="{first}"]')
    assert await active.count() == 1
    assert await page.locator(f'.djs-element.jw-done[data-element-id="{start}"]').count() == 1
    assert "chenjie" in await page.inner_text("#open-tasks")  # lilei's manager
    await shots.take(page, "instance-highlighted", docs="instance", full_page=True)

    # a deploy with an error: the third approval loses its approver
    await page.goto(f"{base}/admin/processes/{KEY}/design")
    await page.wait_for_function("window.JWDesigner && window.JWDesigner.ready")
    await select(page, small)
    await page.select_option("#prop-strategy", "")
    await page.click("#deploy")
    await page.wait_for_selector(f'.djs-element.jw-error[data-element-id="{small}"]')
    badge = page.locator(".djs-overlay-jw-problem .jw-error-badge")
    assert await badge.count() == 1
    assert "approver" in (await badge.inner_text())
    assert small in await page.inner_text("#problem-list") or "人事备案" in await page.inner_text(
        "#problem-list"
    )
    await shots.take(page, "deploy-error", docs="deploy-error")
    assert errors == []


async def test_every_page_renders_for_an_admin_at_desktop_and_tablet_width(
    chromium: Any, base: str, shots: Shots, sqlite_db: Database
) -> None:
    from engine import ApiTokens, ProcessEngine, utcnow

    moment = [utcnow() - timedelta(days=6)]  # a week of history, so the dashboard has something to say
    engine = ProcessEngine(sqlite_db, clock=lambda: moment[0])
    outcomes = ["approve", "approve", "reject", None, None, "approve"]
    for n, outcome in enumerate(outcomes):
        moment[0] += timedelta(days=1)
        data = {"amount": 5000 + n * 9000, "category": "差旅", "reason": "拜访客户"}
        inst = engine.start("expense", starter=("lilei", "lina", "lihao")[n % 3], data=data)
        while outcome and inst.status == "running":
            moment[0] += timedelta(hours=3 + 4 * n)
            task = inst.tasks[0]
            comment = "同意" if outcome == "approve" else "预算不足"
            inst = engine.act(task.id, outcome, actor=task.assignee or "", comment=comment)
    versions = (Path(__file__).resolve().parents[2] / "examples" / "expense.bpmn").read_text(encoding="utf-8")
    engine.deploy(versions.replace('name="结束"', 'name="完成"').replace("10000}", "20000}"))
    ApiTokens(sqlite_db).create("wangjianguo", name="erp-sync")

    page = await chromium.new_page(viewport={"width": 1280, "height": 860})
    errors = watch_errors(page)
    await login(page, base, "zhangwei", PASSWORD)
    await page.wait_for_function("window.JWDashboard && window.JWDashboard.ready")
    await page.wait_for_timeout(600)  # ECharts animates in
    await shots.take(page, "dashboard", docs="dashboard")
    pages = [
        ("/admin/processes", "#processes tbody tr[data-key]", "processes"),
        ("/admin/instances", "#instances tbody tr[data-id]", "instances"),
        ("/admin/tasks", "#tasks tbody tr", "tasks"),
        ("/admin/org", "#people-table tbody tr", "org"),
        ("/admin/automation", "#jobs tbody tr", "automation"),
        ("/admin/accounts", "#accounts tbody tr[data-account]", "accounts"),
        ("/admin/tokens", "#tokens tbody tr[data-token]", "tokens"),
        ("/admin/processes/expense/diff?a=1&b=2", "#diff-summary li", "diff"),
        ("/admin/processes/expense/design?version=1", ".djs-element", "version-readonly"),
        ("/admin/account", "#password-form", "account"),
    ]
    for path, ready, name in pages:
        await page.goto(base + path)
        await page.wait_for_selector(ready)
        await page.wait_for_load_state("networkidle")
        await shots.take(page, name, docs=name)
    changed = await page.evaluate("1")  # the diff marks what changed between the versions
    assert changed == 1
    await page.goto(base + "/admin/processes/expense/diff?a=1&b=2")
    await page.wait_for_function("window.JWDiff && window.JWDiff.ready")
    assert await page.locator("#viewer-b .djs-element.jw-changed").count() >= 2

    # an admin terminates a running instance, with a reason
    running = engine.instances(status="running")[0]
    await page.goto(f"{base}/admin/instances/{running.id}")
    await page.wait_for_function("window.JWInstance && window.JWInstance.ready")
    await page.fill("#op-reason", "重复提交")
    await shots.take(page, "instance-admin", docs="instance-admin", full_page=True)
    await page.click("#op-terminate")
    await page.wait_for_selector("#inst-status .pill.terminated")
    assert "重复提交" in await page.inner_text("#history")

    # an API token, shown once
    await page.goto(base + "/admin/tokens")
    await page.fill("#tok-user", "zhangwei")
    await page.fill("#tok-name", "erp")
    await page.click("#tok-create")
    await page.wait_for_selector("#tok-value")
    assert (await page.inner_text("#tok-value")).startswith("jw_")

    # English, and a tablet in portrait
    await page.select_option("#locale-switch", "en")
    await page.wait_for_selector('.sidenav a:has-text("Instances")')
    await page.set_viewport_size({"width": 820, "height": 1100})
    await page.goto(base + "/admin/instances")
    await page.wait_for_selector("#instances tbody tr[data-id]")
    await shots.take(page, "tablet-instances-en", docs="tablet")
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert errors == []


async def test_an_auditor_sees_no_write_controls_in_the_designer(
    chromium: Any, base: str, shots: Shots
) -> None:
    page = await chromium.new_page(viewport={"width": 1280, "height": 860})
    errors = watch_errors(page)
    await login(page, base, "zhouli", PASSWORD)
    await page.goto(base + "/admin/processes/expense/design")
    await page.wait_for_function("window.JWDesigner && window.JWDesigner.ready")
    assert await page.locator("#deploy, #save, .djs-palette").count() == 0
    await page.click('.djs-element[data-element-id="director_approval"]')
    await page.wait_for_selector("#prop-strategy")
    assert await page.locator("#prop-strategy").is_disabled()
    await shots.take(page, "auditor-designer", docs="auditor")
    assert errors == []
