//! §7 订单 and §8 财务: what the order and financial-record handlers share. Their routes are
//! in `trade_routes.rs`, their rules in [`super::ROUTES`].

use chrono::{NaiveDate, Utc};
use serde::Serialize;

use super::reply::mask_phone;
use crate::db::{self, time};
use crate::domain::livestock::fields;
use crate::domain::livestock::orders::Context;
use crate::domain::livestock::refs::{FarmRef, UserRef};
use crate::error::Violations;
use crate::state::AppState;

/// Today in server.timezone.
pub fn today(state: &AppState) -> NaiveDate {
    Utc::now().with_timezone(&state.tz).date_naive()
}

/// Today, now, and admin_v1's words, for a trade write.
pub fn context(state: &AppState) -> Context {
    Context {
        today: today(state),
        now: db::now(),
        words: &super::words::WORDS,
    }
}

/// A calendar-date filter (the rule: [`fields::local_date`]).
pub fn day(
    v: &mut Violations,
    state: &AppState,
    field: &str,
    raw: Option<&str>,
) -> Option<NaiveDate> {
    fields::local_date(v, field, raw, state.tz)
}

pub fn at(state: &AppState, ts: Option<i64>) -> Option<String> {
    ts.map(|t| time::local_seconds(t, state.tz))
}

/// `{id, username, real_name}` (lists).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = TradeUserOut)]
pub struct UserOut {
    id: i64,
    username: String,
    real_name: String,
}

pub fn user_out(u: Option<UserRef>) -> Option<UserOut> {
    u.map(|u| UserOut {
        id: u.id,
        username: u.username,
        real_name: u.real_name,
    })
}

/// `{id, username, real_name, phone}` with the phone masked (order detail).
#[derive(Serialize, utoipa::ToSchema)]
pub struct PartyOut {
    id: i64,
    username: String,
    real_name: String,
    phone: Option<String>,
}

pub fn party_out(u: Option<UserRef>) -> Option<PartyOut> {
    u.map(|u| PartyOut {
        id: u.id,
        phone: u.phone.as_deref().map(mask_phone),
        username: u.username,
        real_name: u.real_name,
    })
}

/// `{id, real_name}` (a record's `created_by`).
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuthorOut {
    id: i64,
    real_name: String,
}

pub fn author_out(u: Option<UserRef>) -> Option<AuthorOut> {
    u.map(|u| AuthorOut {
        id: u.id,
        real_name: u.real_name,
    })
}

/// `{id, name}` (lists).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = TradeFarmOut)]
pub struct FarmOut {
    id: i64,
    name: String,
}

pub fn farm_out(f: Option<FarmRef>) -> Option<FarmOut> {
    f.map(|f| FarmOut {
        id: f.id,
        name: f.name,
    })
}

/// `{id, name, address}` (order detail).
#[derive(Serialize, utoipa::ToSchema)]
pub struct FarmAddressOut {
    id: i64,
    name: String,
    address: String,
}

pub fn farm_address_out(f: Option<FarmRef>) -> Option<FarmAddressOut> {
    f.map(|f| FarmAddressOut {
        id: f.id,
        name: f.name,
        address: f.address,
    })
}
