//! Bulk demo trade data (`ops-server livestock seed --orders N --records N`), for benchmarks
//! and trials.
//!
//! Orders and records are spread over the days before today, written in transactions of
//! [`BATCH`] orders or [`RECORD_BATCH`] records through multi-row `INSERT`s of one size (each statement is prepared once).
//! Buyers are the existing users, sellers the owners of the existing farms (without farms:
//! users too, and no farm). Order numbers are reserved from the per-day counters, and the
//! per-day financial rollup is bumped in the same transactions as the records, so the seeded
//! data obeys the same invariants as data written through the API. Seeded orders do not post
//! income records of their own: `--records` loads the books independently.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::order_no;
use crate::db::{self, Db, Sql};
use crate::error::{Error, Result};

/// Rows per transaction.
pub const BATCH: usize = 1000;
/// Records per transaction: many, so that the per-day rollup rows a transaction touches (one
/// per day, type and category) are few per record.
pub const RECORD_BATCH: usize = 20_000;
/// Rows per multi-row `INSERT`.
const ROWS_PER_STATEMENT: usize = 50;

const FEEDS: [(&str, &str); 6] = [
    ("玉米", "袋"),
    ("豆粕", "袋"),
    ("麦麸", "袋"),
    ("预混料", "箱"),
    ("青贮饲料", "吨"),
    ("鱼粉", "袋"),
];
const MEDICINES: [&str; 4] = ["猪瘟疫苗", "口蹄疫疫苗", "阿莫西林", "伊维菌素"];
const BREEDS: [&str; 6] = [
    "杜洛克猪",
    "长白猪",
    "大白猪",
    "西门塔尔牛",
    "湖羊",
    "三黄鸡",
];
const PROVINCES: [(&str, &str, &str); 5] = [
    ("上海市", "上海市", "浦东新区"),
    ("北京市", "北京市", "朝阳区"),
    ("广东省", "广州市", "天河区"),
    ("四川省", "成都市", "武侯区"),
    ("山东省", "济南市", "历下区"),
];
const NAMES: [&str; 8] = [
    "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十", "陈一",
];
const METHODS: [&str; 4] = ["alipay", "wechat", "bank_transfer", "cash"];
const INCOME: [&str; 3] = ["sale", "subsidy", "other"];
const EXPENSE: [&str; 6] = [
    "feed",
    "medicine",
    "labor",
    "equipment",
    "transport",
    "other",
];

/// SplitMix64: looks random, loads the same data every run.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(list: &[T], h: u64) -> T {
    list[(h % list.len() as u64) as usize]
}

/// Existing animal ids to sell (none: no animal orders).
async fn animal_ids(db: &Db) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM animals ORDER BY id LIMIT 10000")
            .fetch_all(db.pool())
            .await?,
    )
}

/// Existing users and `(farm id, owner id)` pairs to draw from.
async fn parties(db: &Db) -> Result<(Vec<i64>, Vec<(i64, i64)>)> {
    let users: Vec<i64> = sqlx::query_scalar("SELECT id FROM users ORDER BY id LIMIT 10000")
        .fetch_all(db.pool())
        .await?;
    let farms: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, user_id FROM farms ORDER BY id LIMIT 10000")
            .fetch_all(db.pool())
            .await?;
    if users.len() < 2 {
        return Err(Error::Internal(anyhow::anyhow!(
            "seeding orders needs at least two users (buyer and seller); create some first"
        )));
    }
    Ok((users, farms))
}

/// Writes `rows` (each a list of values) into `insert` (the statement up to `VALUES `) in
/// statements of [`ROWS_PER_STATEMENT`] rows; `returning` appends e.g. ` RETURNING id` and
/// collects the first column of every returned row, in the order of `rows`.
async fn insert_rows(
    tx: &mut sqlx::AnyConnection,
    insert: &str,
    rows: Vec<Vec<db::Val>>,
    returning: Option<&str>,
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(insert);
        sql.bind_rows(chunk.iter().map(Vec::as_slice));
        match returning {
            Some(r) => {
                sql.push(r);
                ids.extend(sql.query_scalar::<i64>().fetch_all(&mut *tx).await?);
            }
            None => {
                sql.query().execute(&mut *tx).await?;
            }
        }
    }
    Ok(ids)
}

/// Writes `rows` into `insert` like [`insert_rows`], each statement ending in `tail`.
async fn insert_rows_then(
    tx: &mut sqlx::AnyConnection,
    insert: &str,
    rows: Vec<Vec<db::Val>>,
    tail: &str,
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(insert);
        sql.bind_rows(chunk.iter().map(Vec::as_slice));
        sql.push(tail);
        sql.query().execute(&mut *tx).await?;
    }
    Ok(())
}

