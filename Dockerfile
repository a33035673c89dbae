# syntax=docker/dockerfile:1
# Build: docker build -t design-review .
# Run:   docker run -p 3000:3000 --env-file .env -v design-review-data:/data design-review

FROM rust:1-bookworm AS build
WORKDIR /src
# Dependencies first, so source edits do not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src benches migrations/sqlite migrations/postgres \
    && echo 'fn main() {}' > src/main.rs && echo '' > src/lib.rs \
    && echo 'fn main() {}' > benches/checker.rs && echo 'fn main() {}' > benches/intake.rs \
    && cargo build --profile dist --locked --bin design-review \
    && rm -rf src benches migrations
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --profile dist --locked --bin design-review
RUN mkdir -p /data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/dist/design-review /usr/local/bin/design-review
# /data holds the SQLite database and, after first-run registration in the container, `.env`
# and the App's private key; it is the working directory, where setup mode writes them and
# where `.env` is read at the next start. Owned by the runtime user (uid/gid 65532), so a named
# volume created from it is writable; a bind-mounted host directory must be too
# (`chown 65532:65532 DIR`). app.yml is built into the binary; a /data/app.yml overrides it.
COPY --from=build --chown=65532:65532 /data /data
WORKDIR /data
VOLUME ["/data"]
# SQLite is the default store (or set DATABASE_URL=postgres://...).
ENV DATABASE_URL=sqlite:///data/design-review.db \
    LISTEN_ADDR=0.0.0.0:3000 \
    LOG_FORMAT=json
EXPOSE 3000
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/design-review", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/design-review"]
CMD ["serve"]
