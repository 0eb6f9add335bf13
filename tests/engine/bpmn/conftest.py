"""Shared helpers for the BPMN parser tests: small documents built around a process body."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from engine.bpmn import parse_bpmn
from engine.errors import BpmnError

FILES = Path(__file__).parent / "files"

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:flowable="http://flowable.org/bpmn" '
    'xmlns:activiti="http://activiti.org/bpmn" '
    'xmlns:jw="https://jingwei.dev/schema/bpmn/1.0"'
)

# start → task → end: the smallest deployable body, for tests that vary one element.
CHAIN = """
<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
<bpmn:userTask id="task" jw:approver="starter" />
<bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
<bpmn:endEvent id="end" />
"""


def wrap(body: str, *, process_attrs: str = "", definitions_attrs: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NAMESPACES} id="defs" '
        f'targetNamespace="https://jingwei.dev/tests" {definitions_attrs}>\n'
        f'<bpmn:process id="p" isExecutable="true" {process_attrs}>{body}</bpmn:process>\n'
        "</bpmn:definitions>\n"
    )


def task_doc(task_attrs: str = "", task_body: str = "") -> str:
    """CHAIN with the user task's attributes and content replaced."""
    task = f'<bpmn:userTask id="task" {task_attrs}>{task_body}</bpmn:userTask>'
    return wrap(CHAIN.replace('<bpmn:userTask id="task" jw:approver="starter" />', task))


# Fixtures rather than imports: test directories have no __init__.py, so a helper module
# imported by name could collide with another directory's.
@pytest.fixture
def bpmn_file() -> Callable[[str], bytes]:
    return lambda name: (FILES / name).read_bytes()


@pytest.fixture
def process_doc() -> Callable[..., str]:
    return wrap


@pytest.fixture
def user_task_doc() -> Callable[..., str]:
    return task_doc


@pytest.fixture
def chain() -> str:
    return CHAIN


def refusal(source: bytes | str) -> BpmnError:
    """The BpmnError ``parse_bpmn`` raises, after checking the error contract."""
    with pytest.raises(BpmnError) as caught:
        parse_bpmn(source)
    error = caught.value
    assert error.message.startswith("BPMN refused: ")
    assert "\n" not in error.message
    assert isinstance(error.details, list) and error.details
    for detail in error.details:
        assert set(detail) == {"element_id", "element_type", "message"}
    return error


@pytest.fixture
def refused() -> Callable[[bytes | str], BpmnError]:
    return refusal
