#!/usr/bin/env bash
# The benchmark suite (issue 5), from a clean clone, in about 20 minutes on 2 cores. It builds what it needs, then
#   1. load-tool smoke: the three nodes on loopback, latentlink-load.jar driving Receiver.Generate in RECEIVER_ONLY
#      and C2C (int8): bench/results/load-*.json;
#   2. modes: the LinkQA-context test split through the three nodes per mode and codec, against in-process C2C
#      (bench/results/modes.json, modes.md);
#   3. transport: synthetic Qwen3-0.6B-shaped KV, one hop and two hops (pass-through projector), per codec, against
#      iperf3 single-stream loopback (bench/results/transport.json; installs Debian's iperf3 when missing);
#   4. scaling: latency, wire bytes and node memory against context length (bench/results/scaling.json);
#   5. concurrency: 1-32 concurrent C2C requests (bench/results/concurrency.json);
#   6. codecs: JMH encode/decode GB/s per codec, ratios on real demo-model KV (bench/results/codecs.json);
#   7. with --jmh, the core JMH benchmarks (bench/run-core-jmh.sh, bench/results/core-jmh.json);
#   8. the report: bench/results/REPORT.md and bench/results/plots/*.png (ReportMain, from the files above).
# Usage: bench/run-suite.sh [--limit N] [--load-requests N] [--transport-repeats N] [--jmh] [--skip-build]
#   --limit N              questions for the modes benchmark (default 0 = the whole split, 400)
#   --load-requests N      requests per load-smoke run (default 20, concurrency 2)
#   --transport-repeats N  repeats per transport point (default 2)
# Environment: SUITE_PORTS="sender projector receiver" loopback ports for the smoke (default "19101 19102 19103").
set -euo pipefail
cd "$(dirname "$0")/.."
limit=0
load_requests=20
transport_repeats=2
jmh=false
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --limit) limit=$2; shift 2 ;;
    --load-requests) load_requests=$2; shift 2 ;;
    --transport-repeats) transport_repeats=$2; shift 2 ;;
    --jmh) jmh=true; shift ;;
    --skip-build) build=false; shift ;;
    *) echo "usage: bench/run-suite.sh [--limit N] [--load-requests N] [--transport-repeats N] [--jmh] [--skip-build]" >&2
       exit 2 ;;
  esac
done
suite_start=$(date +%s)
step() { echo "== $* (at $(( $(date +%s) - suite_start )) s)"; }

if [ -z "${JAVA_HOME:-}" ]; then
  for c in /usr/lib/jvm/temurin-25* /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/java-2[1-9]*; do
    [ -x "$c/bin/java" ] && { export JAVA_HOME=$c; break; }
  done
fi
java="$JAVA_HOME/bin/java"
flags=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
[ "$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | cut -d. -f1)" -lt 24 ] \
  && flags=(--enable-native-access=ALL-UNNAMED)

if $build; then
  step "build (bench and what it needs: core, proto, the three nodes, demo)"
  ./mvnw -B -q -pl bench -am package -DskipTests -Dlatentlink.fixtures.skip=true
fi
mkdir -p bench/results bench/target/suite-logs

step "1. load-tool smoke"
read -r sender_port projector_port receiver_port <<< "${SUITE_PORTS:-19101 19102 19103}"
for p in "$sender_port" "$projector_port" "$receiver_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port $p is in use; set SUITE_PORTS to three free ports" >&2; exit 1
  fi
done
pids=()
stop_nodes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_nodes EXIT
start_node() { # module port settings...
  local module=$1 port=$2; shift 2
  "$java" "${flags[@]}" -Xmx1g -Dquarkus.grpc.server.port="$port" -Dquarkus.grpc.server.host=127.0.0.1 \
    -Dlatentlink.models-dir="$PWD/models" "$@" -jar "$module/target/quarkus-app/quarkus-run.jar" \
    > "bench/target/suite-logs/$module.log" 2>&1 &
  pids+=($!)
}
load() { "$java" "${flags[@]}" -jar bench/target/latentlink-load.jar "$@"; }
await_serving() { # port name: polls Node.Status with the load tool itself until one call answers OK
  local i
  for i in $(seq 1 180); do
    if load --call latentlink.v1.Node.Status -n 1 -c 1 -t 1s -O json "127.0.0.1:$1" 2>/dev/null | grep -q '"OK"'; then
      return 0
    fi
    sleep 1
  done
  echo "$2 not serving after 180 s; see bench/target/suite-logs/" >&2; return 1
}
start_node sender-node "$sender_port"
start_node projector-node "$projector_port"
start_node receiver-node "$receiver_port" -Dlatentlink.sender-endpoint="127.0.0.1:$sender_port" \
  -Dlatentlink.projector-endpoint="127.0.0.1:$projector_port"
await_serving "$sender_port" sender
await_serving "$projector_port" projector
await_serving "$receiver_port" receiver

# The first script-form question of the test split, its prompt kept as the JSON string it is in the file.
prompt=$(grep -m1 '"form": "script"' models/linkqa/context-test.jsonl | sed -E 's/.*"prompt": ("([^"\\]|\\.)*").*/\1/')
for run in "RECEIVER_ONLY fp16 receiver-only" "C2C int8 c2c-int8"; do
  read -r mode codec name <<< "$run"
  data="{\"prompt\":$prompt,\"mode\":\"$mode\",\"codecId\":\"$codec\",\"settings\":{\"maxTokens\":16}}"
  load --call latentlink.v1.Receiver.Generate -d "$data" -n 4 -c 1 -O json "127.0.0.1:$receiver_port" > /dev/null   # warm-up
  echo "-- latentlink.v1.Receiver.Generate $mode ($codec): -n $load_requests -c 2"
  load --call latentlink.v1.Receiver.Generate -d "$data" -n "$load_requests" -c 2 -o "bench/results/load-$name.json" \
    "127.0.0.1:$receiver_port"
done
stop_nodes
trap - EXIT

step "2. modes benchmark (--limit $limit)"
"$java" "${flags[@]}" -cp bench/target/benchmarks.jar io.latentlink.bench.modes.ModesBench --limit "$limit" \
  --codecs fp32,fp16,int8,int8z

step "3. transport against iperf3"
"$java" "${flags[@]}" -cp bench/target/benchmarks.jar io.latentlink.bench.transport.TransportBench \
  --repeats "$transport_repeats" --codecs fp32,fp16,int8,int8z

step "4. scaling with context length"
"$java" "${flags[@]}" -cp bench/target/benchmarks.jar io.latentlink.bench.scaling.ScalingBench

step "5. concurrency"
"$java" "${flags[@]}" -cp bench/target/benchmarks.jar io.latentlink.bench.concurrency.ConcurrencyBench

step "6. codecs (JMH)"
SKIP_BUILD=1 bench/run-codec-jmh.sh

if $jmh; then
  step "7. core JMH"
  bench/run-core-jmh.sh
fi

step "8. report"
"$java" "${flags[@]}" -Djava.awt.headless=true -cp bench/target/benchmarks.jar io.latentlink.bench.report.ReportMain \
  --results bench/results
step "done: bench/results/REPORT.md"
