#!/usr/bin/env bash
# Start or stop the SolrCloud of the tests and local trials (make solr-up /
# make solr-down): 2 Solr 9 nodes and an embedded ZooKeeper on loopback, the
# collection `ckan` on the portal's configset (configset.py).
#
#   solrcloud.sh up PYTHON      build if needed, start, wait until the collection is active
#   solrcloud.sh down           SIGTERM, wait for a clean stop
#
# Settings (environment): METROPOLE_SOLR_PORTS (default "18983 18984", one
# node per port), METROPOLE_SOLR_ZK_PORT (19983), METROPOLE_SOLR_SHARDS (2),
# METROPOLE_SOLR_REPLICAS (1), METROPOLE_SOLR_HEAP (1g),
# METROPOLE_SOLR_STATE (.metropole/solr). The state is rebuilt on every `up`:
# the index is derived data (`ckan search-index rebuild` refills it).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PORTS=${METROPOLE_SOLR_PORTS:-18983 18984}
ZK_PORT=${METROPOLE_SOLR_ZK_PORT:-19983}
SHARDS=${METROPOLE_SOLR_SHARDS:-2}
REPLICAS=${METROPOLE_SOLR_REPLICAS:-1}
HEAP=${METROPOLE_SOLR_HEAP:-1g}
STATE=${METROPOLE_SOLR_STATE:-$ROOT/.metropole/solr}
COLLECTION=ckan
MAIN=org.metropole.solr.SolrCloud
CLASSPATH_FILE=$HERE/target/classpath.txt
WAIT_SECONDS=180

ensure_tools() {
    command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 && return
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "solr: Java 17+ and Maven 3.8+ are missing and apt-get is not available; install them, then run make solr-up again." >&2
        exit 1
    fi
    local sudo=
    if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
    echo "solr: installing Debian's default-jdk-headless and maven"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq default-jdk-headless maven >/dev/null
}

# Compile when a source is newer than the last build. Offline first: with
# Solr already in ~/.m2 Maven needs no network (and answers faster).
build() {
    local newer
    newer=$(find "$HERE/pom.xml" "$HERE/src" -newer "$CLASSPATH_FILE" -type f 2>/dev/null | head -1 || true)
    if [ -f "$CLASSPATH_FILE" ] && [ -z "$newer" ]; then return; fi
    (cd "$HERE" && { mvn -q -B -o compile >/dev/null 2>&1 || mvn -q -B compile; })
}

# Our own process only: the pid file's process, if it still runs our class.
running_pid() {
    local pid
    pid=$(cat "$STATE/pid" 2>/dev/null) || return 1
    [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "$MAIN" || return 1
    echo "$pid"
}

down() {
    local pid
    pid=$(running_pid) || { rm -f "$STATE/pid" "$STATE/ready"; return 0; }
    kill -TERM "$pid"
    for _ in $(seq 60); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$STATE/pid"; echo "solr: stopped"; return 0; }
        sleep 0.5
    done
    echo "solr: no clean stop after 30 s, killing $pid" >&2
    kill -KILL "$pid"
    rm -f "$STATE/pid" "$STATE/ready"
}

up() {
    local python=$1 pid started
    ensure_tools
    build
    down >/dev/null
    rm -rf "$STATE"
    mkdir -p "$STATE"
    "$python" "$HERE/configset.py" "$STATE/configset"
    started=$(date +%s)
    # shellcheck disable=SC2086  # one argument per port
    nohup java -Xmx"$HEAP" -Dsolr.log.dir="$STATE" \
        -cp "$HERE/target/classes:$(cat "$CLASSPATH_FILE")" "$MAIN" \
        "$STATE" "$STATE/configset" "$COLLECTION" "$SHARDS" "$REPLICAS" "$ZK_PORT" $PORTS \
        >"$STATE/solr.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$STATE/pid"
    for _ in $(seq $((WAIT_SECONDS * 2))); do
        if [ -s "$STATE/ready" ]; then
            echo "solr: $(cat "$STATE/ready") ready in $(($(date +%s) - started)) s (log: $STATE/solr.log)"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "solr: SolrCloud did not start; end of $STATE/solr.log:" >&2
            tail -n 30 "$STATE/solr.log" >&2
            exit 1
        fi
        sleep 0.5
    done
    echo "solr: collection not active after $WAIT_SECONDS s; see $STATE/solr.log" >&2
    down
    exit 1
}

case "${1:-}" in
    up) up "${2:?usage: solrcloud.sh up PYTHON}" ;;
    down) down ;;
    *) echo "usage: solrcloud.sh up PYTHON | down" >&2; exit 2 ;;
esac
