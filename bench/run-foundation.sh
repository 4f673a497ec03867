#!/usr/bin/env bash
# Measures the foundation targets of Portolan (see bench/README.md, figures in BENCHMARKS.md):
#   1. RegisterInstance, durable, concurrent clients        target >= 10,000/s
#   2. DiscoverInstances on a service with 100 instances    target >= 50,000/s
#   3. 100,000 instances: resident memory < 1 GiB, cold start to serving < 2 s
# in two CPU layouts on the same machine: "free" (server and load generator share every core) and "pin"
# (server on cpu0, load generator on cpu1, with taskset), as bench-peers does.
#
# Bounded by construction: every load run is a wrk run with a fixed duration, every setup a fixed count, every
# wait has a deadline, and only 127.0.0.1 is ever targeted. The servers it starts are stopped by PID on exit.
#
# Usage: bench/run-foundation.sh            (everything, ~15 min on 2 cores)
#        STEPS="coldstart" MODES=free bench/run-foundation.sh
# Tunables (environment): PORT RUNS DURATION WARMUP CONNECTIONS REGISTER_CONNECTIONS REGISTER_SERVICES
#   INSTANCES SERVICES_100K MODES STEPS QUIET_WAIT QUIET_LIMIT OUT ARTIFACTS BUILD KEEP_DATA
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
PORT=${PORT:-18480}
RUNS=${RUNS:-3}
DURATION=${DURATION:-20}                       # seconds per measured wrk run
WARMUP=${WARMUP:-20}                           # seconds of each warm-up load before measuring
CONNECTIONS=${CONNECTIONS:-64}                 # wrk connections for DiscoverInstances
REGISTER_CONNECTIONS=${REGISTER_CONNECTIONS:-$CONNECTIONS}
REGISTER_SERVICES=${REGISTER_SERVICES:-10}     # RegisterInstance requests go round-robin over this many services
INSTANCES=${INSTANCES:-100000}                 # for the memory / cold start step
SERVICES_100K=${SERVICES_100K:-100}            # ... spread over this many services (1,000 each: AWS's quota)
MODES=${MODES:-"free pin"}
STEPS=${STEPS:-"register discover coldstart"}
QUIET_WAIT=${QUIET_WAIT:-120}                  # max seconds to wait for other processes to calm down before a run
QUIET_LIMIT=${QUIET_LIMIT:-15}                 # "quiet" = other processes use less than this % of one core
NOISY_LIMIT=${NOISY_LIMIT:-30}                 # a run during which others used more than this % of a core is "noisy"
RETRIES=${RETRIES:-2}                          # ... and is repeated up to this many times; medians skip noisy runs
OUT=${OUT:-$(mktemp -d /tmp/portolan-foundation.XXXXXX)}
ARTIFACTS=${ARTIFACTS:-$HERE/.artifacts}
BUILD=${BUILD:-1}
KEEP_DATA=${KEEP_DATA:-0}

URL="http://127.0.0.1:$PORT/"
CSV="$OUT/results.csv"
mkdir -p "$OUT"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in dotnet wrk taskset curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install wrk util-linux curl; .NET 10 SDK)"
done
[ "$(nproc)" -ge 2 ] || MODES=${MODES//pin/}

# ---------------------------------------------------------------------------------------------------- build
PORTOLAN="$ARTIFACTS/publish/Portolan/release/portolan"
BENCH_DLL="$ARTIFACTS/bin/Portolan.Bench/release/portolan-bench.dll"
if [ "$BUILD" = 1 ]; then
  log "building Release into $ARTIFACTS"
  dotnet publish "$ROOT/src/Portolan/Portolan.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; die "build of src/Portolan failed"; }
  dotnet build "$HERE/Portolan.Bench/Portolan.Bench.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q >>"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; die "build of bench/Portolan.Bench failed"; }
fi
[ -x "$PORTOLAN" ] && [ -f "$BENCH_DLL" ] || die "no build in $ARTIFACTS (run with BUILD=1)"
bench() { dotnet "$BENCH_DLL" "$@"; }

