"""File storage: content-sniffed types, size limit, safe names, dedup by sha256, scope."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import replace

import pytest

from engine import files
from engine.config import Settings
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.service import SYSTEM_ACTOR, Actor
from tests.factories import NOW

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
UNIT = Actor("u1", frozenset({"unit:U1"}))
OTHER_UNIT = Actor("u2", frozenset({"unit:U2"}))


def _office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture
def settings(tmp_path):
    return Settings(file_dir=tmp_path / "files", max_file_bytes=1024)


def test_upload_stores_content_once_and_returns_a_reference(uow_factory, settings):
    with uow_factory() as uow:
        first = files.upload_file(uow, settings, "unit:U1", "方案.pdf", PDF, UNIT, NOW)
        again = files.upload_file(uow, settings, "unit:U1", "方案.pdf", PDF, UNIT, NOW)
        other = files.upload_file(uow, settings, "unit:U1", "copy.pdf", PDF, UNIT, NOW)
    digest = hashlib.sha256(PDF).hexdigest()
    assert first == again
    assert other.file_id != first.file_id and other.sha256 == first.sha256 == digest
    assert first.as_dict() == {"file_id": first.file_id, "name": "方案.pdf",
                               "size": len(PDF), "sha256": digest}
    blobs = [p for p in settings.file_dir.rglob("*") if p.is_file()]
    assert blobs == [settings.file_dir / digest[:2] / digest]
    with uow_factory() as uow:
        row = files.get_file(uow, first.file_id, UNIT)
        assert row.mime_type == "application/pdf"
        assert files.read_content(settings, row) == PDF


@pytest.mark.parametrize(("name", "content", "mime"), [
    ("a.png", PNG, "image/png"),
    ("b.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 10, "image/jpeg"),
    ("c.docx", _office("word"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("d.xlsx", _office("xl"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("e.txt", "年度报告".encode(), "text/plain"),
    ("f.csv", b"indicator,value\nx,1\n", "text/csv"),
])
def test_types_are_recognised_from_content(uow_factory, settings, name, content, mime):
    with uow_factory() as uow:
        ref = files.upload_file(uow, settings, "unit:U1", name, content, UNIT, NOW)
        assert files.get_file(uow, ref.file_id, UNIT).mime_type == mime


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("fake.pdf", PNG, "content_mismatch"),
    ("evil.exe", b"MZ\x90\x00", "type_not_allowed"),
    ("noext", PDF, "type_not_allowed"),
    ("bin.txt", b"\x00\x01\x02", "content_mismatch"),
    ("zip.docx", _office("other"), "content_mismatch"),
    ("empty.pdf", b"", "empty"),
    ("big.pdf", PDF + b" " * 2000, "too_large"),
])
def test_bad_uploads_are_refused_with_a_reason(uow_factory, settings, name, content, reason):
    with uow_factory() as uow, pytest.raises(ValidationFailed) as info:
        files.upload_file(uow, settings, "unit:U1", name, content, UNIT, NOW)
    assert info.value.details == {"file": [reason]}
    assert not settings.file_dir.exists() or not any(settings.file_dir.rglob("*.pdf"))


def test_size_limit_comes_from_settings(uow_factory, settings):
    bigger = replace(settings, max_file_bytes=4096)
    with uow_factory() as uow:
        ref = files.upload_file(uow, bigger, "unit:U1", "big.pdf", PDF + b" " * 2000, UNIT, NOW)
    assert ref.size == len(PDF) + 2000


@pytest.mark.parametrize(("raw", "clean"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\win.ini.txt", "win.ini.txt"),
    ("/abs/path/报告.pdf", "报告.pdf"),
    ("..", "file"),
    ("a\x00b\nc.pdf", "a_b_c.pdf"),
    ("x" * 300 + ".pdf", "x" * 251 + ".pdf"),
])
def test_names_cannot_escape_the_storage_folder(raw, clean):
    assert files.sanitize_name(raw) == clean


def test_blob_path_accepts_only_a_digest(settings):
    with pytest.raises(ValidationFailed):
        files.blob_path(settings, "../../etc/passwd")


def test_only_members_of_the_owner_may_upload(uow_factory, settings):
    with uow_factory() as uow, pytest.raises(Forbidden):
        files.upload_file(uow, settings, "unit:U1", "a.pdf", PDF, OTHER_UNIT, NOW)
    reviewer = Actor("p", frozenset({"province:11:reviewer"}))
    with uow_factory() as uow:
        ref = files.upload_file(uow, settings, "province:11", "s.pdf", PDF, reviewer, NOW)
        assert files.file_owner(uow)(ref.file_id) == "province:11"
        assert files.file_owner(uow)("no-such-id") is None


def test_scope_owner_ops_and_referencing_instances(uow_factory, settings):
    with uow_factory() as uow:
        ref = files.upload_file(uow, settings, "unit:U1", "a.pdf", PDF, UNIT, NOW)
    with uow_factory() as uow:
        with pytest.raises(NotFound):
            files.get_file(uow, ref.file_id, OTHER_UNIT)
        with pytest.raises(NotFound):
            files.get_file(uow, ref.file_id, Actor("p", frozenset({"province:11:reviewer"})))
        assert files.get_file(uow, ref.file_id, SYSTEM_ACTOR).id == ref.file_id
        with pytest.raises(NotFound):
            files.get_file(uow, "missing", SYSTEM_ACTOR)
