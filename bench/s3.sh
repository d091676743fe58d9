#!/usr/bin/env bash
# Object-storage benchmark: the same arca backup of the ~2 GB database into a local repository and
# into an S3 repository on s3proxy (its own JVM, loopback), an upload-only comparison of arca copy
# and the AWS CLI on the same bytes, and the AWS CLI uploading a file the size of the plain dump,
# all in one run. Prints a table of wall times, ratios and peak RSS.
# Usage: bench/s3.sh [--scale N] [--text-rows N] [--keep]
set -euo pipefail
bench_tools=(aws)
bench_hint="apt-get install postgresql-15 zstd time bc awscli"
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

echo "starting s3proxy..." >&2
(cd "$root" && mvn -q -B dependency:build-classpath -pl arca-testkit -Dmdep.outputFile="$work/cp.txt" \
  -Dmdep.excludeGroupIds=io.arca > "$work/cp.log" 2>&1) || { cat "$work/cp.log" >&2; exit 1; }
s3_port=$(free_port)
java -cp "$root/arca-testkit/target/classes:$root/arca-core/target/classes:$(cat "$work/cp.txt")" \
  io.arca.testkit.s3.S3Server --port "$s3_port" --data "$work/s3data" --bucket bench > "$work/s3.out" 2>"$work/s3.err" &
s3_pid=$!
bench_cleanups+=("kill $s3_pid")
for _ in $(seq 600); do grep -q '^READY$' "$work/s3.out" && break; sleep 0.1; done
grep -q '^READY$' "$work/s3.out" || { echo "error: s3proxy did not start:" >&2; cat "$work/s3.err" >&2; exit 1; }
while read -r line; do case "$line" in AWS_*=*) export "${line?}" ;; esac; done < "$work/s3.out"
endpoint="http://127.0.0.1:$s3_port"
s3_repo="s3://bench/arca?endpoint=$endpoint&path-style=true"

local_repo="$work/repo"
"${arca[@]}" init --repo "$local_repo" >/dev/null
"${arca[@]}" init --repo "$s3_repo" >/dev/null
pg_dump -Fc -Z0 -d bench -f "$work/plain.dump"
plain=$(size_of "$work/plain.dump")

# Three rounds, interleaved, so that the machine's drift hits every contender alike; the table
# shows medians.
for round in 1 2 3; do
  echo "round $round: arca backup into the local repository, then into s3://..." >&2
  measure arca_local "${arca[@]}" backup --repo "$local_repo" --db "$db_url"
  measure arca_s3 "${arca[@]}" backup --repo "$s3_repo" --db "$db_url"
  id=$("${arca[@]}" list --repo "$local_repo" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
  artifact=$(find "$local_repo/backups" -path "*$id*" -name '*.zst' | head -1)
  copy_repo="s3://bench/copy$round?endpoint=$endpoint&path-style=true"
  "${arca[@]}" init --repo "$copy_repo" >/dev/null
  echo "round $round: upload of the stored backup, arca copy vs aws s3 cp; aws s3 cp of the plain dump..." >&2
  measure arca_copy "${arca[@]}" copy "$id" --from "$local_repo" --to "$copy_repo"
  measure aws_cp_stored aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$artifact" "s3://bench/awscli/stored$round.zst"
  measure aws_cp_plain aws --endpoint-url "$endpoint" s3 cp --only-show-errors "$work/plain.dump" "s3://bench/awscli/plain$round.dump"
done
stored=$("${arca[@]}" show --repo "$local_repo" "$id" -o json | python3 -c 'import json,sys; print(sum(a["storedSize"] for a in json.load(sys.stdin)["artifacts"]))')
rm -f "$work/plain.dump"

echo "checking the S3 backup restores..." >&2
"${arca[@]}" verify --repo "$s3_repo" >/dev/null

python3 - "$results" "$stored" "$plain" "$dbsize" <<'PY'
import sys
path, stored, plain, dbsize = sys.argv[1:]
import statistics
runs = {}
for line in open(path):
    name, secs, rss = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((float(secs), int(rss) / 1024))
# median wall time and highest peak RSS of each contender's runs
r = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()}
mb = lambda b: f"{int(b) / 1e6:,.0f} MB"
def row(what, a, b, target=None, better="<="):
    ta, tb = r[a][0], r[b][0]
    ratio = ta / tb
    ok = "" if target is None else ("  ok" if ratio <= target else f"  MISSED (target <= {target})")
    print(f"| {what} | {ta:.1f} s | {tb:.1f} s | {ratio:.2f}x{ok} | {r[a][1]:.0f} MB | {r[b][1]:.0f} MB |")
print(f"\nDatabase: {dbsize}; plain dump {mb(plain)}, stored backup {mb(stored)} (zstd:3). s3proxy on loopback;")
print(f"medians of {len(runs['arca_s3'])} interleaved rounds, all times: " + "; ".join(
    f"{k} " + "/".join(f"{s:.1f}" for s, _ in v) for k, v in runs.items()) + "\n")
print("| comparison | arca | baseline | time ratio | arca peak RSS | baseline peak RSS |")
print("|---|---:|---:|---:|---:|---:|")
row("arca backup to s3:// vs to a local repository", "arca_s3", "arca_local", 1.2)
row("arca copy local -> s3:// (upload + read-back check) vs aws s3 cp, same bytes", "arca_copy", "aws_cp_stored", 1.0)
row("arca backup to s3:// vs aws s3 cp of a plain-dump-sized file", "arca_s3", "aws_cp_plain", 1.0)
peak = max(v[1] for k, v in r.items() if k.startswith("arca"))
print(f"\nPeak RSS of any arca process: {peak:.0f} MB (target < 300 MB)")
PY
