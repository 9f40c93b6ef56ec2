"""Finding, verifying and downloading data: resolution order, digests, damaged and unsafe files,
downloads from a local HTTP server (good, corrupted, dropped mid-file), status and the CLI."""

import gzip
import http.server
import io
import socket
import tarfile
import threading
import zipfile

import pytest

from course_lib.data import (
    CorruptFileError,
    DataNotFoundError,
    DigestMismatchError,
    UnsafeArchiveError,
    archive,
    fetch,
    load_ptb,
    load_sst,
    locate,
    registry,
    status,
)
from course_lib.tools import cli
from tests import data_fakes as fakes

NAME = "ptb/ptb.valid.txt"
CONTENT = fakes.PTB_TEXT["valid"].encode() * 5000  # 80 kB, so a download comes in many chunks
DIGEST = fakes.sha256(CONTENT)


@pytest.fixture
def roots(monkeypatch, tmp_path):
    data_root, cache_root = fakes.isolate(monkeypatch, tmp_path)
    fakes.pin(monkeypatch, NAME, DIGEST)
    # a one-file data set, so that only that file is looked for and downloaded
    monkeypatch.setitem(registry.DATASETS, "ptb", {**registry.DATASETS["ptb"],
                        "files": [NAME], "downloads": [NAME]})
    return data_root, cache_root


# --- where files are found ---------------------------------------------------------------


def test_data_folder_first_then_cache_plain_or_gzipped(roots):
    data_root, cache_root = roots
    fakes.write(cache_root / (NAME + ".gz"), CONTENT, gz=True)
    location = locate(NAME)
    assert location.where == "cache" and location.path.name == "ptb.valid.txt.gz"
    fakes.write(data_root / NAME, CONTENT)
    location = locate(NAME)
    assert location.where == "LSTM_COURSE_DATA" and location.path == data_root / NAME
    assert load_ptb("valid")[:4] == ["the", "cat", "ran", "<eos>"]


def test_verified_files_are_not_hashed_again_until_they_change(roots, monkeypatch):
    data_root, _ = roots
    path = fakes.write(data_root / NAME, CONTENT)
    locate(NAME)
    calls = []
    real = archive.sha256_of
    monkeypatch.setattr(archive, "sha256_of", lambda *a: calls.append(a) or real(*a))
    locate(NAME)
    assert calls == []
    path.write_bytes(CONTENT)  # rewritten: new mtime, so hashed again
    locate(NAME)
    assert len(calls) == 1


def test_missing_offline_names_data_set_places_and_fix(roots):
    data_root, cache_root = roots
    with pytest.raises(DataNotFoundError) as info:
        load_ptb("valid")
    message = str(info.value)
    assert "Penn Treebank" in message and NAME in message
    for path in (data_root / NAME, data_root / (NAME + ".gz"), cache_root / NAME,
                 data_root / "ptb/simple-examples.tgz", cache_root / "ptb/simple-examples.tgz"):
        assert str(path) in message
    assert "lstm-course data fetch ptb" in message and "LSTM_COURSE_DATA" in message
    assert "LSTM_COURSE_OFFLINE" in message


def test_missing_without_network_lists_the_failed_download(roots, monkeypatch):
    monkeypatch.delenv("LSTM_COURSE_OFFLINE")
    monkeypatch.delenv("LSTM_COURSE_DATA")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/ptb.valid.txt"
    monkeypatch.setitem(registry.DOWNLOADS, NAME, (None, [url]))
    with pytest.raises(DataNotFoundError) as info:
        locate(NAME)
    message = str(info.value)
    assert "LSTM_COURSE_DATA (not set)" in message and url in message
    assert "Fix: run `lstm-course data fetch ptb`" in message


def test_unknown_data_set_lists_the_valid_ones(roots, capsys):
    with pytest.raises(ValueError, match="mnist, imdb, ptb, sst, glove"):
        fetch.fetch_dataset("cifar")
    with pytest.raises(ValueError, match="unknown data file 'ptb/ptb.dev.txt'.*ptb/ptb.valid.txt"):
        locate("ptb/ptb.dev.txt")
    assert cli.main(["data", "fetch", "cifar"]) == 2
    assert "mnist, imdb, ptb, sst, glove or all" in capsys.readouterr().err


# --- bad files ---------------------------------------------------------------------------


