//! Order actions (audit, pay, ship, deliver, complete, cancel, refund) and their consequences.
//!
//! Each action is one transaction: take the order's lock, ask the pure table
//! ([`super::order_state::transition`]) whether the action is allowed from the stored state
//! (refused: 50001, nothing changed), write the new state, and post what follows from it —
//! paying posts the seller's `sale` income, a refund the matching `refund` expense. Shipping
//! refuses an animal inside a withdrawal period.

use super::finance::{self, RecordInput};
use super::money::{Money, RawMoney};
use super::order::{self, PAYMENT_METHODS};
use super::order_state::{Action, transition};
use super::orders::{self, Context, OrderRow};
use super::{finance_store, notices, sellable};
use crate::db::{Db, Sql};
use crate::error::{Error, OrderRefusal, Problem, Result, Rule, Violations};

/// An action with its checked parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Audit {
        approve: bool,
        notes: Option<String>,
    },
    Pay {
        payment_method: String,
    },
    Ship {
        shipping_method: Option<String>,
        tracking_number: Option<String>,
    },
    Deliver,
    Complete,
    Cancel {
        reason: Option<String>,
    },
    Refund {
        /// `None`: the whole actual amount.
        amount: Option<Money>,
        reason: Option<String>,
        notes: Option<String>,
    },
}

impl Command {
    fn action(&self) -> Action {
        match self {
            Command::Audit { approve: true, .. } => Action::Approve,
            Command::Audit { approve: false, .. } => Action::Reject,
            Command::Pay { .. } => Action::Pay,
            Command::Ship { .. } => Action::Ship,
            Command::Deliver => Action::Deliver,
            Command::Complete => Action::Complete,
            Command::Cancel { .. } => Action::Cancel,
            Command::Refund { .. } => Action::Refund,
        }
    }

    /// `POST /orders/{id}/audit {action, notes}`.
    pub fn audit(action: Option<String>, notes: Option<String>) -> Result<Self> {
        let mut v = Violations::new();
        let approve = order::required_choice(&mut v, "action", action, &["approve", "reject"])
            .map(|a| a == "approve");
        let notes = order::text(&mut v, "notes", notes, 500);
        v.into_result()?;
        Ok(Command::Audit {
            approve: approve.unwrap_or(false),
            notes,
        })
    }

    pub fn pay(payment_method: Option<String>) -> Result<Self> {
        let mut v = Violations::new();
        let method =
            order::required_choice(&mut v, "payment_method", payment_method, PAYMENT_METHODS);
        v.into_result()?;
        Ok(Command::Pay {
            payment_method: method.unwrap_or_default(),
        })
    }

    pub fn ship(shipping_method: Option<String>, tracking_number: Option<String>) -> Result<Self> {
        let mut v = Violations::new();
        let shipping_method = order::text(&mut v, "shipping_method", shipping_method, 50);
        let tracking_number = order::text(&mut v, "tracking_number", tracking_number, 100);
        v.into_result()?;
        Ok(Command::Ship {
            shipping_method,
            tracking_number,
        })
    }

    pub fn cancel(reason: Option<String>) -> Result<Self> {
        let mut v = Violations::new();
        let reason = order::text(&mut v, "reason", reason, 500);
        v.into_result()?;
        Ok(Command::Cancel { reason })
    }

    pub fn refund(
        amount: Option<RawMoney>,
        reason: Option<String>,
        notes: Option<String>,
    ) -> Result<Self> {
        let mut v = Violations::new();
        let amount = order::money(&mut v, "refund_amount", amount.as_ref());
        let reason = order::text(&mut v, "refund_reason", reason, 500);
        let notes = order::text(&mut v, "notes", notes, 500);
        v.into_result()?;
        Ok(Command::Refund {
            amount,
            reason,
            notes,
        })
    }
}

fn refused(o: &OrderRow, action: Action) -> Error {
    Error::OrderState(OrderRefusal::Transition {
        action: action.code(),
        order_status: o.order_status.as_str(),
        payment_status: o.payment_status.as_str(),
    })
}

