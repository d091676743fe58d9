#!/usr/bin/env bash
# Logical backup/restore benchmark: Arca against pg_dump / pg_restore on the same ~2 GB database,
# all measured in one run on one throwaway cluster. Prints a table of wall times, sizes, peak RSS
# and ratios. Usage: bench/logical.sh [--scale N] [--text-rows N] [--keep]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

repo="$work/repo"; "${arca[@]}" init --repo "$repo" >/dev/null
echo "arca backup (default: custom, zstd:3)..." >&2
measure arca_backup "${arca[@]}" backup --repo "$repo" --db "$db_url"
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
measure arca_backup_dir "${arca[@]}" backup --repo "$repo_d" --db "$db_url" \
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
