//! A `tracing` subscriber that records every span and event field as `name.field=value`.

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Clone, Default)]
pub struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    names: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

impl Capture {
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    pub fn text(&self) -> String {
        self.lines().join("\n")
    }
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
        let name = attrs.metadata().name();
        self.names.lock().unwrap().push(name.to_owned());
        attrs.record(&mut Lines(&mut self.lines.lock().unwrap(), name));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let name = self
            .names
            .lock()
            .unwrap()
            .get(id.into_u64() as usize - 1)
            .cloned()
            .unwrap_or_default();
        values.record(&mut Lines(&mut self.lines.lock().unwrap(), &name));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Lines(&mut self.lines.lock().unwrap(), "event"));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
