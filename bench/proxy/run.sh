#!/usr/bin/env bash
# bench/proxy/run.sh - Portolan's load balancer listener beside nginx and haproxy, in front of the same backend,
# on loopback, in one sitting (figures go to BENCHMARKS.md, "## Load balancer").
#
# What runs, in order (STEPS picks a subset):
#   peers     proxy-peers.sh bench direct nginx haproxy: backend nginx (1 worker) on 127.0.0.1:9001 (HTTP/1.1) and
#             :9002 (h2c); nginx and haproxy in front of it; wrk (HTTP/1.1) and h2load (h2c) against each.
#   portolan  bench/proxy/Portolan.ProxyBench (the Portolan.Proxy data plane, the same code `portolan serve` runs,
#             with listeners from its command line): 8005 -> HTTP1 target group -> 9001, 8015 -> HTTP2 target group
#             -> 9002 (h2c both sides); the same wrk / h2load runs (proxy-peers.sh target).
#   grpc      gRPC unary: a .NET gRPC echo server on 9003; h2load posts one gRPC frame per request
#             (content-type application/grpc, te: trailers) to it directly and through Portolan 8025 -> GRPC group.
#   alloc     bytes the Portolan proxy allocates per request (h1, h2c, gRPC; read through its SIGHUP stats line):
#             a figure that CPU contention does not distort.
# Then a summary table (medians) with "req/s per proxy core" = req/s / (proxy CPU share): on a shared or busy
# machine compare that column, not raw req/s, and look at the load average printed before and after.
#
# Needs: nginx haproxy wrk h2load (apt-get install -y nginx haproxy wrk nghttp2-client), dotnet, python3.
# Bounded: every load run has a fixed duration and a `timeout`; only 127.0.0.1; processes stopped by PID.
# Usage: bench/proxy/run.sh                          (free mode: nothing pinned; ~12 min on 2 cores)
#        PINMODES="free pin" RUNS=5 bench/proxy/run.sh (pin: proxy+backend on cpu0, load generator on cpu1)
#        STEPS="portolan grpc" RUNS=1 DURATION=5 bench/proxy/run.sh   (a short smoke check)
# Env: RUNS=3 DURATION=15 PINMODES=free LOGDIR=bench-results/proxy STEPS="peers portolan grpc alloc"
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export RUNS=${RUNS:-3} DURATION=${DURATION:-15} PINMODES=${PINMODES:-free}
export LOGDIR=${LOGDIR:-$ROOT/bench-results/proxy}
STEPS=${STEPS:-"peers portolan grpc alloc"}
OUT=$ROOT/artifacts/proxy-bench
CSV=$LOGDIR/lb-results.csv
PROXY_PID=""; GRPC_PID=""
CLK_TCK=$(getconf CLK_TCK)

for tool in nginx haproxy wrk h2load dotnet python3; do
  command -v $tool >/dev/null || { echo "missing $tool: apt-get install -y nginx haproxy wrk nghttp2-client" >&2; exit 1; }
done
busy=$(ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E '127\.0\.0\.1:(80[0-2][0-9]|900[1-3])$' || true)
if [ -n "$busy" ]; then echo "ports in use (a previous run still up?): $busy" >&2; exit 1; fi

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

