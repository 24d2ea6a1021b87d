//! `ops-server config check`: validates the configuration exactly as start-up would and prints
//! the effective values (template, then file, then `OPS__*` variables), secrets masked.
//! Reads only: a missing file is not created.

use std::path::Path;

use crate::config::Config;

pub fn run(path: &Path) -> anyhow::Result<()> {
    let (config, origin) = if path.exists() {
        (
            Config::load(path)?,
            format!("{} and the environment", path.display()),
        )
    } else {
        (
            Config::from_template_and_env()?,
            format!(
                "the built-in template and the environment ({} does not exist; the server \
                 would create it from the template)",
                path.display()
            ),
        )
    };
    let yaml = serde_yaml_ng::to_string(&config.masked())?;
    println!("# The configuration is valid. Effective values from {origin}; secrets shown as ***.");
    print!("{yaml}");
    Ok(())
}
