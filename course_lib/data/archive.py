"""Reading a file's content from its container, safely: plain, gzip, a zip or tar member, a folder.

Nothing is ever extracted to disk: members are read in place. Every member we pass is checked;
an absolute path, a ``..`` component or a link is refused (:class:`UnsafeArchiveError`), and a
truncated or damaged container raises :class:`CorruptFileError` naming the file.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from course_lib.data.errors import CorruptFileError, UnsafeArchiveError

# What a damaged gzip, zip or tar raises while being read.
READ_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile, tarfile.TarError)


def container_kind(path: Path) -> str:
    """``dir``, ``tar``, ``zip``, ``gzip`` or ``plain``, from the path (and whether it is a folder)."""
    name = path.name.lower()
    if path.is_dir():
        return "dir"
    if name.endswith((".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")):
        return "tar"
    if name.endswith(".zip"):
        return "zip"
    if name.endswith(".gz"):
        return "gzip"
    return "plain"


def safe_member_name(name: str, archive: Path) -> str:
    """Normalise a member name (drop a leading ``./``) or refuse it if it could escape the archive."""
    posix = name.replace("\\", "/")
    parts = posix.split("/")
    if posix.startswith("/") or ":" in parts[0] or ".." in parts:
        raise UnsafeArchiveError(
            f"{archive}: refusing member {name!r} (absolute path or '..'); "
            "the archive is not a genuine copy: delete it and fetch it again"
        )
    return "/".join(part for part in parts if part not in (".", ""))


def _refuse_link(name: str, archive: Path) -> None:
    raise UnsafeArchiveError(
        f"{archive}: refusing member {name!r}, which is a link; "
        "the archive is not a genuine copy: delete it and fetch it again"
    )


def _zip_is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


@contextlib.contextmanager
def open_content(path: Path, member: str | None = None):
    """Open the decompressed content of ``path`` (or of ``member`` inside it) as a binary file.

    A tar member is found by reading the archive from the start; zip members are read directly.
    """
    path = Path(path)
    kind = container_kind(path)
    try:
        if kind == "plain":
            with open(path, "rb") as f:
                yield f
        elif kind == "gzip":
            with gzip.open(path, "rb") as f:
                yield f
        elif kind == "zip":
            with zipfile.ZipFile(path) as archive:
                infos = {}
                for info in archive.infolist():
                    name = safe_member_name(info.filename, path)
                    if _zip_is_link(info):
                        _refuse_link(info.filename, path)
                    infos[name] = info
                if member not in infos:
                    raise CorruptFileError(f"{path}: has no member {member!r}")
                with archive.open(infos[member]) as f:
                    yield f
        elif kind == "tar":
            with tarfile.open(path, "r:*") as archive:
                for info in archive:
                    name = safe_member_name(info.name, path)
                    if info.issym() or info.islnk():
                        _refuse_link(info.name, path)
                    if name == member and info.isfile():
                        yield archive.extractfile(info)
                        return
                raise CorruptFileError(f"{path}: has no member {member!r}")
        else:
            raise IsADirectoryError(f"{path} is a folder; read it with iter_tree()")
    except READ_ERRORS as error:
        raise CorruptFileError(_damaged(path, error)) from error


def _damaged(path: Path, error: Exception) -> str:
    return (
        f"{path} is truncated or damaged ({type(error).__name__}: {error}); "
        "delete it and fetch it again"
    )


def read_content(path: Path, member: str | None = None) -> bytes:
    """All decompressed bytes of ``path`` (or of ``member`` inside it)."""
    try:
        with open_content(path, member) as f:
            return f.read()
    except READ_ERRORS as error:
        raise CorruptFileError(_damaged(Path(path), error)) from error


def sha256_of(path: Path, member: str | None = None, chunk: int = 1 << 20) -> str:
    """sha256 of the decompressed content, streamed in chunks."""
    digest = hashlib.sha256()
    try:
        with open_content(path, member) as f:
            while block := f.read(chunk):
                digest.update(block)
    except READ_ERRORS as error:
        raise CorruptFileError(_damaged(Path(path), error)) from error
    return digest.hexdigest()


def iter_tree(path: Path, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    """Yield ``(relative path, content)`` for every regular file under ``prefix``.

    ``path`` is a folder (``prefix`` is then ignored) or a tar archive read as a stream, in the
    archive's order. Links are refused.
    """
    path = Path(path)
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in dirs + files:
                if os.path.islink(os.path.join(root, name)):
                    _refuse_link(os.path.relpath(os.path.join(root, name), path), path)
            for name in sorted(files):
                full = os.path.join(root, name)
                with open(full, "rb") as f:
                    yield os.path.relpath(full, path).replace(os.sep, "/"), f.read()
        return
    head = prefix.strip("/") + "/" if prefix else ""
    try:
        with tarfile.open(path, "r|*") as archive:
            for info in archive:
                name = safe_member_name(info.name, path)
                if info.issym() or info.islnk():
                    _refuse_link(info.name, path)
                if info.isfile() and name.startswith(head):
                    yield name[len(head):], archive.extractfile(info).read()
    except READ_ERRORS as error:
        raise CorruptFileError(_damaged(path, error)) from error


class TreeDigest:
    """The digest of a folder tree: sha256 over sorted ``"relpath<TAB>sha256(content)"`` lines.

    Independent of the container (folder, tar order, compression). Only the files whose relative
    path matches the regular expression ``include`` count.
    """

    def __init__(self, include: str = ".*"):
        self.include = re.compile(include)
        self.entries: list[tuple[str, str]] = []

    def add(self, rel: str, content: bytes) -> None:
        if self.include.fullmatch(rel):
            self.entries.append((rel, hashlib.sha256(content).hexdigest()))

    def hexdigest(self) -> str:
        lines = "".join(f"{rel}\t{digest}\n" for rel, digest in sorted(self.entries))
        return hashlib.sha256(lines.encode("utf-8")).hexdigest()
