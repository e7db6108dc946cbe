#!/usr/bin/env bash
# Runs the benchmark suite in a JDK 25 JVM with TornadoVM, so that the tornado engine is measured beside cpu, opencl
# and nd4j in one run. Arguments go to the suite (e.g. --quick, --engines=cpu,tornado,nd4j, --no-memory).
#   TORNADOVM_HOME=... relax-bench/scripts/bench-with-tornado.sh > table.md
# Why not `java @tornado-argfile -jar benchmarks.jar`: TornadoVM's module path holds JMH 1.29 and jopt-simple 4.6 as
# automatic modules, and one automatic module resolved (commons-math3, which TornadoVM needs) resolves them all, so
# they would shadow the suite's JMH 1.37 (forks then fail with NoSuchMethodError). This script gives TornadoVM a
# module path without those two jars.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${TORNADOVM_HOME:?set TORNADOVM_HOME to a TornadoVM SDK (README, Backends)}"
java25="${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$java25/bin/java" ] || { echo "no JDK 25 at $java25 (set JAVA25_HOME)" >&2; exit 1; }
bench="$here/relax-bench/target/benchmarks.jar"
tjar="$(ls "$here"/relax-tornado/target/relax-tornado-*.jar 2>/dev/null | grep -v -- '-tests.jar' | head -1 || true)"
if [ ! -f "$bench" ] || [ -z "$tjar" ]; then
  (cd "$here" && mvn -B -q -DskipTests -DskipITs -pl relax-bench,relax-tornado -am install) >&2
  tjar="$(ls "$here"/relax-tornado/target/relax-tornado-*.jar | grep -v -- '-tests.jar' | head -1)"
fi
farm="$here/relax-bench/target/tornado-modules"
rm -rf "$farm" && mkdir -p "$farm"
for j in "$TORNADOVM_HOME"/share/java/tornado/*.jar; do
  case "$(basename "$j")" in jmh-core-*|jopt-simple-*) ;; *) ln -s "$j" "$farm/" ;; esac
done
sed "s#$TORNADOVM_HOME/share/java/tornado#$farm#" "$TORNADOVM_HOME/tornado-argfile" > "$farm/argfile"
exec "$java25/bin/java" @"$farm/argfile" -Dtornado.enable.fma=false -Dtornado.recover.bailout=false \
  --enable-native-access=ALL-UNNAMED -cp "$bench:$tjar" org.relax4j.bench.BenchSuite "$@"
