# Stand-in for node:24-bookworm-slim, built by `pnpm test:docker` only when that image can be neither
# found locally nor pulled. Context (prepared by scripts/docker-standins.ts): node/ = this machine's
# Node 24 (bin/node: the running node when it is 24, else scripts/node/ensure-node.sh's from the npm
# registry) and its global npm and corepack (lib/node_modules/), ca-certificates.crt = its CA bundle.
FROM debian:bookworm-slim
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY node/ /usr/local/
RUN set -eu; \
    ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm; \
    ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx; \
    if [ -d /usr/local/lib/node_modules/corepack ]; then \
      ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack; \
    fi; \
    groupadd --gid 1000 node; \
    useradd --uid 1000 --gid node --shell /bin/bash --create-home node; \
    mkdir -p /usr/local/etc; \
    echo "cafile=/etc/ssl/certs/ca-certificates.crt" > /usr/local/etc/npmrc; \
    node --version; npm --version
# Trusts the machine's CA bundle (e.g. a TLS-intercepting egress proxy) like the host does.
ENV NODE_VERSION=standin \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
