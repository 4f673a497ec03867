#!/usr/bin/env bash
# dns-peers.sh - authoritative-DNS QPS anchors on loopback (127.0.0.1 only).
#
# Portolan's copy of the shared bench-peers script (so the repository is self-contained), changed in three ways:
# fixed-rate modes (-Q) also record latency percentiles (dnsperf -v, per-query latencies: p50/p99/p99.9);
# RUN_BASE numbers runs when the caller interleaves rounds; the summary shows the percentiles.
#
# Serves the same small zone `domaina.` with nsd, knot, dnsmasq and unbound, each on
# its own loopback port, then drives each alone with dnsperf.  Every load run is bounded
# by dnsperf -l (DURATION seconds) and by `timeout`.  Only processes this script starts
# are stopped, by PID.
#
# Usage:
#   ./dns-peers.sh setup                 generate zone, server configs, query file in $RUN
#   ./dns-peers.sh verify [servers...]   start each server, dig A/SRV/NXDOMAIN, stop it
#   ./dns-peers.sh bench  [servers...]   full matrix (default servers: nsd knot dnsmasq unbound)
#   ./dns-peers.sh target PORT [LABEL]   same dnsperf runs against a server you already run
#                                          on 127.0.0.1:PORT (e.g. ours) serving the same data
#                                          ($RUN/domaina.zone).  Use MODES="free-T1 free-T2"
#                                          with it unpinned and MODES="pin-T1 pin-T2 pin-T1-Q20000"
#                                          with it started under `taskset -c 0`.
#                                          TARGET_PID=<its pid> adds its CPU % to the CSV.
#   ./dns-peers.sh summary               medians table from $LOGDIR/dns-results.csv
#
# Env: RUNS=3 DURATION=15 CLIENTS=8 MODES="free-T1 free-T2 pin-T1 pin-T2 pin-T1-Q20000"
#      RUN=<a temp dir> (generated configs, pids)  LOGDIR=./bench-results  RUN_BASE=0
#
# Modes: free-Tn : server and dnsperf unpinned, both compete for the 2 cores; dnsperf -T n
#        pin-Tn  : server under `taskset -c 0`, dnsperf under `taskset -c 1`, dnsperf -T n
#        ...-Qk  : same, but dnsperf capped at k queries/s (latency at a fixed load), run with -v so that
#                  every query's latency is logged and p50/p99/p99.9 computed; without -Q the cap is
#                  500000, i.e. saturation (no -v there: logging every query costs dnsperf ~25 % of its rate)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN="${RUN:-$(mktemp -d -t anchors-dns.XXXXXX)}"
LOGDIR="${LOGDIR:-$PWD/bench-results}"
RUNS="${RUNS:-3}"
RUN_BASE="${RUN_BASE:-0}"
DURATION="${DURATION:-15}"
CLIENTS="${CLIENTS:-8}"
MODES="${MODES:-free-T1 free-T2 pin-T1 pin-T2 pin-T1-Q20000}"
QFILE="$RUN/queries.txt"
CSV="$LOGDIR/dns-results.csv"
ZONE="$RUN/domaina.zone"
ADDR=127.0.0.1
declare -A PORT=([nsd]=5301 [knot]=5302 [dnsmasq]=5303 [unbound]=5304)
NSERV=50        # services: echoservice + service01..service49
SERVER_PID=""

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

descendants() { # pid -> all descendant pids (children of processes this script started)
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done
}

svc_name() { if [ "$1" -eq 0 ]; then echo echoservice; else printf 'service%02d' "$1"; fi; }

