#!/usr/bin/env bash
# Benchmark harness: requests/s, p50 and p99 of mockserver endpoints, each
# next to a bare net/http reference that returns the same bytes, measured in
# the same run. The server under test is pinned to CPU 0 and wrk to CPU 1,
# one at a time, so the two never share a core. Machines here are noisy:
# read the ratio, not the absolute figures. bench/README.md says what each
# mode takes in time and memory.
#
#   bench/run.sh [options] ENDPOINT...
#   bench/run.sh reads              # every GET of the default scenario (amapi, carreta, saplab)
#   bench/run.sh writes             # durable writes of all three APIs vs a plain commit per request
#   bench/run.sh writes-pages       # the same vs a plain commit of as many pages as each writes
#   bench/run.sh scale              # carreta's order list, restart and RSS at 1k vs 100k orders
#   bench/run.sh all                # reads, writes, scale
#   bench/run.sh startup [DB]       # start-to-first-200 and idle RSS (DB: restart on a copy of it;
#                                   # BASE=binary: another build interleaved, for a ratio)
#   bench/run.sh worlds             # worlds: create/delete p50/p99, RSS of 100,
#                                   # 64 clients in worlds vs on the root (-d each)
#   bench/run.sh hostile [-mode journal|conns] [-n N] [-conns K]
#                                   # issue 14: journal RSS under the worst case
#                                   # against --journal-bytes; slowloris and
#                                   # silent floods vs an ordinary client
#   bench/run.sh console            # carreta search GET with a console's live
#                                   # stream open (one reading, one reading slowly)
#                                   # vs none, interleaved in each of -r rounds
#   bench/run.sh mixed              # issue 14: saplab's reads and writes alone,
#                                   # beside 8 amapi writers and beside 8 amapi
#                                   # readers (control), -r rounds of -d each
#
# ENDPOINT is "METHOD PATH" plus optional "|Header: value" and "|@bodyfile"
# parts, e.g.
#   bench/run.sh 'GET /v1/search/?q=oc47&api_key=demo-key'
#   bench/run.sh 'GET /panel/manager|Authorization: Basic Nzk5OTAwMDAwMDA6ZGVtbw=='
#   bench/run.sh 'POST /v1/order/?api_key=demo-key|Content-Type: application/json|@bench/carreta-order.json|plain'
# With no ENDPOINT it measures GET /__admin/health. In a header value, %7C
# stands for "|" (amapi's tokens hold one).
#
# A "|bolt" part makes the reference commit each request body to a bbolt
# file with db.Batch (10 ms window) before answering; "|plain" with a
# transaction of its own (db.Update): the baseline for durable writes;
# "|plain:N[:BYTES]" puts the body (padded to BYTES) into N buckets.
#
# Options: -d DURATION (wrk, default 10s), -c "CONNECTIONS..." (default "1 32":
#          each endpoint at each), -r ROUNDS (alternate mock/reference this
#          many times, default 1), -s SCENARIO (scenario file for the mock;
#          default: embedded default), -D DB (start the mock on a copy of
#          this state file instead of a fresh one), -b BIN (a second mock
#          binary, e.g. one built from main, measured in each round next
#          to this tree's: before/after ratios to the same reference runs).
# REF_FRAMING=mock: the reference sends a body without Content-Length
# (chunked, over 2 KB) when the mock's captured answer came chunked, and
# sends the mock's other headers (amapi's Laravel two), so
# the ratio leaves out the framing the mock chose (saplab's list pages;
# default: the reference always sends Content-Length).
set -euo pipefail
# A run that fails half way (wrk refused, a server that did not start)
# must not leave its servers on the bench ports for the next run to meet.
trap 'pkill -P $$ 2>/dev/null || true' EXIT
cd "$(dirname "$0")/.."
DUR=10s CONNS="1 32" ROUNDS=1 SCENARIO="" SEEDED="" BASE=${BASE:+$(realpath "$BASE")}
while getopts "d:c:r:s:D:b:" opt; do
  case $opt in
    d) DUR=$OPTARG ;; c) CONNS=$OPTARG ;; r) ROUNDS=$OPTARG ;; s) SCENARIO=$OPTARG ;; D) SEEDED=$OPTARG ;;
    b) BASE=$(realpath "$OPTARG") ;;
    *) sed -n '2,53p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))

