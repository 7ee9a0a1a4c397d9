//! The SQLite repository: documents by kind and id (JSON bodies), metadata, audit events,
//! evidence and the webhook delivery queue.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A storage failure (SQLite or a stored body that no longer decodes).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON body could not be (de)serialized.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// One queued webhook delivery.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) id: i64,
    pub(crate) url: String,
    pub(crate) event: String,
    pub(crate) attempts: u32,
    pub(crate) next_ms: u64,
}

/// The repository. One connection behind a mutex: the sandbox's load is a developer's.
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind, id));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, credential_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS evidence (id TEXT PRIMARY KEY, content TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, event TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL,
    delivered_ms INTEGER, last_error TEXT);
";

impl Store {
    /// Opens (and creates) the database at `path`, or an in-memory one.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, StoreError> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .or_else(|_| conn.execute_batch("PRAGMA synchronous = NORMAL;"))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn get<T: DeserializeOwned>(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<Option<T>, StoreError> {
        let body: Option<String> = self
            .conn()
            .query_row(
                "SELECT body FROM docs WHERE kind = ?1 AND id = ?2",
                params![kind, id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match body {
            Some(b) => Some(serde_json::from_str(&b)?),
            None => None,
        })
    }

    /// Inserts or replaces; a replaced document keeps its position in listings.
    pub(crate) fn put<T: Serialize>(
        &self,
        kind: &str,
        id: &str,
        doc: &T,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(doc)?;
        self.conn().execute(
            "INSERT INTO docs (kind, id, seq, body) VALUES (?1, ?2,
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM docs), ?3)
             ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
            params![kind, id, body],
        )?;
        Ok(())
    }

    /// Every document of `kind`, oldest first.
    pub(crate) fn list<T: DeserializeOwned>(&self, kind: &str) -> Result<Vec<T>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT body FROM docs WHERE kind = ?1 ORDER BY seq")?;
        let rows = stmt.query_map(params![kind], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Increments the integer counter `key` and returns its new value (first call: 1).
    pub(crate) fn next_counter(&self, key: &str) -> Result<u64, StoreError> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, '1')
             ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            params![key],
        )?;
        let v: String =
            conn.query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })?;
        Ok(v.parse().unwrap_or(1))
    }

    pub(crate) fn push_event(&self, credential_id: &str, body: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO events (credential_id, body) VALUES (?1, ?2)",
            params![credential_id, body],
        )?;
        Ok(())
    }

    pub(crate) fn events(&self, credential_id: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT body FROM events WHERE credential_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map(params![credential_id], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(crate) fn all_events(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT body FROM events ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(crate) fn put_evidence(&self, id: &str, content: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT OR REPLACE INTO evidence (id, content) VALUES (?1, ?2)",
            params![id, content],
        )?;
        Ok(())
    }

    pub(crate) fn evidence(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT content FROM evidence WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub(crate) fn enqueue(&self, url: &str, event: &str, now_ms: u64) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO deliveries (url, event, next_ms) VALUES (?1, ?2, ?3)",
            params![url, event, now_ms as i64],
        )?;
        Ok(())
    }

    /// Undelivered deliveries whose next attempt is due.
    pub(crate) fn due(&self, now_ms: u64) -> Result<Vec<Delivery>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, url, event, attempts, next_ms FROM deliveries
             WHERE delivered_ms IS NULL AND next_ms <= ?1 ORDER BY id LIMIT 256",
        )?;
        let rows = stmt.query_map(params![now_ms.min(i64::MAX as u64) as i64], |r| {
            Ok(Delivery {
                id: r.get(0)?,
                url: r.get(1)?,
                event: r.get(2)?,
                attempts: r.get(3)?,
                next_ms: r.get::<_, i64>(4)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(crate) fn delivered(&self, id: i64, now_ms: u64) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE deliveries SET delivered_ms = ?2, attempts = attempts + 1, last_error = NULL
             WHERE id = ?1",
            params![id, now_ms as i64],
        )?;
        Ok(())
    }

    pub(crate) fn failed(&self, id: i64, next_ms: u64, error: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE deliveries SET next_ms = ?2, attempts = attempts + 1, last_error = ?3
             WHERE id = ?1",
            params![id, next_ms as i64, error],
        )?;
        Ok(())
    }

    /// `(id, url, eventType, attempts, delivered_ms, last_error)` of every delivery.
    #[allow(clippy::type_complexity)]
    pub(crate) fn deliveries(
        &self,
    ) -> Result<Vec<(i64, String, String, u32, Option<i64>, Option<String>)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, url, event, attempts, delivered_ms, last_error FROM deliveries ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