setup() {
  mkdir -p "$RUN" "$RUN/knot" "$RUN/nsd" "$LOGDIR"
  # ---- zone file (shared by nsd, knot, unbound) ----
  {
    echo '$ORIGIN domaina.'
    echo '$TTL 60'
    echo '@ IN SOA ns1.domaina. hostmaster.domaina. 1 7200 3600 1209600 60'
    echo '@ IN NS ns1.domaina.'
    echo 'ns1 IN A 127.0.0.1'
    for ((n = 0; n < NSERV; n++)); do
      s=$(svc_name $n)
      for i in 1 2 3; do
        echo "$s IN A 10.1.$n.$i"                      # multi-value A (3 addresses)
      done
      for i in 1 2 3; do
        echo "$s IN SRV 1 1 80 i-$i.$s.domaina."        # SRV at the service name (Cloud Map style)
        echo "i-$i.$s IN A 10.1.$n.$i"                  # instance A records
      done
    done
  } > "$ZONE"

  # ---- query file: exactly 70% A, 20% SRV, 10% NXDOMAIN, interleaved ----
  : > "$QFILE"
  for ((q = 0; q < 1000; q++)); do
    s=$(svc_name $(( (q * 7) % NSERV )))
    case $(( q % 10 )) in
      7|8) echo "$s.domaina SRV" ;;
      9)   echo "nosuch$q.domaina A" ;;
      *)   echo "$s.domaina A" ;;
    esac
  done > "$QFILE"

  # ---- nsd ----
  cat > "$RUN/nsd/nsd.conf" <<EOF
server:
    ip-address: $ADDR@${PORT[nsd]}
    port: ${PORT[nsd]}
    do-ip6: no
    server-count: 2
    reuseport: yes
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$RUN/nsd/zone.list"
    xfrdfile: "$RUN/nsd/xfrd.state"
    xfrdir: "$RUN/nsd"
    pidfile: "$RUN/nsd/nsd.pid"
    logfile: "$RUN/nsd/nsd.log"
    verbosity: 0
    hide-version: yes
    # Debian's nsd has response-rate-limiting compiled in (200 qps per /24, NXDOMAIN
    # class hit first): loopback load from one source would be dropped.  Turn it off.
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: domaina
    zonefile: "$ZONE"
EOF

  # ---- knot ----
  cat > "$RUN/knot/knot.conf" <<EOF
server:
    rundir: "$RUN/knot"
    listen: $ADDR@${PORT[knot]}
    udp-workers: 2
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: warning
database:
    storage: "$RUN/knot/db"
template:
  - id: default
    storage: "$RUN/knot"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: domaina
    file: "$ZONE"
EOF

  # ---- dnsmasq (not authoritative: local data + local=/domaina/ for NXDOMAIN) ----
  {
    echo "port=${PORT[dnsmasq]}"
    echo "listen-address=$ADDR"
    echo "bind-interfaces"
    echo "no-resolv"
    echo "no-hosts"
    echo "no-poll"
    echo "keep-in-foreground"
    echo "user=root"
    echo "pid-file=$RUN/dnsmasq.pid"
    echo "local=/domaina/"
    echo "local-ttl=60"
    echo "cache-size=0"
    echo "host-record=ns1.domaina,127.0.0.1"
    for ((n = 0; n < NSERV; n++)); do
      s=$(svc_name $n)
      for i in 1 2 3; do echo "host-record=$s.domaina,10.1.$n.$i"; done
      for i in 1 2 3; do
        echo "host-record=i-$i.$s.domaina,10.1.$n.$i"
        echo "srv-host=$s.domaina,i-$i.$s.domaina,80,1,1"
      done
    done
  } > "$RUN/dnsmasq.conf"

  # ---- unbound (auth-zone from the same zone file, served to clients) ----
  cat > "$RUN/unbound.conf" <<EOF
server:
    interface: $ADDR@${PORT[unbound]}
    port: ${PORT[unbound]}
    do-ip6: no
    num-threads: 2
    so-reuseport: yes
    username: ""
    chroot: ""
    directory: "$RUN"
    pidfile: "$RUN/unbound.pid"
    do-daemonize: no
    use-syslog: no
    logfile: ""
    verbosity: 0
    access-control: 127.0.0.0/8 allow
    hide-version: yes
auth-zone:
    name: "domaina."
    zonefile: "$ZONE"
    for-downstream: yes
    for-upstream: no
    fallback-enabled: no
remote-control:
    control-enable: no
EOF
  log "setup done in $RUN ($(grep -c . "$ZONE") zone lines, $(wc -l < "$QFILE") queries)"
}

