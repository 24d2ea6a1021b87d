//! The runtime settings store (decisions §2), shared by `ops_v1` `/system/config` and
//! `admin_v1` `/system/configs`. Values live in the database, so a change takes effect on the
//! next request on every node. First-start values come from the config file.

use serde_json::{Map, Value, json};
use sqlx::Row;

use crate::config::Config;
use crate::db::{self, Db, Timestamp};
use crate::error::{Entity, Error, Kind, Problem, Result, Rule, Violations};

/// How a setting's value is typed (`admin_v1`'s `config_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Number,
    Boolean,
    Json,
}

impl ValueType {
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Number => "number",
            ValueType::Boolean => "boolean",
            ValueType::Json => "json",
        }
    }
}

/// A known setting: key, type, description, whether it is public, and its allowed range.
pub struct Definition {
    pub key: &'static str,
    pub value_type: ValueType,
    pub description: &'static str,
    pub is_public: bool,
    range: Option<(i64, i64)>,
}

pub const DEFINITIONS: &[Definition] = &[
    Definition {
        key: "site_name",
        value_type: ValueType::String,
        description: "网站名称",
        is_public: true,
        range: None,
    },
    Definition {
        key: "registration_open",
        value_type: ValueType::Boolean,
        description: "是否开放注册",
        is_public: true,
        range: None,
    },
    Definition {
        key: "file_max_size",
        value_type: ValueType::Number,
        description: "上传文件大小上限(字节)",
        is_public: true,
        range: Some((1024, 1 << 30)),
    },
    Definition {
        key: "file_allowed_types",
        value_type: ValueType::Json,
        description: "允许上传的文件类型",
        is_public: true,
        range: None,
    },
    Definition {
        key: "session_ttl_hours",
        value_type: ValueType::Number,
        description: "会话有效期(小时)",
        is_public: false,
        range: Some((1, 8760)),
    },
    Definition {
        key: "captcha_enabled",
        value_type: ValueType::Boolean,
        description: "登录验证码",
        is_public: true,
        range: None,
    },
    Definition {
        key: "login_max_failures",
        value_type: ValueType::Number,
        description: "登录失败次数上限",
        is_public: false,
        range: Some((1, 100)),
    },
    Definition {
        key: "login_lockout_minutes",
        value_type: ValueType::Number,
        description: "登录锁定时长(分钟)",
        is_public: false,
        range: Some((1, 1440)),
    },
    Definition {
        key: "operation_log_retention_days",
        value_type: ValueType::Number,
        description: "操作日志保留天数",
        is_public: false,
        range: Some((1, 3650)),
    },
];

/// MIME types an upload may have; `file_allowed_types` must be a subset.
pub const KNOWN_IMAGE_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "image/webp"];

pub fn definition(key: &str) -> Option<&'static Definition> {
    DEFINITIONS.iter().find(|d| d.key == key)
}

/// The typed view of every setting.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeSettings {
    pub site_name: String,
    pub registration_open: bool,
    pub file_max_size: i64,
    pub file_allowed_types: Vec<String>,
    pub session_ttl_hours: i64,
    pub captcha_enabled: bool,
    pub login_max_failures: i64,
    pub login_lockout_minutes: i64,
    pub operation_log_retention_days: i64,
}

/// One stored setting, as `admin_v1` lists them.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingRecord {
    pub id: i64,
    pub key: String,
    pub value: Value,
    pub value_type: String,
    pub description: String,
    pub is_public: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Each setting's first-start value and the config key it comes from (`None`: no key).
