# The app, run from its TypeScript sources with tsx, as `npm start` runs it.
#
#   docker build -t xiangmu-pipeline .
#   docker run -p 3000:3000 -v pipeline-data:/data xiangmu-pipeline            # embedded store
#   docker compose up                                                          # on KurrentDB

# Dependencies, with what better-sqlite3 needs to compile when no prebuilt binary fits.
FROM node:20-bookworm-slim AS dependencies
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json ./
# npm ci builds the dashboard (the `prepare` script: esbuild and ECharts are dependencies).
COPY dashboard ./dashboard
# tsx (the runtime) is a dependency; the compiler, tap and the other dev tools are not needed.
RUN npm ci --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY . .
COPY --from=dependencies /app/dashboard/dist ./dashboard/dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# node itself is the container's process (exec form, no npm or shell in between): `docker stop`'s
# SIGTERM reaches it and src/main.ts shuts down gracefully. Under `npm start`, npm took the
# signal, exited, and left node orphaned, still acknowledging commands. The same command as
# package.json's `start` (test/deploy/sigterm.test.ts checks that they agree).
CMD ["node", "--import", "tsx", "src/main.ts"]
