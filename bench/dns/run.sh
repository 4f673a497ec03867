#!/usr/bin/env bash
# The DNS benchmark of Portolan (issue 3), figures in BENCHMARKS.md:
#   throughput   Portolan side by side with NSD, Knot and dnsmasq in one sitting: the same zone `domaina.`
#                (50 services x 3 A, SRV with instance targets) and the same dnsperf query mix (70 % A, 20 % SRV,
#                10 % NXDOMAIN) from bench/peers/dns-peers.sh; Portolan gets the zone's records through its Cloud Map
#                API (portolan-bench dns-setup) and is checked to answer exactly what the zone says. Rounds are
#                interleaved (Portolan, then each peer, RUNS times) so that drifting background load hits all alike.
#                Portolan's stop log gives the datagrams it served, what its UDP loops allocated, and the GC
#                collections while it ran.
#   propagation  register / UNHEALTHY / HEALTHY / deregister through the API, then UDP queries until the answer
#                shows the change: the distribution of the delay after the API call returned.
#   propagation-large   the same with LARGE (100,000) more instances registered in a second DNS namespace first, so
#                that every change rebuilds the zone view of a big registry.
#
# Usage: bench/dns/run.sh                      (everything, ~25 min on 2 cores)
#        STEPS=propagation bench/dns/run.sh
#        RUNS=1 DURATION=5 PEERS=nsd MODES_FREE="free-T1" MODES_PIN="" bench/dns/run.sh     (a quick look)
# Tunables (environment): STEPS RUNS DURATION WARMUP PEERS MODES_FREE MODES_PIN API_PORT DNS_PORT SAMPLES LARGE
#   OUT ARTIFACTS BUILD
# Only 127.0.0.1 is used; every load run is bounded (dnsperf -l and timeout); the processes it starts are
# stopped by PID.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH=$(dirname "$HERE")
ROOT=$(dirname "$BENCH")
STEPS=${STEPS:-"throughput propagation propagation-large"}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}                  # seconds per dnsperf run
WARMUP=${WARMUP:-15}                      # seconds of load on a fresh Portolan before measuring (JIT tiers, PGO)
PEERS=${PEERS:-"nsd knot dnsmasq"}
MODES_FREE=${MODES_FREE:-"free-T1 free-T2 free-T1-Q20000 free-T1-Q100000"}
MODES_PIN=${MODES_PIN:-"pin-T1 pin-T2 pin-T1-Q20000"}
API_PORT=${API_PORT:-18490}
DNS_PORT=${DNS_PORT:-18453}
SAMPLES=${SAMPLES:-250}                   # propagation samples per kind of change
LARGE=${LARGE:-100000}                    # instances (in 100 DNS services) registered before propagation-large
OUT=${OUT:-$(mktemp -d /tmp/portolan-dns.XXXXXX)}
ARTIFACTS=${ARTIFACTS:-$BENCH/.artifacts}
BUILD=${BUILD:-1}

export RUN=$OUT/run LOGDIR=$OUT
PEERS_SH=$BENCH/peers/dns-peers.sh
mkdir -p "$OUT" "$RUN"
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in dotnet dnsperf dig taskset nsd knotd dnsmasq; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install dnsperf nsd knot dnsmasq dnsutils util-linux)"
done

# ---------------------------------------------------------------------------------------------------- build
PORTOLAN="$ARTIFACTS/publish/Portolan/release/portolan"
BENCH_DLL="$ARTIFACTS/bin/Portolan.Bench/release/portolan-bench.dll"
if [ "$BUILD" = 1 ]; then
  log "building Release into $ARTIFACTS"
  { dotnet publish "$ROOT/src/Portolan/Portolan.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q &&
    dotnet build "$BENCH/Portolan.Bench/Portolan.Bench.csproj" -c Release --artifacts-path "$ARTIFACTS" -nologo -v q; } >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; die "build failed"; }
fi
[ -x "$PORTOLAN" ] && [ -f "$BENCH_DLL" ] || die "no build in $ARTIFACTS (run with BUILD=1)"

