# syntax=docker/dockerfile:1
# Build: a static binary (modernc SQLite is pure Go, so no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/bot ./cmd/bot \
 && mkdir -p /out/data

# Run: distroless static, non-root, the database on the /data volume.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bot /bot
# The volume's mount point must belong to the non-root user, or SQLite cannot create its files.
COPY --from=build --chown=65532:65532 /out/data /data
ENV DATABASE_URL=/data/reflect.db
VOLUME /data
USER 65532:65532
# /healthz, /readyz and /metrics (HTTP_ADDR; empty turns them off, and the check then passes).
EXPOSE 8080
# The image has no curl: the binary asks its own /healthz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["/bot", "healthcheck"]
ENTRYPOINT ["/bot"]
CMD ["run"]