/// Loads `count` orders spread over the 365 days before `today`, newest last.
pub async fn orders(
    db: &Db,
    count: u64,
    tz: chrono_tz::Tz,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let (users, farms) = parties(db).await?;
    let animals = animal_ids(db).await?;
    let now = db::now();
    let span = 365 * 86_400_000_000i64;
    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(BATCH as u64);
        let mut tx = db.begin().await?;
        // Orders of one batch are consecutive in time, so they share few days: reserve each
        // day's numbers once.
        let mut per_day: HashMap<NaiveDate, (i64, i64)> = HashMap::new();
        let mut specs = Vec::with_capacity(n as usize);
        for k in 0..n {
            let i = done + k;
            let created = now - span + span * (i as i64 + 1) / count as i64;
            let day = db::time::to_datetime(created)
                .with_timezone(&tz)
                .date_naive();
            per_day.entry(day).or_insert((0, 0)).1 += 1;
            specs.push((i, created, day));
        }
        for (day, (first, reserved)) in per_day.iter_mut() {
            *first = order_no::reserve(&mut tx, *day, *reserved).await?;
        }
        let mut order_rows = Vec::with_capacity(n as usize);
        let mut lines_of = Vec::with_capacity(n as usize);
        for (i, created, day) in specs {
            let h = mix(i);
            let slot = per_day.get_mut(&day).map(|e| {
                let seq = e.0;
                e.0 += 1;
                seq
            });
            let order_no = order_no::format(day, slot.unwrap_or(1));
            let (farm_id, seller) = if farms.is_empty() {
                (None, users[(h % users.len() as u64) as usize])
            } else {
                let (f, owner) = farms[(h % farms.len() as u64) as usize];
                (Some(f), owner)
            };
            let mut buyer = users[((h >> 16) % users.len() as u64) as usize];
            if buyer == seller {
                buyer =
                    users[(users.iter().position(|u| *u == buyer).unwrap_or(0) + 1) % users.len()];
            }
            let kind = match h % 3 {
                0 if !animals.is_empty() => "animal",
                1 => "feed",
                _ => "medicine",
            };
            let lines = if kind == "animal" {
                1
            } else {
                1 + (h >> 8) % 3
            };
            let mut total = 0i64;
            let mut item_rows = Vec::new();
            for l in 0..lines {
                let lh = mix(h ^ l);
                let (name, unit, price) = match kind {
                    "animal" => (
                        pick(&BREEDS, lh).to_owned(),
                        "头",
                        80_000 + (lh % 300_000) as i64,
                    ),
                    "feed" => {
                        let (n, u) = pick(&FEEDS, lh);
                        (n.to_owned(), u, 5_000 + (lh % 20_000) as i64)
                    }
                    _ => (
                        pick(&MEDICINES, lh).to_owned(),
                        "盒",
                        1_000 + (lh % 9_000) as i64,
                    ),
                };
                let qty = 1 + (lh >> 20) as i64 % 20;
                total += price * qty;
                let item_id = (kind == "animal").then(|| pick(&animals, lh));
                item_rows.push(vec![
                    kind.into(),
                    item_id.into(),
                    name.into(),
                    price.into(),
                    qty.into(),
                    unit.into(),
                    (price * qty).into(),
                    created.into(),
                ]);
            }
            lines_of.push(item_rows);
            let shipping = if h % 4 == 0 { 0 } else { 10_000 };
            let discount = if h % 10 == 0 { total / 20 } else { 0 };
            // Older orders are further along: a realistic mix of every state.
            let age = (now - created) / 86_400_000_000;
            let (status, payment) = match (age, h % 20) {
                (_, 0) => ("cancelled", "unpaid"),
                (_, 1) => ("cancelled", "refunded"),
                (0..=2, 2..=9) => ("pending", "unpaid"),
                (0..=2, _) => ("confirmed", "paid"),
                (3..=7, _) => ("shipped", "paid"),
                (8..=14, _) => ("delivered", "paid"),
                _ => ("completed", "paid"),
            };
            let paid = payment != "unpaid";
            let (province, city, district) = pick(&PROVINCES, h >> 24);
            order_rows.push(vec![
                order_no.into(),
                kind.into(),
                buyer.into(),
                seller.into(),
                farm_id.into(),
                total.into(),
                discount.into(),
                shipping.into(),
                (total - discount + shipping).into(),
                (if paid {
                    Some(pick(&METHODS, h >> 4).to_owned())
                } else {
                    None
                })
                .into(),
                payment.into(),
                status.into(),
                pick(&NAMES, h >> 12).into(),
                format!("139{:08}", h % 100_000_000).into(),
                province.into(),
                city.into(),
                district.into(),
                format!("某某路{}号", 1 + h % 999).into(),
                (if paid {
                    Some(created + 1_800_000_000)
                } else {
                    None
                })
                .into(),
                created.into(),
                created.into(),
            ]);
        }
        let ids = insert_rows(
            &mut tx,
            "INSERT INTO trade_orders (order_no, order_type, buyer_id, seller_id, farm_id, \
             total_amount, discount_amount, shipping_fee, actual_amount, payment_method, \
             payment_status, order_status, ship_name, ship_phone, ship_province, ship_city, \
             ship_district, ship_address, paid_at, created_at, updated_at) VALUES ",
            order_rows,
            Some(" RETURNING id"),
        )
        .await?;
        let item_rows: Vec<Vec<db::Val>> = ids
            .iter()
            .zip(lines_of)
            .flat_map(|(id, lines)| {
                lines.into_iter().map(move |mut row| {
                    row.insert(0, (*id).into());
                    row
                })
            })
            .collect();
        insert_rows(
            &mut tx,
            "INSERT INTO trade_order_items (order_id, item_type, item_id, item_name, unit_price, \
             quantity, unit, subtotal, created_at) VALUES ",
            item_rows,
            None,
        )
        .await?;
        tx.commit().await?;
        done += n;
        progress(done);
    }
    Ok(())
}

