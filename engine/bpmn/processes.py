"""Which ``process`` of a file to deploy."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from engine.bpmn.namespaces import BPMN, bpmn_children, local_name, split
from engine.bpmn.problems import refuse

_SHOWN = 5  # processes named in the refusal before "…"


def check_root(root: Element) -> None:
    uri, local = split(root.tag) if isinstance(root.tag, str) else ("", "")
    if uri == BPMN and local == "definitions":
        return
    if local == "definitions":
        refuse(f'the root element is definitions in namespace "{uri or "none"}"; BPMN 2.0 files use "{BPMN}"')
    refuse(f"the root element <{local}> is not a BPMN 2.0 <definitions> element")


def select_process(root: Element) -> Element:
    """The single process, or the single ``isExecutable="true"`` one among several."""
    processes = [child for child in bpmn_children(root) if local_name(child) == "process"]
    if not processes:
        refuse("the file holds no process to deploy", element_type="definitions", element_id=root.get("id"))
    if len(processes) == 1:
        return processes[0]
    executable = [p for p in processes if (p.get("isExecutable") or "").strip().lower() == "true"]
    if len(executable) == 1:
        return executable[0]
    names = _names(processes)
    if executable:
        marked = f'{len(executable)} are marked isExecutable="true" ({_names(executable)})'
        message = f"the file holds {len(processes)} processes ({names}) and {marked}; mark exactly one"
    else:
        message = f'the file holds {len(processes)} processes ({names}); mark exactly one isExecutable="true"'
    refuse(message, element_type="definitions", element_id=root.get("id"))


def process_name(root: Element, process: Element, process_id: str) -> str:
    """The process name, else the name of the pool (participant) showing it, else its id."""
    name = (process.get("name") or "").strip()
    if name:
        return name
    for collaboration in bpmn_children(root):
        for participant in bpmn_children(collaboration):
            if local_name(participant) == "participant" and participant.get("processRef") == process_id:
                pool = (participant.get("name") or "").strip()
                if pool:
                    return pool
    return process_id


def _names(processes: list[Element]) -> str:
    ids = [p.get("id") or "(no id)" for p in processes]
    shown = ", ".join(ids[:_SHOWN])
    return shown + (", …" if len(ids) > _SHOWN else "")


__all__ = ["check_root", "process_name", "select_process"]
