//! Bulk loading of demo orders (`ops-server purchase seed`), for benchmarks and trials.
//!
//! Orders are written in transactions of [`BATCH`], through multi-row `INSERT`s of
//! [`ROWS_PER_STATEMENT`] rows each for the orders, their cost lines and their search rows.
//! Statements keep one size so each is prepared once and then reused from the statement cache:
//! SQLite resolves `$n` parameters with a linear lookup, so preparing a statement of thousands
//! of parameters costs time that grows with their square. The content is deterministic and
//! varied enough to search: the part name is one of 100 (brand × item), so searching one full
//! part name, e.g. `华为交换机`, selects about 1% of the orders.

use std::collections::HashMap;

use super::search;
use super::status::OrderStatus;
use super::store::add_to_count;
use crate::db::{self, Db, Sql, Tx};
use crate::error::{Error, Result};

/// Orders per transaction.
pub const BATCH: usize = 1000;
/// Rows per multi-row `INSERT` (at most 13 values per row: 1,300 bound parameters).
pub const ROWS_PER_STATEMENT: usize = 100;

pub const BRANDS: [&str; 10] = [
    "华为",
    "联想",
    "戴尔",
    "惠普",
    "小米",
    "三星",
    "英特尔",
    "希捷",
    "金士顿",
    "思科",
];
pub const ITEMS: [&str; 10] = [
    "服务器",
    "显示器",
    "键盘",
    "鼠标",
    "内存条",
    "固态硬盘",
    "交换机",
    "路由器",
    "网线",
    "电源",
];
const REMARKS: [&str; 10] = [
    "需要尽快发货",
    "周末送货",
    "请开增值税专用发票",
    "备用机房使用",
    "替换损坏设备",
    "Urgent: please ship today",
    "Invoice to finance department",
    "测试环境采购",
    "季度例行补货",
    "",
];
const CURRENCIES: [&str; 4] = ["CNY", "MOP", "HKD", "USD"];

/// A cheap, well-mixed hash of the order number (SplitMix64), so the data looks random but
/// every run loads the same orders.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct DemoOrder {
    title: String,
    part_name: String,
    remark: &'static str,
    tracking_number: String,
    status: OrderStatus,
    created_at: i64,
    lines: Vec<CostLineSpec>,
}

/// Price, quantity, currency code and type of one demo cost line.
type CostLineSpec = (i64, i64, &'static str, &'static str);

fn demo(i: u64, created_at: i64) -> DemoOrder {
    let h = mix(i);
    let part = (h % 100) as usize;
    let part_name = format!("{}{}", BRANDS[part / 10], ITEMS[part % 10]);
    let n_lines = 1 + (h >> 8) % 3;
    let lines = (0..n_lines)
        .map(|k| {
            let hk = mix(h ^ k);
            let price = 100 + (hk % 500_000) as i64;
            let quantity = 1 + ((hk >> 20) % 10) as i64;
            let currency = CURRENCIES[((hk >> 32) % 4) as usize];
            let kind = ITEMS[((hk >> 40) % 10) as usize];
            (price, quantity, currency, kind)
        })
        .collect();
    DemoOrder {
        title: format!("{part_name}采购 第{}批", 1 + (h >> 16) % 50),
        part_name,
        remark: REMARKS[((h >> 24) % 10) as usize],
        // Unique within a run: the mapping from returned ids back to orders relies on it.
        tracking_number: format!("SF{:04}{:08}", (h >> 32) % 10_000, i % 100_000_000),
        status: OrderStatus::ALL[((h >> 40) % 9) as usize],
        created_at,
        lines,
    }
}

/// Loads `count` demo orders for `user_id`, the newest created now and each older one
/// `spacing_micros` earlier. `progress` hears the running total after every batch.
pub async fn load(
    db: &Db,
    user_id: i64,
    count: u64,
    spacing_micros: i64,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let now = db::now();
    let first_created = now - spacing_micros.saturating_mul(i64::try_from(count).unwrap_or(0));
    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(BATCH as u64);
        let batch: Vec<DemoOrder> = (done..done + n)
            .map(|i| demo(i, first_created + spacing_micros * (i as i64 + 1)))
            .collect();
        insert_batch(db, user_id, &batch, now).await?;
        done += n;
        progress(done);
    }
    // Fresh planner statistics for the tables that just grew (shared SQL on both engines).
    sqlx::query("ANALYZE").execute(db.pool()).await?;
    Ok(())
}

