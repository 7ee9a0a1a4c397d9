//! Each call of `humancode`'s client runs in a `humancode` span with api, status, code and
//! latency, and nothing recorded by tracing ever holds the APP_KEY. (Here beside the HumanCode
//! emulator, which depends on `humancode`, rather than in `humancode`'s tests: no cycle.)

use humanos_sandbox::humancode_emulator as emulator;

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use humancode::HumanCodeClient;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const APP_ID: &str = "a_8dcee8bb7963e46c";
const APP_KEY: &str = "tracing-app-key-that-must-never-leak";

/// Records every span name and every field, as `name.field=value` lines.
#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

struct Lines<'a>(&'a mut Vec<String>, &'a str);

impl Visit for Lines<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .push(format!("{}.{}={value:?}", self.1, field.name()));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut lines = self.lines.lock().unwrap();
        attrs.record(&mut Lines(&mut lines, attrs.metadata().name()));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Lines(&mut self.lines.lock().unwrap(), "record"));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Lines(&mut self.lines.lock().unwrap(), "event"));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn spans_carry_api_and_code_but_never_the_key() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let emu = emulator::Emulator::start(APP_ID, APP_KEY, 0).await.unwrap();

    let client = HumanCodeClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .base_url(emu.base_url())
        .build()
        .unwrap();
    client.create_session().await.unwrap();
    let _ = client
        .verify_vcode("00000000000000000000000000000000", "123456")
        .await
        .unwrap_err();
    let wrong = HumanCodeClient::builder()
        .app_id(APP_ID)
        .app_key(format!("{APP_KEY}-wrong"))
        .base_url(emu.base_url())
        .build()
        .unwrap();
    let _ = wrong.show_id("u_x").await.unwrap_err();

    let lines = capture.lines.lock().unwrap().clone();
    let all = lines.join("\n");
    assert!(all.contains("humancode.api=\"get_session_id\""), "{all}");
    assert!(all.contains("humancode.api=\"verify_vcode\""), "{all}");
    assert!(all.contains("humancode.api=\"get_show_id\""), "{all}");
    assert!(all.contains("record.code=0"), "{all}");
    assert!(all.contains("record.code=10010"), "{all}");
    assert!(all.contains("record.code=10001"), "{all}");
    assert!(all.contains("record.status=200"), "{all}");
    assert!(
        lines.iter().any(|l| l.starts_with("record.latency_ms=")),
        "{all}"
    );
    assert!(!all.contains(APP_KEY), "{all}");
}
