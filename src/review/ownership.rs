//! Who owns each service the design docs list under "Services Affected" (pure): the explicit
//! `review.service_owners` map, then (with `service_owners_from: codeowners`) CODEOWNERS for
//! the service's path. A service neither knows is reported, never silently skipped.

use crate::{
    checker::Mention,
    config::repo::{OwnersSource, RepoConfig, normalize_service},
};

use super::{
    codeowners::Codeowners,
    docs::{DocOutcome, DocResult},
};

/// The owners of the services the docs list, and the services nobody owns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ownership {
    /// Each listed service with owners, in the order the docs list them.
    pub owned: Vec<(String, Vec<Mention>)>,
    /// Listed services without owners in any source (only when some source is configured).
    pub unknown: Vec<String>,
    /// The services the configuration names, for the warning.
    pub known: Vec<String>,
}

/// The services the docs list, each once, in order.
pub fn listed_services(docs: &[DocOutcome]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for doc in docs {
        if let DocResult::Checked(report) = &doc.result {
            for service in &report.services {
                if !out
                    .iter()
                    .any(|s| normalize_service(s) == normalize_service(service))
                {
                    out.push(service.clone());
                }
            }
        }
    }
    out
}

/// True when resolving `services` needs the CODEOWNERS file.
pub fn needs_codeowners(config: &RepoConfig, services: &[String]) -> bool {
    config.review.service_owners_from() == OwnersSource::Codeowners
        && services.iter().any(|s| !config.review.names_service(s))
}

/// Resolves `services`: `service_owners` wins where it names the service, else CODEOWNERS
/// (when given) for the service's path.
pub fn resolve(
    config: &RepoConfig,
    services: &[String],
    codeowners: Option<&Codeowners>,
) -> Ownership {
    let review = &config.review;
    let mut ownership = Ownership {
        known: review.service_owners.keys().cloned().collect(),
        ..Ownership::default()
    };
    let configured = !review.service_owners.is_empty()
        || review.service_owners_from() == OwnersSource::Codeowners;
    for service in services {
        let owners = if review.names_service(service) {
            review.owners_of(service)
        } else {
            codeowners
                .map(|file| file.owners_of(&review.service_path(service)))
                .unwrap_or_default()
        };
        if !owners.is_empty() {
            ownership.owned.push((service.clone(), owners));
        } else if configured && !review.names_service(service) {
            ownership.unknown.push(service.clone());
        }
    }
    ownership
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TeamSlug;

    fn team(text: &str) -> Mention {
        Mention::Team {
            team: TeamSlug::parse(text).unwrap(),
        }
    }

    #[test]
    fn the_explicit_map_wins_then_codeowners_then_unknown() {
        let config = RepoConfig::parse(
            "review:\n  service_owners_from: codeowners\n  service_owners:\n    payments: \"@acme/payments\"\n",
        )
        .unwrap();
        let file = Codeowners::parse(
            "/services/ @acme/platform\n/services/payments/ @acme/other\n/services/legacy/\n",
        );
        let services: Vec<String> = ["payments", "ledger", "legacy"].map(String::from).into();
        assert!(needs_codeowners(&config, &services));
        let ownership = resolve(&config, &services, Some(&file));
        assert_eq!(
            ownership.owned,
            vec![
                ("payments".to_string(), vec![team("acme/payments")]),
                ("ledger".to_string(), vec![team("acme/platform")]),
            ]
        );
        assert_eq!(ownership.unknown, ["legacy"]);
        assert_eq!(ownership.known, ["payments"]);
    }

    #[test]
    fn without_any_owner_source_no_service_is_unknown() {
        let config = RepoConfig::default();
        let services = vec!["payments".to_string()];
        assert!(!needs_codeowners(&config, &services));
        assert_eq!(resolve(&config, &services, None), Ownership::default());
    }
}
