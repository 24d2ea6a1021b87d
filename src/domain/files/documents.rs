//! Documents: uploads of a declared kind (avatar, business licence, receipt, health record),
//! each stored with a thumbnail, for `admin_v1` §11. The bytes go through the same pipeline
//! and the same content-addressed store as every other upload ([`super::upload`]).

use super::records::FileRecord;
use super::sniff::ImageKind;
use super::store::BlobStore;
use super::thumbnail::{Refusal, Thumbnailer};
use super::upload::{self, CheckedMeta, Received, Thumb};
use crate::db::Db;
use crate::error::{Error, Problem, Result, Violations};

/// What a document is; stored as the record's `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentType {
    Avatar,
    License,
    Receipt,
    HealthRecord,
}

impl DocumentType {
    pub const ALL: [DocumentType; 4] = [
        DocumentType::Avatar,
        DocumentType::License,
        DocumentType::Receipt,
        DocumentType::HealthRecord,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::Avatar => "avatar",
            DocumentType::License => "license",
            DocumentType::Receipt => "receipt",
            DocumentType::HealthRecord => "health_record",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

const MAX_CATEGORY_CHARS: usize = 50;

/// The form fields beside the file(s), as sent.
#[derive(Debug, Clone, Default)]
pub struct DocumentForm {
    pub doc_type: Option<String>,
    pub category: Option<String>,
}

/// [`DocumentForm`] after checking.
#[derive(Debug, Clone)]
pub struct CheckedForm {
    pub doc_type: DocumentType,
    pub category: Option<String>,
}

impl DocumentForm {
    /// `type` is required and one of the four kinds; `category` is optional free text of at
    /// most 50 characters without control characters (blank = none).
    pub fn check(self) -> Result<CheckedForm> {
        let mut v = Violations::new();
        let doc_type = match self.doc_type.as_deref().map(str::trim) {
            None | Some("") => {
                v.add("type", Problem::Required);
                None
            }
            Some(t) => {
                let parsed = DocumentType::parse(t);
                if parsed.is_none() {
                    v.add(
                        "type",
                        Problem::NotOneOf {
                            allowed: &["avatar", "license", "receipt", "health_record"],
                            got: Some(t.to_owned()),
                        },
                    );
                }
                parsed
            }
        };
        let category = self
            .category
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty());
        if let Some(c) = &category {
            if c.chars().count() > MAX_CATEGORY_CHARS {
                v.add(
                    "category",
                    Problem::TooLong {
                        max: MAX_CATEGORY_CHARS,
                    },
                );
            } else if c.chars().any(char::is_control) {
                v.add("category", Problem::ForbiddenCharacter);
            }
        }
        v.into_result()?;
        let doc_type = doc_type.ok_or_else(|| Error::invalid("type", Problem::Required))?;
        Ok(CheckedForm { doc_type, category })
    }
}

/// Makes the thumbnail of a received upload and stores both, for `user_id`. A file whose
/// pixels cannot be decoded within the limits is refused (`Ok(Err(..))`) and nothing of it
/// is kept.
pub async fn store(
    db: &Db,
    store: &dyn BlobStore,
    thumbnails: &Thumbnailer,
    user_id: i64,
    mut received: Received,
    name: Option<String>,
    form: &CheckedForm,
) -> Result<std::result::Result<FileRecord, Refusal>> {
    let thumb = {
        // The encoded bytes are only read back once a decode slot is free, so memory is
        // bounded by the slots, not by the uploads waiting for one.
        let _slot = thumbnails.slot().await?;
        let bytes = received.read_back().await?;
        match thumbnails.render(bytes).await? {
            Ok(t) => t,
            Err(refusal) => return Ok(Err(refusal)),
        }
    };
    let meta = CheckedMeta::document(name, form.doc_type.as_str(), form.category.clone());
    let record = upload::save_with_thumbnail(
        db,
        Some(Thumb {
            store,
            bytes: thumb,
            kind: ImageKind::Jpeg,
        }),
        user_id,
        received,
        meta,
    )
    .await?;
    Ok(Ok(record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_four_types_are_accepted() {
        for t in ["avatar", "license", "receipt", "health_record"] {
            let form = DocumentForm {
                doc_type: Some(t.into()),
                category: None,
            };
            assert_eq!(form.check().unwrap().doc_type.as_str(), t);
        }
        for bad in [None, Some(""), Some("image"), Some("Avatar")] {
            let form = DocumentForm {
                doc_type: bad.map(str::to_owned),
                category: None,
            };
            let err = form.check().unwrap_err();
            assert_eq!(err.first_field().unwrap().field, "type");
        }
    }

    #[test]
    fn categories_are_trimmed_and_bounded() {
        let form = |c: &str| DocumentForm {
            doc_type: Some("receipt".into()),
            category: Some(c.into()),
        };
        assert_eq!(
            form("  饲料 ").check().unwrap().category.as_deref(),
            Some("饲料")
        );
        assert_eq!(form("   ").check().unwrap().category, None);
        assert!(form(&"x".repeat(51)).check().is_err());
        assert!(form("a\u{7}b").check().is_err());
    }
}
