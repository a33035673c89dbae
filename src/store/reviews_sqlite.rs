//! [`ReviewStore`] on SQLite (timestamps as microseconds, JSON as text), from the
//! implementation shared with PostgreSQL (`reviews_rows::review_store`).

use super::reviews_rows::review_store;

review_store! {
    store: SqliteStore,
    db: sqlx::Sqlite,
    conn: sqlx::SqliteConnection,
    time: i64,
    writer: writer,
    reader: reader,
    empty_json: "'[]'",
}
