#!/bin/sh
# `cabledesk parse INPUT --output jsonl` with two trees in turns, pinned to core 1: each
# run's CPU (perf's task-clock, ms) and the load average, then `cmp` of the two outputs
# (docs/performance.md, issue 11). Build each tree's compiled modules first.
#   sh bench/parse_pairs.sh INPUT PAIRS OLD_TREE NEW_TREE [OUT_DIR]
IN=$1; PAIRS=$2; OLD=$3; NEW=$4; OUT=${5:-/tmp/parse-pairs}
PY=${PYTHON:-.venv/bin/python}
mkdir -p "$OUT"
for i in $(seq "$PAIRS"); do
  for tree in "$OLD" "$NEW"; do
    name=$( [ "$tree" = "$OLD" ] && echo old || echo new )
    load=$(cut -d' ' -f1 /proc/loadavg)
    PYTHONPATH=$tree/src perf stat -x, -e task-clock taskset -c 1 "$PY" -m cabledesk \
      parse "$IN" --output jsonl > "$OUT/$name.jsonl" 2> "$OUT/$name.stat"
    echo "$i $name load=$load $(tail -1 "$OUT/$name.stat" | cut -d, -f1)"
  done
  cmp "$OUT/old.jsonl" "$OUT/new.jsonl" || echo DIFFER
done
