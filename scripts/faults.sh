#!/usr/bin/env bash
# The replication fault scenarios (tests/Gregor.EndToEnd.Tests/Replication, Category=Faults):
# one ZooKeeper and three brokers behind TCP proxies, a topic with replication factor 3 and
# min.insync.replicas=2, an idempotent acks=all producer and a consumer group throughout, one
# fault per test, every replica's segment files checked at the end. About 7 minutes.
#
#   scripts/faults.sh
set -uo pipefail
cd "$(dirname "$0")/.."
echo "[faults] building (Release)"
dotnet build tests/Gregor.EndToEnd.Tests/Gregor.EndToEnd.Tests.csproj -c Release -warnaserror -nologo -v quiet >/dev/null || {
  echo "[faults] build failed"; exit 1; }
exec dotnet test tests/Gregor.EndToEnd.Tests/Gregor.EndToEnd.Tests.csproj -c Release --no-build --nologo \
  --filter "Category=Faults" --logger "console;verbosity=normal"
