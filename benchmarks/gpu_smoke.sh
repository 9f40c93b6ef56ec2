#!/usr/bin/env bash
# Run the smoke profile of each PyTorch experiment on CUDA, one after another, and write a log.
#   benchmarks/gpu_smoke.sh [LOG] [EXPERIMENT ...]
# Needs a CUDA GPU, the course installed (or PYTHONPATH at the checkout) and LSTM_COURSE_DATA.
# The smoke records go to a temporary folder; results/ is not touched. Exit status: 0 when
# every experiment finished, else the number of failures.
set -u
log=${1:-gpu-smoke.log}; shift || true
experiments=("$@")
[ ${#experiments[@]} -gt 0 ] || experiments=(mnist-torch ptb-char ptb-char-depth ptb-zaremba ptb-word-ours variants adding)
python3 -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU here'; print('torch', torch.__version__, torch.cuda.get_device_name())" > "$log" || exit 1
scratch=$(mktemp -d); failures=0
for name in "${experiments[@]}"; do
  t0=$(date +%s)
  timeout 300 python3 -m course_lib.tools.cli run "$name" --profile smoke --device cuda --no-progress \
      --results-dir "$scratch/$name" > "$scratch/$name.log" 2>&1
  rc=$?; [ $rc -eq 0 ] || failures=$((failures + 1))
  echo "== $name rc=$rc $(( $(date +%s) - t0 )) s" >> "$log"
  tail -15 "$scratch/$name.log" >> "$log"
done
rm -rf "$scratch"
exit $failures
