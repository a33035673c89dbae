//! [`ReviewStore`] on PostgreSQL (native types), from the implementation shared with SQLite
//! (`reviews_rows::review_store`).

use super::reviews_rows::review_store;

review_store! {
    store: PgStore,
    db: sqlx::Postgres,
    conn: sqlx::PgConnection,
    time: DateTime<Utc>,
    writer: pool,
    reader: pool,
    empty_json: "'[]'::jsonb",
}
