#!/usr/bin/env bash
# bench/proxy/run.sh - Portolan's load balancer listener beside nginx and haproxy, in front of the same backend,
# on loopback, in one sitting (figures in BENCHMARKS.md, "## Load balancer").
#
#   1. proxy-peers.sh bench direct nginx haproxy       (copied from shared/bench-peers: backend nginx on
#                                                        127.0.0.1:9001 HTTP/1.1 and :9002 h2c; wrk / h2load)
#   2. Portolan (bench/proxy/Portolan.ProxyBench: the Portolan.Proxy data plane with listeners from the
#      command line): 8005 HTTP listener -> HTTP1 target group -> 9001, 8015 HTTP listener -> HTTP2 target
#      group -> 9002 (h2c both sides); proxy-peers.sh target portolan 8005 8015
#   3. gRPC unary: a .NET gRPC echo server on 9003, Portolan 8025 -> GRPC target group -> 9003; h2load posts
#      one gRPC frame per request (content-type application/grpc, te: trailers), direct and through Portolan.
#
# Bounded: every load run has a fixed duration and a `timeout`; only 127.0.0.1; processes stopped by PID.
# Usage: bench/proxy/run.sh                      (free mode, ~12 min on 2 cores)
#        PINMODES="free pin" RUNS=5 bench/proxy/run.sh
# Env: RUNS=3 DURATION=15 PINMODES=free LOGDIR=bench-results/proxy STEPS="peers portolan grpc"
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export RUNS=${RUNS:-3} DURATION=${DURATION:-15} PINMODES=${PINMODES:-free}
export LOGDIR=${LOGDIR:-$ROOT/bench-results/proxy}
STEPS=${STEPS:-"peers portolan grpc"}
OUT=$ROOT/artifacts/proxy-bench
CSV=$LOGDIR/lb-results.csv
PROXY_PID=""; GRPC_PID=""

for tool in nginx haproxy wrk h2load; do
  command -v $tool >/dev/null || { echo "missing $tool: apt-get install -y nginx haproxy wrk nghttp2-client" >&2; exit 1; }
done

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

mkdir -p "$LOGDIR"
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

if [[ " $STEPS " == *" grpc "* ]]; then
  # One gRPC frame: uncompressed, 7-byte message {text: "hello"}.
  printf '\x00\x00\x00\x00\x07\x0a\x05hello' > "$LOGDIR/grpc-frame.bin"
  for pm in $PINMODES; do
    pin=0; pre=(); [ "$pm" = pin ] && { pin=1; pre=(taskset -c 0); }
    "${pre[@]}" "$OUT/portolan-proxy-bench" grpc-backend 9003 > "$LOGDIR/grpc-backend.out" 2>&1 &
    GRPC_PID=$!
    wait_ready "$LOGDIR/grpc-backend.out" "$GRPC_PID"
    start_proxy $pin 8025:9003:GRPC
    for sc in grpc-direct:9003 grpc-portolan:8025; do
      name=${sc%%:*}; port=${sc##*:}
      grpc_load "$port" 30 $pin "$LOGDIR/lb-$name-$pm-warmup.txt"
      for r in $(seq 1 "$RUNS"); do
        f="$LOGDIR/lb-$name-$pm-r$r.txt"
        grpc_load "$port" "$DURATION" $pin "$f"
        rps=$(awk '/^finished in/{print $4}' "$f")
        lat=$(awk '/^time for request:/{v=$6; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; printf "%.3f", v}' "$f")
        err=$(awk '/^status codes:/{print $5+$7+$9}' "$f")
        p99=$(awk '{print $3}' "$f.reqlog" | sort -n | awk '{v[NR]=$1} END{i=int(NR*0.99); if (i<1) i=1; printf "%.3f", v[i]/1000}')
        rm -f "$f.reqlog" "$LOGDIR/lb-$name-$pm-warmup.txt.reqlog"
        echo "$name,$pm,$r,$rps,$lat,$p99,${err:-0},0,0" >> "$CSV"
        echo "[$(date +%H:%M:%S)] $name $pm run$r: rps=$rps lat_avg_ms=$lat p99_ms=$p99 non2xx=$err" >&2
      done
    done
    stop "$PROXY_PID"; PROXY_PID=""; stop "$GRPC_PID"; GRPC_PID=""
  done
fi

"$HERE/proxy-peers.sh" summary | tee "$LOGDIR/summary.md"