# ----------------------------------------------------------------------------------------------- the server
SERVER_PID=""
start_portolan() { # LABEL [cpu prefix...]
  local label=$1; shift
  local dir="$OUT/data-$label"
  rm -rf "$dir"
  dig +short +time=1 +tries=1 @127.0.0.1 -p "$DNS_PORT" . SOA >/dev/null 2>&1 && die "something answers on 127.0.0.1:$DNS_PORT (set DNS_PORT)"
  "$@" "$PORTOLAN" serve --data-dir "$dir" --api "127.0.0.1:$API_PORT" --dns "127.0.0.1:$DNS_PORT" \
    >"$OUT/portolan-$label.out" 2>"$OUT/portolan-$label.err" &
  SERVER_PID=$!
  local i
  for i in $(seq 300); do
    grep -qx ready "$OUT/portolan-$label.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || die "portolan exited during start-up (see $OUT/portolan-$label.err)"
    sleep 0.1
  done
  grep -qx ready "$OUT/portolan-$label.out" || die "portolan did not print 'ready' within 30 s"
}

stop_portolan() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  local i
  for i in $(seq 150); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap stop_portolan EXIT
trap 'exit 130' INT TERM

bench() { dotnet "$BENCH_DLL" "$@"; }

# Portolan must answer what the zone file says: the same A and SRV sets per service, NXDOMAIN for the rest.
verify() {
  local zone="$RUN/domaina.zone" s bad=0 want got
  for s in $(awk '$3 == "SRV" { print $1 }' "$zone" | sort -u); do
    want=$(awk -v s="$s" '$1 == s && $3 == "A" { print $4 }' "$zone" | sort)
    got=$(dig +short +norec @127.0.0.1 -p "$DNS_PORT" "$s.domaina" A | sort)
    [ "$want" = "$got" ] || { log "verify: $s.domaina A: zone says [$want], portolan [$got]"; bad=1; }
    want=$(awk -v s="$s" '$1 == s && $3 == "SRV" { print $4, $5, $6, $7 }' "$zone" | sort)
    got=$(dig +short +norec @127.0.0.1 -p "$DNS_PORT" "$s.domaina" SRV | sort)
    [ "$want" = "$got" ] || { log "verify: $s.domaina SRV: zone says [$want], portolan [$got]"; bad=1; }
  done
  dig +norec @127.0.0.1 -p "$DNS_PORT" nosuch9.domaina A | grep -q 'status: NXDOMAIN' || { log "verify: nosuch9.domaina is not NXDOMAIN"; bad=1; }
  [ "$bad" = 0 ] || die "Portolan's answers differ from the zone the peers serve"
  log "verify: Portolan answers every service's A and SRV set as the zone file has them"
}

# One round for Portolan in one CPU layout: fresh server, records through the API, warm-up, the modes.
portolan_round() { # ROUND LAYOUT MODES
  local round=$1 layout=$2 modes=$3 prefix=() load=()
  [ -n "$modes" ] || return 0
  [ "$layout" = pin ] && { prefix=(taskset -c 0); load=(taskset -c 1); }
  start_portolan "$layout-r$round" "${prefix[@]}"
  bench dns-setup --url "http://127.0.0.1:$API_PORT/" --zone "$RUN/domaina.zone" >"$OUT/setup-$layout-r$round.txt"
  [ "$round" = 1 ] && [ "$layout" = free ] && verify
  log "portolan ($layout, round $round): warming up for ${WARMUP} s"
  "${load[@]}" timeout $((WARMUP + 30)) dnsperf -s 127.0.0.1 -p "$DNS_PORT" -d "$RUN/queries.txt" -l "$WARMUP" -c 8 -T 1 >/dev/null 2>&1 || true
  RUNS=1 RUN_BASE=$((round - 1)) MODES="$modes" TARGET_PID=$SERVER_PID "$PEERS_SH" target "$DNS_PORT" portolan >/dev/null
  stop_portolan
  # The stop line: datagrams served, bytes the UDP loops allocated, GC collections while DNS was up.
  grep -o 'DNS on .* stopped after .*' "$OUT/portolan-$layout-r$round.err" | tee -a "$OUT/portolan-gc.txt" >&2 || true
}

