//! Identity: users, passwords, sessions, login throttling, password reset.
//! Creating an account (with its roles), registration and the first admin are
//! [`crate::domain::accounts`]: they span identity and access.
//!
//! Knows nothing of HTTP or of any dialect; every dialect's user routes call in here.

pub mod actor;
pub mod captcha;
pub mod credentials;
pub mod directory;
pub mod jwt;
pub mod login;
pub mod password;
pub mod refresh;
pub mod reset;
pub mod session;
pub mod signing_key;
pub mod throttle;
pub mod user;
pub mod validate;

pub use login::{LoginName, LoginRequest, login};
pub use session::{ClientInfo, Principal, Session, SessionKind};
pub use throttle::ThrottlePolicy;
pub use user::{CreatePolicy, Gender, NewUser, User, UserPatch};
