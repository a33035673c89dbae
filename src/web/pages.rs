//! The HTML handlers: who is reading, what the store says, which view renders it.

use axum::{
    extract::{FromRequestParts, Path, Query, State},
    http::{HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::SignedCookieJar;
use chrono::Utc;
use serde::Deserialize;

use crate::store::reviews::{AuditQuery, ReviewQuery, ReviewSort, ReviewState, Visibility};

use super::{
    WebState, page, session,
    session::Reader,
    trends, views,
    views::{AuditForm, BoardForm, BoardLinks, Viewer},
};

/// Rows per page of the board and the audit log.
pub const PER_PAGE: i64 = 50;

/// Who reads a page and what they may see: what every page handler starts from. Without
/// sign-in configured, or without a session, the handler is not run and the page says what to
/// configure or offers to sign in (and come back to the page asked for).
pub struct PageReader {
    pub reader: Reader,
    pub visible: Visibility,
}

impl FromRequestParts<WebState> for PageReader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let Ok(jar) = SignedCookieJar::from_request_parts(parts, state).await;
        let reader = reader_or_sign_in(state, &jar, parts.uri.path()).map_err(|page| *page)?;
        let visible = state.visibility(&reader).await;
        Ok(Self { reader, visible })
    }
}

/// A page for `reader` (named in its header) with `title` and `body`.
fn reader_page(reader: &Reader, title: &str, body: maud::Markup) -> Response {
    let viewer = Viewer {
        login: login(reader),
    };
    page(StatusCode::OK, views::layout(title, Some(&viewer), body))
}

/// The page shown where sign-in would be needed but the App has no OAuth client.
fn not_configured() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        views::layout("Sign-in is not configured", None, views::not_configured()),
    )
}

/// The reader of a page, or the page to show instead (what to configure, or sign in).
fn reader_or_sign_in(
    state: &WebState,
    jar: &SignedCookieJar,
    here: &str,
) -> Result<Reader, Box<Response>> {
    if state.inner.settings.oauth.is_none() {
        return Err(Box::new(not_configured()));
    }
    super::signed_in(jar).ok_or_else(|| {
        Box::new(page(
            StatusCode::UNAUTHORIZED,
            views::layout("Sign in", None, views::sign_in(here)),
        ))
    })
}

fn login(reader: &Reader) -> &str {
    match reader {
        Reader::User(user) => &user.login,
        Reader::Operator => "operator",
    }
}

/// The board's query string.
#[derive(Debug, Default, Deserialize)]
pub struct BoardParams {
    #[serde(default)]
    pub repo: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub mine: String,
    #[serde(default)]
    pub authored: String,
    #[serde(default)]
    pub closed: String,
    pub page: Option<i64>,
}

impl BoardParams {
    /// The store query these parameters ask for, as `login` sees it.
    pub fn query(&self, visible: Visibility, login: &str) -> ReviewQuery {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let page = self.page.unwrap_or(1).max(1);
        ReviewQuery {
            visible,
            open: self.closed.is_empty(),
            repo: text(&self.repo),
            state: ReviewState::parse(&self.state),
            team: text(&self.team),
            waiting_on: (!self.mine.is_empty()).then(|| login.to_string()),
            author: (!self.authored.is_empty()).then(|| login.to_string()),
            sort: match self.sort.as_str() {
                "waiting" => ReviewSort::Waiting,
                "updated" => ReviewSort::Updated,
                _ => ReviewSort::Age,
            },
            limit: PER_PAGE,
            offset: (page - 1).saturating_mul(PER_PAGE),
        }
    }

    fn links(&self) -> BoardLinks {
        let mut parts = Vec::new();
        for (name, value) in [
            ("repo", &self.repo),
            ("team", &self.team),
            ("sort", &self.sort),
            ("mine", &self.mine),
            ("authored", &self.authored),
            ("closed", &self.closed),
        ] {
            if !value.trim().is_empty() {
                parts.push(format!("{name}={}", crate::uri::component(value.trim())));
            }
        }
        BoardLinks {
            base: parts.join("&"),
            state: ReviewState::parse(&self.state),
            page: self.page.unwrap_or(1).max(1),
            per_page: PER_PAGE,
        }
    }

    fn form(&self) -> BoardForm {
        BoardForm {
            repo: self.repo.clone(),
            team: self.team.clone(),
            state: ReviewState::parse(&self.state),
            sort: self.sort.clone(),
            mine: !self.mine.is_empty(),
            authored: !self.authored.is_empty(),
            closed: !self.closed.is_empty(),
        }
    }
}

/// A store failure: logged, and a page that says so.
fn unavailable(error: crate::store::StoreError) -> Response {
    tracing::error!(%error, "the web pages cannot read the store");
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        views::layout(
            "Unavailable",
            None,
            views::message(
                "Unavailable",
                "The database did not answer; try again shortly.",
            ),
        ),
    )
}

/// `GET /reviews`.
pub async fn board(
    State(state): State<WebState>,
    PageReader { reader, visible }: PageReader,
    Query(params): Query<BoardParams>,
) -> Response {
    let query = params.query(visible, login(&reader));
    let found = match state.store().list_reviews(&query).await {
        Ok(found) => found,
        Err(error) => return unavailable(error),
    };
    let body = views::board(&found, &params.form(), &params.links(), Utc::now());
    reader_page(&reader, "Design reviews", body)
}

