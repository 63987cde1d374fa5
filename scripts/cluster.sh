#!/usr/bin/env bash
# Runs a Gregor cluster on this machine: one ZooKeeper and N brokers.
#
#   scripts/cluster.sh start [N]   ZooKeeper on 127.0.0.1:2181 (chroot /gregor), brokers 1..N on
#                                  127.0.0.1:9092..9092+N-1 (N defaults to 3); data under a new
#                                  temporary directory, printed on start
#   scripts/cluster.sh stop        stops the brokers cleanly (SIGTERM), then ZooKeeper, and removes
#                                  the data
#   scripts/cluster.sh status      what runs, with the data directory
#
# ZooKeeper is Debian's `zookeeper` package (installed with apt-get when missing) run with Java.
# The state of a running cluster (data directory, process ids) is kept in $GREGOR_CLUSTER_STATE
# (default: /tmp/gregor-cluster.state).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state=${GREGOR_CLUSTER_STATE:-/tmp/gregor-cluster.state}
zk_port=${ZK_PORT:-2181}
first_port=${FIRST_PORT:-9092}
classpath=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar

log() { echo "[cluster] $*"; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "timed out waiting for $what"; return 1
}

zk_ready() { exec 3<>"/dev/tcp/127.0.0.1/$zk_port" && echo srvr >&3 && grep -q "Mode:" <&3; }

start() {
  local n=${1:-3}
  if [ -f "$state" ]; then log "a cluster is already running (see $state); stop it first"; exit 1; fi
  if [ ! -f /usr/share/java/zookeeper.jar ]; then
    log "installing zookeeper"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq zookeeper >/dev/null
  fi
  local gregor="$root/src/Gregor/bin/Release/net10.0/gregor.dll"
  log "building gregor (Release)"
  dotnet build "$root/src/Gregor" -c Release -nologo -v quiet >/dev/null

  local data; data=$(mktemp -d /tmp/gregor-cluster.XXXXXX)
  mkdir -p "$data/zookeeper"
  cat > "$data/zoo.cfg" <<EOF
tickTime=2000
dataDir=$data/zookeeper
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr,stat,mntr,conf,cons,dump,wchs
EOF
  java -Xmx256m -XX:+UseSerialGC -cp "$classpath" org.apache.zookeeper.server.quorum.QuorumPeerMain "$data/zoo.cfg" \
    > "$data/zookeeper.log" 2>&1 &
  echo "data=$data" > "$state"
  echo "zookeeper=$!" >> "$state"
  wait_for 60 "ZooKeeper on 127.0.0.1:$zk_port" zk_ready
  log "ZooKeeper on 127.0.0.1:$zk_port (log $data/zookeeper.log)"

  for id in $(seq 1 "$n"); do
    local port=$((first_port + id - 1))
    mkdir -p "$data/broker-$id"
    dotnet "$gregor" server "$root/config/server.properties" \
      --override "broker.id=$id" \
      --override "listeners=PLAINTEXT://127.0.0.1:$port" \
      --override "zookeeper.connect=127.0.0.1:$zk_port/gregor" \
      --override "log.dirs=$data/broker-$id/logs" \
      > "$data/broker-$id/server.log" 2>&1 &
    echo "broker$id=$!" >> "$state"
  done
  for id in $(seq 1 "$n"); do
    wait_for 120 "broker $id" grep -q "listening on" "$data/broker-$id/server.log"
    log "broker $id on 127.0.0.1:$((first_port + id - 1)) (log $data/broker-$id/server.log)"
  done
  log "bootstrap servers: $(seq -s, -f "127.0.0.1:%g" "$first_port" $((first_port + n - 1)))"
  log "zookeeper.connect: 127.0.0.1:$zk_port/gregor"
}

stop() {
  if [ ! -f "$state" ]; then log "no cluster is running"; return 0; fi
  local data; data=$(grep '^data=' "$state" | cut -d= -f2)
  for entry in $(grep '^broker' "$state"); do
    kill -TERM "${entry#*=}" 2>/dev/null || true
  done
  for entry in $(grep '^broker' "$state"); do
    wait_for 120 "${entry%%=*} to stop" sh -c "! kill -0 ${entry#*=}" || kill -KILL "${entry#*=}" 2>/dev/null || true
  done
  local zk; zk=$(grep '^zookeeper=' "$state" | cut -d= -f2)
  kill -TERM "$zk" 2>/dev/null || true
  wait_for 30 "ZooKeeper to stop" sh -c "! kill -0 $zk" || kill -KILL "$zk" 2>/dev/null || true
  rm -rf "$data" "$state"
  log "stopped"
}

status() {
  if [ ! -f "$state" ]; then log "no cluster is running"; return 0; fi
  log "$(grep '^data=' "$state")"
  grep -v '^data=' "$state" | while IFS== read -r name pid; do
    if kill -0 "$pid" 2>/dev/null; then log "$name (pid $pid) running"; else log "$name (pid $pid) gone"; fi
  done
}

case "${1:-}" in
  start) start "${2:-3}" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: scripts/cluster.sh start [N] | stop | status" >&2; exit 1 ;;
esac
