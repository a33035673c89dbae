//! Any `.github/design-review.yml`: parse, and when valid, use it the way a review does.
#![no_main]

use design_review::config::repo::RepoConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(yaml) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = RepoConfig::parse(yaml) {
        if let Ok(matcher) = config.matcher() {
            let _ = matcher.template_for("docs/design/0001-thing.md");
        }
        for rule in config.docs() {
            let _ = config.rules_for(rule.template.as_str());
        }
        let _ = config.review.owners_of("api");
        let merged = RepoConfig::effective(Some(config), None);
        let _ = merged.review.approvals();
    }
});