fn initial_values(cfg: &Config) -> Vec<(&'static str, Option<&'static str>, Value)> {
    vec![
        ("site_name", Some("site.name"), json!(cfg.site.name)),
        (
            "registration_open",
            Some("registration.open"),
            json!(cfg.registration.open),
        ),
        (
            "file_max_size",
            Some("file.max_size"),
            json!(cfg.file.max_size),
        ),
        ("file_allowed_types", None, json!(KNOWN_IMAGE_TYPES)),
        (
            "session_ttl_hours",
            Some("security.session_ttl_hours"),
            json!(cfg.security.session_ttl_hours),
        ),
        (
            "captcha_enabled",
            Some("security.captcha"),
            json!(cfg.security.captcha),
        ),
        (
            "login_max_failures",
            Some("security.login_max_failures"),
            json!(cfg.security.login_max_failures),
        ),
        (
            "login_lockout_minutes",
            Some("security.login_lockout_minutes"),
            json!(cfg.security.login_lockout_minutes),
        ),
        (
            "operation_log_retention_days",
            Some("site.operation_log_retention_days"),
            json!(cfg.site.operation_log_retention_days),
        ),
    ]
}

/// A config key that only seeds a setting, whose value now differs from the live one.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// The setting in the store (`registration_open`).
    pub key: &'static str,
    /// The config key that seeded it (`registration.open`).
    pub config_key: &'static str,
    pub configured: Value,
    pub live: Value,
}

/// Every first-start config value that differs from the stored setting: changing it in the
/// file or environment after the first start does nothing, which start-up says out loud.
pub async fn drift(db: &Db, cfg: &Config) -> Result<Vec<Drift>> {
    let stored = list(db).await?;
    Ok(initial_values(cfg)
        .into_iter()
        .filter_map(|(key, config_key, configured)| {
            let config_key = config_key?;
            let live = stored.iter().find(|r| r.key == key)?.value.clone();
            (live != configured).then_some(Drift {
                key,
                config_key,
                configured,
                live,
            })
        })
        .collect())
}

