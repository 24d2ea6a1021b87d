//! The trade order state machine (decisions §3 and §6): one pure table.
//!
//! `order_status` pending → confirmed → shipped → delivered → completed, or cancelled;
//! `payment_status` unpaid → paid → refunded. Every (order status, payment status, action)
//! triple not in [`transition`]'s table is refused (admin_v1 50001) and changes nothing.

/// `order_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    Pending,
    Confirmed,
    Shipped,
    Delivered,
    Completed,
    Cancelled,
}

/// `payment_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    Unpaid,
    Paid,
    Refunded,
}

/// What an operator does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Audit `approve`.
    Approve,
    /// Audit `reject`: cancels, with the audit notes as the cancel reason.
    Reject,
    Pay,
    Ship,
    Deliver,
    Complete,
    Cancel,
    Refund,
}

impl OrderStatus {
    /// Every name, for "one of" answers.
    pub const NAMES: &'static [&'static str] = &[
        "pending",
        "confirmed",
        "shipped",
        "delivered",
        "completed",
        "cancelled",
    ];

    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::Pending,
        OrderStatus::Confirmed,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl PaymentStatus {
    pub const NAMES: &'static [&'static str] = &["unpaid", "paid", "refunded"];

    pub const ALL: [PaymentStatus; 3] = [
        PaymentStatus::Unpaid,
        PaymentStatus::Paid,
        PaymentStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Approve,
        Action::Reject,
        Action::Pay,
        Action::Ship,
        Action::Deliver,
        Action::Complete,
        Action::Cancel,
        Action::Refund,
    ];

    /// The action's name in a refusal (each dialect words it).
    pub fn code(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Pay => "pay",
            Action::Ship => "ship",
            Action::Deliver => "deliver",
            Action::Complete => "complete",
            Action::Cancel => "cancel",
            Action::Refund => "refund",
        }
    }
}

/// The state after `action`, or `None` when the action is not allowed from this state.
pub fn transition(
    order: OrderStatus,
    payment: PaymentStatus,
    action: Action,
) -> Option<(OrderStatus, PaymentStatus)> {
    use Action as A;
    use OrderStatus as O;
    use PaymentStatus as P;
    match (action, order, payment) {
        // Audit is for pending orders only; an approved order keeps its payment state (it may
        // have been created paid). A reject cancels, so like a cancel it needs an unpaid
        // order: a paid one is refunded instead.
        (A::Approve, O::Pending, P::Unpaid | P::Paid) => Some((O::Confirmed, payment)),
        (A::Reject, O::Pending, P::Unpaid) => Some((O::Cancelled, P::Unpaid)),
        // Pay when unpaid and pending or confirmed.
        (A::Pay, O::Pending | O::Confirmed, P::Unpaid) => Some((order, P::Paid)),
        // Ship when confirmed and paid; deliver when shipped; complete when delivered.
        (A::Ship, O::Confirmed, P::Paid) => Some((O::Shipped, P::Paid)),
        (A::Deliver, O::Shipped, P::Paid) => Some((O::Delivered, P::Paid)),
        (A::Complete, O::Delivered, P::Paid) => Some((O::Completed, P::Paid)),
        // Cancel when pending or confirmed and unpaid (never after shipping).
        (A::Cancel, O::Pending | O::Confirmed, P::Unpaid) => Some((O::Cancelled, P::Unpaid)),
        // Refund when paid and not completed: refunded and cancelled.
        (A::Refund, O::Pending | O::Confirmed | O::Shipped | O::Delivered, P::Paid) => {
            Some((O::Cancelled, P::Refunded))
        }
        _ => None,
    }
}

/// Whether an order in this state may still be edited or deleted: pending and never paid
/// (a paid order carries an income record; editing its amounts would falsify the books).
/// Cancelled unpaid orders may also be deleted.
pub fn editable(order: OrderStatus, payment: PaymentStatus) -> bool {
    order == OrderStatus::Pending && payment == PaymentStatus::Unpaid
}

pub fn deletable(order: OrderStatus, payment: PaymentStatus) -> bool {
    matches!(order, OrderStatus::Pending | OrderStatus::Cancelled)
        && payment == PaymentStatus::Unpaid
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as A;
    use OrderStatus as O;
    use PaymentStatus as P;

    /// The expected outcome of every (action, order status, payment status), written as a
    /// list of the allowed ones; everything else must be refused.
    const ALLOWED: &[(
        Action,
        OrderStatus,
        PaymentStatus,
        OrderStatus,
        PaymentStatus,
    )] = &[
        (A::Approve, O::Pending, P::Unpaid, O::Confirmed, P::Unpaid),
        (A::Approve, O::Pending, P::Paid, O::Confirmed, P::Paid),
        (A::Reject, O::Pending, P::Unpaid, O::Cancelled, P::Unpaid),
        (A::Pay, O::Pending, P::Unpaid, O::Pending, P::Paid),
        (A::Pay, O::Confirmed, P::Unpaid, O::Confirmed, P::Paid),
        (A::Ship, O::Confirmed, P::Paid, O::Shipped, P::Paid),
        (A::Deliver, O::Shipped, P::Paid, O::Delivered, P::Paid),
        (A::Complete, O::Delivered, P::Paid, O::Completed, P::Paid),
        (A::Cancel, O::Pending, P::Unpaid, O::Cancelled, P::Unpaid),
        (A::Cancel, O::Confirmed, P::Unpaid, O::Cancelled, P::Unpaid),
        (A::Refund, O::Pending, P::Paid, O::Cancelled, P::Refunded),
        (A::Refund, O::Confirmed, P::Paid, O::Cancelled, P::Refunded),
        (A::Refund, O::Shipped, P::Paid, O::Cancelled, P::Refunded),
        (A::Refund, O::Delivered, P::Paid, O::Cancelled, P::Refunded),
    ];

    #[test]
    fn every_state_with_every_action() {
        let mut checked = 0;
        for action in Action::ALL {
            for order in OrderStatus::ALL {
                for payment in PaymentStatus::ALL {
                    let expected = ALLOWED
                        .iter()
                        .find(|(a, o, p, _, _)| *a == action && *o == order && *p == payment)
                        .map(|(_, _, _, o, p)| (*o, *p));
                    assert_eq!(
                        transition(order, payment, action),
                        expected,
                        "{action:?} from {order:?}/{payment:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 8 * 6 * 3);
    }

    #[test]
    fn finished_orders_accept_nothing() {
        for action in Action::ALL {
            for payment in PaymentStatus::ALL {
                assert_eq!(transition(O::Completed, payment, action), None);
                assert_eq!(transition(O::Cancelled, payment, action), None);
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderStatus::parse("Pending"), None);
    }

    #[test]
    fn only_unpaid_pending_orders_are_edited() {
        assert!(editable(O::Pending, P::Unpaid));
        assert!(!editable(O::Pending, P::Paid));
        assert!(!editable(O::Confirmed, P::Unpaid));
        assert!(deletable(O::Cancelled, P::Unpaid));
        assert!(!deletable(O::Cancelled, P::Refunded));
        assert!(!deletable(O::Shipped, P::Paid));
    }
}
