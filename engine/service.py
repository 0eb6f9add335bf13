"""The engine's public face: deploy, start, act, withdraw, urge, and the read side.

Every command is one transaction (``Database.write``): load, run the tokens in
memory, write instance + tasks + history + outbox, commit. Nothing is written when
a command fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection

from engine import actions, administration, readers
from engine import definitions as defs
from engine.admins import admins as admins_of
from engine.admins import is_admin
from engine.attachments import (
    AttachmentStore,
    AttachmentView,
    list_attachments,
    load_attachment,
    record_attachment,
)
from engine.cc_inbox import copied_to
from engine.clock import Clock, IdFactory, new_id, utcnow
from engine.comments import add_comment, check_participant
from engine.errors import Conflict, InvalidInput, NotAllowed, RateLimited
from engine.forms import FormCache, compile_form, save_form
from engine.gauges import Gauges, read_gauges
from engine.lookups import CommandLookups
from engine.model import ApproverSpec, Node, ProcessDefinition
from engine.org import Directory, resolve_approvers
from engine.queries import (
    count_instances,
    count_outbox,
    count_tasks,
    instance_view,
    is_participant,
    list_instances,
    list_tasks,
    task_view,
)
from engine.rules.lookups import prefetch as prefetch_lookups
from engine.runtime import BEHAVIOURS, RUNNING, WITHDRAWN, Execution, InstanceState
from engine.runtime.effects import NewTask
from engine.store import Database
from engine.store.history import HistoryCheck, verify_history
from engine.store.instances import (
    InstanceRecord,
    TaskRecord,
    insert_instance,
    load_instance,
    load_task,
    open_tasks,
    save_instance,
)
from engine.versions import DataVersion, data_versions
from engine.views import DefinitionView, HistoryView, InstanceView, TaskView

ACTIONS = actions.ACTIONS
MAX_DATA_BYTES = 256 * 1024


def check_data(data: Any, what: str = "data") -> dict[str, Any]:
    """Form data must be a JSON object of bounded size."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{what} must be a JSON object, not {type(data).__name__}")
    try:
        size = len(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{what} is not JSON: {exc}") from exc
    if size > MAX_DATA_BYTES:
        raise InvalidInput(f"{what} is {size} bytes; at most {MAX_DATA_BYTES} are accepted")
    return dict(data)


class ProcessEngine:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = utcnow,
        ids: IdFactory = new_id,
        urge_interval: timedelta = timedelta(minutes=30),
        files: AttachmentStore | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.urge_interval = urge_interval
        self.files = files or AttachmentStore(Path("var/attachments"))
        self.cache = defs.DefinitionCache()
        self.forms = FormCache()

    # --- definitions --------------------------------------------------------

    def deploy(self, source: bytes | str, *, by: str | None = None, form: Any = None) -> DefinitionView:
        """Deploy a new version; ``form`` (form-js JSON, a dict or its text) is attached to that version."""
        compiled = None
        if form is not None:
            compiled = compile_form(json.loads(form) if isinstance(form, str | bytes) else form)
        with self.db.write() as conn:
            view = defs.deploy(conn, source, now=self.clock(), ids=self.ids, cache=self.cache, by=by)
            if compiled is not None:
                save_form(conn, view.id, compiled, self.clock())
        self.forms.put(view.id, compiled)
        return view

    def form(self, definition_id: str) -> dict[str, Any] | None:
        """The form-js schema attached to a definition version, or None."""
        with self.db.read() as conn:
            found = self.forms.get(conn, definition_id)
        return None if found is None else found.schema.raw

    def deploy_if_changed(self, source: bytes | str, *, by: str | None = None) -> tuple[DefinitionView, bool]:
        """Deploy unless the latest version already has this exact XML (idempotent start-up loads)."""
        with self.db.write() as conn:
            now = self.clock()
            return defs.deploy_if_changed(conn, source, now=now, ids=self.ids, cache=self.cache, by=by)

    def definitions(self, *, latest_only: bool = False) -> list[DefinitionView]:
        with self.db.read() as conn:
            return defs.list_definitions(conn, latest_only=latest_only)

    def definition_xml(self, key: str, version: int | None = None) -> str:
        with self.db.read() as conn:
            return defs.definition_xml(conn, key, version)

    # --- commands -----------------------------------------------------------------

    def start(
        self,
        key: str,
        *,
        starter: str,
        data: Mapping[str, Any] | None = None,
        version: int | None = None,
        channel: str | None = None,
    ) -> InstanceView:
        values = prefetch_lookups(self, key, version, starter, check_data(data))  # rules' lookups, no txn
        now = self.clock()
        with self.db.write() as conn:
            directory = Directory(conn)
            directory.require_user(starter)
            definition_id, pinned = defs.resolve(conn, key, version)
            definition = self.cache.get(conn, definition_id)
            form = self.forms.get(conn, definition_id)
            if form is not None:
                form.validate(values, merged=values, partial=False, directory=directory)
            instance_id = self.ids()
            state = InstanceState()
            ex = self._execution(definition, state, values, instance_id, starter, starter, now, directory)
            ex.starting = True
            started: dict[str, Any] = {"process_key": key, "version": pinned}
            if values:
                started["data"] = dict(values)  # version 1 of the form data (engine/versions.py)
            ex.record("started", starter, details=started)
            ex.emit("instance.started", {"process_key": key, "version": pinned, "starter": starter})
            ex.schedule(state.new_token(definition.start_node, None))
            ex.run()
            rec = InstanceRecord(
                id=instance_id,
                definition_id=definition_id,
                process_key=key,
                version=pinned,
                status=ex.status,
                starter=starter,
                data=values,
                state=state.to_json(),
                rev=1,
                history_seq=0,
                history_hash="",
                started_at=now,
                ended_at=None if ex.status == RUNNING else now,
            )
            insert_instance(conn, rec, ex.effects, now, channel)
        return self._view(rec, [self._new_task_view(t, key) for t in ex.effects.new_tasks])

    def act(
        self,
        task_id: str,
        action: str,
        *,
        actor: str,
        comment: str | None = None,
        data: Mapping[str, Any] | None = None,
        to: Sequence[str] | None = None,
        node: str | None = None,
        position: str | None = None,
        channel: str | None = None,
    ) -> InstanceView:
        """Act on a task: one of ``engine.actions.ACTIONS`` (approve, reject, return, transfer, ...)."""
        spec = actions.lookup(action)
        values = check_data(data)
        request = actions.ActionRequest(action, actor, comment, values, list(to or ()), node, position)
        now = self.clock()
        try:
            with self.db.write() as conn:
                task, rec = load_task(conn, task_id)
                directory = Directory(conn)
                definition = self.cache.get(conn, rec.definition_id)
                state = InstanceState.from_json(rec.state)
                ex = self._execution(definition, state, rec.data, rec.id, rec.starter, actor, now, directory)
                ex.saved_state = rec.state
                form = self.forms.get(conn, rec.definition_id) if request.data else None
                ctx = actions.ActionContext(conn, directory, definition, rec, task, state, ex, request, form)

                def readers() -> bool:
                    return is_participant(conn, rec.id, actor) or is_admin(directory, definition, actor)

                actions.perform(ctx, spec, readers)
                ex.run()
                self._finish(rec, ex, state, now)
                save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'task "{task.id}"')
                answer = self._answer(conn, rec, ex)
        except Conflict as exc:
            raise self._explain_conflict(task_id, exc) from exc
        return answer

    def _explain_conflict(self, task_id: str, exc: Conflict) -> Conflict:
        """A lost race reads better as what won it: "task … was already decided by bob"."""
        if "at the same time" not in exc.message:
            return exc
        with self.db.read() as conn:
            task, _ = load_task(conn, task_id)
        if task.status == "open":
            return exc
        word = "decided" if task.completed_by else task.status
        by = f" by {task.completed_by}" if task.completed_by else ""
        return Conflict(f'task "{task_id}" was already {word}{by}', details={"task_id": task_id})

    def withdraw(
        self, instance_id: str, *, actor: str, reason: str | None = None, channel: str | None = None
    ) -> InstanceView:
        now = self.clock()
        with self.db.write() as conn:
            rec = load_instance(conn, instance_id)
            if rec.starter != actor:
                raise NotAllowed(f'only the starter ({rec.starter}) can withdraw instance "{instance_id}"')
            self._require_running(rec)
            state = InstanceState.from_json(rec.state)
            if state.decided:
                raise NotAllowed(
                    f'instance "{instance_id}" cannot be withdrawn: an approver has already decided'
                )
            directory = Directory(conn)
            definition = self.cache.get(conn, rec.definition_id)
            ex = self._execution(definition, state, rec.data, rec.id, rec.starter, actor, now, directory)
            ex.end(WITHDRAWN, reason=reason or "withdrawn by the starter", actor=actor)
            self._finish(rec, ex, state, now)
            save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'instance "{instance_id}"')
            answer = self._answer(conn, rec, ex)
        return answer

    def urge(self, instance_id: str, *, actor: str, channel: str | None = None) -> InstanceView:
        """Remind the current approvers; at most once per ``urge_interval`` per instance."""
        now = self.clock()
        with self.db.write() as conn:
            rec = load_instance(conn, instance_id)
            if rec.starter != actor:
                raise NotAllowed(f'only the starter ({rec.starter}) can urge instance "{instance_id}"')
            self._require_running(rec)
            state = InstanceState.from_json(rec.state)
            if state.last_urged_at is not None:
                wait = datetime.fromisoformat(state.last_urged_at) + self.urge_interval - now
                if wait > timedelta(0):
                    minutes = max(1, int(wait.total_seconds() // 60))
                    raise RateLimited(
                        f'instance "{instance_id}" was urged recently; try again in {minutes} min',
                        details={"retry_after_seconds": max(1, int(wait.total_seconds()))},
                    )
            open_tasks = list_tasks(conn, instance_id=instance_id)
            people = sorted({p for t in open_tasks for p in ([t.assignee] if t.assignee else t.candidates)})
            state.last_urged_at = now.isoformat()
            definition = self.cache.get(conn, rec.definition_id)
            ex = self._execution(
                definition, state, rec.data, rec.id, rec.starter, actor, now, Directory(conn)
            )
            ex.record("urged", actor, details={"recipients": people})
            ex.emit(
                "instance.urged", {"by": actor, "recipients": people, "task_ids": [t.id for t in open_tasks]}
            )
            self._finish(rec, ex, state, now)
            save_instance(conn, rec, ex.effects, now, channel, conflict_subject=f'instance "{instance_id}"')
            answer = self._answer(conn, rec, ex)
        return answer

    def comment(
        self,
        instance_id: str,
        *,
        actor: str,
        text: str,
        mentions: Iterable[str] = (),
        task_id: str | None = None,
        channel: str | None = None,
    ) -> HistoryView:
        """Comment on an instance (starter and task assignees/candidates); mentions are notified."""
        for attempt in range(3):
            try:
                with self.db.write() as conn:
                    return add_comment(
                        conn,
                        instance_id,
                        actor=actor,
                        text=text,
                        mentions=mentions,
                        task_id=task_id,
                        now=self.clock(),
                        channel=channel,
                    )
            except Conflict:
                # A comment depends on no state, so a concurrent command is no reason to refuse it.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def attach(
        self,
        instance_id: str,
        content: BinaryIO,
        *,
        actor: str,
        filename: str,
        content_type: str | None = None,
        comment_seq: int | None = None,
        channel: str | None = None,
    ) -> AttachmentView:
        """Store a file on the instance (optionally on one of its comments): file first, then rows."""
        name, ctype = self.files.policy.check(filename, content_type)
        with self.db.read() as conn:  # refuse outsiders before writing anything to disk
            check_participant(conn, load_instance(conn, instance_id), actor, "attach files to")
        blob = self.files.put(content)
        try:
            with self.db.write() as conn:
                return record_attachment(
                    conn,
                    instance_id,
                    blob,
                    attachment_id=self.ids(),
                    actor=actor,
                    filename=name,
                    content_type=ctype,
                    comment_seq=comment_seq,
                    now=self.clock(),
                    channel=channel,
                )
        except BaseException:
            with self.db.read() as conn:
                self.files.discard(conn, blob)
            raise

    # --- queries ------------------------------------------------------------------

    def tasks(
        self,
        *,
        assignee: str | None = None,
        instance_id: str | None = None,
        status: str | None = "open",
        limit: int = 200,
        offset: int = 0,
    ) -> list[TaskView]:
        with self.db.read() as conn:
            return list_tasks(
                conn, assignee=assignee, instance_id=instance_id, status=status, limit=limit, offset=offset
            )

    def instance(self, instance_id: str, *, with_history: bool = True) -> InstanceView:
        with self.db.read() as conn:
            return instance_view(conn, instance_id, with_history=with_history)

    def check_reader(self, instance_id: str, user: str) -> None:
        """NotFound / NotAllowed unless ``user`` may read the instance (engine/readers.py says who)."""
        with self.db.read() as conn:
            rec = load_instance(conn, instance_id)
            readers.check_reader(conn, rec, self.cache.get(conn, rec.definition_id), user)

    def is_org_admin(self, user: str) -> bool:
        """Whether ``user`` is in the org role ``admin`` (sees and may act on every process)."""
        with self.db.read() as conn:
            return readers.is_org_admin(conn, user)

    def instances(self, **filters: Any) -> list[InstanceView]:
        with self.db.read() as conn:
            return list_instances(conn, **filters)

    def verify_history(self, instance_id: str) -> HistoryCheck:
        with self.db.read() as conn:
            return verify_history(conn, instance_id)

    def data_versions(self, instance_id: str) -> list[DataVersion]:
        """Every version of the form data with who and when, each with its diff from the one before."""
        with self.db.read() as conn:
            return data_versions(conn, instance_id)

    def instances_cc_to(self, user: str, *, limit: int = 100) -> list[InstanceView]:
        """Instances ``user`` was copied on (抄送我的), newest first."""
        with self.db.read() as conn:
            return copied_to(conn, user, limit=limit)

    # --- admin operations (engine/administration.py): a reason is required, all audited ---

    def terminate(
        self, instance_id: str, *, actor: str, reason: str | None, channel: str | None = None
    ) -> InstanceView:
        return administration.terminate_instance(
            self, instance_id, actor=actor, reason=reason, channel=channel
        )

    def reassign(
        self, task_id: str, *, actor: str, to: str | None, reason: str | None, channel: str | None = None
    ) -> InstanceView:
        return administration.reassign_task(self, task_id, actor=actor, to=to, reason=reason, channel=channel)

    def jump(
        self,
        instance_id: str,
        *,
        actor: str,
        node: str | None,
        reason: str | None,
        channel: str | None = None,
    ) -> InstanceView:
        return administration.jump_instance(
            self, instance_id, actor=actor, node=node, reason=reason, channel=channel
        )

    def task(self, task_id: str) -> TaskView:
        with self.db.read() as conn:
            return task_view(conn, task_id)

    def count_tasks(self, **filters: Any) -> int:
        with self.db.read() as conn:
            return count_tasks(conn, **filters)

    def count_instances(self, **filters: Any) -> int:
        with self.db.read() as conn:
            return count_instances(conn, **filters)

    def outbox_backlog(self) -> int:
        with self.db.read() as conn:
            return count_outbox(conn)

    def gauges(self) -> Gauges:
        """Open tasks, backlogs and job lag for /metrics (engine/gauges.py)."""
        with self.db.read() as conn:
            return read_gauges(conn, self.clock())

    def attachments(self, instance_id: str) -> list[AttachmentView]:
        with self.db.read() as conn:
            load_instance(conn, instance_id)
            return list_attachments(conn, instance_id)

    def attachment_file(self, instance_id: str, attachment_id: str) -> tuple[AttachmentView, Path]:
        """An attachment's metadata and the path of its file."""
        with self.db.read() as conn:
            view, key = load_attachment(conn, instance_id, attachment_id)
        return view, self.files.path(key)

    # --- internals ----------------------------------------------------------------

    def _execution(
        self,
        definition: ProcessDefinition,
        state: InstanceState,
        data: dict[str, Any],
        instance_id: str,
        starter: str,
        actor: str | None,
        now: datetime,
        directory: Directory,
    ) -> Execution:
        def approvers(node: Node, variables: Mapping[str, Any]) -> list[str]:
            return resolve_approvers(
                node.approver, starter=starter, data=data, directory=directory, variables=variables
            )

        def people(spec: ApproverSpec, variables: Mapping[str, Any]) -> list[str]:
            return resolve_approvers(
                spec, starter=starter, data=data, directory=directory, variables=variables
            )

        return Execution(
            definition,
            state,
            data,
            instance_id=instance_id,
            starter=starter,
            actor=actor,
            now=now,
            ids=self.ids,
            approvers=approvers,
            behaviours=BEHAVIOURS,
            people=people,
            admins=lambda: admins_of(directory, definition),
            lookups=CommandLookups(directory.conn, directory),
        )

    @staticmethod
    def _require_running(rec: InstanceRecord) -> None:
        if rec.status != RUNNING:
            raise Conflict(f'instance "{rec.id}" is already {rec.status}')

    @staticmethod
    def _finish(rec: InstanceRecord, ex: Execution, state: InstanceState, now: datetime) -> None:
        rec.status = ex.status
        rec.state = state.to_json()
        if ex.status != RUNNING:
            rec.ended_at = now

    def _answer(self, conn: Connection, rec: InstanceRecord, ex: Execution) -> InstanceView:
        """The command's answer; a read only when tasks opened by earlier commands are still open."""
        new = {t.id: t for t in ex.effects.new_tasks}
        open_ids = [tid for token in ex.state.tokens.values() for tid in token.tasks]
        if all(tid in new for tid in open_ids):
            views = [self._new_task_view(new[tid], rec.process_key) for tid in open_ids]
        else:
            views = [self._task_view(t, rec.process_key) for t in open_tasks(conn, rec.id)]
        return self._view(rec, views)

    @staticmethod
    def _task_view(task: TaskRecord, process_key: str) -> TaskView:
        return TaskView(
            id=task.id,
            instance_id=task.instance_id,
            node_id=task.node_id,
            name=task.name,
            assignee=task.assignee,
            candidates=task.candidates,
            status=task.status,
            created_at=task.created_at,
            process_key=process_key,
        )

    @staticmethod
    def _new_task_view(task: NewTask, process_key: str) -> TaskView:
        return TaskView(
            id=task.id,
            instance_id="",
            node_id=task.node_id,
            name=task.name,
            assignee=task.assignee,
            candidates=task.candidates,
            status="open",
            created_at=task.created_at,
            process_key=process_key,
        )

    @staticmethod
    def _view(rec: InstanceRecord, open_tasks: list[TaskView]) -> InstanceView:
        """The answer to a command: the instance as committed, with its open tasks."""
        for task in open_tasks:
            task.instance_id = rec.id
        return InstanceView(
            id=rec.id,
            process_key=rec.process_key,
            version=rec.version,
            definition_id=rec.definition_id,
            status=rec.status,
            starter=rec.starter,
            data=rec.data,
            started_at=rec.started_at,
            ended_at=rec.ended_at,
            tasks=open_tasks,
        )


__all__ = ["ACTIONS", "ProcessEngine", "check_data"]
