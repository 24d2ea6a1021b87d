//! Configuration values that are one of a few words (`sqlite | postgres`, `text | json`, …).
//!
//! Declared with [`choice!`] instead of `#[derive(Deserialize)]` so that a wrong value is
//! answered in plain words with the allowed ones (`"sqlit" is not one of: sqlite, postgres`)
//! rather than with Rust type names.

/// Declares a config enum read from one of its words (aliases after `|`).
macro_rules! choice {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $word:literal $(| $alias:literal)*),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The accepted words, as a reader would list them.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word this value is written as in the config file.
            pub fn word(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.word())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                match text.to_ascii_lowercase().as_str() {
                    $($word $(| $alias)* => Ok(Self::$variant),)+
                    _ => Err(serde::de::Error::custom(format!(
                        "{text:?} is not one of: {}",
                        Self::WORDS.join(", ")
                    ))),
                }
            }
        }
    };
}

pub(crate) use choice;