OUT=bench/out
mkdir -p "$OUT"
go build -o "$OUT/mockserver" ./cmd/mockserver
go build -o "$OUT/reference" ./bench/reference
go build -o "$OUT/startup" ./bench/startup

if [ "${1:-}" = "hostile" ]; then
  shift
  go build -o "$OUT/hostile" ./bench/hostile
  exec "$OUT/hostile" --bin "$OUT/mockserver" "$@"
fi

if [ "${1:-}" = "startup" ]; then
  # The binaries as the Dockerfile builds the shipped one (static, no
  # symbol table), the reference alike: a dynamic build with debug info
  # maps libc and more of itself (about 1.5 MB more idle RSS) and starts
  # the dynamic loader first.
  static=(env CGO_ENABLED=0 go build -trimpath -ldflags "-s -w")
  "${static[@]}" -o "$OUT/mockserver-static" ./cmd/mockserver
  "${static[@]}" -o "$OUT/reference-static" ./bench/reference
  args=(--bin "$OUT/mockserver-static" --ref "$OUT/reference-static" --runs "${RUNS:-30}")
  [ -n "${2:-}" ] && args+=(--db "$2")
  # BASE=path/to/mockserver measures another build (main's) interleaved.
  [ -n "${BASE:-}" ] && args+=(--base "$BASE")
  exec "$OUT/startup" "${args[@]}"
fi

PIN_SERVER="taskset -c 0" PIN_LOAD="taskset -c 1"
if ! command -v taskset >/dev/null || [ "$(nproc)" -lt 2 ]; then PIN_SERVER="" PIN_LOAD=""; fi
# Ports of their own: other runs of this script may share the machine.
PORT=${PORT:-$((20000 + RANDOM % 20000))} REFPORT=$((PORT + 1))

# wait_up PORT [TRIES] [PID]: until the server answers (and PID lives).
wait_up() {
  for _ in $(seq 1 "${2:-500}"); do
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then break; fi
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.01
  done
  echo "server on :$1 did not start" >&2; exit 1
}

# A state is the --db file and one file per API beside it (README, "The
# state files"): state_files DB lists them, cp_state FROM TO copies them,
# rm_state DB removes them.
state_files() { echo "$1" "$1.amapi" "$1.carreta" "$1.saplab"; }
cp_state() { local f; for f in $(state_files "$1"); do if [ -f "$f" ]; then cp "$f" "$2${f#"$1"}"; fi; done; }
rm_state() { rm -f $(state_files "$1"); }

if [ "${1:-}" = "worlds" ]; then
  # bench/worlds prints each figure; the root world keeps its fsync, the
  # worlds run on scratch files, as in production.
  go build -o "$OUT/worlds" ./bench/worlds
  rm_state "$OUT/bench.db"
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

# start_mock [DB]: the mock on a fresh file (the -s scenario), or on a copy
# of DB (or of -D). MOCK_BIN, when set, is the binary to start.
start_mock() {
  rm_state "$OUT/bench.db"
  local sc=() from=${1:-$SEEDED}
  [ -n "$SCENARIO" ] && sc=(--scenario "$SCENARIO")
  if [ -n "$from" ]; then cp_state "$from" "$OUT/bench.db"; sc=(); fi
  $PIN_SERVER "${MOCK_BIN:-$OUT/mockserver}" serve --addr "127.0.0.1:$PORT" --db "$OUT/bench.db" "${sc[@]}" >/dev/null 2>&1 &
  MOCK_PID=$!
  wait_up $PORT 30000 $MOCK_PID
}
stop_mock() { kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; }

# ms VALUE: wrk's latency ("812.00us", "1.20ms", "2.00s") in ms.
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v) } else if (v ~ /s$/) { sub(/s/,"",v); v=v*1000 }; print v }'; }

