#!/usr/bin/env bash
# Where a JVM run spent its time, from a Java Flight Recorder file: the top frames of the native
# samples (time inside PyTorch and other native calls, one sample per 20 ms of a thread in native
# code) and of the Java samples (one per 10 ms of a thread running Java), counted per method.
#
#   RECONVENE_THREADS=1 RECONVENE_JAVA_OPTS="-Xmx8g -XX:StartFlightRecording=filename=/tmp/run.jfr,settings=profile" \
#     bin/reconvene prune --model vgg16 --dataset cifar10 --method upai --scorer synflow --sparsity 0.98 --out /tmp/prune
#   bench/jfr_top.sh /tmp/run.jfr [rows]
#
# Sampling intervals are those of the JDK's "profile" settings; counts are samples, not ms.
set -euo pipefail
file="${1:?usage: bench/jfr_top.sh FILE.jfr [rows]}"
rows="${2:-12}"
top() {
  jfr print --events "$1" "$file" | awk '/stackTrace = \[/ {getline; sub(/line:.*/, ""); gsub(/^ +/, ""); print}' \
    | sort | uniq -c | sort -rn | head -n "$rows"
}
echo "native samples (20 ms each), top frames:"
top jdk.NativeMethodSample
echo "java samples (10 ms each), top frames:"
top jdk.ExecutionSample
