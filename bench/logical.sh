#!/usr/bin/env bash
# Logical backup/restore benchmark: Arca against pg_dump / pg_restore on the same ~2 GB database,
# all measured in one run on one throwaway cluster. Prints a table of wall times, sizes, peak RSS
# and ratios. Usage: bench/logical.sh [--scale N] [--text-rows N] [--keep]
set -euo pipefail
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
for tool in "$bin/initdb" "$bin/pg_ctl" "$bin/pg_dump" "$bin/pg_restore" "$bin/pgbench" zstd /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; hint: apt-get install postgresql-15 zstd time" >&2; exit 1; }
done

work="$here/work"
rm -rf "$work"; mkdir -p "$work"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

echo "building arca..." >&2
(cd "$root" && mvn -B -q -DskipTests -pl arca-cli -am package > "$work/build.log" 2>&1) || { cat "$work/build.log" >&2; exit 1; }
# The jar built above, run as ./arca runs it (java -jar, ARCA_JAVA_OPTS), without the launcher's
# rebuild check: editing sources during a run must not put a build into a measurement.
arca=(java ${ARCA_JAVA_OPTS:-} -jar "$root/arca-cli/target/arca.jar")

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

repo="$work/repo"; "${arca[@]}" init --repo "$repo" >/dev/null
echo "arca backup (default: custom, zstd:3)..." >&2
measure arca_backup "${arca[@]}" backup --repo "$repo" --db "postgresql://postgres@127.0.0.1:$port/bench"
id=$("${arca[@]}" list --repo "$repo" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
arca_size=$("${arca[@]}" show --repo "$repo" "$id" -o json | python3 -c 'import json,sys; print(sum(a["storedSize"] for a in json.load(sys.stdin)["artifacts"]))')

echo "pg_dump -Fc..." >&2
measure pg_dump_Fc pg_dump -Fc -d bench -f "$work/bench.dump"
pgdump_size=$(size_of "$work/bench.dump")

echo "pg_dump -Fc -Z0 | zstd -T2 -3..." >&2
measure zstd_pipe sh -c "pg_dump -Fc -Z0 -d bench | zstd -q -T2 -3 -o '$work/bench.dump.zst'"
pipe_size=$(size_of "$work/bench.dump.zst")

repo_d="$work/repo-dir"; "${arca[@]}" init --repo "$repo_d" >/dev/null
echo "arca backup --format directory --jobs 2..." >&2
measure arca_backup_dir "${arca[@]}" backup --repo "$repo_d" --db "postgresql://postgres@127.0.0.1:$port/bench" \
  --format directory --jobs 2 --staging-dir "$work"
arca_dir_size=$(size_of "$repo_d/backups")

echo "pg_dump -Fd -j2 -Z0..." >&2
measure pg_dump_Fd pg_dump -Fd -j2 -Z0 -d bench -f "$work/bench.dir"
pgdump_dir_size=$(size_of "$work/bench.dir")
rm -rf "$work/bench.dir" "$work/bench.dump.zst"

echo "arca restore --jobs 2..." >&2
measure arca_restore "${arca[@]}" restore --repo "$repo" "$id" --to "postgresql://postgres@127.0.0.1:$port/restored_arca" --jobs 2

echo "pg_restore -j2 of the pg_dump -Fc file..." >&2
createdb restored_pg
measure pg_restore pg_restore -j2 -d restored_pg "$work/bench.dump"

for db in restored_arca restored_pg; do
  n=$(psql -Atc "select count(*) from pgbench_accounts" -d "$db")
  [ "$n" = "$((scale * 100000))" ] || { echo "error: $db has $n accounts, expected $((scale * 100000))" >&2; exit 1; }
done

python3 - "$results" "$arca_size" "$pgdump_size" "$pipe_size" "$arca_dir_size" "$pgdump_dir_size" "$dbsize" <<'PY'
import sys
path, arca_size, pgdump_size, pipe_size, arca_dir, pgdump_dir, dbsize = sys.argv[1:]
r = {}
for line in open(path):
    name, secs, rss = line.rstrip("\n").split("\t")
    r[name] = (float(secs), int(rss))
mb = lambda b: f"{int(b) / 1e6:,.0f} MB"
def row(what, a, b, size_a=None, size_b=None, target=None):
    ta, tb = r[a][0], r[b][0]
    ratio = ta / tb
    size = f"{mb(size_a)} vs {mb(size_b)} ({int(size_a) / int(size_b):.2f}x)" if size_a else "-"
    ok = "" if target is None else ("  ok" if ratio <= target else f"  MISSED (target <= {target})")
    print(f"| {what} | {ta:.1f} s | {tb:.1f} s | {ratio:.2f}x{ok} | {size} | {r[a][1] / 1024:.0f} MB |")
print(f"\nDatabase: {dbsize} (pgbench scale + documents), one run, same cluster, warm cache.\n")
print("| comparison | arca | baseline | time ratio | stored size | arca peak RSS |")
print("|---|---:|---:|---:|---|---:|")
row("backup vs pg_dump -Fc", "arca_backup", "pg_dump_Fc", arca_size, pgdump_size, 0.45)
row("backup vs pg_dump -Fc -Z0 \\| zstd -T2 -3", "arca_backup", "zstd_pipe", arca_size, pipe_size, 1.1)
row("backup -Fd -j2 vs pg_dump -Fd -j2 -Z0", "arca_backup_dir", "pg_dump_Fd", arca_dir, pgdump_dir)
row("restore -j2 vs pg_restore -j2 (local -Fc file)", "arca_restore", "pg_restore", None, None, 1.05)
peak = max(v[1] for k, v in r.items() if k.startswith("arca")) / 1024
print(f"\nPeak RSS of any arca process: {peak:.0f} MB (target < 300 MB)")
PY
