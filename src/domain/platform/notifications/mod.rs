//! Notifications (admin API §13): sent by administrators or by the system, read per user.
//!
//! * [`model`] — what a notification is, and the checks of a new one.
//! * [`send`] — storing one: once, whoever receives it. Other modules call [`notify_users`]
//!   (order audit → buyer and seller, export completion → requester).
//! * [`inbox`] — one user's notifications: list with filters, exact unread count, mark read.
//! * [`watch`] — what is new for a user since a watermark, for the event stream.
//!
//! A notification for everyone is one row with `to_all` set and no recipient rows, so a
//! broadcast to a million users writes one row; each user's read state is a row of its own
//! (`notification_reads`), written when they read it.

pub mod inbox;
pub mod model;
pub mod send;
pub mod watch;

pub use inbox::{InboxFilter, InboxItem};
pub use model::{Audience, NewNotification, Notification};
pub use send::{notify_users, notify_users_now, send, send_in};
