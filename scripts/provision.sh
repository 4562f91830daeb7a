#!/usr/bin/env bash
# Installs (Debian apt) and starts what the test suites need when it is missing: a Docker engine, the static
# busybox for the test agent image, Chromium for Playwright, PostgreSQL 15 binaries for the database suite.
# Idempotent: on a machine that has everything it only checks.
set -euo pipefail

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)

if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "provision: missing ${missing[*]}; install them (apt-get install -y ${missing[*]}) or run as root" >&2
    exit 1
  fi
  echo "provision: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

engine_answers() {
  node -e '
    const http = require("node:http");
    const socketPath = (process.env.DOCKER_HOST || "unix:///var/run/docker.sock").replace(/^unix:\/\//, "");
    const req = http.get({ socketPath, path: "/_ping", timeout: 2000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on("error", () => process.exit(1));
    req.on("timeout", () => { req.destroy(); process.exit(1); });
  '
}

if ! engine_answers; then
  if [ "$(id -u)" != 0 ]; then
    echo "provision: the Docker engine is not answering; start dockerd (as root)" >&2
    exit 1
  fi
  echo "provision: starting dockerd"
  nohup dockerd >/var/log/hive-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do
    engine_answers && break
    sleep 0.5
  done
  engine_answers || { echo "provision: dockerd did not come up; see /var/log/hive-dockerd.log" >&2; tail -20 /var/log/hive-dockerd.log >&2; exit 1; }
fi
echo "provision: docker engine, busybox-static, chromium and postgresql-15 are ready"
