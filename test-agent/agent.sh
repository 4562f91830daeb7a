#!/bin/sh
# Hive test agent: a tiny agent for tests and demos, run by the static busybox in a FROM-scratch image.
#   - counts its boots in $HIVE_STATE_DIR/boot-count (the state volume), so kept state can be checked;
#   - prints a numbered line every second;
#   - exits 0 on SIGTERM (after $AGENT_STOP_DELAY_S seconds of "finishing work" when set),
#     or with $AGENT_EXIT_CODE after $AGENT_EXIT_AFTER_S seconds;
#   - with $AGENT_ASK set, asks the operator that question through the dashboard's API (busybox wget, with the
#     HIVE_API_URL and HIVE_AGENT_TOKEN it was given), options from $AGENT_ASK_OPTIONS ("a|b|c"),
#     $AGENT_ASK_MULTI=1 for several, $AGENT_ASK_TTL seconds; then waits and prints "answer: <answer>";
#   - with $AGENT_MCP_ASK set, asks the same through the MCP endpoint ($HIVE_MCP_URL: initialize, then the
#     ask_operator tool, then wait_for_answer while it is pending) and prints "mcp answer: <answer>";
#   - with $AGENT_REQUEST_APPROVAL set (a JSON body), asks for an approval as a manager would;
#   - with $AGENT_EAT_MB set, holds that many megabytes right after boot (to meet a memory limit: OOM);
#   - with $AGENT_BURN_CPU=1, keeps one CPU busy (a loop beside the ticks) for the resource-use readings.
# Optional, for the journal tests (nothing changes while they are unset):
#   AGENT_BOOT_LINES   text printed once at boot, printf %b escapes interpreted (\033 colours, \n new lines)
#   AGENT_BURST_LINES  N numbered lines printed at boot, each padded to AGENT_LINE_BYTES bytes when set
#   AGENT_STDERR=1     every tick also prints "[name] warn N" to stderr
#   AGENT_TICK_S       seconds between ticks (default 1; fractions allowed)
#   AGENT_CLOCK=1      every tick line ends with " t=<epoch ms>", the container's clock when it was printed
# For scale tests and benchmarks:
#   AGENT_QUIET=1      after boot, prints "[name] quiet" once and sleeps: no line and no fork every second, so a
#                      thousand agents fit on a small machine (SIGTERM still exits 0)
STATE_DIR="${HIVE_STATE_DIR:-/state}"
NAME="${HIVE_AGENT_NAME:-agent}"
# As PID 1 the shell ignores SIGTERM until a handler exists: install it before anything else.
child=""
burner=""
on_term() {
  [ -n "$child" ] && kill "$child" 2>/dev/null
  [ -n "$burner" ] && kill "$burner" 2>/dev/null
  if [ -n "$AGENT_STOP_DELAY_S" ]; then
    echo "[$NAME] SIGTERM received, finishing work for ${AGENT_STOP_DELAY_S}s"
    sleep "$AGENT_STOP_DELAY_S"
  fi
  echo "[$NAME] SIGTERM received, exiting cleanly"
  exit 0
}
trap on_term TERM INT

mkdir -p "$STATE_DIR"
BOOT=$(( $(cat "$STATE_DIR/boot-count" 2>/dev/null || echo 0) + 1 ))
echo "$BOOT" > "$STATE_DIR/boot-count"
echo "[$NAME] boot $BOOT"

if [ -n "$AGENT_EAT_MB" ]; then
  echo "[$NAME] allocating ${AGENT_EAT_MB} MB"
  hog=$(head -c $((AGENT_EAT_MB * 1048576)) /dev/zero | tr '\0' x)
  echo "[$NAME] holding ${#hog} bytes"
fi
if [ "$AGENT_BURN_CPU" = "1" ]; then
  echo "[$NAME] burning one CPU"
  ( trap - TERM INT; while :; do :; done ) &
  burner=$!
fi
if [ -n "$AGENT_BOOT_LINES" ]; then
  printf '%b\n' "$AGENT_BOOT_LINES"
