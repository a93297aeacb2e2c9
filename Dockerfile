# syntax=docker/dockerfile:1
# One image for the five sample services; the service is the script given to node:
#   docker build -t catga-sample .
#   docker run catga-sample apps/order-service/dist/main.js
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npm run build

# Production dependencies of the services only: no compiler, test tools or benchmarks.
FROM build AS production
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
      -w @catga/order-api -w @catga/order-service -w @catga/payment-service \
      -w @catga/inventory-service -w @catga/notification-service \
 && find apps libs -name '*.tsbuildinfo' -delete \
 && find apps libs -path '*/dist/*' -name '*.spec.*' -delete

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production /app/package.json ./package.json
COPY --from=production /app/node_modules ./node_modules
COPY --from=production /app/libs ./libs
COPY --from=production /app/apps ./apps
USER node
EXPOSE 3000
# Readiness, as compose's depends_on reads it; Kubernetes uses its own probes instead.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and receives SIGTERM itself, so the service drains before it exits.
ENTRYPOINT ["node"]
CMD ["apps/order-api/dist/main.js"]
