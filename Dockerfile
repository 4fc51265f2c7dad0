# The sweep worker (`stargate worker`): built from the package, run next to a Redis (docs/cluster.md).
# Build stage: the locked dependencies (better-sqlite3 compiles from source: no prebuilt binary is
# fetched), then the build (npm ci runs `prepare`), then the dev dependencies dropped.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/validation ./validation
COPY --from=build /app/examples ./examples
USER node
# Stateless: every chunk carries its scenario and catalog. SIGTERM finishes the chunks in hand and stops.
ENTRYPOINT ["node", "bin/stargate.js", "worker"]
CMD ["--queue", "redis://redis:6379", "--concurrency", "2"]