start_server() { # name pin(0|1)
  local name=$1 pin=$2 pre=()
  [ "$pin" = 1 ] && pre=(taskset -c 0)
  case $name in
    nsd)     rm -f "$RUN/nsd/nsd.pid"; "${pre[@]}" nsd -d -c "$RUN/nsd/nsd.conf" >"$RUN/nsd.out" 2>&1 & ;;
    knot)    rm -rf "$RUN/knot/db"; "${pre[@]}" knotd -c "$RUN/knot/knot.conf" >"$RUN/knot.out" 2>&1 & ;;
    dnsmasq) "${pre[@]}" dnsmasq --conf-file="$RUN/dnsmasq.conf" >"$RUN/dnsmasq.out" 2>&1 & ;;
    unbound) "${pre[@]}" unbound -d -c "$RUN/unbound.conf" >"$RUN/unbound.out" 2>&1 & ;;
    *) echo "unknown server $name" >&2; return 1 ;;
  esac
  SERVER_PID=$!
  for _ in $(seq 1 50); do   # bounded wait, max ~10 s
    if dig +short +time=1 +tries=1 @$ADDR -p "${PORT[$name]}" echoservice.domaina A 2>/dev/null | grep -q '^10\.'; then
      log "$name up (pid $SERVER_PID, port ${PORT[$name]}, pinned=$pin)"; return 0
    fi
    sleep 0.2
  done
  echo "$name did not answer; see $RUN/$name.out" >&2; cat "$RUN/$name.out" >&2 || true
  stop_server; return 1
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local kids p
  kids=$(descendants "$SERVER_PID")   # e.g. nsd's server processes
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  for p in $kids; do   # bounded wait for children of the PID we started
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  SERVER_PID=""
  sleep 1
}
trap stop_server EXIT

verify_one() { # name
  local p=${PORT[$1]}
  echo "== $1 @$ADDR:$p"
  dig @$ADDR -p "$p" +norec echoservice.domaina A | grep -E 'flags:|^echoservice' || true
  dig @$ADDR -p "$p" +norec echoservice.domaina SRV | grep -E 'flags:|SRV|^i-' || true
  dig @$ADDR -p "$p" +norec nosuch9.domaina A | grep -E 'status:' || true
}

