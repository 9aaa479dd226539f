#!/usr/bin/env bash
# Benchmark harness: requests/s and p99 of mockserver endpoints, each next to
# a bare net/http reference that returns the same bytes, measured in the same
# run. The server under test is pinned to CPU 0 and wrk to CPU 1, one at a
# time, so the two never share a core. Machines here are noisy: read the
# ratio, not the absolute figures.
#
#   bench/run.sh [options] ENDPOINT...
#   bench/run.sh startup            # start-to-first-200 and idle RSS
#   bench/run.sh worlds             # worlds: create/delete p50/p99, RSS of 100,
#                                   # 64 clients in worlds vs on the root (-d each)
#   bench/run.sh console            # carreta search GET with a console's live
#                                   # stream open (one reading, one reading slowly)
#                                   # vs none, interleaved in each of -r rounds
#
# ENDPOINT is "METHOD PATH" plus optional "|Header: value" and "|@bodyfile"
# parts, e.g.
#   bench/run.sh 'GET /v1/search/?q=oc47&api_key=demo-key'
#   bench/run.sh 'GET /panel/manager|Authorization: Basic Nzk5OTAwMDAwMDA6ZGVtbw=='
#   bench/run.sh 'POST /v1/order/?api_key=demo-key|Content-Type: application/json|@order.json'
# With no ENDPOINT it measures GET /__admin/health.
#
# A "|bolt" part makes the reference commit each request body to a bbolt file
# with db.Batch before answering: the baseline for durable write endpoints.
#
# Options: -d DURATION (wrk, default 10s), -c CONNECTIONS (default 32),
#          -r ROUNDS (alternate mock/reference this many times, default 1),
#          -s SCENARIO (scenario file for the mock; default: embedded default).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=10s CONNS=32 ROUNDS=1 SCENARIO=""
while getopts "d:c:r:s:" opt; do
  case $opt in
    d) DUR=$OPTARG ;; c) CONNS=$OPTARG ;; r) ROUNDS=$OPTARG ;; s) SCENARIO=$OPTARG ;;
    *) sed -n '2,26p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

OUT=bench/out
mkdir -p "$OUT"
go build -o "$OUT/mockserver" ./cmd/mockserver
go build -o "$OUT/reference" ./bench/reference
go build -o "$OUT/startup" ./bench/startup

if [ "${1:-}" = "startup" ]; then
  exec "$OUT/startup" --bin "$OUT/mockserver" --ref "$OUT/reference" --runs "${RUNS:-30}"
fi

PIN_SERVER="taskset -c 0" PIN_LOAD="taskset -c 1"
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then PIN_SERVER="" PIN_LOAD=""; fi
PORT=18180 REFPORT=18181

wait_up() { for _ in $(seq 1 500); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.01; done; echo "server on :$1 did not start" >&2; exit 1; }

if [ "${1:-}" = "worlds" ]; then
  # bench/worlds prints each figure; the root world keeps its fsync, the
  # worlds run on scratch files, as in production.
  go build -o "$OUT/worlds" ./bench/worlds
  rm -f "$OUT/bench.db"
  $PIN_SERVER "$OUT/mockserver" serve --addr "127.0.0.1:$PORT" --db "$OUT/bench.db" >/dev/null 2>&1 &
  MOCK_PID=$!
  wait_up $PORT
  status=0
  $PIN_LOAD "$OUT/worlds" --url "http://127.0.0.1:$PORT" --pid "$MOCK_PID" --duration "$DUR" || status=$?
  kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true
  exit $status
