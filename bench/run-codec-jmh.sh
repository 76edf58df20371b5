#!/usr/bin/env bash
# Codec speed (JMH, CodecBenchmark) and compression on the demo models' real KV (CodecReport), written to
# bench/results/codecs.json (schema: /work/wt/SCHEMAS.md "codecs.json"): runs[] = encode/decode GB/s per core with
# JMH's error, bytes per value and ratio vs fp16 for every codec and param set on a synthetic block and on real
# rx/sx K and V chunks; real_kv_ratios[] = wire bytes, ratio vs fp16 and relative RMSE over LinkQA test prompts.
# Usage: bench/run-codec-jmh.sh          (2-3 minutes on 2 cores after the build, most of it JVM forks)
# Environment: JMH_OPTS overrides the run lengths (default "-f 1 -wi 1 -i 3 -w 300ms -r 400ms": 40 forks);
#              PROMPTS the number of LinkQA prompts per model for the real-KV ratios (default 40);
#              SKIP_BUILD=1 reuses bench/target/benchmarks.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
opts=${JMH_OPTS:-"-f 1 -wi 1 -i 3 -w 300ms -r 400ms"}
prompts=${PROMPTS:-40}
# Every codec and param set on a synthetic block; the candidates for the wire on real chunks.
synthetic_codecs="fp32,fp16,int8:scale_type=fp32,int8,int8:scales=per_channel,int8z,int8z:scales=per_channel,int8z:level=3"
real_codecs="fp16,int8,int8z"
ratio_codecs="fp16,int8:scale_type=fp32,int8,int8:scales=per_channel,int8z,int8z:scales=per_channel,int8z:level=3,int8z:level=19"

if [ -z "${JAVA_HOME:-}" ]; then
  for c in /usr/lib/jvm/temurin-25* /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/java-2[1-9]*; do
    [ -x "$c/bin/java" ] && { export JAVA_HOME=$c; break; }
  done
fi
[ "${SKIP_BUILD:-0}" = 1 ] || ./mvnw -B -q -pl bench -am package -DskipTests
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
flags="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
mkdir -p bench/results/tmp
jmh() { # $1 = output, then JMH arguments
  local rff=$1; shift
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" -jar bench/target/benchmarks.jar 'CodecBenchmark' $opts "$@" \
    -jvmArgsAppend "$flags -Dlatentlink.models.dir=$PWD/models" -rf json -rff "$rff"
}
jmh bench/results/tmp/codec-jmh-synthetic.json -p codec="$synthetic_codecs" -p data=synthetic-8x256x128
jmh bench/results/tmp/codec-jmh-real.json -p codec="$real_codecs" -p data=rx-K,rx-V,sx-K,sx-V

cmd="bench/run-codec-jmh.sh  # JMH_OPTS=\"$opts\" PROMPTS=$prompts; java -jar bench/target/benchmarks.jar CodecBenchmark $opts -p codec=$synthetic_codecs -p data=synthetic-8x256x128, then -p codec=$real_codecs -p data=rx-K,rx-V,sx-K,sx-V; then CodecReport"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $flags -cp bench/target/benchmarks.jar io.latentlink.bench.codec.CodecReport \
  --jmh bench/results/tmp/codec-jmh-synthetic.json --jmh bench/results/tmp/codec-jmh-real.json \
  --models models --prompts "$prompts" --codecs "$ratio_codecs" --out bench/results/codecs.json \
  --command "$cmd" --load-before "$load_before" --setting "jmh_opts=$opts"
