#!/usr/bin/env bash
# Start-up benchmark of the packaged arca (the tarball of arca-dist, as the .deb installs it):
# what PostgreSQL pays per WAL segment when archive_command starts `arca wal-push`, against the
# hand-written archive_command it replaces (`zstd -1 %p -o /archive/%f.zst`, and plain `cp`), and
# `arca --version`, each with the class-data-sharing archive the package writes (lib/arca.jsa)
# and without it (ARCA_NO_CDS=1). Interleaved rounds on one real 16 MB WAL segment of a throwaway
# PostgreSQL 15 cluster, a fresh local repository per wal-push; prints medians and ratios.
# Usage: bench/startup.sh [--rounds 15] [--keep]   (after mvn -B package -pl arca-dist -am)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
rounds=15
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--rounds 15] [--keep]" >&2; exit 2 ;;
  esac
done
bin=/usr/lib/postgresql/15/bin
for tool in "$bin/initdb" "$bin/pg_ctl" "$bin/psql" zstd python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; hint: apt-get install postgresql-15 zstd python3" >&2; exit 1; }
done
tarball=$(ls "$root"/arca-dist/target/arca-*-linux-x86_64.tar.gz 2>/dev/null | head -1)
[ -n "$tarball" ] || { echo "error: no arca-dist tarball; hint: mvn -B package -DskipTests -pl arca-dist -am" >&2; exit 1; }

work="$here/work/startup"
rm -rf "$work"; mkdir -p "$work"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_pg=(runuser -u postgres --); fi
cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

tar -xzf "$tarball" -C "$work"
arca=("$(ls -d "$work"/arca-*/)bin/arca")
echo "training the class-data-sharing archive..." >&2
"${arca[@]}" --version >/dev/null   # the first run writes lib/arca.jsa, as the .deb's postinst does

# one real, full WAL segment
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$bin/initdb" -D "$work/data" -A trust -U postgres >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" -w start >/dev/null
"$bin/psql" -qAt -h 127.0.0.1 -p "$port" -U postgres -c "create table t as select g, md5(g::text) from generate_series(1, 200000) g" \
  -c "select pg_switch_wal()" >/dev/null
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null
seg=$(ls "$work/data/pg_wal" | grep -E '^[0-9A-F]{24}$' | sort | head -1)
mkdir -p "$work/pgdata/pg_wal/archive_status" "$work/pgdata/global"
cp "$work/data/global/pg_control" "$work/pgdata/global/"
cp "$work/data/pg_wal/$seg" "$work/pgdata/pg_wal/"

ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }   # bash 5: no process started
declare -A times
run() { # name, command...
  local name=$1; shift
  local t0 t1
  t0=$(ms); "$@" >/dev/null 2>&1 || { echo "error: $name failed: $*" >&2; exit 1; }; t1=$(ms)
  times[$name]+="$((t1 - t0)) "
}
for r in $(seq 1 "$rounds"); do
  rm -rf "$work/archive" "$work/repo-cds" "$work/repo-nocds"; mkdir -p "$work/archive"
  "${arca[@]}" init --repo "$work/repo-cds" >/dev/null
  "${arca[@]}" init --repo "$work/repo-nocds" >/dev/null
  run "cp" cp "$work/pgdata/pg_wal/$seg" "$work/archive/$seg"
  run "zstd -1" zstd -1 -q -f "$work/pgdata/pg_wal/$seg" -o "$work/archive/$seg.zst"
  run "arca wal-push (CDS)" "${arca[@]}" wal-push "$work/pgdata/pg_wal/$seg" --pgdata "$work/pgdata" --repo "$work/repo-cds"
  run "arca wal-push (no CDS)" env ARCA_NO_CDS=1 "${arca[@]}" wal-push "$work/pgdata/pg_wal/$seg" --pgdata "$work/pgdata" --repo "$work/repo-nocds"
  run "arca --version (CDS)" "${arca[@]}" --version
  run "arca --version (no CDS)" env ARCA_NO_CDS=1 "${arca[@]}" --version
  echo "round $r of $rounds" >&2
done

python3 - "$rounds" <<PY
import statistics, sys
times = {$(for k in "${!times[@]}"; do printf '"%s": [%s], ' "$k" "$(echo "${times[$k]}" | tr ' ' ',' | sed 's/,$//')"; done)}
med = {k: statistics.median(v) for k, v in times.items()}
print(f"median of {sys.argv[1]} interleaved rounds, one 16 MB WAL segment, ms ({$(nproc)} cores)")
print(f"{'command':28} {'median':>8} {'vs zstd -1':>11}")
for k in ["cp", "zstd -1", "arca wal-push (CDS)", "arca wal-push (no CDS)", "arca --version (CDS)", "arca --version (no CDS)"]:
    print(f"{k:28} {med[k]:8.0f} {med[k] / med['zstd -1']:10.1f}x")
print(f"the package's CDS archive saves {1 - med['arca wal-push (CDS)'] / med['arca wal-push (no CDS)']:.0%} of a wal-push")
PY
