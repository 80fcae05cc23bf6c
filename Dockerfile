# syntax=docker/dockerfile:1
#
# The xyte-mcp image: one static binary on an empty base, for every
# subcommand (serve by default; stdio, worker, migrate, sim, version).
#
#   docker build -t xyte-mcp \
#     --build-arg VERSION=v1.2.3 --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#   docker run --rm --read-only -p 127.0.0.1:8080:8080 xyte-mcp serve --demo --listen 0.0.0.0:8080
#
# Dockerfile.release has the same final stage around a binary built outside
# (`.ci/image` builds that one); `.ci/image` checks the two final stages agree.

ARG GO_VERSION=1.26.8

# The build runs on the builder's platform and cross-compiles for the target,
# so multi-platform builds need no emulation.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG COMMIT=unknown
ARG DATE=unknown
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY cmd ./cmd
COPY internal ./internal
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/xyte-mcp ./cmd/xyte-mcp
# The final stage has no shell: collect here what it copies.
RUN mkdir -p /out/rootfs/tmp /out/rootfs/data \
 && chmod 0770 /out/rootfs/tmp /out/rootfs/data \
 && cp /etc/ssl/certs/ca-certificates.crt /out/ca-certificates.crt

# Final stage: identical in Dockerfile.release.
FROM scratch
ARG VERSION=dev
ARG COMMIT=unknown
LABEL org.opencontainers.image.title="xyte-mcp" \
      org.opencontainers.image.description="MCP server for the Xyte device-fleet API" \
      org.opencontainers.image.source="https://github.com/xyte-mcp/xyte-mcp" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# /tmp and /data (mode 0770): writable by the image user and by any uid in
# group 0, the only places the server writes.
COPY --from=build --chown=65532:0 /out/rootfs/ /
COPY --from=build /out/xyte-mcp /xyte-mcp
# Listen on every address of the container, --demo included (it would keep to
# loopback otherwise); the server writes only to /data and /tmp.
ENV XYTE_LISTEN=0.0.0.0:8080 \
    XYTE_DATA_DIR=/data \
    TMPDIR=/tmp
USER 65532:65532
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["/xyte-mcp"]
CMD ["serve"]
