#!/usr/bin/env bash
# Checks the opencl engine on NVIDIA's OpenCL, on a Linux machine with an NVIDIA GPU and no JDK.
#
# Needs the bundle made by prepare-device-bundle.sh (a jlinked runtime in jre/, jars in lib/, junit-console.jar);
# this script lives at the bundle's top. Usage:
#   ./nvidia-opencl-check.sh [RESULT_DIR]          (default: $OUT if set, else ./nvidia-opencl-check-results)
# Environment: REQUIRE_PLATFORM (default NVIDIA) is the part of the OpenCL platform name that must be present;
# JAVA overrides the runtime; TIMING_BATCH (default 100) is KernelTimings' batch.
#
# What it does, writing everything to RESULT_DIR/report.txt (and the console):
#  1. records the machine: nvidia-smi, ICD files under /etc/OpenCL/vendors, libOpenCL*, libnvidia-opencl*,
#     libcuda*, libnvrtc* (ldconfig and a search of the usual library directories);
#  2. lists OpenCL platforms and devices and builds the RELAX kernels on each (org.relax4j.gpu.DeviceReport); if
#     libnvidia-opencl.so.1 exists but no nvidia.icd names it (common in containers), or only libOpenCL.so.1 exists
#     (JOCL loads the unversioned libOpenCL.so), it retries with a private ICD directory / symlink;
#  3. if NVIDIA's platform is present: runs the module's tests on it with CI=true (a missing device fails) and
#     RELAX4J_OPENCL_DEVICE=$REQUIRE_PLATFORM, JUnit XML in RESULT_DIR/junit; then org.relax4j.gpu.KernelTimings
#     (in the bundle's relax-gpu-tests.jar; every kernel at batch 100 of 3x224x224 against a device-to-device clEnqueueCopyBuffer, GB/s table);
#  4. if it is absent: says so; step 1 already recorded exactly what is there;
#  5. if the bundle has tornado/ (prepare-device-bundle.sh with TORNADOVM_HOME): the tornado engine's tests with
#     RELAX4J_TORNADO_DEVICE=$REQUIRE_PLATFORM on TornadoVM's OpenCL backend (JDK 25, tornado-argfile), then
#     org.relax4j.tornado.EngineTimings (first batch and steady batch of cpu, opencl and tornado, maps compared).
# Exit status: 0 all passed; 3 NVIDIA's platform absent; 1 tests or timings failed.
set -uo pipefail

bundle="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
results="${1:-${OUT:-$PWD/nvidia-opencl-check-results}}"
require="${REQUIRE_PLATFORM:-NVIDIA}"
java="${JAVA:-$bundle/jre/bin/java}"
cp_jars="$(ls "$bundle"/lib/*.jar | tr '\n' ':')"
mkdir -p "$results"
report="$results/report.txt"
: > "$report"

say() { echo "$*" | tee -a "$report"; }
section() { say ""; say "=== $* ==="; }
run() { say "\$ $*"; "$@" 2>&1 | tee -a "$report"; return "${PIPESTATUS[0]}"; }

section "machine"
run uname -a
run date -u
if command -v nvidia-smi >/dev/null 2>&1; then
    run nvidia-smi
    run nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv
else
    say "nvidia-smi: not found on PATH"