fi
if [ -n "$AGENT_BURST_LINES" ]; then
  pad=""
  [ -n "$AGENT_LINE_BYTES" ] && pad=$(printf "%${AGENT_LINE_BYTES}s" "" | tr ' ' '.')
  n=0
  while [ "$n" -lt "$AGENT_BURST_LINES" ]; do
    n=$((n + 1))
    line="[$NAME] burst $n "
    fill=$(( ${AGENT_LINE_BYTES:-0} - ${#line} ))
    [ "$fill" -gt 0 ] && line="$line${pad:0:$fill}"
    echo "$line"
  done
fi

# (busybox wget here crashes on -T, so no client-side timeouts: the server bounds every wait.)
# JSON string escaping for the few characters our tests use.
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

api_get() {
  wget -q -O - --header "Authorization: Bearer $HIVE_AGENT_TOKEN" "$HIVE_API_URL$1"
}

ask_operator() {
  options=""
  if [ -n "$AGENT_ASK_OPTIONS" ]; then
    options=",\"options\":[\"$(json_escape "$AGENT_ASK_OPTIONS" | sed 's/|/","/g')\"]"
  fi
  multi=""
  [ -n "$AGENT_ASK_MULTI" ] && multi=',"multi":true'
  ttl=""
  [ -n "$AGENT_ASK_TTL" ] && ttl=",\"ttl_seconds\":$AGENT_ASK_TTL"
  body="{\"question\":\"$(json_escape "$AGENT_ASK")\"$options$multi$ttl,\"idempotency_key\":\"$NAME-boot-$BOOT\"}"
  response=$(wget -q -O - --header "Content-Type: application/json" --header "Authorization: Bearer $HIVE_AGENT_TOKEN" \
    --post-data "$body" "$HIVE_API_URL/api/agent/questions")
  qid=$(printf '%s' "$response" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  if [ -z "$qid" ]; then
    echo "[$NAME] could not ask the operator: $response" >&2
    return
  fi
  echo "[$NAME] asked question $qid"
  while true; do
    state=$(api_get "/api/agent/questions/$qid?wait_seconds=25") || { sleep 1; continue; }
    status=$(printf '%s' "$state" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p')
    if [ -n "$status" ] && [ "$status" != "pending" ]; then
      echo "[$NAME] answer: $(printf '%s' "$state" | sed -n 's/.*"answer":"\([^"]*\)".*/\1/p')"
      return
    fi
  done
}

[ -n "$AGENT_ASK" ] && ask_operator &

# MCP over Streamable HTTP with busybox wget: one JSON-RPC message per POST, answered with JSON.
mcp_post() {
  wget -q -O - --header "Content-Type: application/json" --header "Accept: application/json, text/event-stream" \
    --header "Authorization: Bearer $HIVE_AGENT_TOKEN" --header "MCP-Protocol-Version: 2025-06-18" \
    --post-data "$1" "$HIVE_MCP_URL"
}

mcp_ask() {
  init=$(mcp_post '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"hive-test-agent","version":"1"}}}') ||
    { echo "[$NAME] mcp initialize refused" >&2; return; }
  echo "[$NAME] mcp server: $(printf '%s' "$init" | sed -n 's/.*"serverInfo":{"name":"\([^"]*\)".*/\1/p')"
  mcp_post '{"jsonrpc":"2.0","method":"notifications/initialized"}' > /dev/null
  call="{\"name\":\"ask_operator\",\"arguments\":{\"question\":\"$(json_escape "$AGENT_MCP_ASK")\"}}"
  id=2
  while true; do
    result=$(mcp_post "{\"jsonrpc\":\"2.0\",\"id\":$id,\"method\":\"tools/call\",\"params\":$call}") || { sleep 1; continue; }
    # structuredContent is {"question_id":…,"status":…,"answer":…}, in that order.
    outcome=$(printf '%s' "$result" | sed -n 's/.*"structuredContent":{"question_id":"\([^"]*\)","status":"\([a-z]*\)","answer":"\{0,1\}\([^"]*\)"\{0,1\},.*/\1 \2 \3/p')
    qid=${outcome%% *}; rest=${outcome#* }; status=${rest%% *}; answer=${rest#* }
    if [ -z "$status" ]; then
      echo "[$NAME] mcp tool call failed: $result" >&2
      return
    fi
    if [ "$status" != "pending" ]; then
      echo "[$NAME] mcp answer: $answer"
      return
    fi
    echo "[$NAME] mcp question $qid pending"
    call="{\"name\":\"wait_for_answer\",\"arguments\":{\"question_id\":\"$qid\"}}"
    id=$((id + 1))
  done
}

[ -n "$AGENT_MCP_ASK" ] && [ -n "$HIVE_MCP_URL" ] && mcp_ask &

# A manager agent's request for a new agent or a config change: the JSON body in $AGENT_REQUEST_APPROVAL.
request_approval() {
  if response=$(wget -q -O - --header "Content-Type: application/json" --header "Authorization: Bearer $HIVE_AGENT_TOKEN" \
    --post-data "$AGENT_REQUEST_APPROVAL" "$HIVE_API_URL/api/agent/approvals" 2>&1); then
    echo "[$NAME] approval requested: $(printf '%s' "$response" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')"
  else
    echo "[$NAME] approval request refused: $response" >&2
  fi
}

[ -n "$AGENT_REQUEST_APPROVAL" ] && request_approval &

# Epoch milliseconds from the kernel clock (busybox date has no %N).
now_ms() {
  adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%d%03d", s, u / 1000 }'
}

if [ "$AGENT_QUIET" = "1" ]; then
  echo "[$NAME] quiet"
  while true; do
    sleep 86400 &
    child=$!
    wait "$child"
    child=""
  done
fi

i=0
while true; do
  i=$((i + 1))
  if [ "$AGENT_CLOCK" = "1" ]; then
    echo "[$NAME] line $i t=$(now_ms)"
  else
    echo "[$NAME] line $i"
  fi
  [ "$AGENT_STDERR" = "1" ] && echo "[$NAME] warn $i" >&2
  if [ -n "$AGENT_EXIT_AFTER_S" ] && [ "$i" -ge "$AGENT_EXIT_AFTER_S" ]; then
    echo "[$NAME] exiting with code ${AGENT_EXIT_CODE:-1} after ${AGENT_EXIT_AFTER_S}s" >&2
    exit "${AGENT_EXIT_CODE:-1}"
  fi
  sleep "${AGENT_TICK_S:-1}" &
  child=$!
  wait "$child"
  child=""
done
