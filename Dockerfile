# Multi-stage build of the techmatch binary.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin techmatch

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 techmatch
COPY --from=build /src/target/release/techmatch /usr/local/bin/techmatch
COPY data /app/data
WORKDIR /app
USER techmatch
ENV TECHMATCH_BIND=0.0.0.0:8080 TECHMATCH_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["techmatch", "serve"]