fi
section "OpenCL ICD files (/etc/OpenCL/vendors)"
if [ -d /etc/OpenCL/vendors ]; then
    for f in /etc/OpenCL/vendors/*; do
        [ -e "$f" ] || { say "(empty)"; break; }
        say "$f: $(cat "$f")"
    done
else
    say "/etc/OpenCL/vendors does not exist"
fi
say "OCL_ICD_VENDORS=${OCL_ICD_VENDORS:-} NVIDIA_VISIBLE_DEVICES=${NVIDIA_VISIBLE_DEVICES:-} NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES:-}"
section "libraries (ldconfig -p)"
ldconfig -p 2>/dev/null | grep -E 'libOpenCL|libnvidia-opencl|libcuda|libnvrtc' | tee -a "$report" || say "(none in the ld cache)"
section "libraries (files)"
find /usr/lib /usr/lib64 /usr/local /lib /lib64 /opt -maxdepth 5 \( -name 'libOpenCL.so*' -o -name 'libnvidia-opencl.so*' \
    -o -name 'libcuda.so*' -o -name 'libnvrtc*.so*' \) 2>/dev/null | sort | tee -a "$report"
section "java"
if [ ! -x "$java" ]; then
    say "no Java runtime at $java: run prepare-device-bundle.sh on the build machine and copy its output here"
    exit 1
fi
run "$java" -version

# JOCL dlopens "libOpenCL.so"; driver-only machines often have just libOpenCL.so.1.
fix_dir="$results/opencl-fix"
if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL.so '; then
    loader="$(ldconfig -p 2>/dev/null | awk '/libOpenCL.so.1 /{print $NF; exit}')"
    [ -z "$loader" ] && loader="$(find /usr/lib /usr/lib64 /lib /lib64 /usr/local -name 'libOpenCL.so.1' 2>/dev/null | head -1)"
    if [ -n "$loader" ]; then
        mkdir -p "$fix_dir/lib"
        ln -sf "$loader" "$fix_dir/lib/libOpenCL.so"
        export LD_LIBRARY_PATH="$fix_dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        say "note: no unversioned libOpenCL.so; using a symlink to $loader via LD_LIBRARY_PATH"
    fi
fi

section "OpenCL platforms and devices (DeviceReport --require $require)"
run "$java" -cp "$cp_jars" org.relax4j.gpu.DeviceReport --require "$require"
status=$?
if [ "$status" -eq 3 ] || [ "$status" -eq 1 ]; then
    nv="$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl.so.1 /{print $NF; exit}')"
    [ -z "$nv" ] && nv="$(find /usr/lib /usr/lib64 /lib /lib64 /usr/local -name 'libnvidia-opencl.so.1' 2>/dev/null | head -1)"
    if [ -n "$nv" ] && ! grep -qs libnvidia-opencl /etc/OpenCL/vendors/* ${OCL_ICD_VENDORS:+"$OCL_ICD_VENDORS"/*}; then
        mkdir -p "$fix_dir/vendors"
        cp /etc/OpenCL/vendors/*.icd "$fix_dir/vendors/" 2>/dev/null
        echo "$nv" > "$fix_dir/vendors/nvidia.icd"
        export OCL_ICD_VENDORS="$fix_dir/vendors"
        section "retry with a private ICD file naming $nv (OCL_ICD_VENDORS=$OCL_ICD_VENDORS)"
        run "$java" -cp "$cp_jars" org.relax4j.gpu.DeviceReport --require "$require"
        status=$?
    fi
fi
if [ "$status" -eq 3 ] || [ "$status" -eq 1 ]; then
    section "result"
    say "NVIDIA's OpenCL platform ('$require') is ABSENT; the sections above record what is present."
    exit 3
fi

failed=0
section "kernel tests on '$require' (CI=true, RELAX4J_OPENCL_DEVICE=$require)"
run env CI=true RELAX4J_OPENCL_DEVICE="$require" "$java" -Xmx4g -jar "$bundle/junit-console.jar" execute \
    --class-path "$cp_jars" --select-package org.relax4j.gpu --reports-dir "$results/junit" --details tree \
    --disable-banner --fail-if-no-tests || failed=1
section "KernelTimings on '$require'"
run "$java" -Xmx4g -cp "$cp_jars" org.relax4j.gpu.KernelTimings --device "$require" --batch "${TIMING_BATCH:-100}" \
    --reps 20 --batches 10 || failed=1
if [ -d "$bundle/tornado" ]; then
    t="$bundle/tornado"
    sed "s#\${TORNADOVM_HOME}#$t/sdk#g" "$t/sdk/tornado-argfile.template" > "$results/tornado-argfile"
    tcp="$(ls "$bundle"/lib/*.jar "$t"/lib/*.jar | tr '\n' ':')"
    tjava=("$t/jre/bin/java" @"$results/tornado-argfile" -Dtornado.enable.fma=false -Dtornado.recover.bailout=false
           --enable-native-access=ALL-UNNAMED -Xmx4g)
    section "tornado engine tests on '$require' (RELAX4J_TORNADO_DEVICE=$require)"
    # On the JVM's own class path, not the launcher's --class-path: TornadoVM reads kernel class files through the
    # system class loader ("Class reader could not be instantiated" otherwise).
    run env CI=true RELAX4J_TORNADO_DEVICE="$require" "${tjava[@]}" -cp "$tcp$bundle/junit-console.jar" \
        org.junit.platform.console.ConsoleLauncher execute --select-package org.relax4j.tornado \
        --reports-dir "$results/junit-tornado" --details tree --disable-banner --fail-if-no-tests || failed=1
    section "EngineTimings on '$require' (cpu, opencl, tornado)"
    run env RELAX4J_OPENCL_DEVICE="$require" "${tjava[@]}" -cp "$tcp" org.relax4j.tornado.EngineTimings "$require" 20 \
        || failed=1
fi
section "result"
if [ "$failed" -eq 0 ]; then
    say "NVIDIA's OpenCL platform is present; the kernel tests passed; timings above."
else
    say "NVIDIA's OpenCL platform is present, but the tests or the timings FAILED (see above)."
fi
exit "$failed"
