# syntax=docker/dockerfile:1

# Build: every dependency, then TypeScript (src/ and web/) compiled to dist/.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
# The build compiles TypeScript and copies web/static (CSS, script, icon) next to it.
RUN npm run build

# Runtime: production dependencies and the compiled JavaScript only, as an unprivileged user.
FROM node:22-slim
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    MODE=gcp \
    PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts are needed at run time (the `node` dev dependency is not installed).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# node itself is PID 1 (no npm, no shell), so Cloud Run's SIGTERM reaches the app's drain.
CMD ["node", "dist/src/main.js"]
