"""``lstm-course run``: run a registered experiment, or list them.

    lstm-course run --list
    lstm-course run adding --profile smoke
    lstm-course run adding --resume              # continue from checkpoints/adding/
    lstm-course run adding --seed 3 --set epochs=5 --set hidden_size=32
    lstm-course run adding --threads 1           # one torch and one OpenBLAS thread

A run recorded into the committed results/ (any profile but smoke) must start from a clean tree:
commit first, or pass --allow-dirty (the record is then marked dirty, with the diff's sha256).
"""

from __future__ import annotations

import sys

from course_lib.env.profiles import PROFILES


def add_arguments(parser):
    parser.add_argument("experiment", nargs="?", help="the experiment's name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument("--profile", choices=PROFILES,
                        help="run profile (default: $LSTM_COURSE_PROFILE, else laptop)")
    parser.add_argument("--device", help="auto | cpu | cuda | cuda:N | mps (default: auto)")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the last checkpoint of the same experiment/profile/seed")
    parser.add_argument("--seed", type=int, help="seed (default: the configuration's)")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="change one field of the configuration (repeatable)")
    parser.add_argument("--threads", type=int,
                        help="CPU threads for torch and NumPy's OpenBLAS (default: the libraries' "
                             "choice; on a machine shared with other jobs, 1 can be several times "
                             "faster for small models; the count changes results slightly)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument("--results-dir", help="where to write results (default: results/)")
    parser.add_argument("--checkpoint-dir", help="where to keep checkpoints (default: checkpoints/)")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="record into results/ even with uncommitted changes (marked dirty)")


def list_table() -> str:
    from course_lib.runs.registry import LOAD_ERRORS, load_all

    experiments = load_all()
    width = max((len(n) for n in experiments), default=4)
    lines = [f"{name:<{width}}  {experiments[name].description}" for name in sorted(experiments)]
    lines += [f"(module {m} failed to import: {e})" for m, e in LOAD_ERRORS.items()]
    return "\n".join(lines)


def main(args) -> int:
    if args.list or not args.experiment:
        print(list_table())
        return 0
    from course_lib.env.paths import CHECKPOINTS_DIR, RESULTS_DIR
    from course_lib.env.threads import set_threads
    from course_lib.runs.provenance import DirtyTreeError
    from course_lib.runs.runner import run_experiment

    if args.threads:
        set_threads(args.threads)
    overrides = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set takes FIELD=VALUE, got {item!r}")
        overrides[key.strip()] = value.strip()
    try:
        record = run_experiment(
            args.experiment, profile=args.profile, device=args.device, seed=args.seed,
            resume=args.resume, overrides=overrides, progress=not args.no_progress,
            results_dir=args.results_dir or RESULTS_DIR,
            checkpoint_root=args.checkpoint_dir or CHECKPOINTS_DIR, allow_dirty=args.allow_dirty)
    except DirtyTreeError as error:
        print(error, file=sys.stderr)
        return 2
    parts = f" over {len(record['parts'])} parts" if len(record["parts"]) > 1 else ""
    print(f"{record['experiment']} ({record['profile']}, {record['device']['type']}): "
          f"{record['wall_time_s']:.1f} s{parts}, results in {record['path']}")
    for run, metrics in record["final_metrics"].items():
        shown = "  ".join(f"{k} {v:.4g}" for k, v in metrics.items() if not k.startswith("train_"))
        print(f"  {run}: {shown}")
    return 0
