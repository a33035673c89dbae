//! Any payload bytes read as each event type the App subscribes to (and `ping`).
#![no_main]

use design_review::webhook::{Event, event::HANDLED_EVENTS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for event in HANDLED_EVENTS.iter().copied().chain(["ping", "unknown"]) {
        if let Ok(parsed) = Event::parse(event, data) {
            let _ = parsed.pr();
            let _ = parsed.coalescable();
            let _ = parsed.installation();
        }
    }
});
