#!/usr/bin/env bash
# Restore-drill benchmark: `arca drill` of the ~2 GB backup (ephemeral cluster started and removed,
# restore with 2 jobs, exact row count of every table, evidence) against the bare minimum a team's
# drill script does by hand: pg_restore -j2 of the same backup (already decompressed to a local
# file, which the drill does not get) into a new database, then count(*) of every table. Three
# interleaved rounds, each first in turn, checkpoint before each, autovacuum off; medians.
# Usage: bench/drill.sh [--scale N] [--text-rows N] [--keep]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

psql -q -d bench -c "alter system set autovacuum = off" -c "select pg_reload_conf()" >/dev/null
repo="$work/repo"; "${arca[@]}" init --repo "$repo" >/dev/null
echo "arca backup..." >&2
"${arca[@]}" backup --repo "$repo" --db "$db_url" >/dev/null
artifact=$(find "$repo/backups" -name '*.dump.zst')
zstd -q -d "$artifact" -o "$work/bench.dump"
tables=$(psql -Atc "select format('%I.%I', schemaname, relname) from pg_stat_user_tables" -d bench)

checkpoint() { psql -q -d bench -c checkpoint; }
drill() {
  checkpoint
  measure drill "${arca[@]}" drill latest --repo "$repo" --jobs 2 --output json
}
by_hand() {
  dropdb --if-exists by_hand; createdb by_hand; checkpoint
  measure by_hand sh -c "pg_restore -j2 -d by_hand '$work/bench.dump' && for t in $(echo $tables); do psql -Atq -d by_hand -c \"select count(*) from \$t\" >/dev/null; done"
}
orders=("drill by_hand" "by_hand drill" "drill by_hand")
for round in 1 2 3; do
  for c in ${orders[$((round - 1))]}; do echo "round $round: $c..." >&2; "$c" > "$work/$c.out"; done
done
python3 - "$work/drill.out" >&2 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"last drill: verdict {d['verdict']}, timings {d['timings']}, measured RTO {d['rtoMillis'] / 1000:.1f} s")
assert d["verdict"] == "pass", d["failure"]
PY

python3 - "$results" "$dbsize" <<'PY'
import sys, statistics
path, dbsize = sys.argv[1:]
runs = {}
for line in open(path):
    name, secs, rss = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((float(secs), int(rss) / 1024))
r = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()}
print(f"\nDatabase: {dbsize}. Medians of {len(runs['drill'])} interleaved rounds; all times: "
      + "; ".join(f"{k} " + "/".join(f"{s:.1f}" for s, _ in v) for k, v in runs.items()) + "\n")
print("| comparison | arca | baseline | time ratio | arca peak RSS |")
print("|---|---:|---:|---:|---:|")
ta, tb = r["drill"][0], r["by_hand"][0]
ok = "  ok" if ta / tb <= 1.2 else "  MISSED (target <= 1.2)"
print(f"| arca drill (ephemeral cluster, restore -j2, counts, evidence) vs pg_restore -j2 of a local file + count(*) of every table | {ta:.1f} s | {tb:.1f} s | {ta / tb:.2f}x{ok} | {r['drill'][1]:.0f} MB |")
PY
