//! Why a trade order refused an action, as data (admin_v1 50001); each dialect words it.

/// A refused order action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRefusal {
    /// `action` (`approve`, `reject`, `pay`, `ship`, `deliver`, `complete`, `cancel`,
    /// `refund`) is not allowed from these states.
    Transition {
        action: &'static str,
        order_status: &'static str,
        payment_status: &'static str,
    },
    /// Only a pending, unpaid order may be edited.
    NotEditable,
    /// Only an unpaid order that is pending or cancelled may be deleted.
    NotDeletable,
    /// An animal inside a drug withdrawal period may not be sold or shipped before `ends`
    /// (`YYYY-MM-DD`, the first day it may).
    Withdrawal {
        animal_id: i64,
        code: String,
        ends: String,
    },
}
