//! A fresh PostgreSQL database for one test, made on the server `TEST_DATABASE_URL` names and
//! dropped afterwards, so tests never share state or depend on what an earlier run left.

#![allow(dead_code)]

use sqlx::Connection;

/// A database created for one test.
pub struct ScratchDatabase {
    admin: sqlx::PgConnection,
    name: String,
    /// The new database's URL (the admin URL with the database name replaced).
    pub url: String,
}

impl ScratchDatabase {
    /// Creates `{prefix}_{random}` on the server of `TEST_DATABASE_URL`; `None` when the
    /// variable is unset or empty (the caller says the PostgreSQL part was skipped).
    pub async fn create(prefix: &str) -> Option<Self> {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())?;
        let name = format!("{prefix}_{:016x}", rand::random::<u64>());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .expect("admin connection to TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Some(Self {
            admin,
            name,
            url: url.to_string(),
        })
    }

    /// Drops the database, closing whatever connections are still open to it.
    pub async fn drop_database(mut self) {
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut self.admin)
        .await
        .expect("drop test database");
    }

    /// Drops the database from a thread of its own, with a connection of its own: for a `Drop`
    /// impl, which cannot await and may run on a runtime that is itself blocked on it.
    pub fn drop_blocking(&self) {
        let admin_url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL is set");
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime for the drop")
                .block_on(async {
                    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                    sqlx::query(&statement).execute(&mut admin).await?;
                    admin.close().await
                })
        })
        .join();
        if !std::thread::panicking() {
            dropped
                .expect("the drop thread runs")
                .expect("drop test database");
        }
    }
}
