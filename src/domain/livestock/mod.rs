//! The livestock platform (admin_v1 §5–8): farms, animals and health records (the farms
//! part), trade orders and financial records (the trade part).
//!
//! Trade part:
//! * [`money`] — exact amounts in fen, parsed and rendered as the document shows.

pub mod money;
