"""Attachments: policy, content-addressed storage, one transaction for row and history."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine import (
    AttachmentStore,
    Database,
    InvalidInput,
    NotAllowed,
    NotFound,
    ProcessEngine,
    TooLarge,
    UploadPolicy,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.db


@pytest.fixture
def files(engine: ProcessEngine, tmp_path: Path) -> AttachmentStore:
    engine.files = AttachmentStore(tmp_path / "files", UploadPolicy(max_bytes=1000))
    return engine.files


@pytest.fixture
def inst_id(engine: ProcessEngine) -> str:
    engine.deploy((EXAMPLES / "expense.bpmn").read_bytes())
    return engine.start("expense", starter="zhangwei", data={"amount": 12800}).id


def _on_disk(files: AttachmentStore) -> list[str]:
    return sorted(p.name for p in files.root.rglob("*") if p.is_file())


def test_policy_cleans_names_and_checks_types() -> None:
    policy = UploadPolicy()
    assert policy.check("../../etc/发票.PDF", None) == ("发票.PDF", "application/pdf")
    assert policy.check("C:\\scan\\a.jpg", "image/jpeg; charset=x") == ("a.jpg", "image/jpeg")
    for name, ctype in (("a.exe", None), ("noext", None), ("a.pdf", "text/html"), ("", None), ("...", None)):
        with pytest.raises(InvalidInput):
            policy.check(name, ctype)


def test_attach_writes_row_history_and_file(
    engine: ProcessEngine, files: AttachmentStore, inst_id: str, db: Database
) -> None:
    view = engine.attach(inst_id, io.BytesIO(b"%PDF-1"), actor="zhangwei", filename="a.pdf")
    assert (view.size, view.content_type, view.uploaded_by) == (6, "application/pdf", "zhangwei")
    meta, path = engine.attachment_file(inst_id, view.id)
    assert meta == view
    assert path.read_bytes() == b"%PDF-1"
    assert engine.instance(inst_id).history[-1].action == "attached"
    assert engine.verify_history(inst_id).ok
    assert [a.id for a in engine.attachments(inst_id)] == [view.id]
    with pytest.raises(NotFound):
        engine.attachment_file("other", view.id)


def test_too_large_keeps_nothing(engine: ProcessEngine, files: AttachmentStore, inst_id: str) -> None:
    with pytest.raises(TooLarge):
        engine.attach(inst_id, io.BytesIO(b"x" * 1001), actor="zhangwei", filename="a.pdf")
    assert _on_disk(files) == []


def test_a_refused_transaction_removes_the_new_file(
    engine: ProcessEngine, files: AttachmentStore, inst_id: str, db: Database
) -> None:
    with pytest.raises(NotFound):
        engine.attach(inst_id, io.BytesIO(b"new"), actor="zhangwei", filename="a.pdf", comment_seq=99)
    assert _on_disk(files) == []
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM attachments")).scalar_one() == 0


def test_a_refused_duplicate_keeps_the_file_others_use(
    engine: ProcessEngine, files: AttachmentStore, inst_id: str
) -> None:
    engine.attach(inst_id, io.BytesIO(b"same"), actor="zhangwei", filename="a.pdf")
    with pytest.raises(NotFound):
        engine.attach(inst_id, io.BytesIO(b"same"), actor="zhangwei", filename="b.pdf", comment_seq=99)
    assert len(_on_disk(files)) == 1


def test_outsiders_are_refused_before_anything_is_written(
    engine: ProcessEngine, files: AttachmentStore, inst_id: str
) -> None:
    with pytest.raises(NotAllowed):
        engine.attach(inst_id, io.BytesIO(b"x"), actor="lina", filename="a.pdf")
    assert not files.root.exists() or _on_disk(files) == []
