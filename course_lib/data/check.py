"""``lstm-course data check``: is every data set there, intact, and of the published size?

For each data set: where its files were found, whether every file's content digest matches the
registry (hashed afresh, ignoring earlier verification records), and whether the loaders
reproduce the record counts of the registry.
"""

from __future__ import annotations

from course_lib.data import registry
from course_lib.data.errors import DataError
from course_lib.data.fetch import check_dataset, find, summarise, verify


def count_records(dataset: str) -> dict[str, int]:
    """Count the records of ``dataset`` with the loaders, keyed like ``registry.COUNTS``."""
    from course_lib import data  # the loaders

    counts: dict[str, int] = {}
    if dataset == "mnist":
        for split in ("train", "test"):
            counts[split] = len(data.load_mnist(split)[1])
    elif dataset == "imdb":
        for split in ("train", "test", "unsup"):
            counts[split] = len(data.load_imdb(split)[1])
    elif dataset == "ptb":
        for level in ("word", "char"):
            for split in ("train", "valid", "test"):
                stream = data.load_ptb(split, level)
                counts[f"{level}/{split}"] = len(stream)
                if level == "word" and split == "train":
                    counts["word/vocab"] = len(set(stream))
    elif dataset == "sst":
        for labels in ("fine", "binary"):
            for split in ("train", "dev", "test"):
                counts[f"{labels}/{split}"] = len(data.load_sst(split, labels)[1])
        counts["phrases/train"] = len(data.load_sst("train", phrases=True)[1])
    elif dataset == "glove":
        words, vectors = data.load_glove(50)
        counts["words"], counts["dim"] = vectors.shape
    return counts


def check(dataset: str) -> dict:
    """Check one data set. Returns a dict with ``name``, ``found_at`` (str or None),
    ``digest_ok`` and ``counts_ok`` (True, False or None when not checked) and ``problems``."""
    row = {"name": check_dataset(dataset), "found_at": None, "digest_ok": None,
           "counts_ok": None, "problems": []}
    locations = {name: find(name) for name in registry.DATASETS[dataset]["files"]}
    missing = [name for name, location in locations.items() if location is None]
    if missing:
        row["problems"].append(f"missing: {', '.join(missing)}")
        return row
    row["found_at"] = summarise(list(locations.values()))
    try:
        for location in locations.values():
            verify(location, use_record=False)
        row["digest_ok"] = True
    except DataError as error:
        row["digest_ok"] = False
        row["problems"].append(str(error))
        return row
    try:
        counts = count_records(dataset)
    except DataError as error:
        row["counts_ok"] = False
        row["problems"].append(str(error))
        return row
    expected = registry.COUNTS[dataset]
    wrong = [f"{key}: {counts.get(key)} (expected {value})"
             for key, value in expected.items() if counts.get(key) != value]
    row["counts_ok"] = not wrong
    row["problems"] += wrong
    return row
