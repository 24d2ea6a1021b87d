//! `ops-server settings list|get|set`: the runtime settings store that every node reads
//! (the config file only seeds it on the first start), with the API's validation.

use anyhow::bail;
use clap::Subcommand;
use serde_json::{Map, Value};

use super::explain::explain;
use crate::config::Config;
use crate::db::Db;
use crate::domain::platform::settings;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print every live setting as `key = value` (values in JSON).
    List,
    /// Print one setting's live value (JSON).
    Get {
        /// The setting, e.g. `registration_open` (see `settings list`).
        key: String,
    },
    /// Change one setting for every node, checked like the admin API checks it.
    Set {
        /// The setting, e.g. `registration_open`.
        key: String,
        /// The new value in JSON (`false`, `10485760`, `["image/png"]`); text that is not
        /// JSON is taken as a string (`My site`).
        value: String,
    },
}

pub async fn run(config: &Config, cmd: SettingsCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database).await?;
    db.migrate().await?;
    // The store is what a first start makes; make it here too so a fresh database answers.
    settings::seed(&db, config).await.map_err(explain)?;
    let records = settings::list(&db).await.map_err(explain)?;
    match cmd {
        SettingsCommand::List => {
            for r in &records {
                println!("{} = {}", r.key, r.value);
            }
        }
        SettingsCommand::Get { key } => match records.iter().find(|r| r.key == key) {
            Some(r) => println!("{}", r.value),
            None => bail!("{}", unknown(&key)),
        },
        SettingsCommand::Set { key, value } => {
            let Some(old) = records
                .iter()
                .find(|r| r.key == key)
                .map(|r| r.value.clone())
            else {
                bail!("{}", unknown(&key));
            };
            let value = serde_json::from_str(&value).unwrap_or(Value::String(value));
            let mut change = Map::new();
            change.insert(key.clone(), value);
            settings::update(&db, &change).await.map_err(explain)?;
            let new = settings::list(&db)
                .await
                .map_err(explain)?
                .into_iter()
                .find(|r| r.key == key)
                .map_or(Value::Null, |r| r.value);
            println!("{key} = {new} (was {old}); in effect from the next request on every node");
        }
    }
    db.close().await;
    Ok(())
}

fn unknown(key: &str) -> String {
    let known: Vec<&str> = settings::DEFINITIONS.iter().map(|d| d.key).collect();
    format!(
        "there is no setting {key:?}; the settings are: {}",
        known.join(", ")
    )
}
