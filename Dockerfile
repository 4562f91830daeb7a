# Hive Dashboard container image. `npm run image:build` builds it through the Docker Engine API (see the README's
# Deploy section); any builder works. BASE is a Debian-based Node 22 image: the official one by default;
# `npm run image:base` makes an equivalent from Debian's packages and the npm registry where no registry is reachable.
ARG BASE=node:22-bookworm-slim

FROM ${BASE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
# The CA certificate(s) of a TLS-intercepting proxy on the build's network, if any (PEM text), for npm only:
# this stage is thrown away, so they never reach the image.
ARG EXTRA_CA_CERTS=""
# package-lock.json is npm 11's: npm 10 (Node 22's own) refuses it.
ARG NPM_VERSION=11.19.1
COPY package.json package-lock.json ./
RUN if [ -n "$EXTRA_CA_CERTS" ]; then printf '%s\n' "$EXTRA_CA_CERTS" > /tmp/extra-ca.pem; export NODE_EXTRA_CA_CERTS=/tmp/extra-ca.pem; fi; \
    npm install --global --no-audit --no-fund --loglevel=error "npm@$NPM_VERSION" && \
    npm ci --no-audit --no-fund --loglevel=error
COPY . .
RUN npm run build && node scripts/assemble-runtime.mjs /app

FROM ${BASE}
# pg_dump, pg_restore and psql for backups of an external PostgreSQL: the distribution's client binaries and the
# libraries they link, without the Perl wrappers (and Perl) that the full client package brings along.
RUN set -eu; \
    if ! command -v pg_dump >/dev/null; then \
      apt-get update -qq; \
      client=$(apt-cache depends postgresql-client | sed -n 's/.*Depends: \(postgresql-client-[0-9]*\)$/\1/p' | head -1); \
      libs=$(apt-cache depends "$client" | sed -n 's/.*Depends: \(lib[^ <>]*\)$/\1/p' | sort -u); \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $libs >/dev/null; \
      cd /tmp; apt-get download -qq "$client"; dpkg-deb -x "$client"_*.deb pg; \
      cp pg/usr/lib/postgresql/*/bin/pg_dump pg/usr/lib/postgresql/*/bin/pg_restore pg/usr/lib/postgresql/*/bin/psql /usr/local/bin/; \
      rm -rf /tmp/pg /tmp/*.deb /var/lib/apt/lists/* /var/cache/apt/*.bin; \
    fi; \
    pg_dump --version; \
    groupadd --gid 10001 hive; \
    useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin hive; \
    mkdir -p /data /backups; chown 10001:10001 /data /backups
WORKDIR /app
COPY --from=build /app /app
# Writable at run time: /data (the embedded database), /backups and /tmp; everything else may be read-only.
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HIVE_HOST=0.0.0.0 HIVE_DATA_DIR=/data HIVE_BACKUP_DIR=/backups \
    NPM_CONFIG_CACHE=/tmp/.npm NPM_CONFIG_UPDATE_NOTIFIER=false
USER 10001:10001
VOLUME ["/data", "/backups"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 CMD ["node", "host/healthcheck.mjs"]
STOPSIGNAL SIGTERM
CMD ["node", "server.mjs"]
