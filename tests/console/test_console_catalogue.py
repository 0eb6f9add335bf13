"""Both languages complete; every word the pages use exists; the jw moddle descriptor matches the engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

from admin_web.console.assets import STATIC
from admin_web.console.messages import EN, ZH, pick_locale, translator
from engine.bpmn.approval_settings import DEDUPE, PERMISSIONS
from engine.bpmn.automation import EVENT_ATTRIBUTES, RULE_ATTRIBUTES, SEND_ATTRIBUTES, SERVICE_ATTRIBUTES
from engine.bpmn.extensions import EMPTY_APPROVER, ON_REJECT, PROCESS_RESERVED, TASK_EXECUTED, TASK_RESERVED

TEMPLATES = Path(__file__).resolve().parents[2] / "admin_web" / "templates" / "console"
_TEMPLATE_KEY = re.compile(r"""\bt\('([a-z_]+\.[a-z_.:-]+)'""")
_SCRIPT_KEY = re.compile(r"""\bt\("([a-z_]+\.[a-z_.:-]+)"[,)]""")
# keys built at run time from a prefix and a value
DYNAMIC = {
    "status.": ["running", "completed", "rejected", "withdrawn", "terminated", "open", "cancelled"],
    "role.": ["admin", "designer", "auditor"],
    "props.strategy.": ["user", "role", "dept-head", "manager", "starter", "field", "expr", "none"],
    "props.mode.": ["single", "countersign", "countersign:wait", "or", "sequential", "vote"],
    "props.empty.": list(EMPTY_APPROVER),
    "props.dedupe.": [d for d in DEDUPE if d != "off"],
    "props.reject.": list(ON_REJECT),
    "props.timeout.": ["remind", "escalate", "approve", "reject"],
    "props.perm.": ["default", *PERMISSIONS],
    "props.timer.": ["timeDuration", "timeDate", "timeCycle"],
    "diff.": ["added", "removed", "changed"],
    "action.": ["started", "task_created", "approved", "rejected", "commented", "ended", "terminated"],
}


def test_both_languages_have_the_same_words() -> None:
    assert set(EN) == set(ZH)
    for key, text in EN.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", ZH[key])), key


def test_every_word_a_page_uses_is_in_the_catalogue() -> None:
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(_TEMPLATE_KEY.findall(template.read_text(encoding="utf-8")))
    for script in STATIC.glob("*.js"):
        used |= set(_SCRIPT_KEY.findall(script.read_text(encoding="utf-8")))
    for prefix, values in DYNAMIC.items():
        used |= {prefix + v for v in values}
    assert len(used) > 150
    assert sorted(used - set(EN)) == []


def test_the_language_comes_from_the_account_or_the_browser() -> None:
    assert pick_locale(None, "en-GB,en;q=0.8") == "en"
    assert pick_locale("zh", "en") == "zh"
    assert pick_locale(None, "fr-FR") == "zh"
    assert translator("en")("dash.window", days=7) == "Last 7 days"
    assert translator("zh")("no.such.key") == "no.such.key"


def test_the_moddle_descriptor_declares_exactly_the_attributes_the_engine_reads() -> None:
    descriptor = json.loads((STATIC / "jw-moddle.json").read_text(encoding="utf-8"))
    assert descriptor["uri"] == "https://jingwei.dev/schema/bpmn/1.0" and descriptor["prefix"] == "jw"
    declared = {
        extended: {p["name"] for p in t["properties"]}
        for t in descriptor["types"]
        for extended in t["extends"]
    }
    assert declared["bpmn:UserTask"] == set(TASK_EXECUTED | TASK_RESERVED)
    assert declared["bpmn:Process"] == set(PROCESS_RESERVED)
    assert declared["bpmn:ServiceTask"] == set(SERVICE_ATTRIBUTES)
    assert declared["bpmn:SendTask"] == set(SEND_ATTRIBUTES)
    assert declared["bpmn:BusinessRuleTask"] == set(RULE_ATTRIBUTES)
    assert declared["bpmn:BoundaryEvent"] == declared["bpmn:IntermediateCatchEvent"] == set(EVENT_ATTRIBUTES)
    assert all(p.get("isAttr") for t in descriptor["types"] for p in t["properties"])
