#!/usr/bin/env bash
# Builds the JMH jar and runs the core benchmarks briefly, writing bench/results/core-jmh.json:
#   {"command": ..., "machine": ..., "date": ..., "jmh": [JMH's own JSON results]}
# Usage: bench/run-core-jmh.sh [model ...]       (default: rx sx, i.e. models/rx and models/sx; folders work too)
# Environment: JMH_OPTS overrides the run lengths (default "-f 1 -wi 2 -i 3 -w 1s -r 2s").
set -euo pipefail
cd "$(dirname "$0")/.."
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(rx sx)
joined=$(IFS=,; echo "${models[*]}")
opts=${JMH_OPTS:-"-f 1 -wi 2 -i 3 -w 1s -r 2s"}

if [ -z "${JAVA_HOME:-}" ]; then
  for c in /usr/lib/jvm/temurin-25* /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/java-2[1-9]*; do
    [ -x "$c/bin/java" ] && { export JAVA_HOME=$c; break; }
  done
fi
./mvnw -B -q -pl bench -am package -DskipTests
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
flags="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
mkdir -p bench/results/tmp
cmd="java -jar bench/target/benchmarks.jar $opts -p model=$joined -jvmArgsAppend \"$flags -Dlatentlink.models.dir=$PWD/models\" -rf json -rff bench/results/tmp/core-jmh-raw.json"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar $opts -p model="$joined" \
  -jvmArgsAppend "$flags -Dlatentlink.models.dir=$PWD/models" -rf json -rff bench/results/tmp/core-jmh-raw.json

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
machine="$(nproc) cores ($cpu), $(free -g | awk '/^Mem:/{print $2}') GiB RAM, $(uname -sr), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1), shared with other jobs (load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg))"
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
{
  printf '{\n  "command": "%s",\n' "$(esc "bench/run-core-jmh.sh ${models[*]}  # runs: $cmd")"
  printf '  "machine": "%s",\n' "$(esc "$machine")"
  printf '  "date": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf '  "note": "secondary metrics: DecoderBenchmark *:tokens = tokens/s; KvCacheBenchmark *:bytes = bytes/s (divide by 1e9 for GB/s)",\n'
  printf '  "jmh": '
  cat bench/results/tmp/core-jmh-raw.json
  printf '}\n'
} > bench/results/core-jmh.json
echo "wrote bench/results/core-jmh.json"