fi

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)..." >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
[ $# -gt 0 ] || set -- "GET /__admin/health"


start_mock() {
  rm -f "$OUT/bench.db"
  local sc=()
  [ -n "$SCENARIO" ] && sc=(--scenario "$SCENARIO")
  $PIN_SERVER "$OUT/mockserver" serve --addr "127.0.0.1:$PORT" --db "$OUT/bench.db" "${sc[@]}" >/dev/null 2>&1 &
  MOCK_PID=$!
  wait_up $PORT
}

# run_wrk URL LUA -> "rps p99_ms"
run_wrk() {
  local res rps p99
  res=$($PIN_LOAD wrk -t1 -c"$CONNS" -d"$DUR" --latency -s "$2" "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$res")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$res")
  echo "$rps $p99"
}

if [ "$1" = "console" ]; then
  # One server for every round: a round measures the search with no stream,
  # then with a console's stream read at full speed (curl -N), then with one
  # read at 2 KB/s (a stalled tab: its buffer fills and it drops entries).
  # Besides req/s (which other load on the machine sways), it reports the
  # server's CPU time per request (utime+stime from /proc), which is what a
  # console could add.
  start_mock
  url="http://127.0.0.1:$PORT/v1/search/?q=oc47&api_key=demo-key"
  stream="http://127.0.0.1:$PORT/__admin/requests/stream?backlog=0"
  echo 'wrk.method = "GET"' >"$OUT/req.lua"
  hz=$(getconf CLK_TCK)
  # measure -> "req/s cpu_us_per_request"
  measure() {
    local t0 t1 res
    t0=$(awk '{print $14+$15}' "/proc/$MOCK_PID/stat")
    res=$($PIN_LOAD wrk -t1 -c"$CONNS" -d"$DUR" "$url")
    t1=$(awk '{print $14+$15}' "/proc/$MOCK_PID/stat")
    awk -v r="$res" -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN{
      n=split(r, l, "\n"); for (i=1;i<=n;i++) { if (l[i] ~ /requests in/) {split(l[i], f, " "); reqs=f[1]} if (l[i] ~ /^Requests\/sec:/) {split(l[i], g, " "); rps=g[2]} }
      printf "%s %.1f\n", rps, (b-a)/hz*1e6/reqs }'
  }
  sums="0 0 0 0 0 0"
  printf '%-8s %10s %7s | %10s %7s %6s %6s | %10s %7s %6s %6s\n' "c=$CONNS" "none r/s" "us/req" "reading" "us/req" "r/s x" "cpu x" "slow" "us/req" "r/s x" "cpu x"
  # with_stream MODE: measure with no stream, a reading one or a slow one.
  with_stream() {
    case $1 in
      none) measure ;;
      reading) $PIN_LOAD curl -sN "$stream" >/dev/null & CURL_PID=$! ; measure ; kill "$CURL_PID"; wait "$CURL_PID" 2>/dev/null || true ;;
      slow) $PIN_LOAD curl -sN --limit-rate 2k "$stream" >/dev/null & CURL_PID=$! ; measure ; kill "$CURL_PID"; wait "$CURL_PID" 2>/dev/null || true ;;
    esac
  }
  modes=(none reading slow)
  for r in $(seq 1 "$ROUNDS"); do
    # The three take turns going first, so a drift within a round does
    # not favour one.
    for k in 0 1 2; do
      mode=${modes[$(( (k + r) % 3 ))]}
      case $mode in
        none) read -r n_rps n_cpu < <(with_stream none) ;;
        reading) read -r r_rps r_cpu < <(with_stream reading) ;;
        slow) read -r s_rps s_cpu < <(with_stream slow) ;;
      esac
    done
    awk -v a="$n_rps" -v b="$n_cpu" -v c="$r_rps" -v d="$r_cpu" -v e="$s_rps" -v f="$s_cpu" -v r="$r" 'BEGIN{
      printf "round %-2s %10s %7s | %10s %7s %5.3fx %5.3fx | %10s %7s %5.3fx %5.3fx\n", r, a, b, c, d, c/a, d/b, e, f, e/a, f/b }'
    sums=$(awk -v s="$sums" -v a="$n_rps" -v b="$n_cpu" -v c="$r_rps" -v d="$r_cpu" -v e="$s_rps" -v f="$s_cpu" 'BEGIN{split(s,x," "); print x[1]+a, x[2]+b, x[3]+c, x[4]+d, x[5]+e, x[6]+f}')
  done
  awk -v s="$sums" 'BEGIN{split(s,x," "); printf "mean     reading: r/s %.3fx, cpu/req %.3fx | slow: r/s %.3fx, cpu/req %.3fx\n", x[3]/x[1], x[4]/x[2], x[5]/x[1], x[6]/x[2]}'
  kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true
  exit 0
fi

printf '%-58s %12s %9s %12s %9s %7s\n' "endpoint (c=$CONNS, $DUR)" "mock req/s" "p99 ms" "ref req/s" "p99 ms" "ratio"
for spec in "$@"; do
  IFS='|' read -r -a parts <<<"$spec"
  method=${parts[0]%% *} path=${parts[0]#* }
  lua="$OUT/req.lua" body="" curl_args=(-s -X "$method") ref_args=()
  { echo "wrk.method = \"$method\""; } >"$lua"
  for p in "${parts[@]:1}"; do
    if [[ $p == bolt ]]; then
      ref_args=(--bolt "$OUT/ref.db")
    elif [[ $p == @* ]]; then
      body=${p#@}
      echo "wrk.body = io.open(\"$body\"):read(\"*a\")" >>"$lua"
      curl_args+=(--data-binary "@$body")
    else
      echo "wrk.headers[\"${p%%:*}\"] = \"$(sed 's/^ *//' <<<"${p#*:}")\"" >>"$lua"
      curl_args+=(-H "$p")
    fi
  done
  mock_sum=0 ref_sum=0
  for _ in $(seq 1 "$ROUNDS"); do
    start_mock
    # capture the mock's own answer for the reference to replay
    ctype=$(curl "${curl_args[@]}" -o "$OUT/body" -w '%{content_type}' "http://127.0.0.1:$PORT$path")
    status=$(curl "${curl_args[@]}" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path")
    read -r mrps mp99 < <(run_wrk "http://127.0.0.1:$PORT$path" "$lua")
    kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true
    rm -f "$OUT/ref.db"
    $PIN_SERVER "$OUT/reference" "${ref_args[@]}" --addr "127.0.0.1:$REFPORT" --body "$OUT/body" --content-type "$ctype" --status "$status" >/dev/null 2>&1 &
    REF_PID=$!
    wait_up $REFPORT
    read -r rrps rp99 < <(run_wrk "http://127.0.0.1:$REFPORT$path" "$lua")
    kill "$REF_PID"; wait "$REF_PID" 2>/dev/null || true
    mock_sum=$(awk -v a="$mock_sum" -v b="$mrps" 'BEGIN{print a+b}')
    ref_sum=$(awk -v a="$ref_sum" -v b="$rrps" 'BEGIN{print a+b}')
    printf '%-58s %12s %9s %12s %9s %6.2fx  (status %s)\n' "$method $path" "$mrps" "$mp99" "$rrps" "$rp99" "$(awk -v a="$mrps" -v b="$rrps" 'BEGIN{print a/b}')" "$status"
  done
  if [ "$ROUNDS" -gt 1 ]; then
    printf '%-58s %56.2fx\n' "  mean ratio over $ROUNDS rounds" "$(awk -v a="$mock_sum" -v b="$ref_sum" 'BEGIN{print a/b}')"
  fi
done