/// Loads `count` financial records spread over the 730 days before `today`.
pub async fn records(
    db: &Db,
    count: u64,
    today: NaiveDate,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let (users, farms) = parties(db).await?;
    let now = db::now();
    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(RECORD_BATCH as u64);
        let mut tx = db.begin().await?;
        let mut rows = Vec::with_capacity(n as usize);
        let mut totals: HashMap<(String, &str, &str), (i64, i64)> = HashMap::new();
        for k in 0..n {
            let i = done + k;
            let h = mix(i ^ 0xF1_4A_4C_E5);
            let day = today - Duration::days((h % 730) as i64);
            let income = h % 5 < 2;
            let (kind, category) = if income {
                ("income", pick(&INCOME, h >> 8))
            } else {
                ("expense", pick(&EXPENSE, h >> 8))
            };
            let amount = 1_000 + (h >> 16) as i64 % 500_000;
            let (farm_id, user_id) = if farms.is_empty() {
                (None, users[(h % users.len() as u64) as usize])
            } else {
                let (f, owner) = farms[((h >> 32) % farms.len() as u64) as usize];
                (Some(f), owner)
            };
            let date = day.format("%Y-%m-%d").to_string();
            let e = totals
                .entry((date.clone(), kind, category))
                .or_insert((0, 0));
            e.0 += amount;
            e.1 += 1;
            rows.push(vec![
                kind.into(),
                category.into(),
                amount.into(),
                format!("{category} 记账").into(),
                pick(&METHODS, h >> 40).into(),
                date.into(),
                user_id.into(),
                farm_id.into(),
                now.into(),
                now.into(),
            ]);
        }
        insert_rows(
            &mut tx,
            "INSERT INTO financial_records (record_type, category, amount, description, \
             payment_method, record_date, user_id, farm_id, created_at, updated_at) VALUES ",
            rows,
            None,
        )
        .await?;
        // The rollup rows of the batch, in multi-row upserts (a batch's keys are distinct).
        let totals: Vec<Vec<db::Val>> = totals
            .into_iter()
            .map(|((day, kind, category), (amount, records))| {
                vec![
                    day.into(),
                    kind.into(),
                    category.into(),
                    amount.into(),
                    records.into(),
                ]
            })
            .collect();
        insert_rows_then(
            &mut tx,
            "INSERT INTO financial_daily_totals (day, record_type, category, amount, records) \
             VALUES ",
            totals,
            " ON CONFLICT (day, record_type, category) DO UPDATE \
             SET amount = financial_daily_totals.amount + excluded.amount, \
             records = financial_daily_totals.records + excluded.records",
        )
        .await?;
        tx.commit().await?;
        done += n;
        progress(done);
    }
    // Fresh planner statistics for the new rows (which index a range of amounts should use).
    sqlx::query("ANALYZE").execute(db.write_pool()).await?;
    Ok(())
}
