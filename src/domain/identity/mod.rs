//! Identity: users, passwords, sessions, login throttling, password reset, the first admin.
//!
//! Knows nothing of HTTP or of any dialect; every dialect's user routes call in here.

pub mod bootstrap;
pub mod captcha;
pub mod directory;
pub mod jwt;
pub mod level;
pub mod login;
pub mod password;
pub mod refresh;
pub mod register;
pub mod reset;
pub mod session;
pub mod signing_key;
pub mod throttle;
pub mod user;
pub mod validate;

pub use login::{LoginName, LoginRequest, login};
pub use register::register;
pub use session::{ClientInfo, Principal, Session, SessionKind};
pub use throttle::ThrottlePolicy;
pub use user::{CreatePolicy, Gender, NewUser, User, UserPatch};
