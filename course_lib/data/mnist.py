"""MNIST: 70,000 hand-written digits, 28 x 28 grey-scale pixels, in LeCun's IDX format.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions), one
big-endian uint32 per dimension, then the values in row-major order. The course reads each image
as a sequence: 28 time steps (rows) of 28 features (pixels).
"""

from __future__ import annotations

import numpy as np

from course_lib.data.archive import read_content
from course_lib.data.errors import CorruptFileError
from course_lib.data.fetch import check_choice, locate

SPLITS = {
    "train": ("mnist/train-images-idx3-ubyte", "mnist/train-labels-idx1-ubyte"),
    "test": ("mnist/t10k-images-idx3-ubyte", "mnist/t10k-labels-idx1-ubyte"),
}
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(data: bytes, source: str = "IDX data") -> np.ndarray:
    """Decode an IDX file's bytes into an array of its stored shape and type."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise CorruptFileError(f"{source}: not an IDX file (magic {data[:4].hex()!r})")
    dtype, ndim = np.dtype(_IDX_TYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise CorruptFileError(
            f"{source}: IDX header says shape {shape} ({expected} bytes), file has {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


def load_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load an MNIST split.

    Inputs:
    - split: "train" (60,000 images) or "test" (10,000 images)

    Returns a tuple of:
    - images: float32 (N, 28, 28), pixel intensities scaled to [0, 1]
    - labels: int64 (N,), the digit 0-9
    """
    image_file, label_file = SPLITS[check_choice(split, list(SPLITS), "MNIST split")]
    image_location, label_location = locate(image_file), locate(label_file)
    pixels = parse_idx(read_content(image_location.path, image_location.member), image_file)
    labels = parse_idx(read_content(label_location.path, label_location.member), label_file)
    if pixels.ndim != 3 or labels.ndim != 1 or len(pixels) != len(labels):
        raise CorruptFileError(
            f"MNIST {split}: images {pixels.shape} do not match labels {labels.shape}"
        )
    images = np.multiply(pixels, np.float32(1 / 255), dtype=np.float32)  # (N, 28, 28)
    return images, labels.astype(np.int64)
