# Multi-stage build: compile with the Swift toolchain, run on a slim Debian with only the runtime libraries.
FROM swift:6.2-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libsodium-dev libpq-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product gateway --static-swift-stdlib \
    && mkdir /out && cp "$(swift build -c release --show-bin-path)/gateway" /out/ \
    && cp -R "$(swift build -c release --show-bin-path)"/*.resources /out/

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libsodium23 libpq5 ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin gateway
WORKDIR /app
COPY --from=build /out/ /app/
# The access policy; mount your own over /app/policies to change it (the gateway checks it at start-up).
COPY policies /app/policies
USER gateway
ENV HOST=0.0.0.0 PORT=8080 LOG_FORMAT=json POLICY_DIR=/app/policies
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["/app/gateway"]
CMD ["serve"]
