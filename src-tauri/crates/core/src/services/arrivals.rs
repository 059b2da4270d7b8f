//! Arrivals on the merchant's collection cards (jstpay), read live.

use super::{config_of, PayDesk};
use crate::error::{CoreResult, FieldError};
use crate::gateway::{Arrival, Call};
use crate::providers;
use crate::tr;

impl PayDesk {
    pub async fn arrivals(
        &self,
        profile: &str,
        start: Option<i64>,
        end: Option<i64>,
    ) -> CoreResult<Vec<Arrival>> {
        let p = self.store.profile(profile).await?;
        if let (Some(s), Some(e)) = (start, end) {
            if s > e {
                return Err(FieldError::new(
                    "start",
                    tr!(
                        "开始时间不能晚于结束时间",
                        "the start cannot be after the end"
                    ),
                )
                .into());
            }
        }
        let (secret, reply) = self.secrets(&p)?;
        let cfg = config_of(&p);
        let call = Call::new(&self.http, &cfg, &secret, reply.as_ref());
        Ok(providers::gateway(p.provider)
            .arrivals(&call, start, end)
            .await?)
    }
}