throughput() {
  "$PEERS_SH" setup
  local round
  for round in $(seq "$RUNS"); do
    log "round $round of $RUNS"
    portolan_round "$round" free "$MODES_FREE"
    portolan_round "$round" pin "$MODES_PIN"
    # shellcheck disable=SC2086
    RUNS=1 RUN_BASE=$((round - 1)) MODES="$MODES_FREE $MODES_PIN" "$PEERS_SH" bench $PEERS
  done
}

propagation() { # [LABEL [EXTRA_INSTANCES]]
  local label=${1:-propagation} extra=${2:-0}
  start_portolan "$label"
  [ -f "$RUN/domaina.zone" ] || "$PEERS_SH" setup
  bench dns-setup --url "http://127.0.0.1:$API_PORT/" --zone "$RUN/domaina.zone" >/dev/null
  if [ "$extra" -gt 0 ]; then
    log "$label: registering $extra instances in the DNS namespace big (100 services, A and SRV)"
    bench load --url "http://127.0.0.1:$API_PORT/" --namespace big --namespace-type DNS_PRIVATE --services 100 \
      --instances "$extra" --concurrency 128 | tr '\n' ' ' >&2
    echo >&2
    dig +short +norec @127.0.0.1 -p "$DNS_PORT" i-000000.svc000.big A | grep -q . || die "the big namespace does not answer"
  fi
  log "$label: $SAMPLES samples of each change"
  bench dns-propagation --url "http://127.0.0.1:$API_PORT/" --dns "127.0.0.1:$DNS_PORT" --namespace domaina \
    --samples "$SAMPLES" --csv "$OUT/$label.csv" | tee "$OUT/$label.txt"
  echo "server RSS at the end: $(( $(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status") / 1024 )) MiB" | tee -a "$OUT/$label.txt"
  stop_portolan
}

log "results in $OUT"
machine="$(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -r)"
echo "started $(date -u +%Y-%m-%dT%H:%MZ); load average $(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/conditions.txt"
for step in $STEPS; do
  case $step in
    throughput) throughput ;;
    propagation) propagation ;;
    propagation-large) propagation propagation-large "$LARGE" ;;
    *) die "unknown step $step" ;;
  esac
done
echo "ended $(date -u +%Y-%m-%dT%H:%MZ); load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/conditions.txt"

{
  echo "Portolan DNS benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $machine; .NET $(dotnet --version); $(dnsperf -h 2>&1 | awk '/^Version/ { print "dnsperf " $2 }'); $(nsd -v 2>&1 | head -1); $(knotd -V 2>&1 | head -1); $(dnsmasq -v | head -1 | cut -d' ' -f1-3)"
  echo "commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (+ uncommitted changes in src/)')"
  cat "$OUT/conditions.txt"
  if [ -f "$OUT/dns-results.csv" ]; then
    echo "dnsperf: -c 8, ${DURATION} s per run, $RUNS interleaved rounds; free = all share the CPUs, pin = server on cpu0, dnsperf on cpu1"
    echo
    "$PEERS_SH" summary
    echo
    echo "Portolan's stop lines (one per server run):"
    cat "$OUT/portolan-gc.txt" 2>/dev/null || true
  fi
  if [ -f "$OUT/propagation.txt" ]; then
    echo
    echo "Propagation (API call returned -> a UDP query sees the change):"
    cat "$OUT/propagation.txt"
  fi
  if [ -f "$OUT/propagation-large.txt" ]; then
    echo
    echo "Propagation with $LARGE more DNS instances registered:"
    cat "$OUT/propagation-large.txt"
  fi
} | tee "$OUT/summary.txt"
