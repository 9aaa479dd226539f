#!/usr/bin/env bash
# saplab at scale: how long seeding bench/scale.yaml (100,000 clients,
# 500,000 positions) takes and its peak memory, then how long a restart on
# the seeded file takes to its first 200 and the idle resident memory after
# it. The default scenario's start is measured the same way beside it, in
# the same run, as the baseline. Pages at scale are measured by the Go
# benchmark (docs/saplab.md, Scale):
#   SAPLAB_SCALE=100000:500000 go test ./internal/saplab -run '^$' -bench ScalePages -benchtime 1x
#
#   bench/saplab-scale.sh [RESTARTS]      # default 3
#   SEED=0 bench/saplab-scale.sh          # restarts only, on the file seeded before
#   BASE=/tmp/main-mockserver bench/saplab-scale.sh
#                                         # another build (main's) seeds a file of its own
#                                         # after this one's seeding, and restarts on this
#                                         # one's file after each restart: before/after ratios
# Each restart is stopped gracefully (SIGTERM), so a restart reads the view
# stored in the file at the seeding or the stop before it (docs/saplab.md,
# Scale); a build without a stored view (main's before it) builds the view
# from the column records and leaves the stored one alone.
set -euo pipefail
cd "$(dirname "$0")/.."
RESTARTS=${1:-3}
OUT=bench/out
mkdir -p "$OUT"
go build -o "$OUT/mockserver" ./cmd/mockserver
PORT=18190

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# serve DB [ARGS...]: starts the mock in the background (MOCK_PID) and
# sets MS to the milliseconds to its first 200 on /__admin/health.
serve() {
  local db=$1; shift
  local t0; t0=$(now_ms)
  "${BIN:-$OUT/mockserver}" serve --addr "127.0.0.1:$PORT" --db "$db" --log-level warn "$@" >/dev/null 2>&1 &
  MOCK_PID=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$PORT/__admin/health"; do
    kill -0 "$MOCK_PID" 2>/dev/null || { echo "mockserver exited" >&2; exit 1; }
    sleep 0.005
  done
  MS=$(( $(now_ms) - t0 ))
}
# cpu PID: user + system CPU time so far, in ms.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14+$15)*1000/hz}' "/proc/$1/stat"; }
mem() { awk -v k="$2:" '$1==k {printf "%.0f", $2/1024}' "/proc/$1/status"; }
stop() { kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; }

if [ "${SEED:-1}" = 1 ] || [ ! -f "$OUT/scale.db" ]; then
rm -f "$OUT"/scale.db* "$OUT"/default.db*
serve "$OUT/scale.db" --scenario bench/scale.yaml
SEED_MS=$MS SEED_CPU=$(cpu "$MOCK_PID")
printf 'seed 100k/500k: %6d ms to the first 200, CPU %s ms, peak RSS %5s MB, db %s MB (load %s)\n' "$MS" "$SEED_CPU" "$(mem "$MOCK_PID" VmHWM)" "$(( $(cat "$OUT"/scale.db* | wc -c) / 1048576 ))" "$(cut -d' ' -f1 /proc/loadavg)"
stop
if [ -n "${BASE:-}" ]; then
  # The base build seeds a file of its own right after, for a ratio.
  rm -f "$OUT"/scale-base.db*
  BIN=$BASE serve "$OUT/scale-base.db" --scenario bench/scale.yaml
  BASE_CPU=$(cpu "$MOCK_PID")
  printf '  base build seed:  %6d ms to the first 200, CPU %s ms, peak RSS %5s MB, db %s MB (load %s)\n' "$MS" "$BASE_CPU" "$(mem "$MOCK_PID" VmHWM)" "$(( $(cat "$OUT"/scale-base.db* | wc -c) / 1048576 ))" "$(cut -d' ' -f1 /proc/loadavg)"
  stop
  rm -f "$OUT"/scale-base.db*
  awk -v a="$SEED_MS" -v b="$MS" -v c="$SEED_CPU" -v d="$BASE_CPU" 'BEGIN {printf "  seed this/base: time %.2fx, CPU %.2fx\n", a/b, c/d}'
fi
fi
for i in $(seq 1 "$RESTARTS"); do
  serve "$OUT/scale.db"
  sleep 2 # idle
  printf 'restart %d on 100k/500k: %6d ms, idle RSS %5s MB (peak %s MB), CPU %s ms\n' "$i" "$MS" "$(mem "$MOCK_PID" VmRSS)" "$(mem "$MOCK_PID" VmHWM)" "$(cpu "$MOCK_PID")"
  stop
  if [ -n "${BASE:-}" ]; then
    BIN=$BASE serve "$OUT/scale.db"
    sleep 2
    printf '  base build, same file:  %6d ms, idle RSS %5s MB (peak %s MB), CPU %s ms\n' "$MS" "$(mem "$MOCK_PID" VmRSS)" "$(mem "$MOCK_PID" VmHWM)" "$(cpu "$MOCK_PID")"
    stop
  fi
  rm -f "$OUT"/default.db*
  serve "$OUT/default.db"
  sleep 2
  printf '  default scenario, fresh db: %6d ms, idle RSS %5s MB\n' "$MS" "$(mem "$MOCK_PID" VmRSS)"
  stop
done
