//! Merge queues: a required `design-review` check must never block one. The design review was
//! enforced on each pull request before it entered the queue, so the merge group's head gets a
//! `success` check run of the same name.

use crate::{
    github::{
        InstallationClient,
        models::{CheckConclusion, CheckRunOutput, CheckRunSpec, CheckStatus},
    },
    webhook::event::MergeGroupEvent,
};

use super::{Workflow, WorkflowError, repo_config};

impl Workflow {
    pub(super) async fn merge_group(
        &self,
        client: &InstallationClient,
        event: &MergeGroupEvent,
    ) -> Result<(), WorkflowError> {
        // The check's name comes from the default branch's config (empty ref: default branch).
        let loaded = repo_config::load(client, &event.repo, "").await?;
        let spec = CheckRunSpec {
            name: loaded.config.check.name().to_string(),
            head_sha: event.head_sha.clone(),
            status: CheckStatus::Completed,
            conclusion: Some(CheckConclusion::Success),
            output: Some(CheckRunOutput {
                title: "Design review enforced on each pull request".to_string(),
                summary: "Every pull request in this merge group passed its design review before entering the merge queue.".to_string(),
                text: None,
                annotations: Vec::new(),
            }),
            details_url: None,
            external_id: None,
        };
        client.create_check_run(&event.repo, &spec).await?;
        tracing::info!(head = %event.head_sha, "merge group check reported");
        Ok(())
    }
}
