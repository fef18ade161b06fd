# Production image: one static binary with every asset embedded.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json .dsfr.yml ./
RUN DSFR_ACCEPT_LICENSE=1 npm ci --no-audit --no-fund --omit=dev

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/node_modules ./node_modules
RUN touch node_modules/.package-lock.json && make assets \
 && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(git describe --always 2>/dev/null || echo image)" -o /concertation ./app

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 concertation
COPY --from=build /concertation /usr/local/bin/concertation
USER concertation
ENV ADDR=0.0.0.0:8080
EXPOSE 8080
# /healthz fails once the database has been unreachable for HEALTHZ_DATABASE_GRACE
# (bash, not sh: /dev/tcp is a bash feature).
HEALTHCHECK --interval=30s --timeout=5s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["concertation"]
CMD ["serve"]
