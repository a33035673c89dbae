//! The channel's byte stream, bounded, and creating a new channel on a channel service.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use url::Url;

/// An event larger than the limit: the stream is closed (and reopened by the caller).
#[derive(Debug, thiserror::Error)]
#[error("an event of the channel passed {0} bytes")]
pub struct EventTooLarge(pub usize);

/// `stream`, ending with [`EventTooLarge`] once more than `limit` bytes arrive without an event
/// boundary (a blank line) among them.
pub fn bounded<E>(
    stream: impl Stream<Item = Result<Bytes, E>> + Send + 'static,
    limit: usize,
) -> impl Stream<Item = Result<Bytes, BoundedError<E>>> + Send + 'static
where
    E: Send + 'static,
{
    stream.scan(Scan::default(), move |scan, chunk| {
        std::future::ready(scan.next(chunk, limit))
    })
}

/// Bytes seen since the last event boundary.
#[derive(Default)]
struct Scan {
    since_boundary: usize,
    previous: u8,
    over: bool,
}

impl Scan {
    /// The item to pass on for `chunk`; `None` ends the stream (after the error was passed on).
    fn next<E>(
        &mut self,
        chunk: Result<Bytes, E>,
        limit: usize,
    ) -> Option<Result<Bytes, BoundedError<E>>> {
        if self.over {
            return None;
        }
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(error) => return Some(Err(BoundedError::Stream(error))),
        };
        for &byte in chunk.iter() {
            // `\n\n` ends an event (`\r` is skipped, so `\r\n\r\n` does too).
            if byte == b'\r' {
                continue;
            }
            if byte == b'\n' && self.previous == b'\n' {
                self.since_boundary = 0;
            } else {
                self.since_boundary += 1;
            }
            self.previous = byte;
        }
        if self.since_boundary > limit {
            self.over = true;
            return Some(Err(BoundedError::TooLarge(EventTooLarge(limit))));
        }
        Some(Ok(chunk))
    }
}

/// A failure of the bounded stream.
#[derive(Debug, thiserror::Error)]
pub enum BoundedError<E> {
    #[error("{0}")]
    Stream(E),
    #[error(transparent)]
    TooLarge(EventTooLarge),
}

/// Why no channel could be created.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("cannot reach the channel service: {0}")]
    Network(String),
    #[error("the channel service answered {0} without a channel address")]
    NoChannel(u16),
}

/// Asks a smee-style service for a new channel: `HEAD {service}/new` answers with a redirect to
/// the channel's address.
pub async fn create_channel(service: &Url) -> Result<Url, ChannelError> {
    let new = service
        .join("new")
        .map_err(|e| ChannelError::Network(e.to_string()))?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("design-review/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ChannelError::Network(e.to_string()))?;
    let response = http
        .head(new)
        .send()
        .await
        .map_err(|e| ChannelError::Network(e.without_url().to_string()))?;
    let status = response.status();
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .filter(|_| status.is_redirection())
        .and_then(|location| service.join(location).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"));
    location.ok_or(ChannelError::NoChannel(status.as_u16()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(chunks: &[&'static str], limit: usize) -> (String, bool) {
        let stream = futures_util::stream::iter(
            chunks
                .iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes())))
                .collect::<Vec<_>>(),
        );
        let items: Vec<_> =
            futures_util::FutureExt::now_or_never(bounded(stream, limit).collect::<Vec<_>>())
                .unwrap();
        let mut text = String::new();
        let mut too_large = false;
        for item in items {
            match item {
                Ok(bytes) => text.push_str(std::str::from_utf8(&bytes).unwrap()),
                Err(BoundedError::TooLarge(_)) => too_large = true,
                Err(BoundedError::Stream(e)) => panic!("{e}"),
            }
        }
        (text, too_large)
    }

    #[test]
    fn events_under_the_limit_pass_even_when_the_boundary_is_split() {
        let (text, too_large) = collect(&["data: 12345\n", "\ndata: 678", "90\r\n\r\n"], 16);
        assert_eq!(text, "data: 12345\n\ndata: 67890\r\n\r\n");
        assert!(!too_large);
    }

    #[test]
    fn an_event_over_the_limit_ends_the_stream() {
        let (text, too_large) = collect(&["data: 12", "345678901234567890", "\n\n"], 16);
        assert_eq!(text, "data: 12");
        assert!(too_large);
    }
}