async fn insert_batch(db: &Db, user_id: i64, batch: &[DemoOrder], now: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(batch.len());
    for chunk in batch.chunks(ROWS_PER_STATEMENT) {
        ids.extend(insert_orders(&mut tx, user_id, chunk, now).await?);
    }
    let lines: Vec<(i64, i64, &CostLineSpec)> = batch
        .iter()
        .zip(&ids)
        .flat_map(|(o, &id)| o.lines.iter().map(move |l| (id, o.created_at, l)))
        .collect();
    for chunk in lines.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(
            "INSERT INTO purchase_costs (order_id, user_id, price, quantity, costt, currencytype, type, created_at) VALUES ",
        );
        for (i, &(id, created_at, &(price, quantity, currency, kind))) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(id)
                .push(", ")
                .bind(user_id)
                .push(", ")
                .bind(price)
                .push(", ")
                .bind(quantity)
                .push(", ")
                .bind((price * quantity).to_string())
                .push(", ")
                .bind(currency)
                .push(", ")
                .bind(kind)
                .push(", ")
                .bind(created_at)
                .push(")");
        }
        sql.query().execute(&mut *tx).await?;
    }
    let orders: Vec<(i64, &DemoOrder)> = ids.iter().copied().zip(batch).collect();
    for chunk in orders.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(
            "INSERT INTO purchase_search (rowid, user_id, created_at, search_text) VALUES ",
        );
        for (i, (id, o)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(*id)
                .push(", ")
                .bind(user_id)
                .push(", ")
                .bind(o.created_at)
                .push(", ")
                .bind(search::document(
                    &o.title,
                    &o.part_name,
                    o.remark,
                    &o.tracking_number,
                ))
                .push(")");
        }
        sql.query().execute(&mut *tx).await?;
    }
    add_to_count(&mut tx, user_id, batch.len() as i64).await?;
    tx.commit().await?;
    Ok(())
}

/// Inserts the orders; answers their ids in the same order.
async fn insert_orders(
    tx: &mut Tx<'_>,
    user_id: i64,
    orders: &[DemoOrder],
    now: i64,
) -> Result<Vec<i64>> {
    let mut sql = Sql::new(
        "INSERT INTO purchase_orders (user_id, title, part_name, remark, link, styles, \
         tracking_number, photos, order_status, total_cost, update_time, created_at, updated_at) VALUES ",
    );
    for (i, o) in orders.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        let total: i64 = o.lines.iter().map(|(p, q, _, _)| p * q).sum();
        sql.push("(").bind(user_id);
        for text in [o.title.as_str(), o.part_name.as_str(), o.remark, "", ""] {
            sql.push(", ").bind(text);
        }
        sql.push(", ")
            .bind(o.tracking_number.as_str())
            .push(", ")
            .bind("[]")
            .push(", ")
            .bind(o.status.as_str())
            .push(", ")
            .bind(total)
            .push(", ")
            .bind(o.created_at)
            .push(", ")
            .bind(o.created_at)
            .push(", ")
            .bind(now)
            .push(")");
    }
    sql.push(" RETURNING id, tracking_number");
    // RETURNING order is unspecified on both engines: map rows back by tracking number.
    let rows: Vec<(i64, String)> = sql.query_as().fetch_all(&mut **tx).await?;
    let ids: HashMap<String, i64> = rows.into_iter().map(|(id, tn)| (tn, id)).collect();
    orders
        .iter()
        .map(|o| {
            ids.get(&o.tracking_number)
                .copied()
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("seeded order id not returned")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_orders_are_deterministic_and_spread_over_the_part_names() {
        assert_eq!(demo(7, 0).tracking_number, demo(7, 0).tracking_number);
        let mut per_part = HashMap::new();
        for i in 0..10_000 {
            *per_part.entry(demo(i, 0).part_name).or_insert(0) += 1;
        }
        assert_eq!(per_part.len(), 100);
        assert!(
            per_part.values().all(|&n| (50..=150).contains(&n)),
            "{per_part:?}"
        );
    }

    #[test]
    fn every_demo_order_has_valid_cost_lines() {
        for i in 0..1000 {
            let o = demo(i, 0);
            assert!((1..=3).contains(&o.lines.len()));
            assert!(o.lines.iter().all(|&(p, q, _, _)| p >= 0 && q >= 1));
        }
    }
}
