//! Any comment body scanned for slash-commands, with the default and a custom prefix.
#![no_main]

use design_review::commands::{self, DEFAULT_COMMAND_PREFIX};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    for prefix in [DEFAULT_COMMAND_PREFIX, "/dr", "!"] {
        for parsed in commands::parse_commands(&body, prefix) {
            if let Err(err) = parsed {
                let _ = commands::render_error(&err, prefix);
            }
        }
    }
});