fn refund_record(o: &OrderRow, amount: Money, cx: Context) -> RecordInput {
    RecordInput {
        record_type: "expense".into(),
        category: finance::REFUND.into(),
        amount,
        description: Some(cx.words.refund_description(&o.order_no)),
        related_id: Some(o.id),
        related_type: Some("order".into()),
        payment_method: o.payment_method.clone(),
        receipt_image: None,
        record_date: cx.today,
        user_id: o.seller_id,
        farm_id: o.farm_id,
        notes: None,
    }
}

/// Applies `cmd` to order `id`; answers the order as it is afterwards.
pub async fn apply(db: &Db, actor: i64, id: i64, cmd: Command, cx: Context) -> Result<OrderRow> {
    let action = cmd.action();
    let mut tx = db.begin().await?;
    orders::lock(&mut tx, id).await?;
    let o = orders::row_on(&mut tx, id).await?;
    let (status, payment) =
        transition(o.order_status, o.payment_status, action).ok_or_else(|| refused(&o, action))?;
    let now = cx.now;
    let mut sql = Sql::new("UPDATE trade_orders SET order_status = ");
    sql.bind(status.as_str())
        .push(", payment_status = ")
        .bind(payment.as_str())
        .push(", updated_at = ")
        .bind(now);
    let mut set = |column: &str, value: crate::db::Val| {
        sql.push(", ").push(column).push(" = ").bind(value);
    };
    let mut post = None;
    match &cmd {
        Command::Audit { approve, notes } => {
            set("audit_notes", notes.clone().into());
            set("audited_at", now.into());
            set("audited_by", actor.into());
            if !approve {
                set("cancelled_at", now.into());
                set("cancel_reason", notes.clone().into());
            }
        }
        Command::Pay { payment_method } => {
            set("payment_method", payment_method.clone().into());
            set("paid_at", now.into());
            let mut paid = o.clone();
            paid.payment_method = Some(payment_method.clone());
            post = Some(orders::sale_record(&paid, cx));
        }
        Command::Ship {
            shipping_method,
            tracking_number,
        } => {
            let animals: Vec<i64> = sqlx::query_scalar(
                "SELECT item_id FROM trade_order_items \
                 WHERE order_id = $1 AND item_type = 'animal' AND item_id IS NOT NULL",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            sellable::ensure_outside_withdrawal(&mut tx, &animals, cx.today).await?;
            if shipping_method.is_some() {
                set("shipping_method", shipping_method.clone().into());
            }
            if tracking_number.is_some() {
                set("tracking_number", tracking_number.clone().into());
            }
            set("shipped_at", now.into());
        }
        Command::Deliver => set("delivered_at", now.into()),
        Command::Complete => set("completed_at", now.into()),
        Command::Cancel { reason } => {
            set("cancelled_at", now.into());
            set("cancel_reason", reason.clone().into());
        }
        Command::Refund {
            amount,
            reason,
            notes,
        } => {
            let amount = amount.unwrap_or(o.actual_amount);
            if amount > o.actual_amount {
                return Err(Error::invalid(
                    "refund_amount",
                    Problem::Rule(Rule::RefundExceedsActual),
                ));
            }
            set("refund_amount", amount.fen().into());
            set("refund_reason", reason.clone().into());
            set("refund_notes", notes.clone().into());
            set("refunded_at", now.into());
            set("cancelled_at", now.into());
            set("cancel_reason", reason.clone().into());
            if amount > Money::ZERO {
                post = Some(refund_record(&o, amount, cx));
            }
        }
    }
    sql.push(" WHERE id = ").bind(id);
    sql.query().execute(&mut *tx).await?;
    if let Some(record) = post {
        finance_store::post(&mut tx, &record, Some(actor)).await?;
    }
    let after = orders::row_on(&mut tx, id).await?;
    tx.commit().await?;
    if matches!(cmd, Command::Audit { .. }) {
        notices::order_audited(db, &after, cx.words).await;
    }
    Ok(after)
}
