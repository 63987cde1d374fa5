#!/usr/bin/env bash
# Runs every test of the repository and ends with the line "N passed, N failed".
# On a fresh Debian machine it first installs what the tests need (each step is skipped
# when already present): the Kafka clients the end-to-end tests drive as processes, gcc,
# and ZooKeeper with a JRE.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { echo "[test.sh] $*"; }

# --- prerequisites -----------------------------------------------------------------------
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || missing+=(python3-kafka)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || missing+=(python3-confluent-kafka)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)      # builds a stand-in librdkafka.so for a tools test
command -v prlimit >/dev/null 2>&1 || missing+=(util-linux)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)  # runs ZooKeeper for the cluster tests
[ -f /usr/share/java/zookeeper.jar ] || missing+=(zookeeper)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { log "could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi
if ! command -v dotnet >/dev/null 2>&1; then
  log "the .NET 10 SDK is required (dotnet on PATH)"; echo "0 passed, 1 failed"; exit 1
fi
if [ -f tests/clients/package.json ] && [ ! -d tests/clients/node_modules/kafkajs ]; then
  log "installing kafkajs"
  (cd tests/clients && npm install --no-audit --no-fund --silent) || { log "npm install failed"; echo "0 passed, 1 failed"; exit 1; }
fi

# --- build and test ----------------------------------------------------------------------
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
log "building (Release)"
if ! dotnet build Gregor.slnx -c Release -warnaserror -nologo -v quiet > "$results/build.log" 2>&1; then
  grep -E "error|Error" "$results/build.log" | head -50
  echo "0 passed, 1 failed"
  exit 1
fi
log "running tests"
# The replication fault scenarios (Category=Faults) are their own command, scripts/faults.sh:
# under load their producers have stalled after a failover in some runs (see the README).
dotnet test Gregor.slnx -c Release --no-build --nologo --filter "Category!=Faults" \
  --logger "trx" --results-directory "$results" \
  --blame-hang-timeout 5m -- RunConfiguration.TreatNoTestsAsError=false
status=$?

# Sum the counters of every test run's TRX file.
counts=$(/usr/bin/python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find(".//{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
print(passed, failed, skipped)
PY
)
read -r passed failed skipped <<< "$counts"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the run itself failed (crash, hang) without a failing test to show for it
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