# ------------------------------------------------------------------------------------------- CPU accounting
# Ticks (1/CLK_TCK s) of user+system time of a process; 0 once it is gone.
HZ=$(getconf CLK_TCK)
proc_ticks() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; s=${s##*) }; set -- $s; echo $(( ${12} + ${13} )); }
# "busy total" ticks summed over all CPUs.
machine_ticks() { local _c u n s i w q sq st _r; read -r _c u n s i w q sq st _r </proc/stat; echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st))"; }
pct() { awk -v t="$1" -v secs="$2" -v hz="$HZ" 'BEGIN { printf "%.0f", t * 100 / (secs * hz) }'; }

# Waits (at most QUIET_WAIT s) until processes other than the server use < QUIET_LIMIT % of a core.
wait_quiet() {
  local deadline=$((SECONDS + QUIET_WAIT)) b0 b1 s0 s1 other
  while :; do
    read -r b0 _ < <(machine_ticks); s0=$(proc_ticks "${SERVER_PID:-0}")
    sleep 1
    read -r b1 _ < <(machine_ticks); s1=$(proc_ticks "${SERVER_PID:-0}")
    other=$(pct $(( (b1 - b0) - (s1 - s0) )) 1)
    [ "$other" -lt "$QUIET_LIMIT" ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "warning: other processes still use ${other}% of a core; measuring anyway (see foreign_cpu in the CSV)"
      return 0
    fi
  done
}

# ----------------------------------------------------------------------------------------------- the server
SERVER_PID=""
start_server() { # DATA_DIR [cpu prefix command...]
  local dir=$1; shift
  if curl -s -o /dev/null --max-time 1 "$URL"; then die "something already listens on 127.0.0.1:$PORT (set PORT)"; fi
  : >"$OUT/server.out"
  "$@" "$PORTOLAN" serve --api "127.0.0.1:$PORT" --data-dir "$dir" >"$OUT/server.out" 2>>"$OUT/server.err" &
  SERVER_PID=$!
  local i
  for i in $(seq 600); do
    grep -qx ready "$OUT/server.out" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || die "portolan exited during start-up (see $OUT/server.err)"
    sleep 0.1
  done
  die "portolan did not print 'ready' within 60 s"
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local i
  for i in $(seq 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ---------------------------------------------------------------------------------------------------- loads
echo "mode,metric,run,value,unit,server_cpu_pct,loadgen_cpu_pct,foreign_cpu_pct,connections,noisy,detail" >"$CSV"
record() { echo "$*" >>"$CSV"; }

# wrk_run MODE METRIC RUN SCRIPT SECONDS CONNECTIONS [script args...]: one bounded wrk run, recorded with CPU use.
# Sets NOISY=1 when other processes used more than NOISY_LIMIT % of a core meanwhile.
NOISY=0
wrk_run() {
  local mode=$1 metric=$2 run=$3 script=$4 secs=$5 conns=$6; shift 6
  local threads=2 prefix=() out="$OUT/wrk-$mode-$metric-$run.txt"
  if [ "$mode" = pin ]; then threads=1; prefix=(taskset -c 1); fi
  local m0 s0 m1 s1 rps errors wrk_cpu TIMEFORMAT='%U %S'
  read -r m0 _ < <(machine_ticks); s0=$(proc_ticks "$SERVER_PID")
  { time "${prefix[@]}" timeout $((secs + 30)) wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s \
      -s "$HERE/wrk/$script" "$URL" -- "$@" >"$out" 2>"$out.err"; } 2>"$out.time"
  read -r m1 _ < <(machine_ticks); s1=$(proc_ticks "$SERVER_PID")
  rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$out")
  errors=$(awk '/Non-2xx|Socket errors/ { printf "%s ", $0 }' "$out")
  wrk_cpu=$(awk -v hz="$HZ" '{ printf "%.0f", ($1 + $2) * hz }' "$out.time")
  local server_pct loadgen_pct foreign_pct
  server_pct=$(pct $((s1 - s0)) "$secs"); loadgen_pct=$(pct "$wrk_cpu" "$secs")
  foreign_pct=$(pct $(( (m1 - m0) - (s1 - s0) - wrk_cpu )) "$secs")
  NOISY=0; [ "$foreign_pct" -le "$NOISY_LIMIT" ] || NOISY=1
  [ "$run" = warmup ] || record "$mode,$metric,$run,$rps,req/s,$server_pct,$loadgen_pct,$foreign_pct,$conns,$NOISY,${errors:-ok}"
  log "$mode $metric $run: $rps req/s (server ${server_pct}% loadgen ${loadgen_pct}% other ${foreign_pct}% of a core)$([ $NOISY = 1 ] && echo ' NOISY') ${errors}"
  [ -z "$errors" ] || log "warning: $metric had errors: $errors"
}

throughput() { # MODE
  local mode=$1 prefix=() dir="$OUT/data-$mode-throughput"
  [ "$mode" = pin ] && prefix=(taskset -c 0)
  rm -rf "$dir"
  log "$mode: starting portolan ${prefix[*]} on a fresh data dir"
  start_server "$dir" "${prefix[@]}"
  local setup services
  setup=$(bench setup-throughput --url "$URL" --register-services "$REGISTER_SERVICES" --discover-instances 100)
  services=$(sed -n 's/^register-services=//p' <<<"$setup")
  [ -n "$services" ] || die "setup failed: $setup"
  # .NET needs a warm-up (tiered JIT, PGO, pools) before its steady state.
  log "$mode: warming up (${WARMUP} s RegisterInstance, ${WARMUP} s DiscoverInstances)"
  if [[ " $STEPS " == *" register "* ]]; then
    wrk_run "$mode" register warmup register.lua "$WARMUP" "$REGISTER_CONNECTIONS" "$mode-w" $services
  fi
  if [[ " $STEPS " == *" discover "* ]]; then
    wrk_run "$mode" discover warmup discover.lua "$WARMUP" "$CONNECTIONS" bench disc100
  fi
  local run attempt
  if [[ " $STEPS " == *" register "* ]]; then
    for run in $(seq "$RUNS"); do
      for attempt in $(seq 0 "$RETRIES"); do
        wait_quiet
        wrk_run "$mode" register "$run" register.lua "$DURATION" "$REGISTER_CONNECTIONS" "$mode-r$run-$attempt" $services
        if [ "$NOISY" = 0 ]; then break; fi
      done
    done
  fi
  if [[ " $STEPS " == *" discover "* ]]; then
    for run in $(seq "$RUNS"); do
      for attempt in $(seq 0 "$RETRIES"); do
        wait_quiet
        wrk_run "$mode" discover "$run" discover.lua "$DURATION" "$CONNECTIONS" bench disc100
        if [ "$NOISY" = 0 ]; then break; fi
      done
    done
  fi
  record "$mode,server_rss_after_throughput,1,$(( $(rss_kib "$SERVER_PID") / 1024 )),MiB,,,,,0,"
  stop_server
  [ "$KEEP_DATA" = 1 ] || rm -rf "$dir"
}

coldstart() {
  local dir="$OUT/data-100k" load
  rm -rf "$dir"
  log "loading $INSTANCES instances over $SERVICES_100K services (free layout, $CONNECTIONS connections)"
  start_server "$dir"
  load=$(bench load --url "$URL" --namespace bench100k --services "$SERVICES_100K" --instances "$INSTANCES" --concurrency "$CONNECTIONS")
  log "$(tr '\n' ' ' <<<"$load")"
  record "free,load_100k_rate,1,$(sed -n 's/^rate=//p' <<<"$load"),req/s,,,,$CONNECTIONS,0,RegisterInstance of $INSTANCES new instances"
  sleep 3
  record "free,rss_after_load,1,$(( $(rss_kib "$SERVER_PID") / 1024 )),MiB,,,,,0,server that registered the $INSTANCES instances"
  stop_server
  log "data dir: $(du -sh "$dir" | cut -f1)"

  local mode run res prefix=() drv=()
  for mode in $MODES; do
    prefix=(); drv=()
    [ "$mode" = pin ] && { prefix=(taskset -c 0); drv=(taskset -c 1); }
    for run in $(seq "$RUNS"); do
      wait_quiet
      res=$("${drv[@]}" dotnet "$BENCH_DLL" coldstart --url "$URL" --namespace bench100k --service svc000 --timeout 60 --settle 3 \
        -- "${prefix[@]}" "$PORTOLAN" serve --api "127.0.0.1:$PORT" --data-dir "$dir") || die "cold start failed: $res"
      local ready first rss settled
      ready=$(sed -n 's/^ready_ms=//p' <<<"$res"); first=$(sed -n 's/^first_discover_ms=//p' <<<"$res")
      rss=$(sed -n 's/^rss_kib=//p' <<<"$res"); settled=$(sed -n 's/^rss_settled_kib=//p' <<<"$res")
      record "$mode,coldstart_ready,$run,$ready,ms,,,,,0,"
      record "$mode,coldstart_first_discover,$run,$first,ms,,,,,0,"
      record "$mode,rss_after_restart,$run,$((settled / 1024)),MiB,,,,,0,VmRSS 3 s after the first answer (at the answer: $((rss / 1024)) MiB)"
      log "$mode cold start $run: ready ${ready} ms, first DiscoverInstances ${first} ms, RSS $((settled / 1024)) MiB"
    done
  done
  [ "$KEEP_DATA" = 1 ] || rm -rf "$dir"
}

# ------------------------------------------------------------------------------------------------------ run
log "results in $OUT (CSV: $CSV)"
for mode in $MODES; do
  if [[ " $STEPS " == *" register "* || " $STEPS " == *" discover "* ]]; then throughput "$mode"; fi
done
if [[ " $STEPS " == *" coldstart "* ]]; then coldstart; fi

# -------------------------------------------------------------------------------------------------- summary
# Rows of MODE/METRIC that count: the quiet ones, or every one when all were noisy.
rows() { # MODE METRIC COLUMN
  awk -F, -v m="$1" -v k="$2" -v c="$3" '$1 == m && $2 == k { all[++n] = $c; if ($10 != 1) quiet[++q] = $c }
    END { if (q > 0) for (i = 1; i <= q; i++) print quiet[i]; else for (i = 1; i <= n; i++) print all[i] }' "$CSV"
}
median_col() { rows "$1" "$2" "$3" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
median() { median_col "$1" "$2" 4; }
runs() { rows "$1" "$2" 4 | paste -sd' '; }

{
  echo
  echo "Portolan foundation benchmarks — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -r), .NET $(dotnet --version)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted changes in src/)')"
  echo "wrk: free = -t2, pin = -t1 on cpu1 with the server on cpu0; RegisterInstance -c$REGISTER_CONNECTIONS, DiscoverInstances -c$CONNECTIONS; ${DURATION} s runs after ${WARMUP} s warm-ups; medians of $RUNS"
  echo
  printf '%-44s %-10s %-30s %-30s\n' metric target "free (median; runs)" "pin (median; runs)"
  row() { # LABEL TARGET METRIC
    local f p
    f="$(median free "$3") ($(runs free "$3"))"; p="$(median pin "$3") ($(runs pin "$3"))"
    printf '%-44s %-10s %-30s %-30s\n' "$1" "$2" "$f" "$p"
  }
  row "RegisterInstance/s (durable, new instances)" ">= 10000" register
  row "DiscoverInstances/s (100 instances)" ">= 50000" discover
  row "cold start: process start -> ready (ms)" "< 2000" coldstart_ready
  row "cold start: -> first DiscoverInstances (ms)" "< 2000" coldstart_first_discover
  row "RSS after restart on 100k instances (MiB)" "< 1024" rss_after_restart
  printf '%-44s %-10s %-30s\n' "RSS of the server that loaded 100k (MiB)" "< 1024" "$(median free rss_after_load)"
  printf '%-44s %-10s %-30s\n' "loading 100k RegisterInstance (req/s)" "" "$(median free load_100k_rate)"
  echo
  echo "noisy runs (others used > ${NOISY_LIMIT}% of a core; repeated, left out of medians): $(awk -F, 'NR > 1 && $10 == 1' "$CSV" | wc -l)"
  echo "CPU (% of one core, medians): server / wrk / other processes and unattributed kernel time"
  for mode in $MODES; do
    for metric in register discover; do
      [ "$(median "$mode" "$metric")" = - ] && continue
      echo "  $mode $metric: $(median_col "$mode" "$metric" 6) / $(median_col "$mode" "$metric" 7) / $(median_col "$mode" "$metric" 8)"
    done
  done
} | tee "$OUT/summary.txt"
