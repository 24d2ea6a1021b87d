//! Writing and reading single orders. Every write of an order, its cost lines, its search row
//! and its owner's order count is one transaction: a failure anywhere leaves none of them.

use super::order::{JOINED_COST_COLUMNS, ORDER_COLUMNS};
use super::{Caller, CostRecord, Costs, Order, OrderInput, photos, scope, search};
use crate::db::{self, Db, Sql, Timestamp, Tx};
use crate::error::{Entity, Error, Result};

/// What a create answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub id: i64,
    pub total_cost: i64,
    pub created_at: Timestamp,
}

/// Creates an order owned by the caller.
pub async fn create(db: &Db, caller: Caller, input: OrderInput) -> Result<Created> {
    photos::check(db, caller, &input.photos).await?;
    let now = db::now();
    let total_cost = input.costs.total();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO purchase_orders (user_id, title, part_name, remark, link, styles, \
         tracking_number, photos, order_status, total_cost, update_time, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(caller.user_id)
    .bind(&input.title)
    .bind(&input.part_name)
    .bind(&input.remark)
    .bind(&input.link)
    .bind(&input.styles)
    .bind(&input.tracking_number)
    .bind(input.photos_json())
    .bind(input.status.as_str())
    .bind(total_cost)
    .bind(input.update_time.unwrap_or(now))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    insert_costs(&mut tx, id, caller.user_id, &input.costs, now).await?;
    sqlx::query(
        "INSERT INTO purchase_search (rowid, user_id, created_at, search_text) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(caller.user_id)
    .bind(now)
    .bind(document(&input))
        .execute(&mut *tx)
        .await?;
    add_to_count(&mut tx, caller.user_id, 1).await?;
    tx.commit().await?;
    Ok(Created {
        id,
        total_cost,
        created_at: now,
    })
}

/// An order and its cost lines (in the order they were sent), in one query: the order's
/// columns repeat on each cost line's row (a detail is read far more often than it has lines).
pub async fn get(db: &Db, caller: Caller, id: i64) -> Result<(Order, Vec<CostRecord>)> {
    let mut sql = Sql::new(&format!(
        "SELECT {}, {JOINED_COST_COLUMNS} FROM purchase_orders o \
         LEFT JOIN purchase_costs c ON c.order_id = o.id WHERE o.id = ",
        ORDER_COLUMNS_O.as_str()
    ));
    sql.bind(id);
    scope(&mut sql, "o.user_id", caller);
    sql.push(" ORDER BY c.id");
    let rows = sql.query().fetch_all(db.pool()).await?;
    let first = rows.first().ok_or(Error::NotFound(Entity::Order))?;
    let order = Order::from_row(first)?;
    let mut costs = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(cost) = CostRecord::from_joined_row(row)? {
            costs.push(cost);
        }
    }
    Ok((order, costs))
}

/// [`ORDER_COLUMNS`] qualified with the alias `o`.
static ORDER_COLUMNS_O: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| db::qualify(ORDER_COLUMNS, "o"));

/// Replaces every field of an order and all of its cost lines. The owner stays the same.
pub async fn replace(
    db: &Db,
    caller: Caller,
    id: i64,
    input: OrderInput,
) -> Result<(Order, Vec<CostRecord>)> {
    photos::check(db, caller, &input.photos).await?;
    let now = db::now();
    let mut tx = db.begin().await?;
    // The UPDATE comes first: on PostgreSQL it locks the order row, so two concurrent
    // replaces of one order run one after the other and never mix their cost lines.
    let mut sql = Sql::new("UPDATE purchase_orders SET title = ");
    sql.bind(input.title.as_str())
        .push(", part_name = ")
        .bind(input.part_name.as_str())
        .push(", remark = ")
        .bind(input.remark.as_str())
        .push(", link = ")
        .bind(input.link.as_str())
        .push(", styles = ")
        .bind(input.styles.as_str())
        .push(", tracking_number = ")
        .bind(input.tracking_number.as_str())
        .push(", photos = ")
        .bind(input.photos_json())
        .push(", order_status = ")
        .bind(input.status.as_str())
        .push(", total_cost = ")
        .bind(input.costs.total())
        .push(", update_time = ")
        .bind(input.update_time.unwrap_or(now))
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id);
    scope(&mut sql, "user_id", caller);
    sql.push(" RETURNING user_id");
    let owner: i64 = sql
        .query_scalar()
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound(Entity::Order))?;
    sqlx::query("DELETE FROM purchase_costs WHERE order_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    insert_costs(&mut tx, id, owner, &input.costs, now).await?;
    sqlx::query("UPDATE purchase_search SET search_text = $1 WHERE rowid = $2")
        .bind(document(&input))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    add_to_count(&mut tx, owner, 0).await?;
    tx.commit().await?;
    get(db, caller, id).await
}

/// Deletes an order; its cost lines and search row go with it (foreign keys in PostgreSQL,
/// a foreign key and a trigger in SQLite).
pub async fn delete(db: &Db, caller: Caller, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    let mut sql = Sql::new("DELETE FROM purchase_orders WHERE id = ");
    sql.bind(id);
    scope(&mut sql, "user_id", caller);
    sql.push(" RETURNING user_id");
    let owner: i64 = sql
        .query_scalar()
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound(Entity::Order))?;
    add_to_count(&mut tx, owner, -1).await?;
    tx.commit().await?;
    Ok(())
}

fn document(input: &OrderInput) -> String {
    search::document(
        &input.title,
        &input.part_name,
        &input.remark,
        &input.tracking_number,
    )
}

/// Writes all cost lines of an order in one statement.
async fn insert_costs(
    tx: &mut Tx<'_>,
    order_id: i64,
    user_id: i64,
    costs: &Costs,
    now: Timestamp,
) -> Result<()> {
    let mut sql = Sql::new(
        "INSERT INTO purchase_costs (order_id, user_id, price, quantity, costt, currencytype, type, created_at) VALUES ",
    );
    for (i, line) in costs.lines().iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        let costt = line
            .costt
            .as_ref()
            .filter(|v| !v.is_null())
            .map(|v| v.to_string());
        sql.push("(")
            .bind(order_id)
            .push(", ")
            .bind(user_id)
            .push(", ")
            .bind(line.price.get())
            .push(", ")
            .bind(line.quantity.get())
            .push(", ")
            .bind(costt)
            .push(", ")
            .bind(line.currency.as_str())
            .push(", ")
            .bind(line.kind.as_str())
            .push(", ")
            .bind(now)
            .push(")");
    }
    sql.query().execute(&mut **tx).await?;
    Ok(())
}

/// Keeps `purchase_order_counts` in step with the orders, so an unfiltered list never has
/// to count a million rows, and raises the owner's change counter (see
/// [`super::search_cache`]): every write of an order calls this (`delta` 0 for a replace).
pub(crate) async fn add_to_count(tx: &mut Tx<'_>, user_id: i64, delta: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO purchase_order_counts (user_id, orders, changes) VALUES ($1, $2, 1) \
         ON CONFLICT (user_id) DO UPDATE SET orders = purchase_order_counts.orders + excluded.orders, \
         changes = purchase_order_counts.changes + 1",
    )
    .bind(user_id)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