def test_digest_mismatch_in_cache_rejected_and_removed(roots):
    _, cache_root = roots
    bad = CONTENT.replace(b"cat", b"cow")
    fakes.write(cache_root / NAME, bad)
    with pytest.raises(DigestMismatchError) as info:
        locate(NAME)
    message = str(info.value)
    assert NAME in message and DIGEST in message and fakes.sha256(bad) in message
    assert "Removed" in message and not (cache_root / NAME).exists()


def test_digest_mismatch_in_data_folder_rejected_not_removed(roots):
    data_root, _ = roots
    fakes.write(data_root / NAME, b"something else\n")
    with pytest.raises(DigestMismatchError, match="expected sha256"):
        locate(NAME)
    assert (data_root / NAME).exists()  # never write to LSTM_COURSE_DATA


@pytest.mark.parametrize("where", ["cache", "data"])
def test_truncated_gzip_is_a_clear_error(roots, where):
    data_root, cache_root = roots
    root = cache_root if where == "cache" else data_root
    packed = gzip.compress(CONTENT)
    fakes.write(root / (NAME + ".gz"), packed[: len(packed) // 2])
    with pytest.raises(CorruptFileError, match="truncated or damaged"):
        load_ptb("valid")
    assert (root / (NAME + ".gz")).exists() == (where == "data")
    assert fakes.files_under(cache_root) == []


def _zip_with(name, content=b"x", symlink=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        info = zipfile.ZipInfo(name)
        if symlink:
            info.external_attr = 0o120777 << 16
        z.writestr(info, content)
        z.writestr("trees/train.txt", b"(2 ok)\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, symlink",
    [("../evil.txt", False), ("/etc/evil.txt", False), ("trees/link.txt", True)],
    ids=["dotdot", "absolute", "symlink"],
)
def test_unsafe_zip_members_refused(tmp_path, name, symlink):
    path = fakes.write(tmp_path / "a.zip", _zip_with(name, symlink=symlink))
    with pytest.raises(UnsafeArchiveError, match="refusing member"):
        archive.read_content(path, "trees/train.txt")


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "dotdot", "absolute"])
def test_unsafe_tar_members_refused(tmp_path, kind):
    info = tarfile.TarInfo({"dotdot": "../x", "absolute": "/x"}.get(kind, "data/x"))
    if kind in ("symlink", "hardlink"):
        info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
        info.linkname = "/etc/passwd"
    path = fakes.write(tmp_path / "a.tar.gz", fakes.tar_bytes({"x": b"1"}, "data/", [info]))
    with pytest.raises(UnsafeArchiveError):
        archive.read_content(path, "data/x")
    with pytest.raises(UnsafeArchiveError):
        list(archive.iter_tree(path, "data"))


def test_links_in_a_data_folder_refused(tmp_path):
    (tmp_path / "tree").mkdir()
    (tmp_path / "tree/link.txt").symlink_to("/etc/passwd")
    with pytest.raises(UnsafeArchiveError):
        list(archive.iter_tree(tmp_path / "tree"))


# --- downloads from a local HTTP server --------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict = {}

    def do_GET(self):  # noqa: N802 (the http.server API)
        mode, _, name = self.path.strip("/").partition("/")
        content = self.files.get(name)
        if content is None:
            self.send_error(404)
            return
        if mode == "bad":
            content = content.replace(b"the", b"THE")
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if mode == "drop":  # half the file, then the connection closes
            self.wfile.write(content[: len(content) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(content)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def online(roots, monkeypatch):
    monkeypatch.delenv("LSTM_COURSE_OFFLINE")
    monkeypatch.delenv("LSTM_COURSE_DATA")
    monkeypatch.setattr(_Handler, "files", {"ptb.valid.txt": CONTENT})
    return roots


def _serve(monkeypatch, *urls, known_hash=None):
    monkeypatch.setitem(registry.DOWNLOADS, NAME, (known_hash, list(urls)))


def test_download_good_file(online, server, monkeypatch):
    _, cache_root = online
    _serve(monkeypatch, f"{server}/good/ptb.valid.txt")
    assert load_ptb("valid")[:3] == ["the", "cat", "ran"]
    assert (cache_root / NAME).read_bytes() == CONTENT
    assert fakes.files_under(cache_root) == ["parsed/verified.json", NAME]


@pytest.mark.parametrize("known_hash", [None, "sha256:" + DIGEST])
def test_download_corrupted_file_rejected(online, server, monkeypatch, known_hash):
    _, cache_root = online
    _serve(monkeypatch, f"{server}/bad/ptb.valid.txt", known_hash=known_hash)
    with pytest.raises(DataNotFoundError) as info:
        locate(NAME)
    message = str(info.value)
    assert "/bad/ptb.valid.txt" in message and DIGEST in message
    assert fakes.files_under(cache_root) == []


def test_download_dropped_mid_file_leaves_nothing_then_starts_clean(online, server, monkeypatch):
    _, cache_root = online
    _serve(monkeypatch, f"{server}/drop/ptb.valid.txt")
    with pytest.raises(DataNotFoundError, match="/drop/ptb.valid.txt"):
        locate(NAME)
    assert fakes.files_under(cache_root) == []  # no partial file
    _serve(monkeypatch, f"{server}/good/ptb.valid.txt")
    assert locate(NAME).path.read_bytes() == CONTENT


def test_download_falls_back_to_the_next_mirror(online, server, monkeypatch):
    _, cache_root = online
    _serve(monkeypatch, f"{server}/drop/ptb.valid.txt", f"{server}/missing/x",
           f"{server}/good/ptb.valid.txt")
    assert locate(NAME).where == "cache"
    assert fakes.files_under(cache_root) == ["parsed/verified.json", NAME]


def test_download_an_archive_and_read_members_in_place(online, server, monkeypatch, tmp_path):
    _, cache_root = online
    fakes.fake_sst(tmp_path / "upstream", monkeypatch, as_zip=True)
    zipped = (tmp_path / "upstream/sst/trainDevTestTrees_PTB.zip").read_bytes()
    monkeypatch.setattr(_Handler, "files", {"sst.zip": zipped})
    monkeypatch.setitem(registry.DOWNLOADS, "sst/trainDevTestTrees_PTB.zip",
                        (None, [f"{server}/good/sst.zip"]))
    assert len(load_sst("train")[0]) == 3
    assert [f for f in fakes.files_under(cache_root) if not f.startswith("parsed/")] == [
        "sst/trainDevTestTrees_PTB.zip"
    ]


# --- status and the CLI ------------------------------------------------------------------


def test_status_is_quick_and_gives_the_fix(roots, monkeypatch):
    data_root, _ = roots
    fakes.fake_mnist(data_root, monkeypatch)
    monkeypatch.setattr(archive, "sha256_of", None)  # status must not hash anything
    rows = {row["name"]: row for row in status()}
    assert list(rows) == ["mnist", "imdb", "ptb", "sst", "glove"]
    assert "LSTM_COURSE_DATA" in rows["mnist"]["found_at"] and rows["mnist"]["missing"] == []
    assert rows["imdb"]["found_at"] is None and "lstm-course data fetch imdb" in rows["imdb"]["fix"]
    assert "LSTM_COURSE_DATA" in rows["glove"]["fix"]


def test_cli_check_prints_a_table(roots, monkeypatch, capsys):
    data_root, _ = roots
    fakes.fake_mnist(data_root, monkeypatch)
    monkeypatch.setitem(registry.COUNTS, "mnist", {"train": 6, "test": 4})
    assert cli.main(["data", "check", "mnist"]) == 0
    out = capsys.readouterr().out
    assert "data set" in out and "digest OK" in out and "record counts OK" in out
    assert "LSTM_COURSE_DATA (gzipped)" in out
    monkeypatch.setitem(registry.COUNTS, "mnist", {"train": 60000, "test": 4})
    assert cli.main(["data", "check", "mnist", "sst"]) == 1
    out = capsys.readouterr().out
    assert "train: 6 (expected 60000)" in out and "NOT FOUND" in out
    assert "lstm-course data fetch sst" in out


def test_registry_is_consistent():
    for dataset, spec in registry.DATASETS.items():
        provided = {name for container in spec["downloads"] for name in fetch.provides(container)}
        assert set(spec["files"]) <= provided, f"{dataset}: a file no download provides"
        assert all(container in registry.DOWNLOADS for container in spec["downloads"])
        assert all(fetch.dataset_of(name) == dataset for name in spec["files"])
    for container, members in registry.ARCHIVES.items():
        assert set(members) <= set(registry.FILES), container
    for name, spec in registry.FILES.items():
        assert len(spec["sha256"]) == 64 and name in {
            f for s in registry.DATASETS.values() for f in s["files"]}
    for known_hash, urls in registry.DOWNLOADS.values():
        assert urls and all(url.startswith(("https://", "http://")) for url in urls)
        assert known_hash is None or known_hash.split(":")[0] in ("md5", "sha256")
    assert set(registry.COUNTS) == set(registry.DATASETS)
