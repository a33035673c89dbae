//! `.github/design-review.yml`: per-repository configuration.
