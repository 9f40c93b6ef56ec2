"""The loaders on tiny files written in the canonical formats (IDX, aclImdb tar, PTB text,
SST trees, GloVe text)."""

import io
import tarfile

import numpy as np
import pytest

from course_lib.data import (
    CorruptFileError,
    UnsafeArchiveError,
    Vocab,
    embedding_matrix,
    load_glove,
    load_imdb,
    load_imdb_tokens,
    load_mnist,
    load_ptb,
    load_sst,
    load_sst_trees,
    nearest_neighbours,
    parse_tree,
)
from course_lib.data.mnist import parse_idx
from tests import data_fakes as fakes


@pytest.fixture
def roots(monkeypatch, tmp_path):
    return fakes.isolate(monkeypatch, tmp_path)


# --- MNIST -------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_reads_idx_plain_or_gzipped(roots, monkeypatch, gz):
    data_root, _ = roots
    arrays = fakes.fake_mnist(data_root, monkeypatch, gz=gz)
    images, labels = load_mnist("train")
    assert images.shape == (6, 28, 28) and images.dtype == np.float32
    assert labels.dtype == np.int64 and labels.tolist() == [0, 1, 2, 3, 4, 5]
    assert 0.0 <= images.min() and images.max() <= 1.0
    np.testing.assert_allclose(images, arrays["train"][0] / 255.0, rtol=1e-6)
    assert load_mnist("test")[0].shape == (4, 28, 28)


def test_idx_format_errors():
    good = fakes.idx_bytes(np.zeros((2, 3), np.uint8))
    assert parse_idx(good).shape == (2, 3)
    with pytest.raises(CorruptFileError, match="not an IDX file"):
        parse_idx(b"\x12\x34" + good[2:])
    with pytest.raises(CorruptFileError, match="header says shape"):
        parse_idx(good[:-1])


def test_mnist_images_and_labels_must_agree(roots, monkeypatch):
    data_root, _ = roots
    fakes.fake_mnist(data_root, monkeypatch, n_train=6)
    content = fakes.idx_bytes(np.zeros(5, np.uint8))  # 5 labels for 6 images
    fakes.write(data_root / "mnist/train-labels-idx1-ubyte.gz", content, gz=True)
    fakes.pin(monkeypatch, "mnist/train-labels-idx1-ubyte", fakes.sha256(content))
    with pytest.raises(CorruptFileError, match="do not match labels"):
        load_mnist("train")


def test_unknown_splits_list_the_valid_ones(roots):
    with pytest.raises(ValueError, match="choose one of train, test"):
        load_mnist("validation")
    with pytest.raises(ValueError, match="train, test, unsup"):
        load_imdb("dev")
    with pytest.raises(ValueError, match="train, valid, test"):
        load_ptb("dev")
    with pytest.raises(ValueError, match="word, char"):
        load_ptb("train", level="byte")
    with pytest.raises(ValueError, match="train, dev, test"):
        load_sst("valid")
    with pytest.raises(ValueError, match="fine, binary"):
        load_sst("train", labels="coarse")
    with pytest.raises(ValueError, match="choose one of 50"):
        load_glove(300)


# --- IMDB --------------------------------------------------------------------------------


def test_imdb_from_tar_positives_first_and_cached(roots, monkeypatch):
    data_root, cache_root = roots
    fakes.fake_imdb(data_root, monkeypatch)
    texts, labels = load_imdb("train")
    assert texts == ["A great film.<br /><br />Loved it!", "Good.", "Bad, isn't it?", "Awful acting"]
    assert labels.dtype == np.int64 and labels.tolist() == [1, 1, 0, 0]
    assert load_imdb("test")[1].tolist() == [1, 0]
    unsup_texts, unsup_labels = load_imdb("unsup")
    assert unsup_texts[1] == "Another — with ünïcode" and unsup_labels.tolist() == [-1, -1]
    # the parsed texts are cached: the archive is not needed any more
    (data_root / "imdb/aclImdb.tar.gz").unlink()
    assert load_imdb("train")[0] == texts
    assert any(name.startswith("parsed/imdb-texts-train-") for name in fakes.files_under(cache_root))