run_dnsperf() { # label port mode run ; mode = {free|pin}-T<threads>[-Q<max qps>]
  local label=$1 port=$2 mode=$3 run=$4 threads qmax=500000 pre=() out rest verbose=()
  rest=${mode#*-T}; threads=${rest%%-*}
  case $mode in *-Q*) qmax=${mode##*-Q}; verbose=(-v) ;; esac
  [ "${mode%%-*}" = pin ] && pre=(taskset -c 1)
  out="$LOGDIR/dns-$label-$mode-r$run.txt"
  local c0 c1 cpu
  c0=$(cpu_ticks "${SERVER_PID:-${TARGET_PID:-}}")
  timeout $((DURATION + 30)) "${pre[@]}" dnsperf -s $ADDR -p "$port" -d "$QFILE" \
    -l "$DURATION" -c "$CLIENTS" -T "$threads" -Q "$qmax" "${verbose[@]}" > "$out" 2>&1 || true
  c1=$(cpu_ticks "${SERVER_PID:-${TARGET_PID:-}}")
  cpu=$(awk -v a="$c0" -v b="$c1" -v h="$(getconf CLK_TCK)" -v d="$DURATION" 'BEGIN{printf "%.0f", (b-a)*100/h/d}')
  local qps lat lost
  qps=$(awk '/Queries per second:/{print $4}' "$out")
  lat=$(awk '/Average Latency \(s\):/{printf "%.3f", $4*1000}' "$out")
  lost=$(awk '/Queries lost:/{print $3}' "$out")
  local pct=",,"
  if [ ${#verbose[@]} -gt 0 ]; then   # "> NOERROR name type 0.000123" per completed query
    pct=$(awk '/^> /{print $NF}' "$out" | sort -g | awk '{a[NR]=$1} END{if (NR) printf "%.3f,%.3f,%.3f", a[int((NR+1)*0.5)]*1000, a[int(NR*0.99+0.5)]*1000, a[int(NR*0.999+0.5)]*1000; else printf ",,"}')
    gzip -f "$out"
  fi
  echo "$label,$mode,$run,$qps,$lat,$lost,$cpu,$pct" >> "$CSV"
  log "$label $mode run$run: qps=$qps avg_lat_ms=$lat lost=$lost server_cpu=$cpu% p50,p99,p99.9_ms=$pct"
}

cpu_ticks() { # pid -> utime+stime of the pid (all threads) plus its live descendants (nsd servers)
  local pid=$1 t=0 p
  [ -n "$pid" ] || { echo 0; return; }
  for p in $pid $(descendants "$pid"); do
    # utime+stime are fields 14,15; strip "pid (comm) " first, comm may hold spaces ("nsd: main")
    t=$(( t + $(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12+$13}' || echo 0) ))
  done
  echo $t
}

bench() {
  [ -f "$QFILE" ] || setup
  mkdir -p "$LOGDIR"
  [ -f "$CSV" ] || echo "server,mode,run,qps,avg_latency_ms,lost,server_cpu_pct,p50_ms,p99_ms,p999_ms" > "$CSV"
  local servers=("$@"); [ ${#servers[@]} -gt 0 ] || servers=(nsd knot dnsmasq unbound)
  for s in "${servers[@]}"; do
    for mode in $MODES; do
      local pin=0; [ "${mode%%-*}" = pin ] && pin=1
      start_server "$s" "$pin"
      for r in $(seq 1 "$RUNS"); do run_dnsperf "$s" "${PORT[$s]}" "$mode" $((RUN_BASE + r)); done
      stop_server
    done
  done
}

target() { # port [label]
  [ -f "$QFILE" ] || setup
  mkdir -p "$LOGDIR"
  [ -f "$CSV" ] || echo "server,mode,run,qps,avg_latency_ms,lost,server_cpu_pct,p50_ms,p99_ms,p999_ms" > "$CSV"
  local port=$1 label=${2:-target$1}
  dig @$ADDR -p "$port" +norec echoservice.domaina A
  for mode in $MODES; do
    for r in $(seq 1 "$RUNS"); do run_dnsperf "$label" "$port" "$mode" $((RUN_BASE + r)); done
  done
}

summary() {
  python3 - "$CSV" <<'EOF'
import csv, sys, statistics, collections
rows = list(csv.DictReader(open(sys.argv[1])))
g = collections.OrderedDict()
for r in rows:
    g.setdefault((r['server'], r['mode']), []).append(r)
def med(rs, key, fmt):
    v = [float(r[key]) for r in rs if r.get(key)]
    return format(statistics.median(v), fmt) if v else "-"
print("| server | mode | runs | QPS median | QPS min..max | avg latency ms | p50 ms | p99 ms | p99.9 ms | lost (max) | server CPU % |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for (s, m), rs in sorted(g.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    q = [float(r['qps']) for r in rs if r['qps']]
    lost = max(int(r['lost'] or 0) for r in rs)
    print(f"| {s} | {m} | {len(q)} | {statistics.median(q):,.0f} | {min(q):,.0f}..{max(q):,.0f} | {med(rs, 'avg_latency_ms', '.3f')} | "
          f"{med(rs, 'p50_ms', '.3f')} | {med(rs, 'p99_ms', '.3f')} | {med(rs, 'p999_ms', '.3f')} | {lost} | {med(rs, 'server_cpu_pct', '.0f')} |")
EOF
}

cmd=${1:-}; shift || true
case $cmd in
  setup)   setup ;;
  verify)  [ -f "$QFILE" ] || setup
           servers=("$@"); [ ${#servers[@]} -gt 0 ] || servers=(nsd knot dnsmasq unbound)
           for s in "${servers[@]}"; do start_server "$s" 0; verify_one "$s"; stop_server; done ;;
  bench)   bench "$@" ;;
  target)  target "$@" ;;
  summary) summary ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
esac
