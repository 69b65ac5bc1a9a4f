# syntax=docker/dockerfile:1
#
# Chime: one image for every role (api, worker, scheduler, sender).
#   docker build -t chime .
#   docker run --rm chime migrate
#   docker run --rm -p 8080:8080 chime serve --roles api --no-migrate

# ---------------------------------------------------------------------------
# Build stage
# ---------------------------------------------------------------------------
FROM rust:1-bookworm AS builder

# diesel's postgres backend links against libpq.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependency layer: build every dependency against stub sources, so that this
# layer is reused until Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src/bin \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > src/bin/chime-bench.rs \
    && : > src/lib.rs \
    && cargo build --release --locked --bin chime \
    && rm -rf src

# The real sources. Migrations are embedded into the binary at compile time.
COPY migrations ./migrations
COPY src ./src
# COPY keeps the files' original modification times, which can be older than
# the stub build above; touch the crate roots so cargo rebuilds the crate.
RUN touch src/lib.rs src/main.rs \
    && cargo build --release --locked --bin chime \
    && install -m 0755 target/release/chime /usr/local/bin/chime

# ---------------------------------------------------------------------------
# Runtime stage
# ---------------------------------------------------------------------------
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric UID/GID so Kubernetes can verify runAsNonRoot.
RUN groupadd --system --gid 10001 chime \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin chime

COPY --from=builder /usr/local/bin/chime /usr/local/bin/chime

USER 10001:10001

ENV CHIME_LISTEN_ADDR=0.0.0.0:8080 \
    CHIME_LOG_FORMAT=json

EXPOSE 8080

# chime handles SIGTERM itself: it stops taking work and drains in-flight
# sends for up to 30 s, so give it at least 40 s before a SIGKILL
# (docker stop -t 40, stop_grace_period in compose,
# terminationGracePeriodSeconds in Kubernetes).
STOPSIGNAL SIGTERM

# No HEALTHCHECK here: only the api role listens on HTTP, and the same image
# runs the worker, scheduler and sender roles too. docker-compose.yml adds a
# health check to the api service only.

ENTRYPOINT ["chime"]
CMD ["serve"]
