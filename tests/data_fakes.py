"""Tiny data sets in the canonical formats, written by the data-layer tests.

Each writer returns the raw content it wrote; :func:`pin` makes the registry accept it (the real
pins are those of the full data sets).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import struct
import tarfile
import zipfile
from pathlib import Path

import numpy as np

from course_lib.data import registry
from course_lib.data.archive import TreeDigest


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def pin(monkeypatch, name: str, digest: str) -> None:
    """Make the registry expect ``digest`` for logical file ``name`` (undone after the test)."""
    monkeypatch.setitem(registry.FILES, name, {**registry.FILES[name], "sha256": digest})


def write(path: Path, content: bytes, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content) if gz else content)
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    """An array of uint8 as an IDX file."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def fake_mnist(root: Path, monkeypatch, n_train: int = 6, n_test: int = 4, gz: bool = True):
    """Write the four MNIST IDX files (random pixels, labels 0..n-1 mod 10) and pin them."""
    rng = np.random.default_rng(0)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"mnist/{prefix}-{kind}-ubyte"
            content = idx_bytes(array)
            write(root / (name + (".gz" if gz else "")), content, gz=gz)
            pin(monkeypatch, name, sha256(content))
        arrays[prefix] = (images, labels)
    return arrays


IMDB_REVIEWS = {
    "train": [("pos", 0, 9, "A great film.<br /><br />Loved it!"), ("pos", 1, 7, "Good."),
              ("neg", 0, 2, "Bad, isn't it?"), ("neg", 1, 1, "Awful acting")],
    "test": [("pos", 0, 10, "Brilliant"), ("neg", 0, 3, "Dull and slow")],
    "unsup": [("unsup", 0, 0, "Some film"), ("unsup", 1, 0, "Another — with ünïcode")],
}


def imdb_members(reviews=IMDB_REVIEWS) -> dict[str, bytes]:
    """aclImdb-relative path -> content, including the files the loader ignores."""
    members = {"README": b"Large Movie Review Dataset v1.0\n", "imdb.vocab": b"the\nfilm\n",
               "train/labeledBow.feat": b"0 0:1\n"}
    for split, rows in reviews.items():
        for polarity, review_id, rating, text in rows:
            part = "train" if split == "unsup" else split
            members[f"{part}/{polarity}/{review_id}_{rating}.txt"] = text.encode("utf-8")
    return members


def imdb_tree_digest(members: dict[str, bytes]) -> str:
    tree = TreeDigest(registry.FILES["imdb/aclImdb"]["include"])
    for rel, content in members.items():
        tree.add(rel, content)
    return tree.hexdigest()


def tar_bytes(members: dict[str, bytes], prefix: str = "aclImdb/", extra=()) -> bytes:
    """A .tar.gz of ``members`` under ``prefix``; ``extra`` are TarInfo objects (links...)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info in extra:
            archive.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
        for rel, content in sorted(members.items()):
            info = tarfile.TarInfo(prefix + rel)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def fake_imdb(root: Path, monkeypatch, name: str = "imdb/aclImdb.tar.gz", extra=()):
    """Write a small aclImdb tar and pin its tree digest; returns the members."""
    members = imdb_members()
    write(root / name, tar_bytes(members, extra=extra))
    pin(monkeypatch, "imdb/aclImdb", imdb_tree_digest(members))
    return members


PTB_TEXT = {
    "train": " the cat sat on the mat \n the dog sat \n a <unk> ran N miles \n",
    "valid": " the cat ran \n",
    "test": " a dog sat on N mats \n",
}


def char_text(word_text: str) -> str:
    """Mikolov's character layout: words joined by '_', every character followed by a space."""
    lines = ["_".join(line.split()) for line in word_text.strip("\n").split("\n")]
    return "".join(c + " " for c in "\n".join(lines) + "\n")


def fake_ptb(root: Path, monkeypatch, gz: bool = False):
    """Write the six PTB files (word and char level) and pin them."""
    for split, text in PTB_TEXT.items():
        for level, content in (("", text), ("char.", char_text(text))):
            name = f"ptb/ptb.{level}{split}.txt"
            write(root / (name + (".gz" if gz else "")), content.encode(), gz=gz)
            pin(monkeypatch, name, sha256(content.encode()))


SST_TREES = {
    "train": [
        "(3 (2 It) (4 (2 's) (4 good)))",
        "(0 (1 (2 A) (1 dull)) (2 (2 8 1\\/2) (2 .)))",
        "(2 (2 Just) (2 fine))",
    ],
    "dev": ["(4 (4 Great) (2 fun))", "(2 (2 So) (2 so))"],
    "test": ["(1 (2 Not) (1 good))"],
}


def fake_sst(root: Path, monkeypatch, as_zip: bool = False):
    """Write SST trees (as the three text files or as Stanford's zip) and pin them."""
    contents = {s: ("\n".join(t) + "\n").encode() for s, t in SST_TREES.items()}
    if as_zip:
        path = root / "sst/trainDevTestTrees_PTB.zip"
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w") as archive:
            for split, content in contents.items():
                archive.writestr(f"trees/{split}.txt", content)
    for split, content in contents.items():
        if not as_zip:
            write(root / f"sst/trees/{split}.txt", content)
        pin(monkeypatch, f"sst/trees/{split}.txt", sha256(content))


GLOVE_WORDS = ["the", ",", "cat", "dog", "n't", "film", "good", "bad"]


def glove_text(dim: int = 50, words=GLOVE_WORDS) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(1)
    values = [[f"{v:.5g}" for v in row] for row in rng.normal(size=(len(words), dim))]
    lines = [w + " " + " ".join(row) for w, row in zip(words, values)]
    return ("\n".join(lines) + "\n").encode(), np.array(values, dtype=np.float32)


def fake_glove(root: Path, monkeypatch, gz: bool = True):
    content, vectors = glove_text()
    write(root / ("glove/glove.6B.50d.txt" + (".gz" if gz else "")), content, gz=gz)
    pin(monkeypatch, "glove/glove.6B.50d.txt", sha256(content))
    return vectors


def isolate(monkeypatch, tmp_path: Path) -> tuple[Path, Path]:
    """Point the data layer at empty temporary folders, offline; returns (data root, cache)."""
    from course_lib.data import fetch

    data_root, cache_root = tmp_path / "shared", tmp_path / "cache"
    data_root.mkdir()
    monkeypatch.setenv("LSTM_COURSE_DATA", str(data_root))
    monkeypatch.setenv("LSTM_COURSE_CACHE", str(cache_root))
    monkeypatch.setenv("LSTM_COURSE_OFFLINE", "1")
    monkeypatch.setattr(fetch, "RETRIES", 0)
    return data_root, cache_root


def files_under(folder: Path) -> list[str]:
    """Every file below ``folder`` (relative paths), to check nothing partial was left behind."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
