//! The texts a trade write stores on its own: the descriptions of the financial records it
//! posts and the audit notice it sends. The domain keeps the facts (which order, which
//! verdict); the dialect that writes trades words them, once, and hands its words in with
//! every write ([`super::orders::Context`]).

/// Words for what the system writes into trade data on a user's behalf.
pub trait TradeWords: Send + Sync {
    /// The description of the seller's income record when `order_no` is paid.
    fn sale_description(&self, order_no: &str) -> String;
    /// The description of the seller's refund expense for `order_no`.
    fn refund_description(&self, order_no: &str) -> String;
    /// The title and content of the notice buyer and seller get when `order_no` is audited.
    fn audit_notice(&self, order_no: &str, approved: bool) -> (String, String);
}
