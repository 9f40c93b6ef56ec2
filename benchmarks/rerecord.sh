#!/usr/bin/env bash
# Re-record experiments into results/ from a clean tree, the way the committed records are made.
#
#   benchmarks/rerecord.sh COMMIT NAME [NAME ...]
#
# Checks COMMIT out in its own worktree (../rerun-<commit>, or with $RERECORD_SUFFIX appended,
# so two lanes can run side by side), runs `lstm-course run NAME --resume --threads 1` there for
# each NAME in turn (so a stopped lane resumes from its checkpoints when started again), and
# copies the files each record changed or added under results/ into this checkout's results/.
# The worktree's results/ is then reset, so the next record also starts from a clean tree.
# Needs LSTM_COURSE_DATA and the course's venv (.venv, or $PYTHON). One thread per lane: run at
# most two lanes on a 2-core machine. Commit the copied records yourself. $RERECORD_ARGS adds
# arguments to each run (e.g. "--profile smoke" to try the script in seconds).
set -u
[ $# -ge 2 ] || { sed -n 2,14p "$0"; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$here" rev-parse --verify "$1^{commit}") || exit 2
shift
python=${PYTHON:-$here/.venv/bin/python}
tree=$(dirname "$here")/rerun-${commit:0:10}${RERECORD_SUFFIX:-}
[ -d "$tree" ] || git -C "$here" worktree add --detach "$tree" "$commit" || exit 1
cd "$tree" || exit 1
export PYTHONPATH="$tree" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$python" -c "import course_lib, sys; sys.exit(not course_lib.__file__.startswith('$tree'))" \
  || { echo "course_lib is not imported from $tree"; exit 1; }
failures=0
for name in "$@"; do
  echo "== $(date -u +%FT%TZ) $name: start at ${commit:0:10} in $tree"
  if "$python" -m course_lib.tools.cli run "$name" --resume --threads 1 --no-progress ${RERECORD_ARGS:-}; then
    git status --porcelain --untracked-files=all results/ | while read -r _ path; do
      mkdir -p "$here/$(dirname "$path")" && cp -v "$path" "$here/$path"
    done
    git checkout -- results/ && git clean -fdq results/
    echo "== $(date -u +%FT%TZ) $name: recorded"
  else
    failures=$((failures + 1))
    echo "== $(date -u +%FT%TZ) $name: FAILED"
  fi
done
exit $failures
