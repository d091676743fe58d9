#!/usr/bin/env bash
# Physical backup benchmark: `arca backup --physical` / `arca restore --physical` / `arca wal-push` /
# `arca wal-fetch` against pgBackRest (compress-type=zst at its default level 3, process-max=2) and
# pg_basebackup, on the same ~2 GB cluster in one run. Autovacuum off, a checkpoint before every
# measured command, interleaved rounds with each contender first in turn; the table shows medians.
#
#  1. Setup: archive_mode=on with pgBackRest's archive-push as archive_command (so its backups can
#     be checked and restored), stanza-create in two repositories (the second only receives the
#     asynchronous archive-push burst of step 4, so that no push finds its segment already there).
#  2. Base backups, 3 rounds: `arca backup --physical` (default: fast checkpoint, WAL streamed
#     into the repository, zstd level 1 with one worker per core; and, for reference, the same with
#     --compression zstd:3, pgBackRest's level, into a second repository; and with --pgdata, reading the
#     files from the data directory as pgBackRest does) vs `pgbackrest backup --type=full`
#     (start-fast, archive check on: it waits for its WAL to be archived) vs `pg_basebackup -Ft
#     --compress=client-zstd:workers=2 -X stream --checkpoint=fast`. Sizes of the last of each:
#     the backup plus the WAL it needs (Arca: its backup folder + the archived segments from its
#     start to its stop WAL; pgBackRest: the backup set + the same; pg_basebackup: its directory,
#     whose pg_wal.tar PostgreSQL 15 leaves uncompressed with zstd).
#  3. Restores, 3 rounds, of the newest backup into an empty directory, no server started:
#     `arca restore --physical latest` vs `pgbackrest restore` (process-max=2).
#  4. WAL burst: archive_command='false' so segments stay ready; one fresh backup with each tool
#     (for step 5); then at least 200 segments of real WAL (inserts into a new table) and a
#     pg_switch_wal(). Every ready segment (N of them: the burst plus what the two backups wrote)
#     is hard-linked into a fake data directory per contender (global/pg_control copied,
#     pg_wal/archive_status/*.ready). Measured once each, as PostgreSQL's archiver calls them:
#     `arca wal-push <first>` once (it pushes every other ready segment, --parallel 4 default, and
#     marks them done, so the archiver calls it no more; zstd level 1 by default, and for reference
#     once more with --compression zstd:3 into the second repository); `pgbackrest archive-push <seg>` once per
#     segment in order, synchronous (its default) and then with --archive-async (process-max=2,
#     into the second repository), each call followed by the .ready -> .done rename PostgreSQL
#     does (the loop runs in one python3 process so it adds no process starts of its own).
#     Backup history files (*.backup) are left out for every contender. The one or two segments
#     that Arca's backup streamed are in its archive already (a push of the same content is
#     accepted without a second copy).
#  5. Recovery replaying the burst, one run each, timed from the empty directory to a promoted
#     server: `arca restore --physical latest --start` (the restore_command it writes itself: the
#     jar's wal-fetch with the CDS archive, whose background prefetcher keeps 8 segments ahead in
#     pg_wal/arca-spool, behind a shell test that moves an already prefetched segment without
#     starting a JVM) vs `pgbackrest restore` + `pg_ctl start` + polling
#     pg_is_in_recovery() every 0.2 s (Arca polls its server every 0.2 s too), with pgBackRest's
#     archive-get in asynchronous mode (archive-async=y, archive-get-queue-max at its default
#     128 MB, process-max=2: its prefetching mode) and, for reference, in its default synchronous
#     mode. Every recovered server gets the bench cluster's settings (shared_buffers=1GB,
#     fsync=off, ...) and archive_mode=off; all are stopped with -m immediate.
# A failing Arca command is reported at the end (command and error output) and the run goes on.
#
# Usage: bench/physical.sh [--scale N] [--text-rows N] [--keep]
set -euo pipefail
bench_tools=(pgbackrest)
bench_hint="apt-get install postgresql-15 zstd time bc pgbackrest"
source "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

