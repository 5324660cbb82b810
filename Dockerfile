# One image for every service; docker-compose picks the service with `command`.
# Build stage: install all workspaces, compile TypeScript, drop dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages packages
COPY services services
COPY test/package.json test/tsconfig.json test/
RUN npm ci --no-audit --no-fund
RUN npx tsc -b packages/contracts packages/platform packages/stimulus packages/storage packages/alerts packages/device-client packages/tenancy \
      services/ingest services/stimulus services/alerts services/api services/pipeline services/device-sim \
 && npm prune --omit=dev --no-audit --no-fund \
 && find packages services -name '*.test.*' -delete

FROM node:24-bookworm-slim
ENV NODE_ENV=production
# Old-generation heap cap (decision 0016): V8 would size it from the host's memory and collect late; capped,
# each service peaks at 135–165 MB RSS under the benchmarks' load. Override with NODE_OPTIONS.
ENV NODE_OPTIONS=--max-old-space-size=176
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules node_modules
COPY --from=build --chown=node:node /app/packages packages
COPY --from=build --chown=node:node /app/services services
USER node
# `node` directly (not npm): SIGTERM reaches the service, which drains and exits 0.
CMD ["node", "services/pipeline/dist/main.js"]
