//! What went wrong with one field, as data.
//!
//! Domain code names the problem; it never words it. Each dialect words every variant once,
//! in its error module (`dialects/<name>/error.rs`, function `word`), so the same rule reads
//! as DRF English in `account` and as Chinese in the others, and a new rule is one variant
//! plus one arm per dialect (the exhaustive `match` makes a missing wording a compile error).

use super::Entity;

/// One way a value can break a rule. Numbers are `i64`; money adds its own bound type when it
/// comes (a `Bound` enum here, not floats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Absent where a value is required.
    Required,
    /// Present but `null` where a value is required.
    Null,
    /// Present but empty (`""`, or an empty list).
    Blank,
    /// None of these fields is present; one of them is required.
    RequiredOneOf { fields: &'static [&'static str] },
    /// Fewer than `min` characters.
    TooShort { min: usize },
    /// More than `max` characters.
    TooLong { max: usize },
    /// Not between `min` and `max` characters.
    Length { min: usize, max: usize },
    /// A number below `min`.
    AtLeast { min: i64 },
    /// A number above `max`.
    AtMost { max: i64 },
    /// A number outside `min..=max`.
    OutOfRange { min: i64, max: i64 },
    /// A list with more than `max` items.
    TooMany { max: usize },
    /// The JSON value is of another type; `got` names the type received when the dialect
    /// reports it (`"str"`, `"list"`, … as Python spells them).
    WrongType {
        expected: Kind,
        got: Option<&'static str>,
    },
    /// An item of an id list that is not a positive integer (`got` as received).
    NotAnId { got: String },
    /// The right type, but not of the expected form.
    BadFormat(Format),
    /// Not one of the listed values; `got` is the value received when a dialect shows it.
    NotOneOf {
        allowed: &'static [&'static str],
        got: Option<String>,
    },
    /// Contains a character the field does not allow (white space in a login name, …).
    ForbiddenCharacter,
    /// Refers to a record that does not exist; `id` when the reference is a number.
    UnknownReference { entity: Entity, id: Option<i64> },
    /// The value is already taken (a unique column, or a repeated item of one request).
    Duplicate,
    /// The combination of these fields is already taken.
    NotUniqueTogether { fields: &'static [&'static str] },
    /// Does not match the value it must equal (a confirmation, the id in the path, …).
    Mismatch,
    /// The input could not be parsed at all; `detail` is the parser's own text (serde,
    /// multer), which names a position or a type and is safe to show.
    Unparsable { detail: String },
    /// A rule of one domain that the generic variants cannot say.
    Rule(Rule),
}

/// The JSON type a field expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Boolean,
    Integer,
    Array,
    Object,
    StringOrNull,
    IntegerOrNull,
    /// A primary key (an integer) in a list of references.
    PrimaryKey,
    /// `true`/`false` or an integer `0..=max` (the hanzi glyph flags).
    BooleanOrLevel {
        max: i64,
    },
    /// An array, or a JSON text holding one (hanzi raw rows send `glyphs` serialised).
    ArrayOrJsonText,
}

/// A form a text value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Email,
    Phone,
    /// A login name of the dialect's own documented pattern (account: letters, digits, @.+-_).
    Username,
    /// A hanzi user id: starts with a letter; letters and digits joined by `_` or `-`.
    UserId,
    /// A permission code: letters, digits and `: _ - . *`, 1–100 characters.
    PermissionCode,
    /// A role code: letters, digits and `_ - : .`, 1–50 characters.
    RoleCode,
    /// A file type tag: 1–50 letters, digits, `_` or `-`.
    FileType,
    Regex,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A resident identity card number (18 characters, the last a digit or `X`).
    IdCard,
    /// A date-time (RFC 3339, `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DD`).
    DateTime,
    /// A SHA-256 content hash: 64 hexadecimal digits.
    Sha256Hex,
    /// A Unicode code point.
    CodePoint,
    /// Exactly one character.
    SingleCharacter,
    Utf8,
    /// A `multipart/form-data` body with the expected parts.
    Multipart,
    /// A glyph's structure operator: one of `⿰`–`⿻`.
    Operator,
    /// A glyph's `operandList`: 2–3 single characters.
    Operands,
    /// A glyph's `order`: `{index, strokes}` objects.
    StrokeOrder,
    /// A glyph's numeric `parameters` object.
    NumericParameters,
    /// An array of strings.
    StringList,
    /// An array of stroke objects.
    Strokes,
    /// Pinyin strings or `{pinyin, importance}` objects.
    PinyinList,
    /// A glyph reference: one character, or a code point as a number.
    Reference,
    /// An amount of money: a number or decimal text with at most two decimals.
    Amount,
}

