//! The life cycle of a purchase order, as a closed set of states.

/// One of the nine documented states (decisions §2); `pending` when a client sends none.
/// Clients may set any state at any time: the manual documents no transition rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderStatus {
    #[default]
    Pending,
    Ordered,
    Shipped,
    Arrived,
    Received,
    Completed,
    Cancelled,
    Returned,
    Lost,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::Pending,
        OrderStatus::Ordered,
        OrderStatus::Shipped,
        OrderStatus::Arrived,
        OrderStatus::Received,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Returned,
        OrderStatus::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Ordered => "ordered",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Arrived => "arrived",
            OrderStatus::Received => "received",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Returned => "returned",
            OrderStatus::Lost => "lost",
        }
    }

    /// The exact lower-case name; anything else is unknown.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_state_round_trips() {
        for st in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(OrderStatus::default(), OrderStatus::Pending);
    }

    #[test]
    fn unknown_states_are_refused() {
        for bad in ["", "PENDING", "done", "1", "pending "] {
            assert_eq!(OrderStatus::parse(bad), None, "{bad:?}");
        }
    }
}
