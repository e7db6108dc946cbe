#!/usr/bin/env bash
# Builds a self-contained bundle for nvidia-opencl-check.sh: a jlinked Java runtime, the relax-gpu jars and
# their dependencies, the kernel tests and the JUnit console launcher, so that the check runs on a Linux machine
# with an NVIDIA GPU and no JDK.
#
# Run on the build machine (JDK 17 with jlink/jdeps, Maven), from anywhere:
#   relax-gpu/scripts/prepare-device-bundle.sh [OUT_DIR]        (default: relax-gpu/target/device-bundle)
# MVN overrides the Maven command, e.g. MVN="flock /tmp/mvn.lock mvn -o". Then copy OUT_DIR to the GPU machine
# and run OUT_DIR/nvidia-opencl-check.sh there (see relax-gpu/DEVICE.md).
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

echo "bundle: $out ($(du -sh "$out" | cut -f1); runtime modules: $modules)"
ls -1 "$out" "$out/lib"
