"""File storage: content kept once per sha256 under settings.file_dir; rows name and scope it.

Task data never holds content, only a reference {file_id, name, size, sha256}.

Who may read a file (get_file):
- members of its owner group (`unit:U1` owns the unit's uploads; `province:11` is owned by
  every `province:11:*` group), ops and admin;
- anyone allowed to see an instance whose recorded task data references the file: the
  instance's unit, its province's reviewers/admins, the Ministry staff of its key task.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine import authz
from engine.config import Settings
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.models import StoredFile
from engine.service.actors import Actor
from engine.uow import UnitOfWork

# Extension -> the mime type its content must sniff as.
ALLOWED_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".csv": "text/csv",
}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class FileRef:
    """What task data stores about a file."""

    file_id: str
    name: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, object]:
        return {"file_id": self.file_id, "name": self.name, "size": self.size,
                "sha256": self.sha256}


def sanitize_name(name: str) -> str:
    """The last path component, without control or path characters; never empty or dotted."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    if not name:
        name = "file"
    stem, ext = os.path.splitext(name)
    return stem[: MAX_NAME_LENGTH - len(ext)] + ext


def _zip_kind(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return ALLOWED_TYPES[".docx"]
    if any(n.startswith("xl/") for n in names):
        return ALLOWED_TYPES[".xlsx"]
    return None


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            content.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def sniff_mime(content: bytes, extension: str) -> str | None:
    """The mime type the content really is (from magic bytes), or None if not allowed."""
    if content.startswith(b"%PDF-"):
        return ALLOWED_TYPES[".pdf"]
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ALLOWED_TYPES[".png"]
    if content.startswith(b"\xff\xd8\xff"):
        return ALLOWED_TYPES[".jpg"]
    if content.startswith(b"PK\x03\x04"):
        return _zip_kind(content)
    if _is_text(content):
        return ALLOWED_TYPES[".csv"] if extension == ".csv" else ALLOWED_TYPES[".txt"]
    return None


def blob_path(settings: Settings, sha256: str) -> Path:
    """Content path: only hex digits reach the file system, so nothing can escape file_dir."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValidationFailed("invalid sha256")
    return Path(settings.file_dir) / sha256[:2] / sha256


def _check(settings: Settings, name: str, content: bytes) -> str:
    if not content:
        raise ValidationFailed("文件为空 / the file is empty", details={"file": ["empty"]})
    if len(content) > settings.max_file_bytes:
        raise ValidationFailed(
            f"文件超过 {settings.max_file_bytes} 字节上限 / file larger than "
            f"{settings.max_file_bytes} bytes", details={"file": ["too_large"]})
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationFailed(
            f"不支持的文件类型 {extension or '(无扩展名)'} / file type not allowed; allowed: "
            + ", ".join(sorted(ALLOWED_TYPES)), details={"file": ["type_not_allowed"]})
    mime = sniff_mime(content, extension)
    if mime != ALLOWED_TYPES[extension]:
        raise ValidationFailed(
            "文件内容与扩展名不符 / the file's content does not match its extension "
            f"{extension}", details={"file": ["content_mismatch"]})
    return mime


def _write_blob(settings: Settings, sha256: str, content: bytes) -> None:
    path = blob_path(settings, sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{sha256}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)


def store_checked_elsewhere(uow: UnitOfWork, settings: Settings, owner: str, name: str,
                            content: bytes, uploaded_by: str, now: datetime) -> StoredFile:
    """Store content whose writer the caller has already authorised (a Camunda File
    variable: who may set the variable may store it). Only the size is checked here; the
    row's mime type is what the content sniffs as, else application/octet-stream, so the
    product's own download never serves it as something a browser would run."""
    if len(content) > settings.max_file_bytes:
        raise ValidationFailed(
            f"file {name!r} has {len(content)} bytes, more than the limit of "
            f"{settings.max_file_bytes} bytes (VOCFLOW_MAX_FILE_BYTES)",
            details={"file": ["too_large"]})
    name = sanitize_name(name)
    sha256 = hashlib.sha256(content).hexdigest()
    _write_blob(settings, sha256, content)
    row = uow.product.same_file(owner, sha256, name)
    if row is None:
        mime = sniff_mime(content, os.path.splitext(name)[1].lower()) or (
            "application/octet-stream")
        row = StoredFile(id=str(uuid.uuid4()), sha256=sha256, name=name, size=len(content),
                         mime_type=mime, owner=owner, uploaded_by=uploaded_by,
                         created_at=now)
        uow.product.add(row)
    return row


def upload_file(uow: UnitOfWork, settings: Settings, owner: str | None, name: str,
                content: bytes, actor: Actor, now: datetime) -> FileRef:
    """Check and store an upload for owner (a group such as unit:U1 or province:11).

    Without an owner, the uploader's one unit owns it.
    """
    owner = owner or _single_unit(actor)
    if not authz.owns_file(actor, owner):
        raise Forbidden(f"{actor.username} may not upload files for {owner}")
    name = sanitize_name(name)
    mime = _check(settings, name, content)
    sha256 = hashlib.sha256(content).hexdigest()
    _write_blob(settings, sha256, content)
    repo = uow.product
    row = repo.same_file(owner, sha256, name)
    if row is None:
        row = StoredFile(id=str(uuid.uuid4()), sha256=sha256, name=name, size=len(content),
                         mime_type=mime, owner=owner, uploaded_by=actor.username,
                         created_at=now)
        repo.add(row)
    return FileRef(row.id, row.name, row.size, row.sha256)


def _single_unit(actor: Actor) -> str:
    units = sorted(actor.unit_ids)
    if len(units) != 1:
        raise ValidationFailed(
            "请指定文件所属的组 / give the owner group (you belong to "
            f"{len(units)} units)", details={"owner": ["required"]})
    return f"unit:{units[0]}"


def get_file(uow: UnitOfWork, file_id: str, actor: Actor) -> StoredFile:
    """The file row if the actor may read it; NotFound otherwise (no existence leak)."""
    repo = uow.product
    row = repo.file(file_id)
    if row is None:
        raise NotFound(f"file {file_id} does not exist")
    if authz.owns_file(actor, row.owner):
        return row
    # Through an instance only when one of its tasks attached the file: a file id named in
    # some variable gives nothing.
    if any(authz.sees_instance(actor, i) for i in repo.instances_attaching(file_id)):
        return row
    raise NotFound(f"file {file_id} does not exist")


def read_content(settings: Settings, row: StoredFile) -> bytes:
    """The stored bytes of a file row (call get_file first for the scope check)."""
    return blob_path(settings, row.sha256).read_bytes()


def file_owner(uow: UnitOfWork) -> Callable[[str], str | None]:
    """For forms.FormContext: file id -> owner group, None when there is no such file."""
    repo = uow.product

    def owner(file_id: str) -> str | None:
        row = repo.file(file_id)
        return row.owner if row is not None else None

    return owner