# run_wrk URL LUA CONNS [PID] -> "rps p50_ms p99_ms [cpu_us]": with PID, also
# the server's CPU time (user + system, from /proc) per request, which the
# other load on a shared machine sways far less than req/s.
run_wrk() {
  local res t0=0 t1=0
  [ -n "${4:-}" ] && t0=$(awk '{print $14+$15}' "/proc/$4/stat")
  res=$($PIN_LOAD wrk -t1 -c"$3" -d"$DUR" --latency -s "$2" "$1") || return 1
  [ -n "${4:-}" ] && t1=$(awk '{print $14+$15}' "/proc/$4/stat")
  echo "$(awk '/^Requests\/sec:/ {print $2}' <<<"$res") $(ms "$(awk '$1=="50.000%" || $1=="50%" {print $2; exit}' <<<"$res")") $(ms "$(awk '$1=="99.000%" || $1=="99%" {print $2; exit}' <<<"$res")")" \
    "$(awk -v r="$res" -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN{ n=split(r, l, "\n"); for (i=1;i<=n;i++) if (l[i] ~ /requests in/) { split(l[i], f, " "); reqs=f[1] } if (reqs > 0) printf "%.1f", (b-a)/hz*1e6/reqs; else print "-" }')"
}

if [ "${1:-}" = "console" ]; then
  # One server for every round: a round measures the search with no stream,
  # then with a console's stream read at full speed (curl -N), then with one
  # read at 2 KB/s (a stalled tab: its buffer fills and it drops entries).
  # Besides req/s (which other load on the machine sways), it reports the
  # server's CPU time per request (utime+stime from /proc), which is what a
  # console could add.
  CC=${CONNS##* } # the last -c value (default 32)
  start_mock
  url="http://127.0.0.1:$PORT/v1/search/?q=oc47&api_key=demo-key"
  stream="http://127.0.0.1:$PORT/__admin/requests/stream?backlog=0"
  echo 'wrk.method = "GET"' >"$OUT/req.lua"
  hz=$(getconf CLK_TCK)
  # measure -> "req/s cpu_us_per_request"
  measure() {
    local t0 t1 res
    t0=$(awk '{print $14+$15}' "/proc/$MOCK_PID/stat")
    res=$($PIN_LOAD wrk -t1 -c"$CC" -d"$DUR" "$url")
    t1=$(awk '{print $14+$15}' "/proc/$MOCK_PID/stat")
    awk -v r="$res" -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN{
      n=split(r, l, "\n"); for (i=1;i<=n;i++) { if (l[i] ~ /requests in/) {split(l[i], f, " "); reqs=f[1]} if (l[i] ~ /^Requests\/sec:/) {split(l[i], g, " "); rps=g[2]} }
      printf "%s %.1f\n", rps, (b-a)/hz*1e6/reqs }'
  }
  sums="0 0 0 0 0 0"
  printf '%-8s %10s %7s | %10s %7s %6s %6s | %10s %7s %6s %6s\n' "c=$CC" "none r/s" "us/req" "reading" "us/req" "r/s x" "cpu x" "slow" "us/req" "r/s x" "cpu x"
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
  stop_mock
  exit 0
fi

if [ "${1:-}" = "mixed" ]; then
  # Issue 14's mixed load with the server on a core of its own (CPU 0) and
  # every client on the other (three wrk processes on CPU 1): saplab's
  # readers (4 connections on GET /panel/order) and its writer (1 on
  # POST /panel/client/add_transaction/1) run alone, beside 8 amapi
  # writers (POST /api/create-order, durable), and beside 8 amapi readers
  # (GET /api/test: the control, a neighbour that takes the server's CPU
  # and never writes), in turn, -r rounds of -d each. The ratios to alone
  # are what to read; the server's CPU per second of each says whether
  # the server was short of CPU or waiting.
  start_mock
  base="http://127.0.0.1:$PORT"
  owner="Basic Nzk5OTAwMDAwMDA6ZGVtbw=="
  token="Bearer 1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"
  cat >"$OUT/mixed-read.lua" <<LUA
wrk.method = "GET"
wrk.headers["Authorization"] = "$owner"
LUA
  cat >"$OUT/mixed-write.lua" <<LUA
wrk.method = "POST"
wrk.body = "amount=1&description=bench"
wrk.headers["Authorization"] = "$owner"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
  cat >"$OUT/mixed-amapi-write.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$(cat bench/amapi-order.json)]]
wrk.headers["Authorization"] = "$token"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
LUA
  cat >"$OUT/mixed-amapi-read.lua" <<LUA
wrk.method = "GET"
wrk.headers["Authorization"] = "$token"
wrk.headers["Accept"] = "application/json"
LUA
  hz=$(getconf CLK_TCK)
  # rps FILE: wrk's requests per second in FILE, after checking that every
  # answer was a 2xx (wrk counts the others as "Non-2xx").
  rps() {
    if grep -q "Non-2xx\|Socket errors" "$1"; then echo "mixed: $1: errors" >&2; cat "$1" >&2; exit 1; fi
    awk '/^Requests\/sec:/ {print $2}' "$1"
  }
  # round NEIGHBOUR ("", amapi-write or amapi-read) -> "reads writes other cpu_per_s"
  round() {
    local t0 t1 pids=()
    t0=$(awk '{print $14+$15}' "/proc/$MOCK_PID/stat")
    $PIN_LOAD wrk -t1 -c4 -d"$DUR" -s "$OUT/mixed-read.lua" "$base/panel/order" >"$OUT/mixed-r.out" & pids+=($!)
    $PIN_LOAD wrk -t1 -c1 -d"$DUR" -s "$OUT/mixed-write.lua" "$base/panel/client/add_transaction/1" >"$OUT/mixed-w.out" & pids+=($!)
    echo "Requests/sec: 0" >"$OUT/mixed-o.out"
    if [ -n "$1" ]; then
      local path=/api/create-order
      [ "$1" = amapi-read ] && path=/api/test
      $PIN_LOAD wrk -t1 -c8 -d"$DUR" -s "$OUT/mixed-$1.lua" "$base$path" >"$OUT/mixed-o.out" & pids+=($!)
    fi
    wait "${pids[@]}"
    t1=$(awk '{print $14+$15}' "/proc/$MOCK_PID/stat")
    echo "$(rps "$OUT/mixed-r.out") $(rps "$OUT/mixed-w.out") $(rps "$OUT/mixed-o.out")" \
      "$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v d="${DUR%s}" 'BEGIN{printf "%.2f", (b-a)/hz/d}')"
  }
  printf '%-7s %-22s %9s %6s %8s %6s %9s %8s\n' round neighbour reads/s x writes/s x other/s "cpu s/s"
  sums="0 0 0 0 0 0"
  for r in $(seq 1 "$ROUNDS"); do
    read -r ar aw ao ac < <(round "")
    read -r wr ww wo wc < <(round amapi-write)
    read -r cr cw co cc < <(round amapi-read)
    printf '%-7s %-22s %9s %6s %8s %6s %9s %8s\n' "$r" alone "$ar" "" "$aw" "" "$ao" "$ac"
    for row in "8-amapi-writers $wr $ww $wo $wc" "8-amapi-readers $cr $cw $co $cc"; do
      set -- $row
      awk -v r="$r" -v n="$1" -v a="$2" -v b="$3" -v o="$4" -v c="$5" -v ar="$ar" -v aw="$aw" 'BEGIN{
        printf "%-7s %-22s %9s %5.2fx %8s %5.2fx %9s %8s\n", r, n, a, a/ar, b, b/aw, o, c }'
    done
    sums=$(awk -v s="$sums" -v a="$ar" -v b="$aw" -v c="$wr" -v d="$ww" -v e="$cr" -v f="$cw" 'BEGIN{split(s,x," "); print x[1]+a, x[2]+b, x[3]+c, x[4]+d, x[5]+e, x[6]+f}')
  done
  awk -v s="$sums" 'BEGIN{split(s,x," ");
    printf "mean of rounds: beside 8 amapi writers reads %.2fx writes %.2fx | beside 8 amapi readers (control) reads %.2fx writes %.2fx\n", x[3]/x[1], x[4]/x[2], x[5]/x[1], x[6]/x[2] }'
  stop_mock
  exit 0
