#!/usr/bin/env bash
# Cold start and serving, side by side in one run (issue 24; BENCHMARKS.md, "Cold start and serving"):
#   [BASELINE_JAR=old/relax.jar] relax-bench/scripts/interactive-bench.sh [RUNS] [REQUESTS]
# Prints one table: for each way of running `relax explain chelsea.png --design balanced --estimator control-variate
# --target-error 0.15`, the median wall time and, from summary.json, the explanation's own time (encoder, RELAX)
# and what lies outside it (JVM, class loading, model load, image, writing). Then `relax serve`: the time per
# request, 4 clients at once, heap after GC over REQUESTS requests in a row, and a 1 GB upload refused.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
requests="${2:-1000}"
full=relax-cli/target/relax.jar
lite=relax-cli/target/relax-lite.jar
[ -f "$full" ] && [ -f "$lite" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
img=samples/chelsea.png
opts=(--design balanced --estimator control-variate --target-error 0.15 -q)
tmp="$(mktemp -d)"
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
server=""

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
row() { printf '| %-44s | %6s | %6s | %6s | %6s | %7s |\n' "$@"; }

# One cold run: wall time of the whole process, and the explanation's own times from its summary.
cold() {
  local label="$1"; shift
  local walls=() encs=() relaxes=() totals=()
  for r in $(seq 1 "$runs"); do
    rm -rf "$tmp/out"
    local t0 t1
    t0=$(date +%s.%N)
    "$@" explain "$img" "${opts[@]}" --out "$tmp/out" >/dev/null 2>&1
    t1=$(date +%s.%N)
    walls+=("$(echo "$t1 - $t0" | bc)")
    local s="$tmp/out/chelsea/summary.json"
    encs+=("$(json "$s" "d['timings']['encoderSeconds']")")
    relaxes+=("$(json "$s" "d['timings']['relaxOwnSeconds']")")
    totals+=("$(json "$s" "d['timings']['totalSeconds']")")
  done
  local w e x t
  w=$(printf '%s\n' "${walls[@]}" | median); e=$(printf '%s\n' "${encs[@]}" | median)
  x=$(printf '%s\n' "${relaxes[@]}" | median); t=$(printf '%s\n' "${totals[@]}" | median)
  row "$label" "$(printf %.2f "$w")" "$(printf %.2f "$e")" "$(printf %.2f "$x")" "$(printf %.2f "$t")" \
    "$(printf %.2f "$(echo "$w - $t" | bc)")"
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%F)"
echo
row "run (chelsea, 384 passes)" "wall s" "enc s" "RELAX s" "expl s" "outside"
row "---" "---" "---" "---" "---" "---"
if [ -n "${BASELINE_JAR:-}" ]; then  # e.g. the relax.jar of an earlier commit, for "before" in the same run
  cold "before: $(basename "$(dirname "$(dirname "$(dirname "$BASELINE_JAR")")")")/relax.jar" java -jar "$BASELINE_JAR"
fi
cold "full relax.jar (java -jar)" java -jar "$full"
cold "relax-lite.jar (java -jar)" java -jar "$lite"
cdsdir="$tmp/cds"; mkdir -p "$cdsdir"
java -XX:ArchiveClassesAtExit="$cdsdir/lite.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -jar "$lite" explain "$img" \
  "${opts[@]}" --out "$tmp/cds-out" >/dev/null 2>&1
cold "relax-lite.jar + AppCDS (./relax's way)" java -XX:SharedArchiveFile="$cdsdir/lite.jsa" -Xshare:auto \
  -Xlog:cds=off -jar "$lite"

# Warm: four copies of the image in one JVM; the 2nd to 4th are warm.
mkdir -p "$tmp/four"
for k in 1 2 3 4; do cp "$img" "$tmp/four/c$k.png"; done
java -jar "$lite" explain "$tmp"/four/c*.png "${opts[@]}" --out "$tmp/warm" >/dev/null 2>&1
for k in 1 2 3 4; do
  s="$tmp/warm/c$k/summary.json"
  row "same JVM, image $k of 4" "" "$(printf %.2f "$(json "$s" "d['timings']['encoderSeconds']")")" \
    "$(printf %.2f "$(json "$s" "d['timings']['relaxOwnSeconds']")")" \
    "$(printf %.2f "$(json "$s" "d['timings']['totalSeconds']")")" ""
done

# Served: the model loaded once; curl's wall time per request.
java -jar "$lite" serve --port 0 --design balanced --estimator control-variate --target-error 0.15 --queue 8 \
  > "$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do grep -q "ready at" "$tmp/serve.log" 2>/dev/null && break; sleep 0.5; done
url="$(grep -o 'http://[^ ]*/' "$tmp/serve.log" | head -1)"
walls=()
for r in $(seq 1 "$runs"); do
  w=$(curl -s -o "$tmp/served.json" -w '%{time_total}' -F image=@"$img" "${url}explain")
  walls+=("$w")
done
e=$(json "$tmp/served.json" "d['timings']['encoderSeconds']"); t=$(json "$tmp/served.json" "d['timings']['totalSeconds']")
w=$(printf '%s\n' "${walls[@]}" | median)
row "relax serve: POST /explain (curl)" "$(printf %.2f "$w")" "$(printf %.2f "$e")" "" "$(printf %.2f "$t")" \
  "$(printf %.2f "$(echo "$w - $t" | bc)")"
echo

# Four clients at once.
t0=$(date +%s.%N)
for k in 1 2 3 4; do
  curl -s -o "$tmp/c$k.json" -w "client $k: %{http_code} after %{time_total} s\n" -F image=@"$img" -F seed=$k \
    "${url}explain" > "$tmp/c$k.txt" &
done
wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
cat "$tmp"/c[1-4].txt
echo "4 clients at once: all answered in $(printf %.1f "$(echo "$(date +%s.%N) - $t0" | bc)") s"

# A 1 GB upload.
head -c 1073741824 /dev/zero > "$tmp/big.bin"
curl -s -o /dev/null -w "1 GB upload: %{http_code} after %{time_total} s\n" -F image=@"$tmp/big.bin" "${url}explain"
rm -f "$tmp/big.bin"

# Requests in a row (16 masks each: the service's own memory, not the encoder's time): heap after GC.
# A full collection first (jcmd), so that the number is what the service retains, not garbage awaiting collection.
heap() {
  jcmd "$server" GC.run >/dev/null 2>&1 || true
  curl -s "${url}metrics" | awk '$1 == "relax_heap_after_gc_bytes" {printf "%.1f", $2 / 1048576}'
}
echo "before the requests: heap after GC $(heap) MB"
for r in $(seq 1 "$requests"); do
  curl -s -o /dev/null -F image=@"$img" -F masks=16 -F design=random -F estimator=ratio -F target-error=NaN "${url}explain" || true
  case "$r" in 10|100|250|500|750|1000|2000) echo "after $r requests: heap after GC $(heap) MB" ;; esac
done
