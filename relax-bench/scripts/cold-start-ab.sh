#!/usr/bin/env bash
# Cold `relax explain` of two jars side by side, runs alternating so that the machine's drift hits both alike:
#   [BEFORE_JVM_OPTS=...] [AFTER_JVM_OPTS=...] relax-bench/scripts/cold-start-ab.sh BEFORE.jar AFTER.jar [RUNS [-- opts]]
# Each run is a fresh JVM (`java $X_JVM_OPTS -cp JAR org.relax4j.cli.RelaxCli explain samples/chelsea.png --design balanced
# --estimator control-variate --target-error 0.15 -q`, no AppCDS). Prints every run's wall time and, from its
# summary.json, the encoder's and RELAX's own time (of which masking and accumulation) and what lies outside the
# explanation, then the medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { sed -n 2,6p "$0" >&2; exit 2; }
before="$1"; after="$2"; runs="${3:-5}"; shift $(( $# >= 3 ? 3 : 2 ))
[ "${1:-}" = "--" ] && shift
for j in "$before" "$after"; do [ -f "$j" ] || { echo "no such jar: $j" >&2; exit 2; }; done
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
opts=(--design balanced --estimator control-variate --target-error 0.15 -q "$@")
one() {  # jar label [jvm options] -> "label wall enc relax masking accumulation outside"
  rm -rf "$tmp/out"
  local t0 t1; t0=$(date +%s.%N)
  # shellcheck disable=SC2086  # the JVM options word-split on purpose
  java ${3:-} -cp "$1" org.relax4j.cli.RelaxCli explain samples/chelsea.png "${opts[@]}" --out "$tmp/out" >/dev/null 2>&1
  t1=$(date +%s.%N)
  python3 -c "
import json, sys
t = json.load(open(sys.argv[3]))['timings']; w = float(sys.argv[2])
print('%-7s %6.2f %6.2f %6.2f %6.2f %6.2f %7.2f' % (sys.argv[1], w, t['encoderSeconds'], t['relaxOwnSeconds'],
      t['maskingSeconds'], t['accumulationSeconds'], w - t['totalSeconds']))" "$2" "$(echo "$t1 - $t0" | bc)" \
    "$tmp/out/chelsea/summary.json"
}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u '+%F %H:%M')"
echo "before: $before"; echo "after:  $after"
echo "run     wall s  enc s RELAX s  mask s  acc s outside"
b="${BEFORE_JVM_OPTS:-}"; a="${AFTER_JVM_OPTS:-}"
echo "JVM options: before '$b', after '$a'"
one "$before" warmup "$b" >/dev/null; one "$after" warmup "$a" >/dev/null  # caches (model, native libraries) first
for r in $(seq 1 "$runs"); do one "$before" before "$b"; one "$after" after "$a"; done | tee "$tmp/runs"
echo "medians (wall, enc, RELAX, masking, accumulation, outside):"
for l in before after; do
  awk -v l="$l" '$1 == l' "$tmp/runs" | python3 -c "
import sys, statistics as s
rows=[list(map(float, x.split()[1:])) for x in sys.stdin]
print('%-7s' % sys.argv[1], ' '.join('%6.2f' % s.median(c) for c in zip(*rows)))" "$l"
done