def test_imdb_from_upstream_archive_and_from_a_folder(roots, monkeypatch):
    data_root, _ = roots
    members = fakes.fake_imdb(data_root, monkeypatch, name="imdb/aclImdb_v1.tar.gz")
    assert load_imdb("train")[1].tolist() == [1, 1, 0, 0]
    # an extracted folder, in a fresh cache
    (data_root / "imdb/aclImdb_v1.tar.gz").unlink()
    for rel, content in members.items():
        fakes.write(data_root / "imdb/aclImdb" / rel, content)
    monkeypatch.setenv("LSTM_COURSE_CACHE", str(data_root.parent / "cache2"))
    assert load_imdb("test")[0] == ["Brilliant", "Dull and slow"]


def test_imdb_tokens_cached(roots, monkeypatch):
    data_root, _ = roots
    fakes.fake_imdb(data_root, monkeypatch)
    corpus, labels = load_imdb_tokens("train")
    assert corpus[0] == ["a", "great", "film", ".", "loved", "it", "!"]
    assert corpus[2] == ["bad", ",", "is", "n't", "it", "?"]
    assert labels.tolist() == [1, 1, 0, 0]
    again, _ = load_imdb_tokens("train")  # from the cache
    assert list(again) == list(corpus)
    vocab = Vocab.build(again)
    assert [vocab.decode(ids) for ids in again.encode(vocab)] == list(corpus)


def _link(name, kind):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, "/etc/passwd"
    return info


@pytest.mark.parametrize(
    "member",
    [
        _link("aclImdb/train/pos/9_9.txt", tarfile.SYMTYPE),
        _link("aclImdb/train/pos/9_9.txt", tarfile.LNKTYPE),
        tarfile.TarInfo("aclImdb/../../evil.txt"),
        tarfile.TarInfo("/tmp/evil.txt"),
    ],
    ids=["symlink", "hardlink", "dotdot", "absolute"],
)
def test_imdb_unsafe_members_refused_and_nothing_cached(roots, monkeypatch, member):
    data_root, cache_root = roots
    fakes.fake_imdb(data_root, monkeypatch, extra=[member])
    with pytest.raises(UnsafeArchiveError, match="refusing member"):
        load_imdb("train")
    assert not [f for f in fakes.files_under(cache_root) if "imdb" in f]


