//! Placeholder, replaced by the real backend.
use super::*;

pub struct PgStore;

impl PgStore {
    pub async fn connect(_url: &str) -> StoreResult<Self> {
        unimplemented!()
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> { unimplemented!() }
    async fn insert_delivery(&self, _d: &NewDelivery) -> StoreResult<InsertOutcome> { unimplemented!() }
    async fn claim_next(&self, _w: &str, _l: std::time::Duration) -> StoreResult<Option<Delivery>> { unimplemented!() }
    async fn renew_lease(&self, _id: &str, _l: std::time::Duration) -> StoreResult<()> { unimplemented!() }
    async fn complete(&self, _id: &str) -> StoreResult<()> { unimplemented!() }
    async fn fail(&self, _id: &str, _e: &str, _r: Option<DateTime<Utc>>) -> StoreResult<()> { unimplemented!() }
    async fn requeue(&self, _id: &str) -> StoreResult<()> { unimplemented!() }
    async fn get_delivery(&self, _id: &str) -> StoreResult<Option<Delivery>> { unimplemented!() }
    async fn list_deliveries(&self, _f: &DeliveryFilter) -> StoreResult<Vec<Delivery>> { unimplemented!() }
    async fn queue_depth(&self) -> StoreResult<i64> { unimplemented!() }
    async fn pr_state(&self, _pr: &PrRef) -> StoreResult<PrState> { unimplemented!() }
    async fn save_pr_state(&self, _pr: &PrRef, _s: &PrState) -> StoreResult<()> { unimplemented!() }
    async fn record_audit(&self, _e: &AuditEntry) -> StoreResult<()> { unimplemented!() }
    async fn list_audit(&self, _f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> { unimplemented!() }
}
