#!/usr/bin/env bash
# Health engine benchmarks (figures in BENCHMARKS.md, "## Health"):
#   1. scale: 10,000 loopback targets probed every 5 s (HTTP/1.1, then TCP): probes/s against the schedule,
#      probe lag distribution, CPU of the engine's process (the targets run in a separate process, measured apart).
#   2. propagation: threshold crossing -> changed DNS answer, in the real server (SQLite, registry, DNS), p50/p90/p99.
#
# Bounded by construction: fixed durations and counts, deadlines on every wait, only 127.0.0.0/8 is targeted, and
# the target process is stopped by its PID on exit.
#
# Usage: bench/health/run.sh
# Tunables (environment): ADDRESSES PORTS BASE_PORT INTERVAL DURATION PROTOCOLS SERVICES PARALLEL PROP_INTERVAL STEPS ARTIFACTS BUILD OUT
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ADDRESSES=${ADDRESSES:-100}      # 127.0.1.1 .. 127.0.1.ADDRESSES
PORTS=${PORTS:-100}              # BASE_PORT .. BASE_PORT+PORTS-1 on each address: ADDRESSES x PORTS targets
BASE_PORT=${BASE_PORT:-21000}
INTERVAL=${INTERVAL:-5}          # seconds between probes of one target
DURATION=${DURATION:-60}         # measured seconds (after two intervals of warm-up)
PROTOCOLS=${PROTOCOLS:-"http tcp"}
SERVICES=${SERVICES:-100}        # propagation: services, each flipped down and up once
PARALLEL=${PARALLEL:-4}          # propagation: flips in flight at once
PROP_INTERVAL=${PROP_INTERVAL:-1}
STEPS=${STEPS:-"scale propagation"}
ARTIFACTS=${ARTIFACTS:-$HERE/.artifacts}
OUT=${OUT:-$(mktemp -d /tmp/portolan-health-bench.XXXXXX)}
BUILD=${BUILD:-1}
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

BENCH="$ARTIFACTS/bin/Portolan.Health.Bench/release/portolan-health-bench"
if [ "$BUILD" = 1 ]; then
  log "building Release into $ARTIFACTS"
  dotnet build "$HERE/Portolan.Health.Bench/Portolan.Health.Bench.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q >/dev/null
fi

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

for step in $STEPS; do
  case $step in
    scale)
      for protocol in $PROTOCOLS; do
        # Two target processes: each listening socket and each accepted connection is a descriptor, and the
        # hard limit here is 20,000 per process.
        half=$(( (ADDRESSES + 1) / 2 ))
        pids=()
        for range in "1 $half" "$((half + 1)) $ADDRESSES"; do
          set -- $range
          [ "$1" -le "$2" ] || continue
          "$BENCH" targets "$1" "$2" "$PORTS" "$BASE_PORT" >"$OUT/targets-$1.log" 2>&1 &
          pids+=("$!")
          for _ in $(seq 600); do grep -q '^ready' "$OUT/targets-$1.log" && break; sleep 0.2; done
          grep -q '^ready' "$OUT/targets-$1.log" || { log "targets did not start: $(cat "$OUT/targets-$1.log")"; kill "${pids[@]}"; exit 1; }
        done
        trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
        before=0; for p in "${pids[@]}"; do before=$((before + $(cpu_ticks "$p"))); done
        start=$(date +%s.%N)
        log "scale $protocol: $((ADDRESSES * PORTS)) targets every ${INTERVAL}s for ${DURATION}s (load average $(cut -d' ' -f1 /proc/loadavg))"
        "$BENCH" scale "$ADDRESSES" "$PORTS" "$BASE_PORT" "$INTERVAL" "$DURATION" "$protocol"
        after=0; for p in "${pids[@]}"; do after=$((after + $(cpu_ticks "$p"))); done
        end=$(date +%s.%N)
        awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v s="$start" -v e="$end" \
          'BEGIN { printf "result: targets_processes_cpu_cores=%.3f (whole run incl. warm-up)\n", t / hz / (e - s) }'
        kill "${pids[@]}" 2>/dev/null || true
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        trap - EXIT
        log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
      done
      ;;
    propagation)
      data=$(mktemp -d /tmp/portolan-health-bench.XXXXXX)
      log "propagation: $SERVICES services, interval ${PROP_INTERVAL}s (load average $(cut -d' ' -f1 /proc/loadavg))"
      "$BENCH" propagation "$SERVICES" "$PARALLEL" "$PROP_INTERVAL" "$data"
      rm -rf "$data"
      ;;
  esac
done
