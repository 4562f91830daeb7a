#!/bin/sh
# Hive test agent: a tiny agent for tests and demos, run by the static busybox in a FROM-scratch image.
#   - counts its boots in $HIVE_STATE_DIR/boot-count (the state volume), so kept state can be checked;
#   - prints a numbered line every second;
#   - exits 0 on SIGTERM (after $AGENT_STOP_DELAY_S seconds of "finishing work" when set),
#     or with $AGENT_EXIT_CODE after $AGENT_EXIT_AFTER_S seconds.
STATE_DIR="${HIVE_STATE_DIR:-/state}"
NAME="${HIVE_AGENT_NAME:-agent}"
# As PID 1 the shell ignores SIGTERM until a handler exists: install it before anything else.
child=""
on_term() {
  [ -n "$child" ] && kill "$child" 2>/dev/null
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

i=0
while true; do
  i=$((i + 1))
  echo "[$NAME] line $i"
  if [ -n "$AGENT_EXIT_AFTER_S" ] && [ "$i" -ge "$AGENT_EXIT_AFTER_S" ]; then
    echo "[$NAME] exiting with code ${AGENT_EXIT_CODE:-1} after ${AGENT_EXIT_AFTER_S}s" >&2
    exit "${AGENT_EXIT_CODE:-1}"
  fi
  sleep 1 &
  child=$!
  wait "$child"
  child=""
done