/// `GET /reviews/{owner}/{repo}/{number}`: the same answer for a review never recorded and one
/// the reader may not see, so the page tells nothing about private repositories.
pub async fn details(
    State(state): State<WebState>,
    PageReader { reader, visible }: PageReader,
    Path((owner, repo, number)): Path<(String, String, i64)>,
) -> Response {
    let viewer = Viewer {
        login: login(&reader),
    };
    let full = format!("{owner}/{repo}");
    let view = match state.store().review(&visible, &full, number).await {
        Ok(Some(view)) => view,
        Ok(None) => {
            let text = format!(
                "No design review of {full}#{number} is recorded, or you cannot read that repository."
            );
            return page(
                StatusCode::NOT_FOUND,
                views::layout(
                    "Not found",
                    Some(&viewer),
                    views::message("Not found", &text),
                ),
            );
        }
        Err(error) => return unavailable(error),
    };
    let commands = state
        .store()
        .audit_page(&AuditQuery {
            visible,
            repo: Some(full.clone()),
            pr_number: Some(number),
            actor: None,
            outcome: None,
            limit: 100,
            offset: 0,
        })
        .await;
    let commands = match commands {
        Ok((entries, _)) => entries,
        Err(error) => return unavailable(error),
    };
    let title = format!("{full}#{number}");
    page(
        StatusCode::OK,
        views::layout(
            &title,
            Some(&viewer),
            views::details(&view, &commands, Utc::now()),
        ),
    )
}

/// The audit page's query string.
#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    pub repo: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub outcome: String,
    pub page: Option<i64>,
}

impl AuditParams {
    pub fn query(&self, visible: Visibility) -> AuditQuery {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let page = self.page.unwrap_or(1).max(1);
        AuditQuery {
            visible,
            repo: text(&self.repo),
            pr_number: None,
            actor: text(&self.actor),
            outcome: text(&self.outcome),
            limit: PER_PAGE,
            offset: (page - 1).saturating_mul(PER_PAGE),
        }
    }
}

/// `GET /audit`.
pub async fn audit(
    State(state): State<WebState>,
    PageReader { reader, visible }: PageReader,
    Query(params): Query<AuditParams>,
) -> Response {
    let (entries, total) = match state.store().audit_page(&params.query(visible)).await {
        Ok(found) => found,
        Err(error) => return unavailable(error),
    };
    let form = AuditForm {
        repo: params.repo.clone(),
        actor: params.actor.clone(),
        outcome: params.outcome.clone(),
        page: params.page.unwrap_or(1).max(1),
        per_page: PER_PAGE,
    };
    reader_page(&reader, "Audit log", views::audit(&entries, total, &form))
}

/// The trends' query string.
#[derive(Debug, Default, Deserialize)]
pub struct TrendParams {
    #[serde(default)]
    pub repo: String,
}

/// `GET /trends`.
pub async fn trends(
    State(state): State<WebState>,
    PageReader { reader, visible }: PageReader,
    Query(params): Query<TrendParams>,
) -> Response {
    let repo = Some(params.repo.trim()).filter(|r| !r.is_empty());
    let timelines = match state.store().review_timelines(&visible, repo).await {
        Ok(found) => found,
        Err(error) => return unavailable(error),
    };
    let weeks = trends::weekly(&timelines, Utc::now(), trends::WEEKS);
    reader_page(&reader, "Trends", trends::page(&weeks, repo.unwrap_or("")))
}

#[derive(Debug, Deserialize)]
pub struct SignInParams {
    #[serde(default)]
    next: String,
}

/// `GET /signin`: off to GitHub with a fresh `state`.
pub async fn sign_in(
    State(state): State<WebState>,
    jar: SignedCookieJar,
    headers: HeaderMap,
    Query(params): Query<SignInParams>,
) -> Response {
    let Some(oauth) = &state.inner.settings.oauth else {
        return not_configured();
    };
    let (jar, nonce) = session::begin_sign_in(jar, &params.next, state.secure_cookies());
    let url =
        state
            .inner
            .user_api
            .authorize_url(&oauth.client_id, &state.callback_url(&headers), &nonce);
    (jar, Redirect::to(&url)).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
}

/// `GET /signin/callback`: GitHub hands back the code; the `state` must be the one we sent.
pub async fn callback(
    State(state): State<WebState>,
    jar: SignedCookieJar,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(oauth) = &state.inner.settings.oauth else {
        return not_configured();
    };
    let refused = |text: &str| {
        page(
            StatusCode::BAD_REQUEST,
            views::layout(
                "Sign-in failed",
                None,
                views::message("Sign-in failed", text),
            ),
        )
    };
    let Some(pending) = session::pending_sign_in(&jar, &params.state) else {
        tracing::warn!("sign-in callback with an unknown or expired state: refused");
        return refused("This sign-in link is not ours or has expired. Sign in again.");
    };
    let api = &state.inner.user_api;
    let callback = state.callback_url(&headers);
    let signed = async {
        let token = api.exchange_code(oauth, &params.code, &callback).await?;
        let login = api.login(&token).await?;
        Ok::<_, crate::github::plain::PlainError>((token, login))
    }
    .await;
    match signed {
        Ok((token, login)) => {
            tracing::info!(%login, "signed in");
            let jar = session::start_session(
                jar,
                login,
                &token,
                state.inner.settings.session_lifetime,
                state.secure_cookies(),
            );
            (jar, Redirect::to(session::safe_next(&pending.next))).into_response()
        }
        Err(error) => {
            tracing::warn!(%error, "sign-in with GitHub failed");
            refused("GitHub did not confirm the sign-in. Sign in again.")
        }
    }
}

/// `POST /signout`.
pub async fn sign_out(jar: SignedCookieJar) -> Response {
    (session::end_session(jar), Redirect::to("/reviews")).into_response()
}
