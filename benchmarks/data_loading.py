"""Load times of the data layer: first load (reading the archive, parsing, caching) and cached.

    LSTM_COURSE_DATA=../shared/data .venv/bin/python benchmarks/data_loading.py [--repeats 3]

Each first load runs against a fresh, empty cache folder, so it really reads the archive and
checks its digest. Issue 4's targets on a 2-core machine: IMDB train from the tarball, tokenised
and its vocabulary built, <= 30 s first time and <= 3 s cached; GloVe <= 20 s and <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from course_lib.data import Vocab, load_glove, load_imdb_tokens

TARGETS = {"IMDB train": (30.0, 3.0), "GloVe 6B 50d": (20.0, 1.0)}


def imdb_train() -> None:
    corpus, _ = load_imdb_tokens("train")
    vocab = Vocab.build(corpus, max_size=20_000)
    corpus.encode(vocab)


def glove() -> None:
    load_glove(50)


def timed(load) -> float:
    start = time.perf_counter()
    load()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'data set':14} {'first (s)':>10} {'cached (s)':>11}   targets (s)")
    for name, load in (("IMDB train", imdb_train), ("GloVe 6B 50d", glove)):
        first, cached = [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as folder:
                os.environ["LSTM_COURSE_CACHE"] = folder
                first.append(timed(load))
                cached += [timed(load) for _ in range(3)]
        cold, warm = statistics.median(first), statistics.median(cached)
        print(f"{name:14} {cold:10.2f} {warm:11.2f}   <= {TARGETS[name][0]:.0f} / "
              f"<= {TARGETS[name][1]:.0f}  (medians of {len(first)} / {len(cached)} runs)")


if __name__ == "__main__":
    main()
