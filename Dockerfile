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
    && cargo build --release --locked --bin design-review \
    && rm -rf src benches migrations
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin design-review
RUN mkdir -p /data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/design-review /usr/local/bin/design-review
COPY --from=build /src/app.yml /app/app.yml
COPY --from=build --chown=65532:65532 /data /data
WORKDIR /app
# SQLite is the default store; mount a volume here (or set DATABASE_URL=postgres://...).
VOLUME ["/data"]
ENV DATABASE_URL=sqlite:///data/design-review.db \
    LISTEN_ADDR=0.0.0.0:3000 \
    LOG_FORMAT=json
EXPOSE 3000
USER nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/design-review", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/design-review"]
CMD ["serve"]
