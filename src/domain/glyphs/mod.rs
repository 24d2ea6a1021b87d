//! Glyphs: the character repertoire of the hanzi decomposition system.
//!
//! * [`code_point`] — [`CodePoint`], a Unicode scalar value: a character's key and the stored
//!   form of every reference.
//! * [`model`] — the stored [`Character`]; `parse.rs` is the one parser that reads both wire
//!   forms (the document's Character and the original back end's raw row) and `wire.rs`
//!   renders either.
//! * [`store`] — reads, writes, renumbering, private-use allocation and the streamed full read.
//! * [`import`] — loading a repertoire file (a JSON array of Characters), all or nothing.
//! * [`equivalence`] — the client's 当量 (key-equivalence) uploads: `{user, model, data}`.

pub mod code_point;
pub mod equivalence;
pub mod import;
pub mod model;
mod parse;
pub mod store;
mod wire;

pub use code_point::CodePoint;
pub use model::Character;
pub use store::PuaKind;
