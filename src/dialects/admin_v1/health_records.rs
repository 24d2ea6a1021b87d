//! §6.3 健康记录: an animal's health records (list with filters, create).

use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::error::ApiResult;
use super::extract::{self, Auth, Id, Json, Query};
use super::livestock::{field, today};
use super::reply::{Paged, Reply};
use crate::db::time::local_seconds;
use crate::domain::livestock::Field;
use crate::domain::livestock::health::{self, HealthRecord, RawHealthRecord, RecordFilter};
use crate::domain::livestock::money::{Money, RawMoney};
use crate::domain::livestock::statistics::Period;
use crate::error::Violations;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListIn {
    page: Option<i64>,
    page_size: Option<i64>,
    record_type: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatorOut {
    id: i64,
    real_name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = HealthRecordOut)]
pub struct RecordOut {
    id: i64,
    animal_id: i64,
    record_type: String,
    record_date: String,
    symptoms: Option<String>,
    diagnosis: Option<String>,
    treatment: Option<String>,
    medicine: Option<String>,
    dosage: Option<String>,
    veterinarian: Option<String>,
    #[schema(value_type = Option<f64>)]
    cost: Option<Money>,
    next_checkup_date: Option<String>,
    notes: Option<String>,
    images: Vec<String>,
    /// Drug withdrawal of a treatment: days, and the first day the animal may be sold.
    withdrawal_days: Option<i64>,
    withdrawal_ends: Option<String>,
    created_by: Option<CreatorOut>,
    created_at: String,
}

fn out(state: &AppState, r: HealthRecord) -> RecordOut {
    RecordOut {
        id: r.id,
        animal_id: r.animal_id,
        record_type: r.record_type,
        record_date: r.record_date,
        symptoms: r.symptoms,
        diagnosis: r.diagnosis,
        treatment: r.treatment,
        medicine: r.medicine,
        dosage: r.dosage,
        veterinarian: r.veterinarian,
        cost: r.cost,
        next_checkup_date: r.next_checkup_date,
        notes: r.notes,
        images: r.images,
        withdrawal_days: r.withdrawal_days,
        withdrawal_ends: r.withdrawal_ends,
        created_by: r
            .created_by
            .map(|(id, real_name)| CreatorOut { id, real_name }),
        created_at: local_seconds(r.created_at, state.tz),
    }
}

/// `GET /animals/{id}/health-records` — latest first.
pub async fn list(
    State(state): State<AppState>,
    Id(id): Id,
    Query(q): Query<ListIn>,
) -> ApiResult<Reply<Paged<RecordOut>>> {
    let mut v = Violations::new();
    let page = extract::page(&mut v, q.page, q.page_size);
    v.into_result()?;
    let period = Period::parse(q.start_date.as_deref(), q.end_date.as_deref())?;
    let filter = RecordFilter {
        record_type: q.record_type,
        start_date: period.start,
        end_date: period.end,
    };
    let (list, total) = health::list(&state.db, id, &filter, page).await?;
    let list = list.into_iter().map(|r| out(&state, r)).collect();
    Ok(Reply::ok("获取成功", Paged::new(list, page, total)))
}

#[derive(Deserialize)]
pub struct RecordIn {
    #[serde(default, deserialize_with = "field")]
    record_type: Field<String>,
    #[serde(default, deserialize_with = "field")]
    record_date: Field<String>,
    #[serde(default, deserialize_with = "field")]
    symptoms: Field<String>,
    #[serde(default, deserialize_with = "field")]
    diagnosis: Field<String>,
    #[serde(default, deserialize_with = "field")]
    treatment: Field<String>,
    #[serde(default, deserialize_with = "field")]
    medicine: Field<String>,
    #[serde(default, deserialize_with = "field")]
    dosage: Field<String>,
    #[serde(default, deserialize_with = "field")]
    veterinarian: Field<String>,
    #[serde(default, deserialize_with = "field")]
    cost: Field<RawMoney>,
    #[serde(default, deserialize_with = "field")]
    next_checkup_date: Field<String>,
    #[serde(default, deserialize_with = "field")]
    notes: Field<String>,
    #[serde(default, deserialize_with = "field")]
    images: Field<Vec<String>>,
    #[serde(default, deserialize_with = "field")]
    withdrawal_days: Field<i64>,
}

/// `POST /animals/{id}/health-records` — answers 201; `created_by` is the caller.
pub async fn create(
    State(state): State<AppState>,
    Auth(me): Auth,
    Id(id): Id,
    Json(b): Json<RecordIn>,
) -> ApiResult<Reply<RecordOut>> {
    let raw = RawHealthRecord {
        record_type: b.record_type,
        record_date: b.record_date,
        symptoms: b.symptoms,
        diagnosis: b.diagnosis,
        treatment: b.treatment,
        medicine: b.medicine,
        dosage: b.dosage,
        veterinarian: b.veterinarian,
        cost: b.cost,
        next_checkup_date: b.next_checkup_date,
        notes: b.notes,
        images: b.images,
        withdrawal_days: b.withdrawal_days,
    };
    let r = health::create(&state.db, id, me.user.id, raw, today(&state)).await?;
    Ok(Reply::created("创建成功", out(&state, r)))
}
