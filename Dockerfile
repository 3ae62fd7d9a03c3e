# One image for the API and the portal; docker-compose.yml picks the command.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY migrations/package.json migrations/
COPY api/package.json api/
COPY portal/package.json portal/
COPY e2e/package.json e2e/
COPY sdk/package.json sdk/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b && npm run build --workspace portal && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
USER node
EXPOSE 3000 4321
CMD ["node", "api/dist/main.js"]
