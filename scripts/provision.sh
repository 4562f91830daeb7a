#!/usr/bin/env bash
# Installs (Debian apt) and starts what the test suites need when it is missing: a Docker engine, the static
# busybox for the test agent image, Chromium for Playwright, PostgreSQL 15 binaries for the database suite, iproute2
# for the Swarm tests' own two-node cluster; for the deployment suites nginx (the ingress), debootstrap (the image's
# base), docker-compose (validates the Compose file) and kubectl (renders the Kubernetes manifests; Debian's
# kubernetes-client when no kubectl is installed).
# Idempotent: on a machine that has everything it only checks.
set -euo pipefail

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
# The Swarm tests make a two-node cluster of their own: network namespaces and a veth pair (ip), dockerds in them (nsenter, unshare).
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
{ command -v nsenter && command -v unshare; } >/dev/null 2>&1 || missing+=(util-linux)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)

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
echo "provision: docker engine, busybox-static, chromium, postgresql-15, iproute2, nginx, debootstrap, docker-compose and kubectl are ready"
