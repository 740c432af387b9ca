#!/usr/bin/env bash
# A private Virtuoso Open Source instance in a directory of its own, on free loopback ports.
#
#   scripts/virtuoso.sh start DIR   start it (creates DIR), wait until it answers, print "HTTP_PORT SQL_PORT"
#   scripts/virtuoso.sh stop DIR    stop it (by the pid it recorded) and wait for it to exit
#
# The instance allows SPARQL Update and the Graph Store Protocol (/sparql-graph-crud) from its
# anonymous SPARQL user, so bind it to loopback only (it is for tests and local experiments).
# Needs the Debian package virtuoso-opensource (virtuoso-t, isql-vt).
set -euo pipefail

VIRTUOSO=${VIRTUOSO:-virtuoso-t}
ISQL=${ISQL:-isql-vt}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

write_ini() {  # DIR HTTP_PORT SQL_PORT
    cat >"$1/virtuoso.ini" <<EOF
[Database]
DatabaseFile = $1/virtuoso.db
ErrorLogFile = $1/virtuoso.log
LockFile = $1/virtuoso.lck
TransactionFile = $1/virtuoso.trx
xa_persistent_file = $1/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $1/virtuoso-temp.db
TransactionFile = $1/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$3
DisableUnixSocket = 1
CheckpointInterval = 0
CaseMode = 2
DirsAllowed = ., $1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:$2
ServerRoot = $1
ServerThreads = 8
MaxClientConnections = 8
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
EOF
}

start() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local http sql
    http=$(free_port)
    sql=$(free_port)
    write_ini "$dir" "$http" "$sql"
    (cd "$dir" && exec "$VIRTUOSO" +foreground +configfile "$dir/virtuoso.ini" >"$dir/stdout.log" 2>&1) &
    echo $! >"$dir/virtuoso.pid"
    for _ in $(seq 1 120); do
        if "$ISQL" "127.0.0.1:$sql" dba dba exec="status();" >/dev/null 2>&1; then
            # The anonymous endpoint user may update (SPARQL Update and /sparql-graph-crud).
            "$ISQL" "127.0.0.1:$sql" dba dba exec="GRANT SPARQL_UPDATE TO \"SPARQL\"; \
                DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);" >"$dir/grant.log" 2>&1
            echo "$http $sql" | tee "$dir/ports"
            return 0
        fi
        if ! kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null; then
            echo "virtuoso exited during startup; see $dir/virtuoso.log" >&2
            cat "$dir/stdout.log" >&2 || true
            return 1
        fi
        sleep 0.5
    done
    echo "virtuoso did not answer within 60 s; see $dir/virtuoso.log" >&2
    stop "$dir"
    return 1
}

stop() {
    local dir=$1 pid
    [ -f "$dir/virtuoso.pid" ] || return 0
    pid=$(cat "$dir/virtuoso.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$dir/virtuoso.pid"; return 0; }
        sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/virtuoso.pid"
}

case "${1:-}" in
    start) start "${2:?usage: $0 start DIR}" ;;
    stop) stop "${2:?usage: $0 stop DIR}" ;;
    *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac
