#!/usr/bin/env bash
# Builds a self-contained bundle for nvidia-opencl-check.sh: a jlinked Java runtime, the relax-gpu jars and
# their dependencies, the kernel tests and the JUnit console launcher, so that the check runs on a Linux machine
# with an NVIDIA GPU and no JDK.
#
# Run on the build machine (JDK 17 with jlink/jdeps, Maven), from anywhere:
#   relax-gpu/scripts/prepare-device-bundle.sh [OUT_DIR]        (default: relax-gpu/target/device-bundle)
# MVN overrides the Maven command, e.g. MVN="flock /tmp/mvn.lock mvn -o". Then copy OUT_DIR to the GPU machine
# and run OUT_DIR/nvidia-opencl-check.sh there (see relax-gpu/DEVICE.md).
# With TORNADOVM_HOME set, the bundle also gets tornado/: a jlinked JDK 25 runtime, the TornadoVM SDK and
# relax-tornado with its tests, so that the same check runs the tornado engine's tests and EngineTimings too.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/relax-gpu/target/device-bundle}"
mvn_cmd=(${MVN:-mvn})
junit_console="org.junit.platform:junit-platform-console-standalone:1.14.1"

rm -rf "$out"
mkdir -p "$out/lib"
cd "$root"
"${mvn_cmd[@]}" -q -pl relax-gpu -am install -DskipTests
# relax-core (jar and test-jar, for the engine contract tests) and JOCL; JUnit comes as the console launcher.
"${mvn_cmd[@]}" -q -pl relax-gpu dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$out/lib" \
    -DexcludeGroupIds=org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian
"${mvn_cmd[@]}" -q dependency:copy -Dartifact="$junit_console" -DoutputDirectory="$out"
mv "$out"/junit-platform-console-standalone-*.jar "$out/junit-console.jar"
cp relax-gpu/target/relax-gpu-*[0-9T].jar "$out/lib/"
jar --create --file "$out/lib/relax-gpu-tests.jar" -C relax-gpu/target/test-classes .
cp "$here/nvidia-opencl-check.sh" "$out/"
chmod +x "$out/nvidia-opencl-check.sh"

modules="$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 "$out"/lib/*.jar "$out/junit-console.jar")"
# jdk.zipfs: the JUnit launcher scans jars through the zip file system.
modules="$modules,java.logging,jdk.zipfs"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/jre"

if [ -n "${TORNADOVM_HOME:-}" ]; then
  java25="${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
  t="$out/tornado"
  mkdir -p "$t/lib"
  "${mvn_cmd[@]}" -q -pl relax-tornado -am install -DskipTests
  cp relax-tornado/target/relax-tornado-*[0-9T].jar "$t/lib/"
  "$java25/bin/jar" --create --file "$t/lib/relax-tornado-tests.jar" -C relax-tornado/target/test-classes .
  # The SDK without its tornado-argfile (absolute paths; the check writes one from the template). All its jars stay:
  # the Graal compiler module requires Truffle's (tried: without them the boot layer does not start).
  mkdir -p "$t/sdk"
  cp -r "$TORNADOVM_HOME"/bin "$TORNADOVM_HOME"/lib "$TORNADOVM_HOME"/etc "$TORNADOVM_HOME"/share "$t/sdk/"
  cp "$TORNADOVM_HOME"/tornado-argfile.template "$t/sdk/"
  # JVMCI and everything the argfile exports from; --add-modules ALL-SYSTEM resolves whatever is in the image.
  "$java25/bin/jlink" --add-modules java.se,jdk.internal.vm.ci,jdk.unsupported,jdk.management,jdk.incubator.vector,jdk.zipfs,jdk.crypto.ec \
      --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$t/jre"
fi

echo "bundle: $out ($(du -sh "$out" | cut -f1); runtime modules: $modules)"
ls -1 "$out" "$out/lib"
