"""Which source files a run executed, their sha256, and whether today's files still match.

The files of a run are found by reading ``import`` statements, not by running anything: the
experiment's module, then every ``course_lib`` module it imports (anywhere in the file, inside
functions too), the modules those import, and so on, plus the runner's own. A module imported
only by name at run time (``importlib``) is not followed: the registry imports every experiment
that way, and one experiment's record must not go stale because another one changed.

    >>> record = code_record(["course_lib.experiments.mnist"])        # doctest: +SKIP
    >>> record["files"]["course_lib/training/trainer.py"]             # doctest: +SKIP
    'a41c...'
    >>> changed_files(record["files"])   # [] while the code is the same  # doctest: +SKIP
"""

from __future__ import annotations

import ast
import hashlib
import sys
from pathlib import Path

from course_lib.env.paths import REPO_ROOT

PACKAGE = "course_lib"


def module_file(name: str) -> Path | None:
    """The source file of module ``name`` (a ``.py`` or a package's ``__init__.py``), or None."""
    module = sys.modules.get(name)
    if getattr(module, "__file__", None):
        return Path(module.__file__).resolve()
    base = REPO_ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_names(path: Path, module: str) -> set[str]:
    """Every module name the file's import statements may name (``from a import b`` gives both
    ``a`` and ``a.b``; relative imports are made absolute)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
                base = f"{parent}.{base}".strip(".")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def imported_files(modules) -> dict[str, Path]:
    """``modules`` and the ``course_lib`` modules they import, directly or not: {name: file}.

    A module's parent packages count too (Python runs their ``__init__.py`` first).
    """
    found, todo = {}, list(modules)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        path = module_file(name)
        if path is None:
            continue
        found[name] = path
        parents = [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
        todo += [n for n in [*imported_names(path, name), *parents]
                 if n.split(".")[0] == PACKAGE and n not in found]
    return found


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def relative(path: Path) -> str:
    """``path`` relative to the repository (as a record stores it), else absolute."""
    try:
        return Path(path).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


def total_sha256(files: dict[str, str]) -> str:
    """One digest for {relative path: sha256}: the sha256 of its sorted ``path sha`` lines."""
    lines = "".join(f"{path} {digest}\n" for path, digest in sorted(files.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def code_record(modules) -> dict:
    """{"sha256": one digest, "files": {relative path: sha256}} of the files ``modules`` run."""
    files = {relative(path): file_sha256(path) for path in imported_files(modules).values()}
    return {"sha256": total_sha256(files), "files": dict(sorted(files.items()))}


def changed_files(files: dict[str, str], root: Path = REPO_ROOT) -> list[str]:
    """The recorded files (relative path -> sha256) whose content differs today, or is gone."""
    changed = []
    for name, digest in files.items():
        path = Path(name) if Path(name).is_absolute() else Path(root) / name
        if not path.is_file() or file_sha256(path) != digest:
            changed.append(name)
    return changed
