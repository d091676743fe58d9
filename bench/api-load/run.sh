#!/usr/bin/env bash
# GET /api/v1/backups at a fixed rate (open model) against the HTTP API of Arca over a local
# repository of N backups; prints p50/p90/p99/max. Target: p99 <= 50 ms at 50 requests/s.
#   bench/api-load/run.sh [--backups 1000] [--rate 50] [--duration 60s] [--warmup 10s] [--keep]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
backups=1000 rate=50 duration=60s warmup=10s keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --backups) backups="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "error: unknown argument $1" >&2; exit 2 ;;
  esac
done

"$root/arca" --version >/dev/null   # builds arca-cli/target/arca.jar when sources changed
jar="$root/arca-cli/target/arca.jar"
work="$root/bench/work/api-load-$backups"
mkdir -p "$work"
rm -f "$work/port"
token="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

ARCA_BENCH_TOKEN="$token" java -Xmx256m -cp "$jar" "$here/ApiServer.java" --dir "$work" --backups "$backups" \
  --port-file "$work/port" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  [ -s "$work/port" ] && break
  kill -0 "$server" 2>/dev/null || { echo "error: the server exited" >&2; exit 1; }
  sleep 0.5
done
[ -s "$work/port" ] || { echo "error: the server did not start within 5 minutes" >&2; exit 1; }
port="$(cat "$work/port")"

ARCA_TOKEN="$token" java "$here/ApiLoad.java" --url "http://127.0.0.1:$port/api/v1/backups" --rate "$rate" \
  --duration "$duration" --warmup "$warmup"
