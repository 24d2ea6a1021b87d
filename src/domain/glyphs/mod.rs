//! Glyphs: the character repertoire of the hanzi decomposition system.
//!
//! * [`model`] — the Character model, parsed and validated at the edge ([`model::Character`],
//!   [`model::CodePoint`]).
//! * [`store`] — reads, writes, renumbering, private-use allocation and the streamed full read.
//! * [`import`] — loading a repertoire file (a JSON array of Characters), all or nothing.

pub mod import;
pub mod model;
pub mod store;

pub use model::{Character, CodePoint};
pub use store::PuaKind;