def test_imdb_truncated_archive_in_cache_removed(roots, monkeypatch):
    data_root, cache_root = roots
    members = fakes.imdb_members()
    content = fakes.tar_bytes(members)
    fakes.write(cache_root / "imdb/aclImdb.tar.gz", content[: len(content) // 2])
    fakes.pin(monkeypatch, "imdb/aclImdb", fakes.imdb_tree_digest(members))
    with pytest.raises(CorruptFileError, match="truncated or damaged"):
        load_imdb("train")
    assert fakes.files_under(cache_root) == []  # archive removed, nothing partial written


# --- PTB ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True])
def test_ptb_word_and_char_streams(roots, monkeypatch, gz):
    data_root, _ = roots
    fakes.fake_ptb(data_root, monkeypatch, gz=gz)
    words = load_ptb("train")
    assert words[:7] == ["the", "cat", "sat", "on", "the", "mat", "<eos>"]
    assert len(words) == 6 + 3 + 5 + 3 and words.count("<eos>") == 3
    chars = load_ptb("valid", level="char")
    assert chars == list("the_cat_ran") + ["<eos>"]
    assert load_ptb("train", level="char").count("<eos>") == 3
    assert "<" in load_ptb("train", level="char")  # "<unk>" spelt out character by character


def test_ptb_from_mikolov_archive(roots, monkeypatch):
    data_root, _ = roots
    fakes.fake_ptb(data_root / "unused", monkeypatch)  # pins only
    members = {f"ptb.{split}.txt": text.encode() for split, text in fakes.PTB_TEXT.items()}
    members.update({f"ptb.char.{s}.txt": fakes.char_text(t).encode()
                    for s, t in fakes.PTB_TEXT.items()})
    buffer = io.BytesIO(fakes.tar_bytes(members, prefix="./simple-examples/data/"))
    fakes.write(data_root / "ptb/simple-examples.tgz", buffer.getvalue())
    assert load_ptb("test") == ["a", "dog", "sat", "on", "N", "mats", "<eos>"]


# --- SST ---------------------------------------------------------------------------------


@pytest.mark.parametrize("as_zip", [False, True])
def test_sst_sentences_labels_and_phrases(roots, monkeypatch, as_zip):
    data_root, _ = roots
    fakes.fake_sst(data_root, monkeypatch, as_zip=as_zip)
    sentences, labels = load_sst("train")
    assert sentences[0] == ["It", "'s", "good"] and labels.tolist() == [3, 0, 2]
    assert sentences[1] == ["A", "dull", "8 1\\/2", "."]  # a two-word leaf stays one token
    binary, binary_labels = load_sst("train", labels="binary")
    assert len(binary) == 2 and binary_labels.tolist() == [1, 0]
    phrases, phrase_labels = load_sst("train", phrases=True)
    assert len(phrases) == 5 + 7 + 3  # every labelled node
    assert phrases[1] == ["It"] and phrases[2] == ["'s", "good"] and phrase_labels[2] == 4
    assert len(load_sst("dev")[0]) == 2 and load_sst("test", labels="binary")[1].tolist() == [0]


def test_sst_tree_parser_round_trip_and_errors(roots, monkeypatch):
    line = "(3 (2 It) (4 (2 's) (4 good)))"
    tree = parse_tree(line)
    assert str(tree) == line and tree.leaves() == ["It", "'s", "good"]
    assert [node.label for node in tree.subtrees()] == [3, 2, 4, 2, 4]
    for bad in ["(3 (2 It)", "(3 (2 It)))", "(x (2 It))", "(3 word (2 It))"]:
        with pytest.raises(ValueError):
            parse_tree(bad)
    data_root, _ = roots
    content = b"(3 (2 It) (4 good))\n(2 (2 broken)\n"
    fakes.write(data_root / "sst/trees/dev.txt", content)
    fakes.pin(monkeypatch, "sst/trees/dev.txt", fakes.sha256(content))
    with pytest.raises(CorruptFileError, match="dev.txt, line 2"):
        load_sst_trees("dev")


# --- GloVe -------------------------------------------------------------------------------


def test_glove_parsed_and_cached(roots, monkeypatch):
    data_root, cache_root = roots
    vectors = fakes.fake_glove(data_root, monkeypatch)
    words, loaded = load_glove(50)
    assert words == fakes.GLOVE_WORDS and loaded.dtype == np.float32
    np.testing.assert_allclose(loaded, vectors, atol=1e-5)
    assert load_glove(limit=3).words == ["the", ",", "cat"]
    (data_root / "glove/glove.6B.50d.txt.gz").unlink()
    glove = load_glove()  # from the parsed cache
    np.testing.assert_array_equal(glove.vectors, loaded)
    assert load_glove(limit=2).vectors.shape == (2, 50)


def test_glove_bad_line_is_a_clear_error(roots, monkeypatch):
    data_root, _ = roots
    content = b"the 0.1 0.2\n"
    fakes.write(data_root / "glove/glove.6B.50d.txt", content)
    fakes.pin(monkeypatch, "glove/glove.6B.50d.txt", fakes.sha256(content))
    with pytest.raises(CorruptFileError, match="glove.6B.50d.txt"):
        load_glove()


def test_embedding_matrix_alignment_and_coverage(roots, monkeypatch):
    data_root, _ = roots
    fakes.fake_glove(data_root, monkeypatch)
    glove = load_glove()
    vocab = Vocab({"Cat": 5, "dog": 4, "zebra": 3, "n't": 2})
    matrix, coverage = embedding_matrix(vocab, glove, oov_init="zeros")
    assert matrix.shape == (len(vocab), 50) and matrix.dtype == np.float32
    assert coverage == pytest.approx(3 / 4)  # zebra is missing
    np.testing.assert_array_equal(matrix[vocab["Cat"]], glove.vectors[2])  # lower-cased lookup
    exact, exact_coverage = embedding_matrix(vocab, glove, oov_init="zeros", lowercase=False)
    assert exact_coverage == pytest.approx(2 / 4) and not exact[vocab["Cat"]].any()
    assert not matrix[vocab["zebra"]].any() and not matrix[vocab.pad_id].any()
    random_rows, _ = embedding_matrix(vocab, glove, oov_init="normal", seed=3)
    assert random_rows[vocab["zebra"]].std() > 0 and not random_rows[vocab.pad_id].any()
    np.testing.assert_array_equal(random_rows, embedding_matrix(vocab, glove, seed=3)[0])
    with pytest.raises(ValueError, match="normal, uniform, zeros"):
        embedding_matrix(vocab, glove, oov_init="ones")
    neighbours = nearest_neighbours(glove, "cat", k=3)
    assert len(neighbours) == 3 and "cat" not in [w for w, _ in neighbours]
    with pytest.raises(KeyError, match="zebra"):
        nearest_neighbours(glove, "zebra")
