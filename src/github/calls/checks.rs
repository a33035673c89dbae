//! Check runs: the required status check the design review reports through.

use http::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{repo_path, seg};
use crate::domain::{CommitSha, RepoName};
use crate::github::models::{
    Annotation, CheckConclusion, CheckRun, CheckRunId, CheckRunOutput, CheckRunSpec, CheckStatus,
};
use crate::github::{GithubError, InstallationClient};

/// GitHub accepts at most this many annotations per create/update request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;

#[derive(Debug, Deserialize)]
struct WireCheckRun {
    id: u64,
    name: String,
    head_sha: String,
    status: CheckStatus,
    #[serde(default)]
    conclusion: Option<CheckConclusion>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    output: Option<WireOutput>,
}

#[derive(Debug, Default, Deserialize)]
struct WireOutput {
    #[serde(default)]
    annotations_count: usize,
}

impl From<WireCheckRun> for CheckRun {
    fn from(w: WireCheckRun) -> Self {
        Self {
            id: CheckRunId(w.id),
            name: w.name,
            head_sha: CommitSha(w.head_sha),
            status: w.status,
            conclusion: w.conclusion,
            html_url: w.html_url,
            external_id: w.external_id.filter(|e| !e.is_empty()),
        }
    }
}

#[derive(Debug, Deserialize)]
struct WireCheckRuns {
    check_runs: Vec<WireCheckRun>,
}

fn output_json(output: &CheckRunOutput, annotations: &[Annotation]) -> Value {
    let mut out = Map::new();
    out.insert("title".into(), json!(output.title));
    out.insert("summary".into(), json!(output.summary));
    if let Some(text) = &output.text {
        out.insert("text".into(), json!(text));
    }
    if !annotations.is_empty() {
        out.insert("annotations".into(), json!(annotations));
    }
    Value::Object(out)
}

/// The request body for create (with `head_sha`) or update, carrying the first annotation batch.
fn spec_json(spec: &CheckRunSpec, with_head_sha: bool) -> Value {
    let mut body = Map::new();
    body.insert("name".into(), json!(spec.name));
    if with_head_sha {
        body.insert("head_sha".into(), json!(spec.head_sha.0));
    }
    body.insert("status".into(), json!(spec.status));
    if let Some(conclusion) = spec.conclusion {
        body.insert("conclusion".into(), json!(conclusion));
    }
    if let Some(url) = &spec.details_url {
        body.insert("details_url".into(), json!(url));
    }
    if let Some(id) = &spec.external_id {
        body.insert("external_id".into(), json!(id));
    }
    if let Some(output) = &spec.output {
        let first = output.annotations.len().min(ANNOTATIONS_PER_REQUEST);
        body.insert(
            "output".into(),
            output_json(output, &output.annotations[..first]),
        );
    }
    Value::Object(body)
}

impl InstallationClient {
    /// `POST /repos/{owner}/{repo}/check-runs`, then one `PATCH` per further 50 annotations.
    ///
    /// The create is not repeated after a 5xx (it may have been applied); the caller finds the run
    /// again with [`list_check_runs_for_ref`](Self::list_check_runs_for_ref).
    pub async fn create_check_run(
        &self,
        repo: &RepoName,
        spec: &CheckRunSpec,
    ) -> Result<CheckRun, GithubError> {
        let request = self
            .request(
                Method::POST,
                "/repos/{owner}/{repo}/check-runs",
                format!("{}/check-runs", repo_path(repo)),
            )
            .body(spec_json(spec, true))
            .create();
        let created: CheckRun = self
            .send(&request)
            .await?
            .json::<WireCheckRun>(request.route)?
            .into();
        self.send_remaining_annotations(repo, created.id, spec)
            .await
            .map(|last| last.unwrap_or(created))
    }

    /// `PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`, then one more per further 50
    /// annotations. GitHub *adds* the annotations to those already on the run (there is no way
    /// to replace or remove them): `spec` must carry only annotations the run does not have yet.
    pub async fn update_check_run(
        &self,
        repo: &RepoName,
        id: CheckRunId,
        spec: &CheckRunSpec,
    ) -> Result<CheckRun, GithubError> {
        let updated = self
            .patch_check_run(repo, id, spec_json(spec, false))
            .await?;
        self.send_remaining_annotations(repo, id, spec)
            .await
            .map(|last| last.unwrap_or(updated))
    }

    /// `GET /repos/{owner}/{repo}/commits/{ref}/check-runs?check_name=...&app_id=...`: the runs
    /// with this name that this App created. Another App's run of the same name (a CI job, a
    /// second bot) is never ours to update, nor proof that we looked at the commit.
    pub async fn list_check_runs_for_ref(
        &self,
        repo: &RepoName,
        sha: &CommitSha,
        check_name: &str,
    ) -> Result<Vec<CheckRun>, GithubError> {
        Ok(self
            .list_check_runs_with_annotation_counts(repo, sha, check_name)
            .await?
            .into_iter()
            .map(|(run, _)| run)
            .collect())
    }

    /// [`list_check_runs_for_ref`](Self::list_check_runs_for_ref), with how many annotations
    /// each run already carries (`output.annotations_count`).
    pub(crate) async fn list_check_runs_with_annotation_counts(
        &self,
        repo: &RepoName,
        sha: &CommitSha,
        check_name: &str,
    ) -> Result<Vec<(CheckRun, usize)>, GithubError> {
        let path = format!(
            "{}/commits/{}/check-runs?check_name={}&app_id={}",
            repo_path(repo),
            seg(&sha.0),
            seg(check_name),
            self.app().app_id()
        );
        let runs = self
            .app()
            .get_all(
                self.auth(),
                "/repos/{owner}/{repo}/commits/{ref}/check-runs",
                path,
                |page: WireCheckRuns| page.check_runs,
            )
            .await?;
        Ok(runs
            .into_iter()
            .map(|mut run| {
                let count = run.output.take().unwrap_or_default().annotations_count;
                (CheckRun::from(run), count)
            })
            .collect())
    }

    async fn patch_check_run(
        &self,
        repo: &RepoName,
        id: CheckRunId,
        body: Value,
    ) -> Result<CheckRun, GithubError> {
        let request = self
            .request(
                Method::PATCH,
                "/repos/{owner}/{repo}/check-runs/{check_run_id}",
                format!("{}/check-runs/{}", repo_path(repo), id.0),
            )
            .body(body);
        Ok(self
            .send(&request)
            .await?
            .json::<WireCheckRun>(request.route)?
            .into())
    }

    /// Sends annotations beyond the first batch, 50 per `PATCH`; returns the last run state if any.
    async fn send_remaining_annotations(
        &self,
        repo: &RepoName,
        id: CheckRunId,
        spec: &CheckRunSpec,
    ) -> Result<Option<CheckRun>, GithubError> {
        let Some(output) = &spec.output else {
            return Ok(None);
        };
        let mut last = None;
        for batch in output.annotations.chunks(ANNOTATIONS_PER_REQUEST).skip(1) {
            let body = json!({ "output": output_json(output, batch) });
            last = Some(self.patch_check_run(repo, id, body).await?);
        }
        Ok(last)
    }
}
