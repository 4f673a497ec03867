#!/usr/bin/env bash
# bench/proxy/profile.sh - cost per request of Portolan's listener, for finding and checking speed-ups on a busy
# machine: CPU microseconds the proxy process spends per request (its utime+stime over the run / requests) and
# bytes it allocates per request (SIGHUP stats line). Neither depends much on what else the machine runs, unlike
# req/s. Optionally records a perf profile of each measured run (JIT frames named through perf maps).
#
# Usage: bench/proxy/profile.sh [h1] [h2c] [grpc]        (default: all three)
# Env:   PROXY_ENV='VAR=value ...' (extra environment for the proxy process only)
#        DURATION=10 WARMUP=15 PERF=0 (1: perf record -g each measured run into $LOGDIR/perf-KIND.data)
#        LOGDIR=bench-results/proxy-profile  BUILD=1 (0: use the last build in $OUT)  OUT=artifacts/proxy-bench
# Bounded: every load run has a fixed duration and a `timeout`; 127.0.0.1 only; processes stopped by PID.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-10} WARMUP=${WARMUP:-15} PERF=${PERF:-0}
LOGDIR=${LOGDIR:-$ROOT/bench-results/proxy-profile}
OUT=${OUT:-$ROOT/artifacts/proxy-bench}
KINDS=${*:-h1 h2c grpc}
CLK_TCK=$(getconf CLK_TCK)
PROXY_PID="" GRPC_PID="" BACKEND_PID="" RUN_DIR=""

busy=$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E '127\.0\.0\.1:(8005|8015|8025|900[1-3])$' || true)
if [ -n "$busy" ]; then echo "ports in use (a previous run still up?): $busy" >&2; exit 1; fi

stop() { # pid
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() { stop "$PROXY_PID"; stop "$GRPC_PID"; stop "$BACKEND_PID"; [ -z "$RUN_DIR" ] || rm -rf "$RUN_DIR"; }
trap cleanup EXIT

wait_ready() { # logfile pid
  for _ in $(seq 1 300); do
    grep -q '^ready' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "not ready: $1" >&2; return 1
}
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12+$13}'; }
# Context switches of all the proxy's threads (a thread pool that parks and wakes per request shows here).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/{n+=$2} END{print n}'; }
proxy_stats() { kill -HUP "$PROXY_PID"; sleep 0.5; grep '^stats:' "$LOGDIR/proxy.out" | tail -1; }

mkdir -p "$LOGDIR"
if [ "${BUILD:-1}" = 1 ]; then dotnet build -c Release "$HERE/Portolan.ProxyBench" -o "$OUT" -v quiet -nologo >/dev/null; fi
printf '\x00\x00\x00\x00\x07\x0a\x05hello' > "$LOGDIR/grpc-frame.bin"

"$OUT/portolan-proxy-bench" grpc-backend 9003 > "$LOGDIR/grpc-backend.out" 2>&1 &
GRPC_PID=$!; wait_ready "$LOGDIR/grpc-backend.out" "$GRPC_PID"
RUN_DIR=$(mktemp -d -t portolan-profile.XXXXXX)
RUN=$RUN_DIR LOGDIR=$LOGDIR "$HERE/proxy-peers.sh" backend-up > "$LOGDIR/backend.out" 2>&1 &
BACKEND_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 http://127.0.0.1:9001/ && break; sleep 0.2; done
env ${PROXY_ENV:-} DOTNET_PerfMapEnabled=$PERF DOTNET_EnableWriteXorExecute=$((1 - PERF)) \
  "$OUT/portolan-proxy-bench" proxy 8005:9001:HTTP1 8015:9002:HTTP2 8025:9003:GRPC > "$LOGDIR/proxy.out" 2>&1 &
PROXY_PID=$!; wait_ready "$LOGDIR/proxy.out" "$PROXY_PID"

load() { # kind seconds
  case $1 in
    h1)   timeout $(($2 + 20)) wrk -t1 -c64 -d"$2"s http://127.0.0.1:8005/ ;;
    h2c)  timeout $(($2 + 20)) h2load -t1 -c16 -m10 -D "$2" http://127.0.0.1:8015/ ;;
    grpc) timeout $(($2 + 20)) h2load -t1 -c16 -m10 -D "$2" -d "$LOGDIR/grpc-frame.bin" -H 'content-type: application/grpc' \
            -H 'te: trailers' http://127.0.0.1:8025/portolan.bench.Echo/Unary ;;
  esac
}

for kind in $KINDS; do
  load "$kind" "$WARMUP" > /dev/null 2>&1 || true
  a=$(proxy_stats); t0=$(cpu_ticks "$PROXY_PID"); s0=$(switches "$PROXY_PID"); l0=$(cut -d' ' -f1 /proc/loadavg)
  perf_pid=""
  if [ "$PERF" = 1 ]; then
    perf record -F 999 -g -p "$PROXY_PID" -o "$LOGDIR/perf-$kind.data" -- sleep "$DURATION" > /dev/null 2>&1 &
    perf_pid=$!
  fi
  load "$kind" "$DURATION" > "$LOGDIR/load-$kind.txt" 2>&1 || true
  [ -z "$perf_pid" ] || wait "$perf_pid" || true
  t1=$(cpu_ticks "$PROXY_PID"); s1=$(switches "$PROXY_PID"); b=$(proxy_stats); l1=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$kind" "$a" "$b" "$((t1 - t0))" "$CLK_TCK" "$DURATION" "$l0" "$l1" "$((s1 - s0))" <<'EOF'
import re, sys
kind, a, b, ticks, hz, secs, l0, l1, sw = sys.argv[1:]
p = lambda s: {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', s)}
a, b = p(a), p(b); n = max(b['requests'] - a['requests'], 1)
cpu_us = int(ticks) / int(hz) * 1e6
print(f"{kind}: {n / int(secs):,.0f} req/s, {cpu_us / n:.1f} us proxy CPU/request, "
      f"{(b['allocated_bytes'] - a['allocated_bytes']) / n:,.0f} B allocated/request, "
      f"{int(sw) / n:.2f} context switches/request, gen0 {b['gen0'] - a['gen0']} gen1 {b['gen1'] - a['gen1']}, "
      f"load average {l0} -> {l1}")
EOF
done
