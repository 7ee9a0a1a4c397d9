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
pub enum SandboxStoreError {
    /// SQLite refused an operation.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON body could not be (de)serialized.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// One queued webhook delivery, as the worker needs it.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) id: i64,
    pub(crate) url: String,
    pub(crate) event: String,
    pub(crate) attempts: u32,
    pub(crate) next_ms: u64,
}

/// A delivery as the admin API and the dashboard show it.
#[derive(Debug, Clone)]
pub(crate) struct DeliveryRow {
    pub(crate) id: i64,
    pub(crate) url: String,
    pub(crate) event: String,
    pub(crate) attempts: u32,
    pub(crate) next_ms: u64,
    pub(crate) created_ms: Option<u64>,
    pub(crate) delivered_ms: Option<u64>,
    pub(crate) dead_ms: Option<u64>,
    pub(crate) last_error: Option<String>,
}

/// One delivery attempt: when, the HTTP status or the transport error, how long it took.
#[derive(Debug, Clone)]
pub(crate) struct AttemptRow {
    pub(crate) at_ms: u64,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<String>,
    pub(crate) latency_ms: u64,
}

/// What an attempt leads to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AttemptOutcome {
    /// 2xx: done.
    Delivered,
    /// Failed; the next attempt is due at this time.
    Retry(u64),
    /// Failed for the last allowed time: dead-lettered.
    Dead,
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
CREATE TABLE IF NOT EXISTS attempts (
    delivery_id INTEGER NOT NULL, at_ms INTEGER NOT NULL, status INTEGER, error TEXT,
    latency_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_delivery ON attempts (delivery_id);
";

/// Columns added after the first release, for databases created before them.
const ADDED_COLUMNS: [(&str, &str); 2] = [("dead_ms", "INTEGER"), ("created_ms", "INTEGER")];

impl Store {
    /// Opens (and creates) the database at `path`, or an in-memory one.
    pub(crate) fn open(path: Option<&Path>) -> Result<Self, SandboxStoreError> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .or_else(|_| conn.execute_batch("PRAGMA synchronous = NORMAL;"))?;
        conn.execute_batch(SCHEMA)?;
        for (column, ty) in ADDED_COLUMNS {
            let present: bool = conn.query_row(
                "SELECT COUNT(*) > 0 FROM pragma_table_info('deliveries') WHERE name = ?1",
                params![column],
                |r| r.get(0),
            )?;
            if !present {
                conn.execute_batch(&format!("ALTER TABLE deliveries ADD COLUMN {column} {ty}"))?;
            }
        }
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (url, id)
             WHERE delivered_ms IS NULL AND dead_ms IS NULL",
        )?;
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
    ) -> Result<Option<T>, SandboxStoreError> {
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
    ) -> Result<(), SandboxStoreError> {
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
    pub(crate) fn list<T: DeserializeOwned>(
        &self,
        kind: &str,
    ) -> Result<Vec<T>, SandboxStoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT body FROM docs WHERE kind = ?1 ORDER BY seq")?;
        let rows = stmt.query_map(params![kind], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }

    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>, SandboxStoreError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<(), SandboxStoreError> {
        self.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Increments the integer counter `key` and returns its new value (first call: 1).
    pub(crate) fn next_counter(&self, key: &str) -> Result<u64, SandboxStoreError> {
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

    pub(crate) fn push_event(
        &self,
        credential_id: &str,
        body: &str,
    ) -> Result<(), SandboxStoreError> {
        self.conn().execute(
            "INSERT INTO events (credential_id, body) VALUES (?1, ?2)",
            params![credential_id, body],
        )?;
        Ok(())
    }

    pub(crate) fn events(&self, credential_id: &str) -> Result<Vec<String>, SandboxStoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT body FROM events WHERE credential_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map(params![credential_id], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(crate) fn all_events(&self) -> Result<Vec<String>, SandboxStoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT body FROM events ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(crate) fn put_evidence(&self, id: &str, content: &str) -> Result<(), SandboxStoreError> {
        self.conn().execute(
            "INSERT OR REPLACE INTO evidence (id, content) VALUES (?1, ?2)",
            params![id, content],
        )?;
        Ok(())
    }

    pub(crate) fn evidence(&self, id: &str) -> Result<Option<String>, SandboxStoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT content FROM evidence WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub(crate) fn enqueue(
        &self,
        url: &str,
        event: &str,
        now_ms: u64,
    ) -> Result<(), SandboxStoreError> {
        self.conn().execute(
            "INSERT INTO deliveries (url, event, next_ms, created_ms) VALUES (?1, ?2, ?3, ?3)",
            params![url, event, now_ms as i64],
        )?;
        Ok(())
    }

    /// The oldest pending (neither delivered nor dead-lettered) delivery of each endpoint:
    /// the only one of that endpoint that may be attempted, so events arrive in order.
    pub(crate) fn heads(&self) -> Result<Vec<Delivery>, SandboxStoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, url, event, attempts, next_ms FROM deliveries WHERE id IN
                 (SELECT MIN(id) FROM deliveries
                  WHERE delivered_ms IS NULL AND dead_ms IS NULL GROUP BY url)
             ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
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

    /// Logs an attempt and moves the delivery on (delivered, retry at, or dead-lettered).
    pub(crate) fn record_attempt(
        &self,
        id: i64,
        attempt: &AttemptRow,
        outcome: AttemptOutcome,
    ) -> Result<(), SandboxStoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO attempts (delivery_id, at_ms, status, error, latency_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                id,
                attempt.at_ms as i64,
                attempt.status,
                attempt.error,
                attempt.latency_ms as i64
            ],
        )?;
        let at = attempt.at_ms as i64;
        match outcome {
            AttemptOutcome::Delivered => tx.execute(
                "UPDATE deliveries SET delivered_ms = ?2, attempts = attempts + 1,
                 last_error = NULL WHERE id = ?1",
                params![id, at],
            )?,
            AttemptOutcome::Retry(next_ms) => tx.execute(
                // Not over a dead-letter made meanwhile (its endpoint removed).
                "UPDATE deliveries SET next_ms = ?2, attempts = attempts + 1, last_error = ?3
                 WHERE id = ?1 AND dead_ms IS NULL",
                params![id, next_ms.min(i64::MAX as u64) as i64, attempt.error],
            )?,
            AttemptOutcome::Dead => tx.execute(
                "UPDATE deliveries SET dead_ms = ?2, attempts = attempts + 1, last_error = ?3
                 WHERE id = ?1 AND dead_ms IS NULL",
                params![id, at, attempt.error],
            )?,
        };
        tx.commit()?;
        Ok(())
    }

    /// Dead-letters the pending deliveries of `url` (its endpoint was removed).
    pub(crate) fn abandon(&self, url: &str, now_ms: u64) -> Result<usize, SandboxStoreError> {
        Ok(self.conn().execute(
            "UPDATE deliveries SET dead_ms = ?2, last_error = 'endpoint removed'
             WHERE url = ?1 AND delivered_ms IS NULL AND dead_ms IS NULL",
            params![url, now_ms as i64],
        )?)
    }

    /// Queues delivery `id` again, now, with a fresh attempt budget; false when unknown.
    pub(crate) fn resend(&self, id: i64, now_ms: u64) -> Result<bool, SandboxStoreError> {
        Ok(self.conn().execute(
            "UPDATE deliveries SET delivered_ms = NULL, dead_ms = NULL, attempts = 0,
             next_ms = ?2 WHERE id = ?1",
            params![id, now_ms as i64],
        )? == 1)
    }

    /// Deliveries neither delivered nor dead-lettered.
    pub(crate) fn pending_count(&self) -> Result<usize, SandboxStoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM deliveries WHERE delivered_ms IS NULL AND dead_ms IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as usize)
    }

    /// Every delivery, newest first (at most `limit`), or the one with `id`.
    pub(crate) fn delivery_rows(
        &self,
        id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<DeliveryRow>, SandboxStoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, url, event, attempts, next_ms, created_ms, delivered_ms, dead_ms, last_error
             FROM deliveries WHERE ?1 IS NULL OR id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let ms = |v: Option<i64>| v.map(|v| v.max(0) as u64);
        let rows = stmt.query_map(params![id, limit.min(i64::MAX as usize) as i64], |r| {
            Ok(DeliveryRow {
                id: r.get(0)?,
                url: r.get(1)?,
                event: r.get(2)?,
                attempts: r.get(3)?,
                next_ms: r.get::<_, i64>(4)?.max(0) as u64,
                created_ms: ms(r.get(5)?),
                delivered_ms: ms(r.get(6)?),
                dead_ms: ms(r.get(7)?),
                last_error: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The attempts of delivery `id`, oldest first.
    pub(crate) fn attempts(&self, id: i64) -> Result<Vec<AttemptRow>, SandboxStoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT at_ms, status, error, latency_ms FROM attempts WHERE delivery_id = ?1
             ORDER BY rowid",
        )?;
        let rows = stmt.query_map(params![id], |r| {
            Ok(AttemptRow {
                at_ms: r.get::<_, i64>(0)?.max(0) as u64,
                status: r.get(1)?,
                error: r.get(2)?,
                latency_ms: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Changes whenever a document, audit event, delivery or attempt is added or a delivery
    /// changes state: what the dashboard polls.
    pub(crate) fn fingerprint(&self) -> Result<String, SandboxStoreError> {
        Ok(self.conn().query_row(
            "SELECT (SELECT COUNT(*) FROM docs) || '.' || (SELECT COUNT(*) FROM events) || '.' ||
                    (SELECT COUNT(*) FROM deliveries) || '.' || (SELECT COUNT(*) FROM attempts) || '.' ||
                    (SELECT COUNT(*) FROM deliveries WHERE delivered_ms IS NULL AND dead_ms IS NULL)",
            [],
            |r| r.get(0),
        )?)
    }
}