fi

# prepare SPEC: parses an endpoint into method, path, the wrk script, curl's
# and the reference's arguments.
prepare() {
  IFS='|' read -r -a parts <<<"$1"
  method=${parts[0]%% *} path=${parts[0]#* }
  lua="$OUT/req.lua" curl_args=(-s -X "$method") ref_args=() label="$method ${path:0:40}"
  echo "wrk.method = \"$method\"" >"$lua"
  for p in "${parts[@]:1}"; do
    if [[ $p == bolt ]]; then
      ref_args=(--bolt "$OUT/ref.db")
    elif [[ $p == plain ]]; then
      ref_args=(--bolt "$OUT/ref.db" --plain)
    elif [[ $p == plain:* ]]; then
      IFS=: read -r _ nb rec <<<"$p"
      ref_args=(--bolt "$OUT/ref.db" --plain --buckets "$nb" --record "${rec:-0}")
    elif [[ $p == @* ]]; then
      echo "wrk.body = io.open(\"${p#@}\"):read(\"*a\")" >>"$lua"
      curl_args+=(--data-binary "@${p#@}")
    else
      p=${p//%7C/|}
      [[ ${p%%:*} == Authorization ]] && label="$method ${path:0:33} +auth"
      echo "wrk.headers[\"${p%%:*}\"] = \"$(sed 's/^ *//' <<<"${p#*:}")\"" >>"$lua"
      curl_args+=(-H "$p")
    fi
  done
}

# capture: the mock's own answer (body, Content-Type, status, and with
# REF_FRAMING=mock whether it came chunked), for the reference to replay.
capture() {
  start_mock
  ctype=$(curl "${curl_args[@]}" -o "$OUT/body" -D "$OUT/headers" -w '%{content_type}' "http://127.0.0.1:$PORT$path")
  status=$(curl "${curl_args[@]}" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path")
  if [ "${REF_FRAMING:-}" = mock ] && grep -qi '^transfer-encoding: *chunked' "$OUT/headers"; then
    ref_args+=(--chunked) label="${label:0:37} chunked"
  fi
  # With REF_FRAMING=mock the reference also sends the mock's other headers
  # (amapi's Access-Control-Allow-Origin and Cache-Control, which Laravel
  # sends): the same bytes on the wire, not only the same body.
  if [ "${REF_FRAMING:-}" = mock ]; then
    local h
    while IFS= read -r h; do
      h=${h%$'\r'}
      case ${h%%:*} in
        [Dd]ate | [Cc]ontent-[Tt]ype | [Cc]ontent-[Ll]ength | [Tt]ransfer-[Ee]ncoding | HTTP/* | "") ;;
        *) ref_args+=(--header "$h") ;;
      esac
    done <"$OUT/headers"
  fi
  stop_mock
}

# measure_mock CONNS: the mock (MOCK_BIN) on a fresh start -> "rps p50 p99".
# A failed wrk stops the server before the error ends the script: the
# base's measure runs in a process substitution, whose server the EXIT
# trap (children of this shell only) does not reach, and an orphan would
# keep the port and the lock of a `flock ... bench/run.sh` run.
measure_mock() {
  start_mock
  run_wrk "http://127.0.0.1:$PORT$path" "$lua" "$1" "$MOCK_PID" || { stop_mock; return 1; }
  stop_mock
}

# measure_ref CONNS: the bare reference replaying the captured answer.
measure_ref() {
  rm -f "$OUT/ref.db"
  $PIN_SERVER "$OUT/reference" "${ref_args[@]}" --addr "127.0.0.1:$REFPORT" --body "$OUT/body" --content-type "$ctype" --status "$status" >/dev/null 2>&1 &
  REF_PID=$!
  wait_up $REFPORT 500 $REF_PID
  run_wrk "http://127.0.0.1:$REFPORT$path" "$lua" "$1" "$REF_PID" || { kill "$REF_PID"; wait "$REF_PID" 2>/dev/null; return 1; }
  kill "$REF_PID"; wait "$REF_PID" 2>/dev/null || true
}

# bench ENDPOINT...: each endpoint at each concurrency, mock then reference
# (with -b, the base mock between them), -r rounds. Each row: req/s, p50,
# p99 (ms) and CPU µs per request of each server, then the ratios to the
# reference: req/s (mock/ref) and CPU per request (ref/mock, so that 1 is
# as cheap as bare and less is dearer); with -b the base's too.
bench() {
  local c spec
  for c in $CONNS; do
    printf '\n%-46s %8s %6s %6s %6s' "endpoint (c=$c, $DUR)" "mock r/s" "p50" "p99" "cpu" 
    [ -n "$BASE" ] && printf ' %8s %6s %6s %6s' "base r/s" "p50" "p99" "cpu"
    printf ' %8s %6s %6s %6s | %6s %6s' "ref r/s" "p50" "p99" "cpu" "r/s" "cpu"
    [ -n "$BASE" ] && printf ' | %6s %6s' "base" "cpu"
    printf '\n'
    for spec in "$@"; do
      prepare "$spec"
      capture
      local sums="0 0 0 0 0 0" brps=0 bp50=- bp99=- bcpu=0
      for _ in $(seq 1 "$ROUNDS"); do
        read -r mrps mp50 mp99 mcpu < <(measure_mock "$c")
        if [ -n "$BASE" ]; then
          read -r brps bp50 bp99 bcpu < <(MOCK_BIN=$BASE measure_mock "$c")
        fi
        read -r rrps rp50 rp99 rcpu < <(measure_ref "$c")
        sums=$(awk -v s="$sums" -v a="$mrps" -v b="$mcpu" -v c="$brps" -v d="$bcpu" -v e="$rrps" -v f="$rcpu" 'BEGIN{split(s,x," "); print x[1]+a, x[2]+b, x[3]+c, x[4]+d, x[5]+e, x[6]+f}')
        printf '%-46s %8s %6s %6s %6s' "$label" "$mrps" "$mp50" "$mp99" "$mcpu"
        [ -n "$BASE" ] && printf ' %8s %6s %6s %6s' "$brps" "$bp50" "$bp99" "$bcpu"
        printf ' %8s %6s %6s %6s | %5.2fx %5.2fx' "$rrps" "$rp50" "$rp99" "$rcpu" "$(awk -v a="$mrps" -v b="$rrps" 'BEGIN{print a/b}')" "$(awk -v a="$rcpu" -v b="$mcpu" 'BEGIN{print (b>0)?a/b:0}')"
        [ -n "$BASE" ] && printf ' | %5.2fx %5.2fx' "$(awk -v a="$brps" -v b="$rrps" 'BEGIN{print a/b}')" "$(awk -v a="$rcpu" -v b="$bcpu" 'BEGIN{print (b>0)?a/b:0}')"
        printf ' (%s)\n' "$status"
      done
      if [ "$ROUNDS" -gt 1 ]; then
        awk -v s="$sums" -v base="$BASE" -v r="$ROUNDS" -v w="$([ -n "$BASE" ] && echo 136 || echo 106)" 'BEGIN{split(s,x," ");
          printf "%-*s | %5.2fx %5.2fx", w, "  mean over " r " rounds", x[1]/x[5], (x[2]>0)?x[6]/x[2]:0
          if (base != "") printf " | %5.2fx %5.2fx", x[3]/x[5], (x[4]>0)?x[6]/x[4]:0
          printf "\n" }'
      fi
    done
  done
}

# The default scenario's identities.
AMAPI_TOKEN="Authorization: Bearer 1%7CDemoTokenDemoTokenDemoTokenDemoTokenDemo"
SAPLAB_OWNER="Authorization: Basic Nzk5OTAwMDAwMDA6ZGVtbw=="
JSON="Content-Type: application/json"
READS=(
  "GET /v1/search/?q=oc47&api_key=demo-key"
  "GET /v1/order/?api_key=demo-key"
  "GET /v1/profile/?api_key=demo-key"
  "GET /v1/order/189333/?api_key=demo-key"
  "GET /v1/order/189333/history/?api_key=demo-key"
  "GET /api/test"
  "GET /api/test|$AMAPI_TOKEN"
  "GET /panel/manager|$SAPLAB_OWNER"
  "GET /panel/order/shipping_type|$SAPLAB_OWNER"
  "GET /panel/order/status|$SAPLAB_OWNER"
  "GET /panel/client/group|$SAPLAB_OWNER"
  "GET /panel/client|$SAPLAB_OWNER"
  "GET /panel/client/form/2|$SAPLAB_OWNER"
  "GET /panel/client/balance/2|$SAPLAB_OWNER"
  "GET /panel/order|$SAPLAB_OWNER"
)
WRITES=(
  "POST /v1/order/?api_key=demo-key|$JSON|@bench/carreta-order.json|plain"
  "POST /api/create-order|$AMAPI_TOKEN|$JSON|@bench/amapi-order.json|plain"
  "GET /panel/order/pay/19|$SAPLAB_OWNER|plain"
)

# The same writes against a plain commit that writes about the pages the
# mock's write does ("plain:BUCKETS[:BYTES]": the body, padded to BYTES,
# into that many buckets; strace counted 9.8, 6.4 and 14.3 pwrite64s a
# write for the mock, 9.5, 7.0 and 14.9 for these): what is left between
# the two is the mock's own work, not the data it must store (issue 16).
WRITES_PAGES=(
  "POST /v1/order/?api_key=demo-key|$JSON|@bench/carreta-order.json|plain:3"
  "POST /api/create-order|$AMAPI_TOKEN|$JSON|@bench/amapi-order.json|plain:2"
  "GET /panel/order/pay/19|$SAPLAB_OWNER|plain:5:150"
)

# scale_db N: a state file with the default scenario and N made-up carreta
# orders on demo-key, made once and kept in bench/out.
scale_db() {
  local db="$OUT/scale-$1.db" sc="$OUT/carreta-$1.yaml"
  if [ ! -f "$db" ]; then
    printf 'name: carreta-%s\nextends: default\ncarreta:\n  generate: {orders: %s, orders_account: demo-key}\n' "$1" "$1" >"$sc"
    echo "seeding $db ($1 orders)..." >&2
    local t0=$SECONDS
    "$OUT/mockserver" serve --addr "127.0.0.1:$PORT" --db "$db.tmp" --scenario "$sc" --log-level warn >/dev/null 2>&1 &
    MOCK_PID=$!
    wait_up $PORT 60000 $MOCK_PID
    echo "  seeded in $((SECONDS - t0)) s, peak RSS $(awk '/VmHWM/ {print $2/1024 " MB"}' /proc/$MOCK_PID/status)" >&2
    stop_mock
    for f in $(state_files "$db.tmp"); do mv "$f" "$db${f#"$db.tmp"}"; done
  fi
  echo "$db"
}

# scale: carreta's order list at 1k and at 100k orders on one account, the
# same requests in the same run, -r rounds alternating the two files:
# req/s, p50, p99, the server's CPU per request and the ratio 100k/1k of
# req/s, and the bare reference replaying the 100k answer (p50, p99, CPU);
# then restart time and idle RSS on each file. Every answer is made,
# as after a write (a binary built with -tags nokeep: the kept answers
# would make a repeated request a map lookup at any scale); KEPT=1
# measures the shipped binary, kept answers included. With -b BIN, that
# binary (built with -tags nokeep too, for made pages) runs each round
# after this tree's: the CPU ratio base/this is the speed-up.
scale() {
  local small big c spec bin=$OUT/mockserver
  small=$(scale_db 1000) big=$(scale_db 100000)
  if [ "${KEPT:-0}" = 0 ]; then
    go build -tags nokeep -o "$OUT/mockserver-nokeep" ./cmd/mockserver
    bin=$OUT/mockserver-nokeep
  fi
  local l="/v1/order/?api_key=demo-key" cc="/v1/order/?api_key=demo-key&client_comment="
  local no="%E2%84%96" zakaz="%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7" ZAKAZ="%D0%97%D0%90%D0%9A%D0%90%D0%97"
  # name|1k request|100k request: the same request, or the same place in
  # the list for a deep page (page 10 of 1k is its last full page).
  local lists=(
    "first page|$l|$l"
    "page 10|$l&page=10|$l&page=10"
    "last full page|$l&page=10|$l&page=1000"
    "one run (№), first page|$cc$no|$cc$no"
    "one run (№), last full page|$cc$no&page=10|$cc$no&page=1000"
    "two runs (№1), first page|$cc${no}1|$cc${no}1"
    "long, scanned, first page|$cc$zakaz%20${no}1|$cc$zakaz%20${no}1"
    "long (ЗАКАЗ), last full page|$cc$ZAKAZ&page=10|$cc$ZAKAZ&page=1000"
    "long, one match (intersected)|$cc${no}999|$cc${no}99999"
    "long, no match|${cc}nothing|${cc}nothing"
    "one order|/v1/order/189333/?api_key=demo-key|/v1/order/189333/?api_key=demo-key"
    "its history|/v1/order/189333/history/?api_key=demo-key|/v1/order/189333/history/?api_key=demo-key"
  )
  echo 'wrk.method = "GET"' >"$OUT/req.lua"
  for c in $CONNS; do
    printf '\n%-32s %8s %6s %6s %6s %8s %6s %6s %6s %8s %6s | %6s %6s %5s\n' "carreta, made (c=$c, $DUR)" "1k r/s" "p50" "p99" "cpu" "100k r/s" "p50" "p99" "cpu" "100k/1k" "cpu" "ref p50" "p99" "cpu"
    for spec in "${lists[@]}"; do
      IFS='|' read -r name p1 p2 <<<"$spec"
      local sums="0 0 0 0" bsums="0 0 0 0" who
      for _ in $(seq 1 "$ROUNDS"); do
        for who in this base; do
          local b=$bin label=${name:0:32}
          if [ $who = base ]; then
            [ -n "$BASE" ] || continue
            b=$BASE label="  base: ${name:0:24}"
          fi
          MOCK_BIN=$b start_mock "$small"; curl -s -o /dev/null "http://127.0.0.1:$PORT$p1"
          read -r r1 a1 b1 u1 < <(run_wrk "http://127.0.0.1:$PORT$p1" "$OUT/req.lua" "$c" "$MOCK_PID"); stop_mock
          MOCK_BIN=$b start_mock "$big"; curl -s -o "$OUT/body" "http://127.0.0.1:$PORT$p2"
          read -r r2 a2 b2 u2 < <(run_wrk "http://127.0.0.1:$PORT$p2" "$OUT/req.lua" "$c" "$MOCK_PID"); stop_mock
          # The bare reference replaying the 100k answer (this tree's, each
          # round): the floor for the same bytes on this machine right now.
          local ra=- rb=- ru=-
          if [ $who = this ]; then
            path=$p2 lua=$OUT/req.lua ctype=application/json status=200 ref_args=()
            read -r _ ra rb ru < <(measure_ref "$c")
          fi
          printf '%-32s %8s %6s %6s %6s %8s %6s %6s %6s %7.2fx %5.2fx | %6s %6s %5s\n' "$label" "$r1" "$a1" "$b1" "$u1" "$r2" "$a2" "$b2" "$u2" \
            "$(awk -v a="$r2" -v b="$r1" 'BEGIN{print a/b}')" "$(awk -v a="$u1" -v b="$u2" 'BEGIN{print (b>0)?a/b:0}')" "$ra" "$rb" "$ru"
          if [ $who = this ]; then
            sums=$(awk -v s="$sums" -v a="$r1" -v b="$u1" -v c="$r2" -v d="$u2" 'BEGIN{split(s,x," "); print x[1]+a, x[2]+b, x[3]+c, x[4]+d}')
          else
            bsums=$(awk -v s="$bsums" -v a="$r1" -v b="$u1" -v c="$r2" -v d="$u2" 'BEGIN{split(s,x," "); print x[1]+a, x[2]+b, x[3]+c, x[4]+d}')
          fi
        done
      done
      if [ "$ROUNDS" -gt 1 ] || [ -n "$BASE" ]; then
        awk -v s="$sums" -v t="$bsums" -v r="$ROUNDS" -v base="$BASE" 'BEGIN{split(s,x," "); split(t,y," ");
          printf "%-92s %7.2fx %5.2fx", "  mean over " r " rounds", x[3]/x[1], (x[4]>0)?x[2]/x[4]:0
          if (base != "") printf " | this/base cpu: 1k %.2fx, 100k %.2fx", (x[2]>0)?y[2]/x[2]:0, (x[4]>0)?y[4]/x[4]:0
          printf "\n" }'
      fi
    done
  done
  echo
  RUNS=${RUNS:-10} # RUNS=0: no restarts
  [ "$RUNS" -gt 0 ] || return 0
  for db in "$small" "$big"; do
    "$OUT/startup" --bin "$OUT/mockserver" --ref "$OUT/reference" --runs "$RUNS" --db "$db"
  done
}

case "${1:-}" in
  reads) bench "${READS[@]}" ;;
  writes) bench "${WRITES[@]}" ;;
  writes-pages) bench "${WRITES_PAGES[@]}" ;;
  scale) scale ;;
  all) bench "${READS[@]}" "${WRITES[@]}"; scale ;;
  "") bench "GET /__admin/health" ;;
  *) bench "$@" ;;
esac
