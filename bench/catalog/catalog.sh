#!/usr/bin/env bash
# Catalog benchmark: S3 repositories (s3proxy from the testkit, its own JVM on loopback) holding
# 10 / 1,000 / 5,000 synthetic but valid logical backups and 4x as many run records over 90 days
# (20 subjects), then interleaved rounds timing what status, metrics and 'arca list' read:
# Repository.catalog(), RunLog.latest(), RunLog.list(7d) in one JVM, 'arca list' and 'arca status'
# as processes. Prints a table of medians. CatalogBench.java is run by the JDK's source launcher
# against the built jar: it is no Maven module and never runs in 'mvn verify'.
# Then 'arca server' with those repositories: /metrics scraped every 31 s, the refresh durations it
# reports. Usage: bench/catalog/catalog.sh [--sizes 10,1000,5000] [--rounds 3] [--scrapes 5] [--keep] [--reuse]
# --keep keeps bench/work/catalog (the S3 data included); --reuse starts from a kept one, so that
# repositories already filled are measured again without writing them anew.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sizes=10,1000,5000
rounds=3
scrapes=5
keep=0
reuse=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --scrapes) scrapes="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --reuse) reuse=1; shift ;;
    *) echo "usage: $0 [--sizes 10,1000,5000] [--rounds 3] [--scrapes 5] [--keep] [--reuse]" >&2; exit 2 ;;
  esac
done
for tool in java mvn python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; hint: apt-get install openjdk-17-jdk maven python3 time" >&2; exit 1; }
done

work="$root/bench/work/catalog"
[ "$reuse" = 1 ] || rm -rf "$work"
mkdir -p "$work"
s3_pid=
cleanup() {
  [ -z "$s3_pid" ] || kill "$s3_pid" 2>/dev/null || true
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

echo "building arca..." >&2
"$root/arca" --version > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
jar="$root/arca-cli/target/arca.jar"
jsa="$root/arca-cli/target/arca.jsa"
cds=()
[ -f "$jsa" ] && cds=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
arca="java ${cds[*]+${cds[*]}} ${ARCA_JAVA_OPTS:-} -jar $jar"

echo "starting s3proxy..." >&2
(cd "$root" && mvn -q -B -o dependency:build-classpath -pl arca-testkit -Dmdep.outputFile="$work/cp.txt" \
  -Dmdep.excludeGroupIds=io.arca > "$work/cp.log" 2>&1) || { cat "$work/cp.log" >&2; exit 1; }
[ -d "$root/arca-testkit/target/classes" ] || (cd "$root" && mvn -q -B -o compile -pl arca-testkit -am > "$work/tk.log" 2>&1) \
  || { cat "$work/tk.log" >&2; exit 1; }
s3_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
java -cp "$root/arca-testkit/target/classes:$root/arca-core/target/classes:$(cat "$work/cp.txt")" \
  io.arca.testkit.s3.S3Server --port "$s3_port" --data "$work/s3data" --bucket bench > "$work/s3.out" 2>"$work/s3.err" &
s3_pid=$!
for _ in $(seq 1800); do grep -q '^READY$' "$work/s3.out" && break; sleep 0.1; done
grep -q '^READY$' "$work/s3.out" || { echo "error: s3proxy did not start:" >&2; cat "$work/s3.err" >&2; exit 1; }
while read -r line; do case "$line" in AWS_*=*) export "${line?}" ;; esac; done < "$work/s3.out"

java -cp "$jar" "$here/CatalogBench.java" --url-template "s3://bench/n%d?endpoint=http://127.0.0.1:$s3_port&path-style=true" \
  --sizes "$sizes" --rounds "$rounds" --server-scrapes "$scrapes" --arca "$arca"
echo "s3proxy peak RSS: $(grep VmHWM /proc/$s3_pid/status | awk '{print $2/1024 " MB"}')"
