#!/usr/bin/env bash
# Idle server benchmark: 'arca server --config arca.yaml' with 20 subjects whose schedules lie far
# ahead (29 February), against a local repository, left alone for a minute after it is ready.
# Samples the server's RSS (VmRSS in /proc/<pid>/status) every second and its CPU time
# (utime + stime in /proc/<pid>/stat) at the start and end of the window; prints a table.
# Targets (issue 17): RSS < 200 MB, CPU < 1 % averaged over the minute.
# Usage: bench/server-idle/server-idle.sh [--subjects 20] [--seconds 60] [--keep]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
subjects=20
seconds=60
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --subjects) subjects="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--subjects 20] [--seconds 60] [--keep]" >&2; exit 2 ;;
  esac
done
for tool in java python3 curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; hint: apt-get install openjdk-17-jdk python3 curl" >&2; exit 1; }
done

work="$root/bench/work/server-idle"
rm -rf "$work"; mkdir -p "$work"
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

echo "building arca..." >&2
"$root/arca" --version > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
jar="$root/arca-cli/target/arca.jar"
jsa="$root/arca-cli/target/arca.jsa"
cds=()
[ -f "$jsa" ] && cds=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
# the server runs as the launcher runs it: default heap settings, ARCA_JAVA_OPTS if set
arca=(java ${cds[@]+"${cds[@]}"} ${ARCA_JAVA_OPTS:-} -jar "$jar")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${arca[@]}" init --repo "$work/repo" >/dev/null
{
  echo "repositories:"
  echo "  main:"
  echo "    url: $work/repo"
  echo "subjects:"
  for i in $(seq 1 "$subjects"); do
    # nothing listens on port 1: no run happens within the window anyway
    cat <<YAML
  app$i:
    repositories: [main]
    database: postgresql://arca@127.0.0.1:1/app$i
    schedules:
      timezone: UTC
      backup: "0 2 29 2 *"
      verify: "0 3 29 2 *"
      drill: "0 4 29 2 *"
      prune: "0 5 29 2 *"
    objectives:
      rpo: 36h
      rto: 4h
      drillWithin: 7d
    retention:
      keepDaily: 7
YAML
  done
  echo "server:"
  echo "  listen: 127.0.0.1:$port"
  echo "  missedRuns: skip"
} > "$work/arca.yaml"
"${arca[@]}" config check "$work/arca.yaml" > "$work/check.log" 2>&1 || { cat "$work/check.log" >&2; exit 1; }

echo "starting arca server with $subjects subjects on 127.0.0.1:$port..." >&2
t0=$(date +%s.%N)
"${arca[@]}" server --config "$work/arca.yaml" > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
ready=0
for _ in $(seq 600); do
  if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
t1=$(date +%s.%N)
if [ "$ready" != 1 ]; then
  echo "error: the server did not become ready within 60 s:" >&2
  tail -20 "$work/server.err" >&2
  exit 1
fi
startup=$(python3 -c "print(f'{$t1 - $t0:.1f}')")

# utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat; the name in
# parentheses may hold spaces, so count after the last ')')
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$server_pid/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }
hz=$(getconf CLK_TCK)
echo "ready after ${startup} s; sampling for $seconds s..." >&2
c0=$(cpu_ticks); w0=$(date +%s.%N)
samples="$work/rss.txt"; : > "$samples"
for _ in $(seq "$seconds"); do
  rss_kb >> "$samples"
  sleep 1
done
c1=$(cpu_ticks); w1=$(date +%s.%N)
threads=$(awk '/^Threads:/ { print $2 }' "/proc/$server_pid/status")
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
kill -0 "$server_pid" 2>/dev/null || { echo "error: the server exited during the window" >&2; tail -20 "$work/server.err" >&2; exit 1; }

python3 - "$samples" "$c0" "$c1" "$w0" "$w1" "$hz" "$threads" "$hwm" "$startup" "$subjects" "$(nproc)" <<'PY'
import sys
path, c0, c1, w0, w1, hz, threads, hwm, startup, subjects, cores = sys.argv[1:]
rss = [int(l) / 1024 for l in open(path) if l.strip()]
wall = float(w1) - float(w0)
cpu = (int(c1) - int(c0)) / int(hz)
pct = 100 * cpu / wall
print(f"\narca server, {subjects} subjects, idle for {wall:.0f} s after start-up ({startup} s to /readyz), {cores} cores\n")
print("| figure | value | target |")
print("|---|---:|---|")
print(f"| RSS, mean of {len(rss)} samples | {sum(rss) / len(rss):.0f} MB | |")
print(f"| RSS, highest sample | {max(rss):.0f} MB | < 200 MB: {'met' if max(rss) < 200 else 'MISSED'} |")
print(f"| peak RSS since start (VmHWM) | {int(hwm) / 1024:.0f} MB | |")
print(f"| CPU over the window (user + system) | {cpu:.2f} s = {pct:.2f} % of one core | < 1 %: {'met' if pct < 1 else 'MISSED'} |")
print(f"| threads | {threads} | |")
PY
