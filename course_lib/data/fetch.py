"""Finding, verifying and downloading the course's data files.

Every logical file of the registry (``"ptb/ptb.train.txt"``) is looked for, in order, in:

1. the folder named by ``LSTM_COURSE_DATA`` (read-only), then
2. the cache (``LSTM_COURSE_CACHE``, default the repository's ``data/``),

each time as the plain file, gzipped (``.gz``) or inside an upstream archive of the registry.
If it is nowhere, it is downloaded into the cache with pooch (progress bar, retries, mirrors).
A file is accepted only when its decompressed content matches the pinned sha256; a verified
file's size and mtime are recorded so that it is not hashed again until it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course_lib.data import archive, cache, registry
from course_lib.data.errors import (
    CorruptFileError,
    DataError,
    DataNotFoundError,
    DigestMismatchError,
    UnsafeArchiveError,
)

RETRIES = 1  # pooch retries each mirror once more after a failed download
LOCATED: set[str] = set()  # every logical file :func:`locate` found in this process (provenance)


@dataclass(frozen=True)
class Location:
    """Where a logical file was found: a file or folder, maybe a member inside an archive."""

    name: str  # logical file, e.g. "mnist/train-images-idx3-ubyte"
    path: Path  # the file or folder on disk
    member: str | None  # member inside the archive ``path``, or None
    root: Path  # the data folder or the cache folder it was found in
    where: str  # "LSTM_COURSE_DATA" or "cache"

    def __str__(self) -> str:
        return f"{self.path}" + (f" [{self.member}]" if self.member else "")


def check_choice(value: str, choices, what: str) -> str:
    """Return ``value`` if it is one of ``choices``, else raise a ValueError listing them."""
    if value not in choices:
        valid = ", ".join(str(choice) for choice in choices)
        raise ValueError(f"unknown {what} {value!r}: choose one of {valid}")
    return value


def check_dataset(name: str) -> str:
    """Return ``name`` if it is a registered data set, else raise a ValueError listing them."""
    return check_choice(name, list(registry.DATASETS), "data set")


def dataset_of(name: str) -> str:
    """The data set a logical file belongs to (``"ptb/ptb.train.txt"`` -> ``"ptb"``)."""
    return name.split("/", 1)[0]


def _roots() -> list[tuple[Path, str]]:
    roots = [(cache.data_dir(), cache.DATA_ENV)] if cache.data_dir() else []
    return roots + [(cache.cache_dir(), "cache")]


def candidates(name: str) -> list[tuple[Path, str | None, Path, str]]:
    """Every place ``name`` may be, in the order looked: ``(path, member, root, where)``."""
    if name not in registry.FILES:
        raise ValueError(f"unknown data file {name!r}: choose one of {', '.join(registry.FILES)}")
    spec = registry.FILES[name]
    relatives = [(name, None)] if spec.get("tree") else [(name, None), (name + ".gz", None)]
    relatives += [
        (container, members[name])
        for container, members in registry.ARCHIVES.items()
        if name in members
    ]
    return [
        (root / rel, member, root, where)
        for root, where in _roots()
        for rel, member in relatives
    ]


def find(name: str) -> Location | None:
    """The first place ``name`` exists (no hashing), or None."""
    for path, member, root, where in candidates(name):
        is_tree = registry.FILES[name].get("tree") and member is None
        if (path.is_dir() if is_tree else path.is_file()):
            return Location(name, path, member, root, where)
    return None


def reject(location: Location, message: str, error_type: type[DataError]) -> None:
    """Raise ``error_type``; first remove the file if it is in the cache (never the data folder)."""
    cache.forget_digest(location.path, location.member)
    if location.where == "cache" and location.path.is_file():
        location.path.unlink()
        message += f"\nRemoved {location.path} from the cache."
    fix = f"lstm-course data fetch {dataset_of(location.name)}"
    raise error_type(f"{message}\nFix: run `{fix}` to get a good copy.")


def verify(location: Location, use_record: bool = True) -> str:
    """Check the content digest of ``location`` against the registry; return the digest.

    A mismatch raises :class:`DigestMismatchError` naming the file and both digests (and removes
    the file when it is in the cache); a truncated container raises :class:`CorruptFileError`.
    """
    spec = registry.FILES[location.name]
    expected = spec["sha256"]
    if use_record and cache.recorded_digest(location.path, location.member) == expected:
        return expected
    try:
        if spec.get("tree"):
            tree = archive.TreeDigest(spec.get("include", ".*"))
            for rel, content in archive.iter_tree(location.path, location.member or ""):
                tree.add(rel, content)
            actual = tree.hexdigest()
        else:
            actual = archive.sha256_of(location.path, location.member)
    except (CorruptFileError, UnsafeArchiveError) as error:
        reject(location, str(error), type(error))
    check_digest(location, actual)
    return actual


def check_digest(location: Location, actual: str) -> None:
    """Record ``actual`` as verified if it is the pinned digest, else reject the file."""
    expected = registry.FILES[location.name]["sha256"]
    if actual != expected:
        reject(
            location,
            f"{location}: content of {location.name} does not match its pinned digest\n"
            f"  expected sha256 {expected}\n  found    sha256 {actual}",
            DigestMismatchError,
        )
    cache.record_digest(location.path, location.member, actual)


def provides(container: str) -> list[str]:
    """The logical files a downloadable container holds."""
    if container in registry.ARCHIVES:
        return list(registry.ARCHIVES[container])
    name = container[:-3] if container.endswith(".gz") else container
    return [name] if name in registry.FILES else []


def _pooch_download(container: str, url: str, known_hash: str | None, progress: bool) -> None:
    import pooch  # imported here: loading data from disk never needs it

    fetcher = pooch.create(
        path=cache.cache_dir(),
        base_url="",
        registry={container: known_hash},
        urls={container: url},
        retry_if_failed=RETRIES,
    )
    fetcher.fetch(container, progressbar=progress)


def download(container: str, progress: bool = True) -> list[str]:
    """Download ``container`` into the cache, trying each mirror; verify what it holds.

    Returns the errors met (empty on success). A download whose content does not match is
    removed and the next mirror is tried; pooch never leaves a partial file behind.
    """
    known_hash, urls = registry.DOWNLOADS[container]
    target = cache.cache_dir() / container
    members = registry.ARCHIVES.get(container, {})
    errors = []
    for url in urls:
        try:
            _pooch_download(container, url, known_hash, progress)
            for name in provides(container):
                verify(Location(name, target, members.get(name), cache.cache_dir(), "cache"))
            return []
        except Exception as error:  # connection, HTTP status, hash, truncated content, ...
            errors.append(f"{url}: {type(error).__name__}: {error}")
        if target.is_file():
            target.unlink()
    return errors


def fetch_dataset(dataset: str, progress: bool = True) -> list[Location]:
    """Make every file of ``dataset`` available (verified), downloading what is missing.

    Returns the verified locations; raises :class:`DataNotFoundError` if some file stays missing.
    """
    spec = registry.DATASETS[check_dataset(dataset)]
    missing = [name for name in spec["files"] if find(name) is None]
    errors: list[str] = []
    if missing and not cache.offline():
        for container in spec["downloads"]:
            if set(provides(container)) & set(missing):
                errors += download(container, progress)
                missing = [name for name in spec["files"] if find(name) is None]
    if missing:
        raise DataNotFoundError(not_found_message(missing[0], errors))
    locations = [find(name) for name in spec["files"]]
    for location in locations:
        verify(location)
    return locations


def locate(name: str, download: bool = True, check: bool = True) -> Location:
    """Find the logical file ``name`` (fetching its data set if it is nowhere) and verify it.

    ``check=False`` skips the digest check, for a loader that checks while it parses.
    """
    location = find(name)
    if location is None:
        if not download:
            raise DataNotFoundError(not_found_message(name, ["download not attempted"]))
        fetch_dataset(dataset_of(name))
        location = find(name)
    if check:
        verify(location)
    LOCATED.add(name)
    return location


def fix_hint(dataset: str) -> str:
    """The exact command (or variable) that makes ``dataset`` available."""
    return (
        f"run `lstm-course data fetch {dataset}` (needs network access), or set "
        f"{cache.DATA_ENV} to a folder that holds {dataset}/ (such as the course's shared data)"
    )


def not_found_message(name: str, download_errors: list[str]) -> str:
    """One message: the data set, every place looked, the download attempts, and the fix."""
    dataset = dataset_of(name)
    title = registry.DATASETS[dataset]["title"]
    lines = [f"{title}: {name} was not found. Looked in:"]
    if cache.data_dir() is None:
        lines.append(f"  - {cache.DATA_ENV} (not set)")
    lines += [
        f"  - {path}" + (f" [{member}]" if member else "") + f" ({where})"
        for path, member, _root, where in candidates(name)
    ]
    if cache.offline():
        lines.append(f"Download: skipped ({cache.OFFLINE_ENV} is set).")
    elif download_errors:
        lines.append("Download failed:")
        lines += [f"  - {error}" for error in download_errors]
    lines.append(f"Fix: {fix_hint(dataset)}.")
    return "\n".join(lines)


def status() -> list[dict]:
    """Quick availability of each data set (no hashing), for ``lstm-course doctor``.

    Returns one dict per data set: ``name``, ``title``, ``found_at`` (where its files are, or None
    when any is missing), ``missing`` (logical files not found) and ``fix`` (what to run or set).
    """
    rows = []
    for dataset, spec in registry.DATASETS.items():
        locations = {name: find(name) for name in spec["files"]}
        missing = [name for name, location in locations.items() if location is None]
        places = sorted({f"{loc.root} ({loc.where})" for loc in locations.values() if loc})
        rows.append(
            {
                "name": dataset,
                "title": spec["title"],
                "found_at": None if missing else ", ".join(places),
                "missing": missing,
                "fix": fix_hint(dataset),
            }
        )
    return rows


def summarise(locations: list[Location]) -> str:
    """Short "where found", e.g. ``LSTM_COURSE_DATA (gzipped)`` or ``cache (sst/...zip)``."""
    places: dict[str, set[str]] = {}
    for location in locations:
        if location.member is not None:
            form = location.path.relative_to(location.root).as_posix()
        elif location.path.is_dir():
            form = "folder"
        else:
            form = "gzipped" if location.path.suffix == ".gz" else "plain"
        places.setdefault(location.where, set()).add(form)
    return "; ".join(f"{where} ({', '.join(sorted(forms))})" for where, forms in places.items())
