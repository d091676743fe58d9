# Shared by the benchmark scripts (sourced, not run): options, a throwaway cluster with the
# ~2 GB benchmark database, the built arca jar, and measure(). The sourcing script sets
# bench_usage and may add its own tools to bench_tools before sourcing.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
scale=100          # pgbench scale: 100 = 10 M accounts, ~1.5 GB with indexes
text_rows=1500000  # rows of text + jsonb, ~0.5 GB
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift 2 ;;
    --text-rows) text_rows="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--scale N] [--text-rows N] [--keep]" >&2; exit 2 ;;
  esac
done

bin=/usr/lib/postgresql/15/bin
for tool in "$bin/initdb" "$bin/pg_ctl" "$bin/pg_dump" "$bin/pg_restore" "$bin/pgbench" zstd /usr/bin/time bc ${bench_tools[@]+"${bench_tools[@]}"}; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; hint: ${bench_hint:-apt-get install postgresql-15 zstd time bc}" >&2; exit 1; }
done

work="$here/work"
rm -rf "$work"; mkdir -p "$work"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
bench_cleanups=()
cleanup() {
  for c in ${bench_cleanups[@]+"${bench_cleanups[@]}"}; do eval "$c" || true; done
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

echo "building arca..." >&2
# The launcher builds the jar when sources changed and writes its class-data-sharing archive; the
# benchmark then runs the jar the way the launcher does (java -jar with that archive and
# ARCA_JAVA_OPTS), without the launcher's rebuild check: editing sources during a run must not
# put a build into a measurement.
"$root/arca" --version > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
jsa="$root/arca-cli/target/arca.jsa"
cds=()
[ -f "$jsa" ] && cds=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
arca=(java ${cds[@]+"${cds[@]}"} ${ARCA_JAVA_OPTS:-} -jar "$root/arca-cli/target/arca.jar")

echo "starting cluster on port $port..." >&2
"${as_pg[@]}" "$bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -o \
  "-p $port -k $work -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_wal_size=8GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c maintenance_work_mem=512MB" start >/dev/null

echo "loading data (pgbench scale $scale + $text_rows text/jsonb rows)..." >&2
createdb bench
"$bin/pgbench" -i -q -s "$scale" bench >/dev/null 2>&1
psql -q -d bench -v ON_ERROR_STOP=1 <<SQL
create table documents (id bigint primary key, title text not null, body text not null, meta jsonb not null);
insert into documents
select g, 'document ' || g,
       repeat(md5(g::text) || ' lorem ipsum dolor sit amet ', 6),
       jsonb_build_object('author', 'user' || (g % 5000), 'tags', jsonb_build_array('a' || g % 17, 'b' || g % 31), 'score', g % 1000)
from generate_series(1, $text_rows) g;
vacuum analyze;
SQL
dbsize=$(psql -Atc "select pg_size_pretty(pg_database_size('bench'))" -d bench)
echo "database size: $dbsize" >&2
db_url="postgresql://postgres@127.0.0.1:$port/bench"

results="$work/results.tsv"; : > "$results"
# measure NAME COMMAND...: wall seconds and peak RSS (KiB) of the command (for pipelines, of the whole sh).
measure() {
  local name="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$@"
  t1=$(date +%s.%N)
  printf '%s\t%s\t%s\n' "$name" "$(echo "$t1 - $t0" | bc)" "$(cat "$work/rss")" >> "$results"
}
size_of() { du -sb "$1" | cut -f1; }

echo "warming the cache..." >&2
pg_dump -Fc -Z0 -d bench > /dev/null