/// Inserts every setting that is not stored yet, with its value from the config file.
/// Stored values are never overwritten: the database is the source of truth after first start.
pub async fn seed(db: &Db, cfg: &Config) -> Result<()> {
    let now = db::now();
    for (key, _, value) in initial_values(cfg) {
        let Some(def) = definition(key) else { continue };
        sqlx::query(
            "INSERT INTO settings (key, value, value_type, description, is_public, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(def.value_type.as_str())
        .bind(def.description)
        .bind(i64::from(def.is_public))
        .bind(now)
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

/// Every stored setting, in definition order.
pub async fn list(db: &Db) -> Result<Vec<SettingRecord>> {
    let rows = sqlx::query(
        "SELECT id, key, value, value_type, description, is_public, created_at, updated_at FROM settings ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let raw: String = row.try_get("value")?;
        out.push(SettingRecord {
            id: row.try_get("id")?,
            key: row.try_get("key")?,
            value: serde_json::from_str(&raw).unwrap_or(Value::Null),
            value_type: row.try_get("value_type")?,
            description: row.try_get("description")?,
            is_public: row.try_get::<i64, _>("is_public")? != 0,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        });
    }
    Ok(out)
}

/// The typed settings. A stored value that fails to parse falls back to nothing: the store is
/// only written through [`update`], which validates.
pub async fn load(db: &Db) -> Result<RuntimeSettings> {
    let records = list(db).await?;
    let get = |key: &str| {
        records
            .iter()
            .find(|r| r.key == key)
            .map(|r| r.value.clone())
            .unwrap_or(Value::Null)
    };
    let int = |key: &str, default: i64| get(key).as_i64().unwrap_or(default);
    Ok(RuntimeSettings {
        site_name: get("site_name").as_str().unwrap_or("OPS").to_owned(),
        registration_open: get("registration_open").as_bool().unwrap_or(true),
        file_max_size: int("file_max_size", 5 * 1024 * 1024),
        file_allowed_types: serde_json::from_value(get("file_allowed_types"))
            .unwrap_or_else(|_| KNOWN_IMAGE_TYPES.iter().map(|s| (*s).to_owned()).collect()),
        session_ttl_hours: int("session_ttl_hours", 168),
        captcha_enabled: get("captcha_enabled").as_bool().unwrap_or(false),
        login_max_failures: int("login_max_failures", 5),
        login_lockout_minutes: int("login_lockout_minutes", 15),
        operation_log_retention_days: int("operation_log_retention_days", 180),
    })
}

/// Validates one value against its definition; answers it normalised.
pub fn check_value(key: &str, value: &Value) -> Result<Value> {
    let def =
        definition(key).ok_or_else(|| Error::invalid(key, Problem::Rule(Rule::UnknownSetting)))?;
    let bad = |problem: Problem| Error::invalid(key, problem);
    let wrong = |expected: Kind| {
        bad(Problem::WrongType {
            expected,
            got: None,
        })
    };
    match def.value_type {
        ValueType::String => {
            let s = value.as_str().ok_or_else(|| wrong(Kind::String))?;
            if s.trim().is_empty() || s.chars().count() > 200 {
                return Err(bad(Problem::Length { min: 1, max: 200 }));
            }
            Ok(json!(s.trim()))
        }
        ValueType::Boolean => value
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| wrong(Kind::Boolean)),
        ValueType::Number => {
            let n = value.as_i64().ok_or_else(|| wrong(Kind::Integer))?;
            if let Some((min, max)) = def.range
                && !(min..=max).contains(&n)
            {
                return Err(bad(Problem::OutOfRange { min, max }));
            }
            Ok(json!(n))
        }
        ValueType::Json => {
            // The one JSON setting: a non-empty list of known image MIME types.
            let list = value.as_array().ok_or_else(|| wrong(Kind::Array))?;
            let mut types = Vec::new();
            for item in list {
                let t = item
                    .as_str()
                    .filter(|t| KNOWN_IMAGE_TYPES.contains(t))
                    .ok_or_else(|| {
                        bad(Problem::NotOneOf {
                            allowed: KNOWN_IMAGE_TYPES,
                            got: item.as_str().map(str::to_owned),
                        })
                    })?;
                if !types.contains(&t) {
                    types.push(t);
                }
            }
            if types.is_empty() {
                return Err(bad(Problem::Blank));
            }
            Ok(json!(types))
        }
    }
}

/// Applies a set of changes atomically: every key is validated first; one bad key or value
/// changes nothing.
pub async fn update(db: &Db, changes: &Map<String, Value>) -> Result<()> {
    let mut v = Violations::new();
    let mut checked = Vec::new();
    for (key, value) in changes {
        if let Some(value) = v.check(check_value(key, value))? {
            checked.push((key.clone(), value));
        }
    }
    v.into_result()?;
    let now = db::now();
    let mut tx = db.begin().await?;
    for (key, value) in checked {
        let done = sqlx::query("UPDATE settings SET value = $1, updated_at = $2 WHERE key = $3")
            .bind(value.to_string())
            .bind(now)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(Entity::Setting));
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A setting's value as text, the way `admin_v1` shows `config_value`: a string as it is,
/// anything else as compact JSON (`"true"`, `"5242880"`, `'["image/png"]'`).
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads a `config_value` text as the value its `value_type` says (the inverse of
/// [`value_text`]), then checks it against the setting's definition.
pub fn parse_text(key: &str, text: &str) -> Result<Value> {
    let field = "config_value";
    let def = definition(key)
        .ok_or_else(|| Error::invalid(field, Problem::Rule(Rule::UnknownSetting)))?;
    let wrong = |expected: Kind| {
        Error::invalid(
            field,
            Problem::WrongType {
                expected,
                got: None,
            },
        )
    };
    let value = match def.value_type {
        ValueType::String => Value::String(text.to_owned()),
        ValueType::Boolean => match text.trim() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => return Err(wrong(Kind::Boolean)),
        },
        ValueType::Number => Value::from(
            text.trim()
                .parse::<i64>()
                .map_err(|_| wrong(Kind::Integer))?,
        ),
        ValueType::Json => serde_json::from_str(text).map_err(|e| {
            Error::invalid(
                field,
                Problem::Unparsable {
                    detail: e.to_string(),
                },
            )
        })?,
    };
    // Rename the definition's field errors to the field the client sent.
    check_value(key, &value).map_err(|e| match e {
        Error::Invalid(fields) => Error::Invalid(
            fields
                .into_iter()
                .map(|f| crate::error::FieldError::new(field, f.problem))
                .collect(),
        ),
        other => other,
    })
}

/// One stored setting by id.
pub async fn get(db: &Db, id: i64) -> Result<SettingRecord> {
    list(db)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound(Entity::Setting))
}

/// Longest `description`.
const DESCRIPTION_CHARS: usize = 200;

/// Changes one setting's value (given as text, see [`parse_text`]) and/or its description;
/// a bad value or description changes nothing. Answers the stored record.
pub async fn update_one(
    db: &Db,
    id: i64,
    value_text: Option<&str>,
    description: Option<&str>,
) -> Result<SettingRecord> {
    let record = get(db, id).await?;
    let mut v = Violations::new();
    if value_text.is_none() && description.is_none() {
        v.add(
            "config_value",
            Problem::RequiredOneOf {
                fields: &["config_value", "description"],
            },
        );
    }
    let value = match value_text {
        Some(t) => v.check(parse_text(&record.key, t))?,
        None => None,
    };
    if let Some(d) = description
        && d.chars().count() > DESCRIPTION_CHARS
    {
        v.add(
            "description",
            Problem::TooLong {
                max: DESCRIPTION_CHARS,
            },
        );
    }
    v.into_result()?;
    let mut update = db::Update::table("settings");
    update
        .set_opt("value", value.map(|v| v.to_string()))
        .set_opt("description", description.map(str::to_owned))
        .set("updated_at", db::now());
    update.where_id(id).query().execute(db.pool()).await?;
    get(db, id).await
}

/// The settings as one object `{key: value}` (ops_v1's `/system/config`).
pub fn as_object(records: &[SettingRecord]) -> Map<String, Value> {
    records
        .iter()
        .map(|r| (r.key.clone(), r.value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_against_their_definition() {
        assert_eq!(
            check_value("registration_open", &json!(false)).unwrap(),
            json!(false)
        );
        assert!(check_value("registration_open", &json!("no")).is_err());
        assert!(check_value("file_max_size", &json!(10)).is_err());
        assert_eq!(
            check_value("file_max_size", &json!(2048)).unwrap(),
            json!(2048)
        );
        assert!(check_value("file_max_size", &json!(2048.5)).is_err());
        assert!(check_value("session_ttl_hours", &json!(0)).is_err());
        assert!(check_value("site_name", &json!("")).is_err());
        assert!(check_value("file_allowed_types", &json!(["image/png", "text/html"])).is_err());
        assert_eq!(
            check_value("file_allowed_types", &json!(["image/png", "image/png"])).unwrap(),
            json!(["image/png"])
        );
        assert!(check_value("no_such_key", &json!(1)).is_err());
    }

    #[test]
    fn config_value_text_is_read_by_its_type_and_range() {
        assert_eq!(
            parse_text("registration_open", "false").unwrap(),
            json!(false)
        );
        assert_eq!(parse_text("file_max_size", " 2048 ").unwrap(), json!(2048));
        assert_eq!(
            parse_text("file_allowed_types", r#"["image/png"]"#).unwrap(),
            json!(["image/png"])
        );
        assert_eq!(parse_text("site_name", "牧场").unwrap(), json!("牧场"));
        for (key, bad) in [
            ("registration_open", "yes"),
            ("file_max_size", "10"),
            ("file_max_size", "2k"),
            ("operation_log_retention_days", "0"),
            ("operation_log_retention_days", "3651"),
            ("file_allowed_types", "[\"text/html\"]"),
            ("file_allowed_types", "not json"),
            ("site_name", "  "),
        ] {
            let err = parse_text(key, bad).unwrap_err();
            assert_eq!(
                err.first_field().map(|f| f.field.as_str()),
                Some("config_value"),
                "{key}={bad}"
            );
        }
    }

    #[test]
    fn values_are_shown_as_text() {
        assert_eq!(value_text(&json!("OPS")), "OPS");
        assert_eq!(value_text(&json!(true)), "true");
        assert_eq!(value_text(&json!(5242880)), "5242880");
        assert_eq!(value_text(&json!(["image/png"])), r#"["image/png"]"#);
    }
}
