# syntax=docker/dockerfile:1
# meshdns container image: `docker build -t meshdns .`, then
#   docker run -d --name meshdns -p 53:53/udp -p 53:53/tcp -p 9153:9153 \
#     -v meshdns-data:/var/lib/meshdns -v "$PWD/zones:/etc/meshdns/zones:ro" meshdns
# (README.md, "Install"). Node's major version follows package.json's engines field (>= 22.19).

# --- build: TypeScript and the batched UDP addon (needs a C compiler and Node's headers) ---
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# dependencies first (a layer that survives source edits); no install scripts: the build runs below
# with the image's Node (the `node` devDependency's download is for checkouts), not in `prepare`
RUN npm ci --ignore-scripts
# the sources: everything .dockerignore leaves in (tests, benchmarks and docs stay out), so a new
# source folder needs no line here
COPY . .
RUN node_modules/.bin/tsc -p tsconfig.json \
 && node dist/server/listeners/native/build.js \
 && test -f dist/server/listeners/native/udp-batch.node \
 && chmod +x dist/server/cli.js

# --- runtime: production dependencies only, no compiler, not root ---
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/meshdns
COPY package.json package-lock.json ./
# `prepare` (the TypeScript build) is for a checkout; lmdb's native parts are installed explicitly
RUN npm ci --omit=dev --ignore-scripts \
 && npm rebuild lmdb msgpackr-extract \
 && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY LICENSE README.md ./
COPY deploy/docker/meshdns.yaml /etc/meshdns/meshdns.yaml
RUN useradd --system --uid 10053 --user-group --home-dir /var/lib/meshdns --shell /usr/sbin/nologin meshdns \
 && mkdir -p /var/lib/meshdns /etc/meshdns/zones \
 && chown meshdns:meshdns /var/lib/meshdns \
 && ln -s /opt/meshdns/dist/server/cli.js /usr/local/bin/meshdns
# zones, keys and the admin token live here; keep it across upgrades
VOLUME ["/var/lib/meshdns"]
# DNS over UDP and TCP; 8053: the admin API (inside the container unless the config publishes it,
# with a token); 9153: /metrics, /healthz, /readyz. Docker (20.10+) lets a non-root process bind
# port 53 (net.ipv4.ip_unprivileged_port_start=0); on Kubernetes set that sysctl in the pod.
EXPOSE 53/udp 53/tcp 8053 9153
USER meshdns
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8053/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/opt/meshdns/dist/server/cli.js"]
CMD ["serve", "--config", "/etc/meshdns/meshdns.yaml"]
