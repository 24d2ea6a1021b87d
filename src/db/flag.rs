//! Booleans as stored: an integer 0/1 on both engines (see the column conventions in
//! [`crate::db`]). `#[sqlx(try_from = "Flag")]` on a `bool` field of a derived `FromRow`
//! reads such a column, so row mappings are derived instead of written by hand.

use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::decode::Decode;
use sqlx::error::BoxDynError;
use sqlx::types::Type;

/// A stored 0/1 integer; anything but 0 is true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0))
    }
}

#[cfg(test)]
mod tests {
    use sqlx::{Connection, FromRow};

    use super::Flag;

    #[derive(FromRow)]
    struct Row {
        #[sqlx(try_from = "Flag")]
        yes: bool,
        #[sqlx(try_from = "Flag")]
        no: bool,
    }

    #[tokio::test]
    async fn zero_is_false_and_anything_else_true() {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        let row: Row = sqlx::query_as("SELECT 2 AS yes, 0 AS no")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert!(row.yes);
        assert!(!row.no);
    }
}