stop() { # pid
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() { stop "$PROXY_PID"; stop "$GRPC_PID"; }
trap cleanup EXIT

wait_ready() { # logfile pid
  for _ in $(seq 1 300); do
    grep -q '^ready' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "not ready: $1" >&2; return 1
}

start_proxy() { # pin specs...
  local pre=(); [ "$1" = 1 ] && pre=(taskset -c 0); shift
  "${pre[@]}" "$OUT/portolan-proxy-bench" proxy "$@" > "$LOGDIR/portolan.out" 2>&1 &
  PROXY_PID=$!
  wait_ready "$LOGDIR/portolan.out" "$PROXY_PID"
}

cpu_ticks() { [ -n "$1" ] && sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12+$13}' || echo 0; }

# SIGHUP makes the bench proxy print "stats: requests=N allocated_bytes=B ..."; the last such line.
proxy_stats() { kill -HUP "$PROXY_PID"; sleep 0.5; grep '^stats:' "$LOGDIR/portolan.out" | tail -1; }

mkdir -p "$LOGDIR"
log "load average before: $(load_average) on $(nproc) cores (much above $(nproc): contended, compare per-core figures)"
log "building bench/proxy/Portolan.ProxyBench (Release)"
dotnet build -c Release "$HERE/Portolan.ProxyBench" -o "$OUT" -v quiet -nologo >/dev/null
echo "scenario,pinmode,run,rps,lat_avg_ms,lat_p99_ms,errors,proxy_cpu_pct,backend_cpu_pct" > "$CSV"

if [[ " $STEPS " == *" peers "* ]]; then
  "$HERE/proxy-peers.sh" bench direct nginx haproxy
fi

if [[ " $STEPS " == *" portolan "* ]]; then
  for pm in $PINMODES; do
    pin=0; [ "$pm" = pin ] && pin=1
    start_proxy $pin 8005:9001:HTTP1 8015:9002:HTTP2
    PINMODES=$pm TARGET_PID=$PROXY_PID "$HERE/proxy-peers.sh" target portolan 8005 8015
    stop "$PROXY_PID"; PROXY_PID=""
  done
fi

grpc_load() { # port seconds pin outfile
  local pre=(); [ "$3" = 1 ] && pre=(taskset -c 1)
  timeout $(($2 + 30)) "${pre[@]}" h2load -t1 -c16 -m10 -D "$2" -d "$LOGDIR/grpc-frame.bin" --log-file "$4.reqlog" \
    -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$1/portolan.bench.Echo/Unary" > "$4" 2>&1 || true
}

# One gRPC frame: uncompressed, 7-byte message {text: "hello"}.
printf '\x00\x00\x00\x00\x07\x0a\x05hello' > "$LOGDIR/grpc-frame.bin"

if [[ " $STEPS " == *" grpc "* ]]; then
  for pm in $PINMODES; do
    pin=0; pre=(); [ "$pm" = pin ] && { pin=1; pre=(taskset -c 0); }
    "${pre[@]}" "$OUT/portolan-proxy-bench" grpc-backend 9003 > "$LOGDIR/grpc-backend.out" 2>&1 &
    GRPC_PID=$!
    wait_ready "$LOGDIR/grpc-backend.out" "$GRPC_PID"
    start_proxy $pin 8025:9003:GRPC
    for sc in grpc-direct:9003 grpc-portolan:8025; do
      name=${sc%%:*}; port=${sc##*:}
      grpc_load "$port" 30 $pin "$LOGDIR/lb-$name-$pm-warmup.txt"
      rm -f "$LOGDIR/lb-$name-$pm-warmup.txt.reqlog"
      for r in $(seq 1 "$RUNS"); do
        f="$LOGDIR/lb-$name-$pm-r$r.txt"
        p0=0; [ "$name" = grpc-portolan ] && p0=$(cpu_ticks "$PROXY_PID"); b0=$(cpu_ticks "$GRPC_PID")
        grpc_load "$port" "$DURATION" $pin "$f"
        p1=0; [ "$name" = grpc-portolan ] && p1=$(cpu_ticks "$PROXY_PID"); b1=$(cpu_ticks "$GRPC_PID")
        pcpu=$(( (p1 - p0) * 100 / CLK_TCK / DURATION )); bcpu=$(( (b1 - b0) * 100 / CLK_TCK / DURATION ))
        rps=$(awk '/^finished in/{print $4}' "$f")
        lat=$(awk '/^time for request:/{v=$6; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.3f", v}' "$f")
        err=$(awk '/^status codes:/{print $5+$7+$9}' "$f")
        p99=$(awk '{print $3}' "$f.reqlog" | sort -n | awk '{v[NR]=$1} END{i=int(NR*0.99); if (i<1) i=1; printf "%.3f", v[i]/1000}')
        rm -f "$f.reqlog"
        echo "$name,$pm,$r,$rps,$lat,$p99,${err:-0},$pcpu,$bcpu" >> "$CSV"
        log "$name $pm run$r: rps=$rps lat_avg_ms=$lat p99_ms=$p99 non2xx=$err proxy_cpu=$pcpu% backend_cpu=$bcpu%"
      done
    done
    stop "$PROXY_PID"; PROXY_PID=""; stop "$GRPC_PID"; GRPC_PID=""
  done
fi

if [[ " $STEPS " == *" alloc "* ]]; then
  # Needs the backends of the other steps: started here on their own (nginx 9001/9002 through proxy-peers' config).
  ALLOC=$LOGDIR/alloc.txt; : > "$ALLOC"
  "$OUT/portolan-proxy-bench" grpc-backend 9003 > "$LOGDIR/grpc-backend.out" 2>&1 &
  GRPC_PID=$!; wait_ready "$LOGDIR/grpc-backend.out" "$GRPC_PID"
  RUN_DIR=$(mktemp -d -t portolan-alloc.XXXXXX)
  RUN=$RUN_DIR "$HERE/proxy-peers.sh" backend-up > "$LOGDIR/alloc-backend.out" 2>&1 &
  BACKEND_WRAPPER=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 http://127.0.0.1:9001/ && break; sleep 0.2; done
  start_proxy 0 8005:9001:HTTP1 8015:9002:HTTP2 8025:9003:GRPC
  for kind in h1 h2c grpc; do
    case $kind in
      h1)   cmd=(wrk -t1 -c64 -d10s http://127.0.0.1:8005/) ;;
      h2c)  cmd=(h2load -t1 -c16 -m10 -D 10 http://127.0.0.1:8015/) ;;
      grpc) cmd=(h2load -t1 -c16 -m10 -D 10 -d "$LOGDIR/grpc-frame.bin" -H 'content-type: application/grpc' -H 'te: trailers'
                 http://127.0.0.1:8025/portolan.bench.Echo/Unary) ;;
    esac
    timeout 40 "${cmd[@]}" > /dev/null 2>&1 || true   # warm-up
    a=$(proxy_stats); timeout 40 "${cmd[@]}" > /dev/null 2>&1 || true; b=$(proxy_stats)
    python3 - "$kind" "$a" "$b" <<'EOF' | tee -a "$ALLOC" >&2
import re, sys
p = lambda s: {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', s)}
a, b = p(sys.argv[2]), p(sys.argv[3]); n = b['requests'] - a['requests']
print(f"portolan-{sys.argv[1]}: {n} requests, {(b['allocated_bytes'] - a['allocated_bytes']) / max(n, 1):,.0f} bytes allocated per request, "
      f"{b['gen0'] - a['gen0']} gen0 / {b['gen1'] - a['gen1']} gen1 / {b['gen2'] - a['gen2']} gen2 collections")
EOF
  done
  stop "$PROXY_PID"; PROXY_PID=""; stop "$GRPC_PID"; GRPC_PID=""
  kill -TERM "$BACKEND_WRAPPER" 2>/dev/null || true; wait "$BACKEND_WRAPPER" 2>/dev/null || true
  rm -rf "$RUN_DIR"
fi

log "load average after: $(load_average)"
{
  "$HERE/proxy-peers.sh" summary
  [ -s "$LOGDIR/alloc.txt" ] && { echo; echo "Allocations (STEPS alloc):"; sed 's/^/- /' "$LOGDIR/alloc.txt"; }
  echo; echo "Load average before/after and the command: see the log lines above; CSV: $CSV"
} | tee "$LOGDIR/summary.md"
