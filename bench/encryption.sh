#!/usr/bin/env bash
# Encryption benchmark: the ~2 GB logical backup and restore with and without OpenPGP encryption,
# and the runbook pipeline (pg_dump | zstd | gpg) as the standard tools' baseline, all in one run
# on one throwaway cluster. Three interleaved rounds, each contender first in turn, with a
# checkpoint before every measurement and autovacuum off (it would analyze the database restored
# just before while the next restore runs); the table shows medians.
# Usage: bench/encryption.sh [--scale N] [--text-rows N] [--keep]
set -euo pipefail
bench_tools=(gpg)
bench_hint="apt-get install postgresql-15 zstd time bc gnupg"
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

export GNUPGHOME="$work/gnupg"; mkdir -m 700 "$GNUPGHOME"
bench_cleanups+=("gpgconf --kill gpg-agent")
"${arca[@]}" key generate --out "$work/bench" --no-passphrase >/dev/null
gpg --batch --quiet --import "$work/bench.key.asc" 2>/dev/null
fpr=$(gpg --batch --with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}')

plain_repo="$work/repo-plain"; "${arca[@]}" init --repo "$plain_repo" >/dev/null
enc_repo="$work/repo-enc"; "${arca[@]}" init --repo "$enc_repo" --encrypt-to "$work/bench.pub.asc" >/dev/null
psql -q -d bench -c "alter system set autovacuum = off" -c "select pg_reload_conf()" >/dev/null
checkpoint() { psql -q -d bench -c checkpoint; }
latest() { "${arca[@]}" list --repo "$1" -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }

backup_plain() { checkpoint; measure backup_plain "${arca[@]}" backup --repo "$plain_repo" --db "$db_url"; }
backup_enc() { checkpoint; measure backup_enc "${arca[@]}" backup --repo "$enc_repo" --db "$db_url" --encrypt-to "$work/bench.pub.asc"; }
backup_gpg() {
  checkpoint
  measure backup_gpg sh -c "pg_dump -Fc -Z0 -d bench | zstd -q -T2 -3 | gpg --batch --quiet --trust-model always --compress-algo none -r $fpr --encrypt -o '$work/bench.dump.zst.gpg.tmp' && mv '$work/bench.dump.zst.gpg.tmp' '$work/bench.dump.zst.gpg'"
}
restore_plain() {
  dropdb --if-exists r_plain; checkpoint
  measure restore_plain "${arca[@]}" restore --repo "$plain_repo" "$(latest "$plain_repo")" \
    --to "postgresql://postgres@127.0.0.1:$port/r_plain" --jobs 2
}
restore_enc() {
  dropdb --if-exists r_enc; checkpoint
  measure restore_enc "${arca[@]}" restore --repo "$enc_repo" "$(latest "$enc_repo")" \
    --to "postgresql://postgres@127.0.0.1:$port/r_enc" --jobs 2 --private-key "$work/bench.key.asc"
}
restore_gpg() {
  dropdb --if-exists r_gpg; createdb r_gpg; checkpoint
  measure restore_gpg sh -c "gpg --batch --quiet -d '$work/bench.dump.zst.gpg' | zstd -dc | pg_restore -d r_gpg"
}
orders=("plain enc gpg" "enc gpg plain" "gpg plain enc")
for round in 1 2 3; do
  order=${orders[$((round - 1))]}
  echo "round $round: backups ($order)..." >&2
  for c in $order; do "backup_$c"; done
  echo "round $round: restores ($order)..." >&2
  for c in $order; do "restore_$c"; done
  for db in r_plain r_enc r_gpg; do
    n=$(psql -Atc "select count(*) from pgbench_accounts" -d "$db")
    [ "$n" = "$((scale * 100000))" ] || { echo "error: $db has $n accounts, expected $((scale * 100000))" >&2; exit 1; }
  done
done
plain_size=$("${arca[@]}" show --repo "$plain_repo" latest -o json | python3 -c 'import json,sys; print(sum(a["storedSize"] for a in json.load(sys.stdin)["artifacts"]))')
enc_size=$("${arca[@]}" show --repo "$enc_repo" latest -o json | python3 -c 'import json,sys; print(sum(a["storedSize"] for a in json.load(sys.stdin)["artifacts"]))')
echo "checking the encrypted backup in full..." >&2
"${arca[@]}" verify --repo "$enc_repo" --private-key "$work/bench.key.asc" >/dev/null

python3 - "$results" "$plain_size" "$enc_size" "$dbsize" <<'PY'
import sys, statistics
path, plain_size, enc_size, dbsize = sys.argv[1:]
runs = {}
for line in open(path):
    name, secs, rss = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((float(secs), int(rss) / 1024))
r = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()}
def row(what, a, b, target=None):
    ta, tb = r[a][0], r[b][0]
    ratio = ta / tb
    ok = "" if target is None else ("  ok" if ratio <= target else f"  MISSED (target <= {target})")
    print(f"| {what} | {ta:.1f} s | {tb:.1f} s | {ratio:.2f}x{ok} | {r[a][1]:.0f} MB |")
print(f"\nDatabase: {dbsize}; stored backup {int(plain_size) / 1e6:,.1f} MB plain, {int(enc_size) / 1e6:,.1f} MB encrypted"
      f" (+{int(enc_size) - int(plain_size):,} bytes). Medians of {len(runs['backup_enc'])} interleaved rounds; all times: "
      + "; ".join(f"{k} " + "/".join(f"{s:.1f}" for s, _ in v) for k, v in runs.items()) + "\n")
print("| comparison | with | without / baseline | time ratio | arca peak RSS |")
print("|---|---:|---:|---:|---:|")
row("arca backup, encrypted vs not", "backup_enc", "backup_plain", 1.10)
row("arca restore -j2, encrypted vs not", "restore_enc", "restore_plain", 1.10)
row("arca backup encrypted vs pg_dump -Fc -Z0 \\| zstd -T2 -3 \\| gpg -e", "backup_enc", "backup_gpg")
row("arca restore -j2 encrypted vs gpg -d \\| zstd -d \\| pg_restore (a pipe allows no -j)", "restore_enc", "restore_gpg")
peak = max(v[1] for k, v in r.items() if not k.endswith("gpg"))
print(f"\nPeak RSS of any arca process: {peak:.0f} MB (target < 300 MB)")
PY
