#!/usr/bin/env bash
# The long replication run, not part of scripts/test.sh: one ZooKeeper and three brokers on
# loopback, a topic with replication factor 3 and min.insync.replicas=2, an idempotent acks=all
# producer and a consumer group running throughout, and KILLS (default 50) rounds of kill -9 of
# whichever broker leads partition 0, restart, wait for a full ISR. Ends with a line
#   SOAK kills N, acknowledged N, lost N, duplicated N, inconsistent offsets N, not consumed N, longest produce stall after a kill S s
# and exits non-zero when anything acknowledged was lost, duplicated, moved or not consumed.
#
#   scripts/soak.sh [KILLS]
set -uo pipefail
cd "$(dirname "$0")/.."
kills=${1:-50}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "[soak] building (Release)"
dotnet build tests/Gregor.EndToEnd.Tests/Gregor.EndToEnd.Tests.csproj -c Release -warnaserror -nologo -v quiet >/dev/null || {
  echo "[soak] build failed"; exit 1; }
echo "[soak] $kills leader kills"
GREGOR_SOAK=1 GREGOR_SOAK_KILLS=$kills dotnet test tests/Gregor.EndToEnd.Tests/Gregor.EndToEnd.Tests.csproj -c Release --no-build --nologo \
  --filter "FullyQualifiedName~LeaderKillSoakTests" --logger "console;verbosity=detailed" 2>&1 \
  | grep -vE '^%[0-9]\|' | tee "$log"
status=${PIPESTATUS[0]}
grep -h "SOAK kills" "$log" | tail -1
exit "$status"
