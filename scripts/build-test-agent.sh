#!/usr/bin/env bash
# Builds the hive-test-agent:latest image with no registry: Debian's static busybox plus test-agent/agent.sh,
# imported as a rootfs through the Docker Engine API (no docker CLI, no base image).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/build-test-agent.mjs "$@"