/// Domain rules that are not about the shape of one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The change would make a record its own ancestor (a permission under itself).
    WouldCreateCycle,
    /// A built-in role keeps its code.
    BuiltInRoleCode,
    /// A built-in role cannot be deleted.
    BuiltInRoleUndeletable,
    /// The super administrator role cannot be disabled.
    SuperAdminRoleDisabled,
    /// A role still held by users cannot be deleted.
    RoleInUse,
    /// A glyph still referenced by other glyphs cannot be deleted.
    GlyphReferenced,
    /// A password-reset token that is unknown, spent or expired.
    ResetTokenInvalid,
    /// A configuration key that does not exist.
    UnknownSetting,
    /// A glyph `type` that does not exist.
    UnknownGlyphType,
    /// An image with more pixels than the server decodes.
    ImageTooManyPixels,
    /// An image whose decoding would need more memory than the server allows.
    ImageTooMuchMemory,
    /// Bytes that claim to be an image but do not decode.
    ImageUndecodable,
    /// A statistics period longer than the longest accepted (3,660 days).
    PeriodTooLong,
    /// A trade order's buyer and seller are the same user.
    SameBuyerAndSeller,
    /// A discount larger than the order's amount plus shipping.
    DiscountExceedsAmount,
    /// A refund larger than the order's actual amount.
    RefundExceedsActual,
    /// A dead animal cannot be traded.
    AnimalDead,
    /// A range whose start is after its end.
    StartAfterEnd,
    /// A statistics range with too many buckets.
    RangeTooLarge,
    /// A date after today where only past dates make sense.
    DateInFuture,
    /// An animal named as its own parent.
    OwnParent,
    /// A father that is not male, a mother that is not female.
    ParentWrongSex,
    /// A parent born on or after the child.
    ParentNotOlder,
    /// A parent that is a descendant of the child (a cycle).
    ParentIsDescendant,
    /// The gender of a registered parent cannot change.
    ParentGenderLocked,
    /// A birth date not before the animal's offspring.
    BornAfterOffspring,
    /// A withdrawal period on a record that is not a treatment.
    WithdrawalOnlyForTreatment,
    /// A record still referenced (animals of a farm or category, orders of an animal).
    StillReferenced,
    /// The last active super admin keeps the role.
    LastSuperAdmin,
}

impl Problem {
    /// One value of every variant (and of every nested enum), so each dialect's test can prove
    /// it words them all. Keep it complete when adding a variant.
    pub fn examples() -> Vec<Problem> {
        let kinds = [
            Kind::String,
            Kind::Boolean,
            Kind::Integer,
            Kind::Array,
            Kind::Object,
            Kind::StringOrNull,
            Kind::IntegerOrNull,
            Kind::PrimaryKey,
            Kind::BooleanOrLevel { max: 2 },
            Kind::ArrayOrJsonText,
        ];
        let formats = [
            Format::Email,
            Format::Phone,
            Format::Username,
            Format::UserId,
            Format::PermissionCode,
            Format::RoleCode,
            Format::FileType,
            Format::Regex,
            Format::Date,
            Format::IdCard,
            Format::DateTime,
            Format::Sha256Hex,
            Format::CodePoint,
            Format::SingleCharacter,
            Format::Utf8,
            Format::Multipart,
            Format::Operator,
            Format::Operands,
            Format::StrokeOrder,
            Format::NumericParameters,
            Format::StringList,
            Format::Strokes,
            Format::PinyinList,
            Format::Reference,
            Format::Amount,
        ];
        let rules = [
            Rule::WouldCreateCycle,
            Rule::BuiltInRoleCode,
            Rule::BuiltInRoleUndeletable,
            Rule::SuperAdminRoleDisabled,
            Rule::RoleInUse,
            Rule::GlyphReferenced,
            Rule::ResetTokenInvalid,
            Rule::UnknownSetting,
            Rule::UnknownGlyphType,
            Rule::ImageTooManyPixels,
            Rule::ImageTooMuchMemory,
            Rule::ImageUndecodable,
            Rule::PeriodTooLong,
            Rule::SameBuyerAndSeller,
            Rule::DiscountExceedsAmount,
            Rule::RefundExceedsActual,
            Rule::AnimalDead,
            Rule::StartAfterEnd,
            Rule::RangeTooLarge,
            Rule::DateInFuture,
            Rule::OwnParent,
            Rule::ParentWrongSex,
            Rule::ParentNotOlder,
            Rule::ParentIsDescendant,
            Rule::ParentGenderLocked,
            Rule::BornAfterOffspring,
            Rule::WithdrawalOnlyForTreatment,
            Rule::StillReferenced,
            Rule::LastSuperAdmin,
        ];
        let mut all = vec![
            Problem::Required,
            Problem::Null,
            Problem::Blank,
            Problem::RequiredOneOf {
                fields: &["user_ids", "perm_ids"],
            },
            Problem::NotAnId { got: "x".into() },
            Problem::TooShort { min: 2 },
            Problem::TooLong { max: 9 },
            Problem::Length { min: 1, max: 9 },
            Problem::AtLeast { min: 1 },
            Problem::AtMost { max: 9 },
            Problem::OutOfRange { min: 1, max: 9 },
            Problem::TooMany { max: 9 },
            Problem::NotOneOf {
                allowed: &["a", "b"],
                got: Some("c".into()),
            },
            Problem::ForbiddenCharacter,
            Problem::UnknownReference {
                entity: Entity::Role,
                id: Some(7),
            },
            Problem::UnknownReference {
                entity: Entity::Other,
                id: None,
            },
            Problem::Duplicate,
            Problem::NotUniqueTogether {
                fields: &["method", "api_id"],
            },
            Problem::Mismatch,
            Problem::Unparsable {
                detail: "expected value at line 1 column 1".into(),
            },
        ];
        all.extend(kinds.iter().map(|&expected| Problem::WrongType {
            expected,
            got: Some("str"),
        }));
        all.extend(formats.into_iter().map(Problem::BadFormat));
        all.extend(rules.into_iter().map(Problem::Rule));
        all
    }
}
