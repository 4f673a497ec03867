#!/usr/bin/env bash
# Cluster (etcd) benchmarks, figures in BENCHMARKS.md under "## Cluster (etcd)":
#   1. RegisterInstance throughput through one node of a 2-node cluster on a 3-member etcd, beside one node on SQLite;
#   2. write on node A -> DNS answer on node B: latency distribution (and, for SQLite, write -> DNS on the same node);
#   3. failover: SIGKILL of the leader node -> the other node reports itself leader (work it owned moves with the lease);
#   4. task failover: a service of 4 tasks spread over a and b; SIGKILL of Portolan on leader b -> a records b's tasks
#      STOPPED and runs 4 again.
# Everything runs on this machine, on 127.0.0.1 only: three etcd members (data on disk under $DATA, fsync as in
# production), two `portolan serve` nodes, one SQLite node. Fixed operation counts; every process it starts is
# stopped by PID on exit.
#
# Usage: bench/etcd/run.sh      Tunables: COUNT (registrations, 5000) CONCURRENCY (64) SAMPLES (latency, 300) DATA
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COUNT=${COUNT:-5000}
CONCURRENCY=${CONCURRENCY:-64}
SAMPLES=${SAMPLES:-300}
DATA=${DATA:-$(mktemp -d /tmp/portolan-bench-etcd.XXXXXX)}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$DATA"; }
trap cleanup EXIT

dotnet build -c Release -v q -nologo "$ROOT/src/Portolan/Portolan.csproj" >/dev/null
dotnet build -c Release -v q -nologo "$HERE/Portolan.Bench.Cluster/Portolan.Bench.Cluster.csproj" >/dev/null
PORTOLAN="$ROOT/src/Portolan/bin/Release/net10.0/portolan.dll"
BENCH="$HERE/Portolan.Bench.Cluster/bin/Release/net10.0/portolan-bench-cluster.dll"

free_ports() { python3 -c 'import socket,sys
s=[socket.socket() for _ in range(int(sys.argv[1]))]
[x.bind(("127.0.0.1",0)) for x in s]; print(" ".join(str(x.getsockname()[1]) for x in s))' "$1"; }

read -r -a P <<<"$(free_ports 6)"
cluster="m0=http://127.0.0.1:${P[1]},m1=http://127.0.0.1:${P[3]},m2=http://127.0.0.1:${P[5]}"
for i in 0 1 2; do
  c=${P[$((2*i))]} p=${P[$((2*i+1))]}
  etcd --name "m$i" --data-dir "$DATA/m$i" --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
    --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" --initial-cluster "$cluster" \
    --initial-cluster-state new --experimental-watch-progress-notify-interval 100ms --logger zap --log-level warn >"$DATA/m$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:${P[$((2*i))]}/health" 2>/dev/null | grep -q '"health":"true"' && break; sleep 0.1; done
done
STORE="etcd://127.0.0.1:${P[0]},127.0.0.1:${P[2]},127.0.0.1:${P[4]}"

# start_node NAME STORE -> sets API_<NAME> and DNS_<NAME> from its start-up lines
start_node() {
  local out="$DATA/$1.out"
  dotnet "$PORTOLAN" serve --store "$2" --node-name "$1" --api 127.0.0.1:0 --dns 127.0.0.1:0 --data-dir "$DATA/$1" >"$out" 2>"$DATA/$1.err" &
  pids+=($!)
  printf -v "PID_$1" '%s' "$!"
  for _ in $(seq 300); do grep -qx ready "$out" && break; sleep 0.1; done
  grep -qx ready "$out" || { echo "node $1 did not start:"; cat "$DATA/$1.err"; exit 1; }
  printf -v "API_$1" '%s' "$(grep -m1 '^api: ' "$out" | cut -c6-)"
  printf -v "DNS_$1" '%s' "$(grep -m1 '^dns: udp://' "$out" | sed 's/.*://')"
}

start_node a "$STORE"
start_node b "$STORE"
start_node s "sqlite:$DATA/sqlite/portolan.db"

echo "# $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); etcd $(etcd --version | head -1 | awk '{print $3}'); COUNT=$COUNT CONCURRENCY=$CONCURRENCY SAMPLES=$SAMPLES"
for target in a s; do
  api_var="API_$target"; api=${!api_var}
  sid=$(dotnet "$BENCH" setup --url "$api" --zone "bench-$target.test" --service web | sed -n 's/^service-id=//p')
  lat=$(dotnet "$BENCH" setup --url "$api" --zone "lat-$target.test" --service probe | sed -n 's/^service-id=//p')
  if [ "$target" = a ]; then label="etcd (write on a)"; dns=$DNS_b; where="DNS on b"; else label="sqlite"; dns=$DNS_s; where="DNS on the same node"; fi
  echo "## $label: register throughput"
  dotnet "$BENCH" register --url "$api" --service-id "$sid" --count "$COUNT" --concurrency "$CONCURRENCY"
  echo "## $label: write -> $where"
  dotnet "$BENCH" latency --url "$api" --dns "$dns" --service-id "$lat" --name "probe.lat-$target.test" --samples "$SAMPLES"
done

# Node a joined first, so it leads. Kill it hard and time until b says it leads (node TTL 3 s + etcd's expiry tick).
echo "## failover: SIGKILL leader a -> b leads (node TTL 3 s)"
curl -fsS "$API_b/_portolan/members" | grep -q '"leader": "a"' || { echo "a does not lead"; exit 1; }
start=$(date +%s%N)
kill -9 "$PID_a"
for _ in $(seq 400); do curl -fsS "$API_b/_portolan/members" | grep -q '"leader": "b"' && break; sleep 0.05; done
echo "failover_ms=$(( ($(date +%s%N) - start) / 1000000 ))"

# a comes back (same data directory: the same ECS container instance); b now leads. A service's 4 tasks (sleep
# processes) spread 2 + 2; kill Portolan on b alone (its processes live on, as after a crash) and time until a has
# recorded b's tasks STOPPED and runs 4 tasks again (node TTL 3 s + etcd's expiry tick + the scheduler's pass + start).
start_node a "$STORE"
for _ in $(seq 200); do curl -fsS "$API_b/_portolan/members" | grep -q '"name": "a"' && break; sleep 0.05; done
echo "## task failover: 4 tasks over a and b; SIGKILL leader b -> its tasks STOPPED, 4 RUNNING on a (load average $(cut -d' ' -f1-3 /proc/loadavg))"
lost=$(curl -fsS "$API_b/_portolan/members" | python3 -c 'import json,sys
print(next(m["meta"]["ecs.containerInstanceId"] for m in json.load(sys.stdin)["members"] if m["name"] == "b"))')
dotnet "$BENCH" tasks-setup --url "$API_b" --cluster bench --count 4
start=$(date +%s%3N)
kill -9 "$PID_b"
rc=0; out=$(dotnet "$BENCH" tasks-failover --url "$API_a" --cluster bench --lost "$lost" --count 4) || rc=$?
# Task processes are not to be left behind: b's orphans and a's tasks are killed on exit with the nodes.
read -r -a task_pids <<<"$(sed -n 's/^pids=//p' <<<"$out")"
pids+=("${task_pids[@]}")
[ "$rc" = 0 ] || { echo "$out"; exit 1; }
stopped=$(sed -n 's/^stopped_unix_ms=//p' <<<"$out")
running=$(sed -n 's/^running_unix_ms=//p' <<<"$out")
echo "tasks_stopped_ms=$((stopped - start))"
echo "tasks_running_again_ms=$((running - start))"
