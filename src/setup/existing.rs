//! `POST /setup/existing`: "Use an existing App". The App id, private key file and webhook secret
//! are checked with GitHub (`GET /app`, as the App: it answers only to a key of that App) before
//! anything is written, so a typo is reported on the page instead of at the next start.

use axum::{
    extract::{Multipart, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};
use secrecy::SecretString;

use super::{Setup, env_file::Credentials, page, refused, state_cookie, states, unknown_form};
use crate::{
    github::{AppCredentials, GithubApp},
    status,
};

/// Largest form accepted: a PEM key is about 1.7 KB; the rest is three short fields.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The form's fields as sent.
#[derive(Default)]
struct ExistingForm {
    state: String,
    app_id: String,
    private_key: String,
    webhook_secret: String,
}

/// Why the credentials were not saved: the text shown above the form.
#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error("The form could not be read: {0}")]
    Unreadable(String),
    #[error("The App ID is a number (the App's settings page shows it).")]
    AppId,
    #[error(
        "The private key file is not an RSA private key in PEM format (generate one on the \
         App's settings page and upload the downloaded .pem file)."
    )]
    Key,
    #[error("The webhook secret is empty.")]
    Secret,
    #[error("GitHub did not accept App {app_id} with this key: {reason}")]
    Github { app_id: u64, reason: String },
}

pub async fn submit(
    State(setup): State<Setup>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    if let Err(refusal) = setup.inner.access.admit(&headers, None) {
        return refused(&refusal);
    }
    let form = match read(multipart).await {
        Ok(form) => form,
        Err(error) => return refuse(&setup, &headers, &error),
    };
    // Only a form served to this browser (its cookie holds the same token) is accepted.
    if !state_cookie(&headers).is_some_and(|cookie| states::same_token(cookie, &form.state)) {
        return unknown_form();
    }
    let _one_at_a_time = setup.inner.registering.lock().await;
    if setup.is_registered() {
        return (
            StatusCode::CONFLICT,
            Html(page::error(
                "Already registered",
                "This server already has a GitHub App.",
            )),
        )
            .into_response();
    }
    let (credentials, slug) = match check(&setup, form).await {
        Ok(checked) => checked,
        Err(error) => return refuse(&setup, &headers, &error),
    };
    let saved = match setup.adopt(&credentials) {
        Ok(saved) => saved,
        Err(error) => {
            tracing::error!(%error, app_id = credentials.app_id, "cannot save the App's credentials");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(page::error("Credentials not saved", &error.to_string())),
            )
                .into_response();
        }
    };
    tracing::info!(
        app_id = credentials.app_id,
        slug = %slug,
        env_file = %saved.env_file.display(),
        key_file = %saved.key_file.display(),
        "existing GitHub App saved; processing webhooks"
    );
    let install = format!(
        "{}/installations/new",
        status::app_page(&setup.inner.config.github_url, &slug)
    );
    Html(page::registered(
        &slug,
        &install,
        &saved.env_file.display().to_string(),
        &saved.key_file.display().to_string(),
    ))
    .into_response()
}

fn refuse(setup: &Setup, headers: &HeaderMap, error: &Refused) -> Response {
    tracing::warn!(%error, "existing App refused");
    let state = setup.state_token(headers).unwrap_or_default();
    (
        StatusCode::BAD_REQUEST,
        Html(page::existing_app_refused(&state, &error.to_string())),
    )
        .into_response()
}

async fn read(mut multipart: Multipart) -> Result<ExistingForm, Refused> {
    let unreadable =
        |error: axum::extract::multipart::MultipartError| Refused::Unreadable(error.body_text());
    let mut form = ExistingForm::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        let text = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "state" => form.state = text,
            "app_id" => form.app_id = text,
            "private_key" => form.private_key = text,
            "webhook_secret" => form.webhook_secret = text,
            _ => {}
        }
    }
    Ok(form)
}

/// Validates the fields, then asks GitHub who the key belongs to. Returns what to save and the
/// App's slug.
async fn check(setup: &Setup, form: ExistingForm) -> Result<(Credentials, String), Refused> {
    let app_id: u64 = form.app_id.trim().parse().map_err(|_| Refused::AppId)?;
    let pem = form.private_key.trim().to_string() + "\n";
    if jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).is_err() {
        return Err(Refused::Key);
    }
    let secret = form.webhook_secret.trim();
    if secret.is_empty() {
        return Err(Refused::Secret);
    }
    let private_key = SecretString::from(pem);
    let github_error = |error: crate::github::GithubError| Refused::Github {
        app_id,
        reason: error.to_string(),
    };
    let github = GithubApp::new(AppCredentials {
        app_id,
        private_key: private_key.clone(),
        api_base: setup.inner.config.github_api_url.clone(),
    })
    .map_err(github_error)?;
    let bot = github.bot_login().await.map_err(github_error)?;
    let slug = bot.0.trim_end_matches("[bot]").to_string();
    let credentials = Credentials {
        app_id,
        slug: slug.clone(),
        private_key,
        webhook_secret: SecretString::from(secret.to_string()),
        webhook_proxy_url: setup.channel(),
        oauth: None,
    };
    Ok((credentials, slug))
}