burst_min=200
pg_bin_opts="-c shared_buffers=1GB -c max_wal_size=8GB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c maintenance_work_mem=512MB"
# directories the server user writes into
pg_dir() { mkdir -p "$@"; [ ${#as_pg[@]} = 0 ] || chown postgres "$@"; }
pg_owner_tree() { [ ${#as_pg[@]} = 0 ] || chown -R postgres "$@"; }
checkpoint() { psql -q -d bench -c checkpoint; }
# interleave WHAT PREFIX ORDER...: one round per ORDER (tools separated by spaces), running
# PREFIX_<tool> for each tool in that order, so no tool always runs first or last
interleave() {
  local what=$1 prefix=$2 round=0 order c
  shift 2
  for order in "$@"; do
    round=$((round + 1))
    echo "round $round: $what ($order)..." >&2
    for c in $order; do "${prefix}_$c"; done
  done
}
# try NAME COMMAND...: measure, but when an Arca command fails, its row is dropped, the command and
# its error output go into $work/failures (printed at the end), and the run goes on.
: > "$work/failures"
try() {
  local name="$1" before
  before=$(stat -c %s "$results")
  measure "$@" 2> "$work/$name.err" || true
  if grep -q '^Command ' "$work/rss"; then
    truncate -s "$before" "$results"
    { echo "FAILED: ${*:2}"; grep '^Command ' "$work/rss"; tail -30 "$work/$name.err"; echo; } >> "$work/failures"
    echo "warning: $name failed (see the end of the output)" >&2
    return 1
  fi
}

# --- pgBackRest -------------------------------------------------------------------------------
pgbr_dir="$work/pgbackrest"
pg_dir "$pgbr_dir" "$pgbr_dir/log" "$pgbr_dir/lock" "$pgbr_dir/spool" "$pgbr_dir/repo" "$pgbr_dir/repo-async"
# pgbr_conf FILE REPO [EXTRA LINE...]
pgbr_conf() {
  local file="$1" repo_path="$2"; shift 2
  {
    echo "[global]"
    echo "repo1-path=$repo_path"
    echo "repo1-retention-full=100"
    echo "compress-type=zst"
    echo "process-max=2"
    echo "start-fast=y"
    echo "log-path=$pgbr_dir/log"
    echo "lock-path=$pgbr_dir/lock"
    echo "spool-path=$pgbr_dir/spool"
    echo "log-level-console=warn"
    for line in "$@"; do echo "$line"; done
    echo "[bench]"
    echo "pg1-path=$work/data"
    echo "pg1-port=$port"
    echo "pg1-socket-path=$work"
  } > "$file"
  chmod 644 "$file"
}
pgbr_conf "$work/pgbackrest.conf" "$pgbr_dir/repo"
pgbr_conf "$work/pgbackrest-async.conf" "$pgbr_dir/repo" "archive-async=y"
pgbr_conf "$work/pgbackrest-async-push.conf" "$pgbr_dir/repo-async" "archive-async=y"
pgbr=("${as_pg[@]}" pgbackrest --config="$work/pgbackrest.conf" --stanza=bench)

psql -q -d bench -c "alter system set autovacuum = off" \
  -c "alter system set archive_mode = on" \
  -c "alter system set archive_command = 'pgbackrest --config=$work/pgbackrest.conf --stanza=bench archive-push %p'" >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -w -m fast restart >/dev/null
for conf in pgbackrest.conf pgbackrest-async-push.conf; do
  "${as_pg[@]}" pgbackrest --config="$work/$conf" --stanza=bench stanza-create >/dev/null
done

repo="$work/repo"; "${arca[@]}" init --repo "$repo" >/dev/null
repo3="$work/repo-zstd3"; "${arca[@]}" init --repo "$repo3" >/dev/null
pgbb_dir="$work/pg_basebackup"

# --- 2. base backups --------------------------------------------------------------------------
backup_arca() {
  checkpoint
  try backup_arca "${arca[@]}" backup --physical --db "$db_url" --repo "$repo" > "$work/backup_arca.out" || return 0
  cp "$work/backup_arca.out" "$work/backup_arca.ok"
}
backup_arcaf() {
  checkpoint
  try backup_arcaf "${arca[@]}" backup --physical --pgdata "$work/data" --db "$db_url" --repo "$repo" > "$work/backup_arcaf.out" || return 0
  cp "$work/backup_arcaf.out" "$work/backup_arcaf.ok"
}
backup_arca3() {
  checkpoint
  try backup_arca3 "${arca[@]}" backup --physical --compression zstd:3 --db "$db_url" --repo "$repo3" > /dev/null || true
}
backup_pgbr() {
  checkpoint
  measure backup_pgbr "${pgbr[@]}" backup --type=full
}
backup_pgbb() {
  rm -rf "$pgbb_dir"
  checkpoint
  measure backup_pgbb "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$pgbb_dir" -Ft \
    --compress=client-zstd:workers=2 --checkpoint=fast -X stream
}
interleave "base backups" backup "arca pgbr arcaf pgbb arca3" "pgbr arcaf arca3 pgbb arca" "pgbb arca arca3 pgbr arcaf"
df -h "$work" | tail -1 >&2

# Sizes of the last backup of each. Arca: its backup folder, and the WAL segments the backup needs
# (its start to its stop segment) as stored in the repository's WAL archive.
arca_id=$(sed -n 's/^backup \([^ ]*\) complete.*/\1/p' "$work/backup_arca.ok" 2>/dev/null || true)
arcaf_id=$(sed -n 's/^backup \([^ ]*\) complete.*/\1/p' "$work/backup_arcaf.ok" 2>/dev/null || true)
"${arca[@]}" show --repo "$repo" "${arca_id:-latest}" -o json > "$work/arca_show.json" 2>/dev/null || echo '{}' > "$work/arca_show.json"
"${pgbr[@]}" info --output=json > "$work/pgbr_info.json"
read -r arca_data arca_wal pgbr_data pgbr_wal pgbb_size arcaf_data < <(python3 - "$repo" "$arca_id" "$work/arca_show.json" \
    "$pgbr_dir/repo" "$work/pgbr_info.json" "$pgbb_dir" "$arcaf_id" <<'PY'
import json, os, re, sys
repo, arca_id, show, pgbr_repo, pgbr_info, pgbb, arcaf_id = sys.argv[1:]
def tree(path):
    total = 0
    for d, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(d, f)) for f in files)
    return total
def seg_no(name):  # segment number on its timeline, 16 MB segments
    return int(name[8:16], 16) * 256 + int(name[16:24], 16)
def wal_between(root, start, stop):
    lo, hi, total = seg_no(start), seg_no(stop), 0
    for d, _, files in os.walk(root):
        for f in files:
            if re.match(r"[0-9A-F]{24}", f) and f[:8] == start[:8] and lo <= seg_no(f[:24]) <= hi:
                total += os.path.getsize(os.path.join(d, f))
    return total
def backup_dirs(backup_id):
    return [os.path.join(d, n) for d, ns, _ in os.walk(os.path.join(repo, "backups")) for n in ns if n == backup_id]
dirs = backup_dirs(arca_id)
fdirs = backup_dirs(arcaf_id)
m = json.load(open(show))
phys = m.get("physical") or {}
start, stop = phys.get("startWal") or phys.get("walStart"), phys.get("stopWal") or phys.get("walStop")
arca_wal = wal_between(os.path.join(repo, "wal"), start, stop) if start and stop else -1
b = json.load(open(pgbr_info))[0]["backup"][-1]
pgbr_data = tree(os.path.join(pgbr_repo, "backup", "bench", b["label"]))
pgbr_wal = wal_between(os.path.join(pgbr_repo, "archive", "bench"), b["archive"]["start"], b["archive"]["stop"])
print(tree(dirs[0]) if len(dirs) == 1 else -1, arca_wal, pgbr_data, pgbr_wal, tree(pgbb),
      tree(fdirs[0]) if len(fdirs) == 1 else -1)
PY
)
pgbb_files=$(cd "$pgbb_dir" && for f in *; do printf '%s %s, ' "$f" "$(size_of "$f")"; done)

# --- 3. restores ------------------------------------------------------------------------------
restore_arca() {
  rm -rf "$work/restore_arca"; checkpoint
  try restore_arca "${arca[@]}" restore --physical latest --pgdata "$work/restore_arca" --repo "$repo" > "$work/restore_arca.out" || true
}
restore_pgbr() {
  rm -rf "$work/restore_pgbr"; pg_dir "$work/restore_pgbr"; checkpoint
  measure restore_pgbr "${pgbr[@]}" --pg1-path="$work/restore_pgbr" restore
}
interleave restores restore "arca pgbr" "pgbr arca" "arca pgbr"
restored_bytes=$(size_of "$work/restore_pgbr")
rm -rf "$work/restore_arca" "$work/restore_pgbr"

# --- 4. WAL burst -----------------------------------------------------------------------------
echo "WAL burst: archive_command off, a fresh backup with each tool..." >&2
psql -q -d bench -c "alter system set archive_command = 'false'" -c "select pg_reload_conf()" >/dev/null
"${arca[@]}" backup --physical --db "$db_url" --repo "$repo" > "$work/backup_burst.out" 2>&1 || {
  { echo "FAILED: arca backup --physical --db $db_url --repo $repo (before the burst)"; tail -30 "$work/backup_burst.out"; echo; } >> "$work/failures"; }
"${pgbr[@]}" backup --type=full --no-archive-check
ready_segments() { psql -Atc "select count(*) from pg_ls_archive_statusdir() where name ~ '^[0-9A-F]{24}\.ready$'" -d bench; }
echo "generating at least $burst_min segments of WAL..." >&2
psql -q -d bench -c "create table burst (id bigint, n int, pad text)"
while [ "$(ready_segments)" -lt "$burst_min" ]; do
  psql -q -d bench -c "insert into burst select g, g % 1000, md5(g::text) || repeat('x', 60) from generate_series(1, 1000000) g"
done
psql -q -d bench -c "select pg_switch_wal()" >/dev/null
sleep 1
mapfile -t segs < <(cd "$work/data/pg_wal/archive_status" && ls | sed -n 's/^\([0-9A-F]\{24\}\)\.ready$/\1/p' | sort)
nsegs=${#segs[@]}
echo "$nsegs ready segments (${segs[0]} .. ${segs[$((nsegs - 1))]})" >&2
fake_pgdata() {
  local d="$work/fake_$1"
  mkdir -p "$d/global" "$d/pg_wal/archive_status"
  cp "$work/data/global/pg_control" "$d/global/"
  for s in "${segs[@]}"; do ln "$work/data/pg_wal/$s" "$d/pg_wal/$s"; : > "$d/pg_wal/archive_status/$s.ready"; done
  [ "$1" = arca ] || pg_owner_tree "$d"
}
for c in arca arca3 pgbr pgbr_async; do fake_pgdata "$c"; done
# one archive_command call per segment, in order, then the rename the archiver does
cat > "$work/archiver.py" <<'PY'
import os, subprocess, sys
pgdata, segs = sys.argv[1], sys.argv[2].split()
cmd = sys.argv[3:]
for s in segs:
    subprocess.run(cmd + [os.path.join(pgdata, "pg_wal", s)], check=True)
    status = os.path.join(pgdata, "pg_wal", "archive_status", s)
    if os.path.exists(status + ".ready"):
        os.rename(status + ".ready", status + ".done")
PY
push_arca() {
  checkpoint
  try push_arca "${arca[@]}" wal-push "pg_wal/${segs[0]}" --pgdata "$work/fake_arca" --repo "$repo" || true
}
push_arca3() {
  checkpoint
  try push_arca3 "${arca[@]}" wal-push "pg_wal/${segs[0]}" --compression zstd:3 --pgdata "$work/fake_arca3" --repo "$repo3" || true
}
push_pgbr() {
  checkpoint
  measure push_pgbr "${as_pg[@]}" python3 "$work/archiver.py" "$work/fake_pgbr" "${segs[*]}" \
    pgbackrest --config="$work/pgbackrest.conf" --stanza=bench --pg1-path="$work/fake_pgbr" archive-push
}
push_pgbr_async() {
  checkpoint
  measure push_pgbr_async "${as_pg[@]}" python3 "$work/archiver.py" "$work/fake_pgbr_async" "${segs[*]}" \
    pgbackrest --config="$work/pgbackrest-async-push.conf" --stanza=bench --pg1-path="$work/fake_pgbr_async" archive-push
}
for c in arca pgbr pgbr_async arca3; do echo "pushing $nsegs segments: $c..." >&2; "push_$c"; done
# every segment must be in the archive (the one named on the command line stays .ready: the archiver
# renames that one itself)
arca_pushed=$(for s in "${segs[@]}"; do ls "$repo/wal/"*/*/"$s"-* 2>/dev/null | head -1; done | grep -c . || true)
left=$(ls "$work/fake_arca/pg_wal/archive_status" | grep -c '\.ready$' || true)
[ "$arca_pushed" = "$nsegs" ] && [ "$left" -le 1 ] || \
  { echo "arca wal-push: $arca_pushed of $nsegs segments in the archive, $left still marked ready" >> "$work/failures"; echo; }
rm -rf "$work/fake_arca" "$work/fake_arca3" "$work/fake_pgbr" "$work/fake_pgbr_async"

# --- 5. recovery replaying the burst ---------------------------------------------------------
stop_server() { "${as_pg[@]}" "$bin/pg_ctl" -D "$1" -m immediate -w stop >/dev/null 2>&1 || true; }
for c in arca pgbr pgbr_sync; do bench_cleanups+=("stop_server '$work/recover_$c'"); done
expected_rows=$(psql -Atc "select count(*) from burst" -d bench)
check_recovered() {  # DIR PORT: the burst table is all there
  local n
  n=$(psql -h "$1" -p "$2" -Atc "select count(*) from burst" -d bench)
  [ "$n" = "$expected_rows" ] || echo "$1 recovered '$n' burst rows, expected $expected_rows" >> "$work/failures"
}
recover_arca() {
  local d="$work/recover_arca" p; p=$(free_port); rm -rf "$d"; checkpoint
  if try recover_arca "${arca[@]}" restore --physical latest --pgdata "$d" --repo "$repo" --start \
      --server-option "-p $p -c listen_addresses=127.0.0.1 -c unix_socket_directories=$d -c archive_mode=off $pg_bin_opts" \
      > "$work/recover_arca.out"; then
    check_recovered "$d" "$p"
  fi
  stop_server "$d"; rm -rf "$d"
}
recover_pgbackrest() {  # NAME CONFIG
  local d="$work/recover_$1" p; p=$(free_port); rm -rf "$d"; pg_dir "$d"; chmod 700 "$d"; checkpoint
  measure "recover_$1" "${as_pg[@]}" sh -c "
    pgbackrest --config='$2' --stanza=bench --pg1-path='$d' restore &&
    '$bin/pg_ctl' -D '$d' -l '$d/recovery.log' -W -o '-p $p -c listen_addresses=127.0.0.1 -c unix_socket_directories=$d -c archive_mode=off $pg_bin_opts' start >/dev/null &&
    until [ \"\$(psql -h '$d' -p $p -d postgres -Atc 'select pg_is_in_recovery()' 2>/dev/null)\" = f ]; do
      '$bin/pg_ctl' -D '$d' status >/dev/null || { tail -20 '$d/recovery.log' >&2; exit 1; }
      sleep 0.2
    done"
  check_recovered "$d" "$p"; stop_server "$d"; rm -rf "$d"
}
recover_pgbr() { recover_pgbackrest pgbr "$work/pgbackrest-async.conf"; }
recover_pgbr_sync() { recover_pgbackrest pgbr_sync "$work/pgbackrest.conf"; }
for c in arca pgbr pgbr_sync; do echo "recovery replaying the burst: $c..." >&2; "recover_$c"; done

# --- 6. table ---------------------------------------------------------------------------------
python3 - "$results" "$dbsize" "$nsegs" "$arca_data" "$arca_wal" "$pgbr_data" "$pgbr_wal" "$pgbb_size" "$restored_bytes" "$arcaf_data" "$pgbb_files" <<'PY'
import sys, statistics
path, dbsize, nsegs = sys.argv[1:4]
arca_data, arca_wal, pgbr_data, pgbr_wal, pgbb, restored, arcaf_data = map(int, sys.argv[4:11])
pgbb_files = sys.argv[11]
nsegs = int(nsegs)
runs = {}
for line in open(path):
    name, secs, rss = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((float(secs), int(rss) / 1024))
r = {k: (statistics.median(s for s, _ in v), max(m for _, m in v)) for k, v in runs.items()}
mb = lambda b: f"{b / 1e6:,.1f} MB" if b >= 0 else "?"
print(f"\nDatabase: {dbsize}; restored data directory {mb(restored)}. Medians of 3 interleaved rounds"
      f" (backups, restores); one run each for the WAL burst ({nsegs} segments) and the recoveries.")
print("All times (s): " + "; ".join(f"{k} " + "/".join(f"{s:.1f}" for s, _ in v) for k, v in runs.items()) + "\n")
print("| comparison | arca | baseline | ratio | target | arca peak RSS |")
print("|---|---:|---:|---:|---|---:|")
def row(what, a, b, target=None):
    if a not in r or b not in r:
        print(f"| {what} | {'failed' if a not in r else f'{r[a][0]:.1f} s'} | {'failed' if b not in r else f'{r[b][0]:.1f} s'} | - | - | - |")
        return
    ta, tb = r[a][0], r[b][0]
    ratio = ta / tb
    t = "-" if target is None else (f"≤ {target}: " + ("ok" if ratio <= target else "MISSED"))
    print(f"| {what} | {ta:.1f} s | {tb:.1f} s | {ratio:.2f}x | {t} | {r[a][1]:.0f} MB |")
def push_row(what, b, target=None, a="push_arca"):
    if a not in r:
        print(f"| {what} | failed | {nsegs / r[b][0]:.1f} seg/s ({r[b][0]:.1f} s) | - | - | - |")
        return
    sa, sb = nsegs / r[a][0], nsegs / r[b][0]
    t = "-" if target is None else (f"≥ {target} seg/s: " + ("ok" if sa >= target else "MISSED"))
    print(f"| {what} | {sa:.1f} seg/s ({r[a][0]:.1f} s) | {sb:.1f} seg/s ({r[b][0]:.1f} s) | {sa / sb:.2f}x (throughput) | {t} | {r[a][1]:.0f} MB |")
row("base backup: `arca backup --physical --pgdata` (files read as pgBackRest reads them) vs `pgbackrest backup --type=full`", "backup_arcaf", "backup_pgbr", 0.55)
row("base backup: `arca backup --physical --pgdata` vs `pg_basebackup -Ft --compress=client-zstd:workers=2 -X stream`", "backup_arcaf", "backup_pgbb", 1.1)
row("base backup over the replication protocol: `arca backup --physical` vs `pgbackrest backup --type=full`", "backup_arca", "backup_pgbr", 0.55)
row("base backup over the replication protocol: `arca backup --physical` vs `pg_basebackup`", "backup_arca", "backup_pgbb", 1.1)
row("for reference: `arca backup --physical --compression zstd:3` (pgBackRest's level) vs `pgbackrest backup`", "backup_arca3", "backup_pgbr")
row("restore (files only): `arca restore --physical` vs `pgbackrest restore`", "restore_arca", "restore_pgbr", 1.0)
push_row(f"WAL burst, {nsegs} segments: `arca wal-push` (one call) vs `pgbackrest archive-push` (sync, one call per segment)", "push_pgbr", 20)
push_row(f"WAL burst, {nsegs} segments: `arca wal-push` (one call) vs `pgbackrest archive-push --archive-async` (one call per segment)", "push_pgbr_async")
push_row(f"for reference: `arca wal-push --compression zstd:3` vs `pgbackrest archive-push` (sync)", "push_pgbr", a="push_arca3")
row("recovery replaying the burst (restore, start, replay via restore_command, promoted) vs pgBackRest, async archive-get", "recover_arca", "recover_pgbr")
row("the same vs pgBackRest, sync archive-get (its default)", "recover_arca", "recover_pgbr_sync")
print("\n| stored size (last base backup of step 2) | arca | pgBackRest | pg_basebackup | arca / pgBackRest | arca / pg_basebackup |")
print("|---|---:|---:|---:|---:|---:|")
print(f"| backup files | {mb(arca_data)} | {mb(pgbr_data)} | - | " + (f"{arca_data / pgbr_data:.2f}x" if arca_data >= 0 else "-") + " | - |")
print(f"| backup files, `--pgdata` | {mb(arcaf_data)} | {mb(pgbr_data)} | - | " + (f"{arcaf_data / pgbr_data:.2f}x" if arcaf_data >= 0 else "-") + " | - |")
print(f"| WAL from its start to its stop segment, as archived | {mb(arca_wal)} | {mb(pgbr_wal)} | (in the tar) | - | - |")
if arca_data >= 0 and arca_wal >= 0:
    at, pt = arca_data + arca_wal, pgbr_data + pgbr_wal
    print(f"| total (target: ≤ pgBackRest) | {mb(at)} | {mb(pt)} | {mb(pgbb)} | {at / pt:.2f}x {'ok' if at <= pt else 'MISSED'} | {at / pgbb:.2f}x |")
else:
    print(f"| total | ? | {mb(pgbr_data + pgbr_wal)} | {mb(pgbb)} | - | - |")
print(f"\npg_basebackup's files (bytes): {pgbb_files.rstrip(', ')}")
arca_rss = [v[1] for k, v in r.items() if k.endswith("arca")]
if arca_rss:
    print(f"\nPeak RSS of any arca process: {max(arca_rss):.0f} MB")
PY
if [ -s "$work/failures" ]; then
  echo; echo "Failures:"; cat "$work/failures"
fi
