//! Debian's headless Chromium driven over DevTools by `headless_chrome`, shared by the browser
//! tests (`tests/browser/` and `tests/web_browser.rs`): launching it, reading the page through
//! JavaScript, waiting for a page, and taking screenshots.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use headless_chrome::protocol::cdp::{Emulation, Page, types::Event};
use headless_chrome::{Browser, LaunchOptions, Tab};

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// True (with a note) when Debian's Chromium is not installed, so the test is skipped.
pub fn chromium_missing() -> bool {
    if Path::new(CHROMIUM).exists() {
        return false;
    }
    eprintln!("note: {CHROMIUM} not found, browser test skipped (apt-get install chromium)");
    true
}

/// Headless Chromium with one tab, and every JavaScript dialog any page opened (dismissed, so
/// a script's `alert` never blocks the page). The browser process ends when this is dropped.
pub struct Chromium {
    _browser: Browser,
    pub tab: Arc<Tab>,
    dialogs: Arc<Mutex<Vec<String>>>,
}

impl Chromium {
    /// Starts Chromium with a window `width` x `height` pixels and opens one blank tab.
    pub fn launch(width: u32, height: u32) -> Self {
        let browser = Browser::new(
            LaunchOptions::default_builder()
                .path(Some(PathBuf::from(CHROMIUM)))
                .headless(true)
                // The tests run as root in CI, where Chromium's sandbox cannot start.
                .sandbox(false)
                .window_size(Some((width, height)))
                .idle_browser_timeout(Duration::from_secs(120))
                .build()
                .expect("launch options"),
        )
        .expect("chromium starts");
        let tab = browser.new_tab().expect("a tab");
        tab.set_default_timeout(Duration::from_secs(20));
        let dialogs = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&dialogs);
        let handle = Arc::clone(&tab);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Event::PageJavascriptDialogOpening(opening) = event {
                seen.lock().unwrap().push(opening.params.message.clone());
                let _ = handle.get_dialog().dismiss();
            }
        }))
        .expect("dialog listener");
        Self {
            _browser: browser,
            tab,
            dialogs,
        }
    }

    /// The messages of the JavaScript dialogs opened so far.
    pub fn dialogs(&self) -> Vec<String> {
        self.dialogs.lock().unwrap().clone()
    }

    /// Opens `url` and waits until it has loaded.
    pub fn go(&self, url: &str) {
        self.tab.navigate_to(url).expect("navigate");
        self.tab.wait_until_navigated().expect("navigated");
        self.wait_until("the page loaded", "document.readyState === 'complete'");
    }

    /// The value of a JavaScript expression that yields a string, number or boolean (a
    /// promise is waited for).
    pub fn eval(&self, expression: &str) -> serde_json::Value {
        self.tab
            .evaluate(expression, true)
            .unwrap_or_else(|e| panic!("{expression}: {e}"))
            .value
            .unwrap_or(serde_json::Value::Null)
    }

    /// The value of a JavaScript expression that yields a string.
    pub fn text(&self, expression: &str) -> String {
        match self.eval(expression) {
            serde_json::Value::String(text) => text,
            other => panic!("{expression} gave {other}"),
        }
    }

    /// Waits (up to 20 s) until `condition` holds in the page.
    pub fn wait_until(&self, what: &str, condition: &str) {
        let started = Instant::now();
        loop {
            let holds = self
                .tab
                .evaluate(condition, false)
                .ok()
                .and_then(|r| r.value)
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if holds {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{what}: `{condition}` never held; at {} showing {}",
                self.tab.get_url(),
                self.text("document.body ? document.body.innerText : ''")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Emulates a screen `width` pixels wide (a phone below 600) and `height` tall.
    pub fn resize(&self, width: u32, height: u32) {
        self.tab
            .call_method(Emulation::SetDeviceMetricsOverride {
                width,
                height,
                device_scale_factor: 1.0,
                mobile: width < 600,
                scale: None,
                screen_width: None,
                screen_height: None,
                position_x: None,
                position_y: None,
                dont_set_visible_size: None,
                screen_orientation: None,
                viewport: None,
                display_feature: None,
                device_posture: None,
            })
            .expect("device metrics");
    }

    /// A PNG of the visible page.
    pub fn screenshot(&self) -> Vec<u8> {
        let png = self
            .tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        png
    }
}

/// `target/screenshots/`, where screenshots are kept for a person to look at.
pub fn screenshot_dir() -> PathBuf {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("screenshots");
    std::fs::create_dir_all(&target).expect("screenshot dir");
    target
}
