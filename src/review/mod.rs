//! The design-review workflow on pull requests (handler of the delivery queue).

use std::sync::Arc;

use async_trait::async_trait;

use crate::{
    config::settings::Settings,
    queue::{HandleError, Handler},
    store::{Delivery, Store},
    webhook::Event,
};

/// Builds the queue's handler, or `None` when the App has no credentials yet.
pub fn handler(
    settings: &Settings,
    _store: Arc<dyn Store>,
) -> anyhow::Result<Option<Arc<dyn Handler>>> {
    Ok(settings
        .app
        .as_ref()
        .map(|_| Arc::new(Dispatcher) as Arc<dyn Handler>))
}

/// Routes each stored delivery to the part of the workflow that handles it.
pub struct Dispatcher;

#[async_trait]
impl Handler for Dispatcher {
    async fn handle(&self, delivery: &Delivery) -> Result<(), HandleError> {
        let event = Event::parse(&delivery.event, delivery.payload.as_bytes())
            .map_err(|e| HandleError::Permanent(e.to_string()))?;
        tracing::info!(?event, "delivery received (workflow not yet connected)");
        Ok(())
    }
}
