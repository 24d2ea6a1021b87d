//! Where a configuration value came from, so an error can point at it: the environment
//! variable that set it, or the file and line, or the built-in template.

use std::path::Path;

/// The config crate ends its messages with "for key `a.b`"; splits that off.
pub fn split_key(message: &str) -> (String, Option<String>) {
    match message.rsplit_once(" for key `") {
        Some((text, rest)) => (text.to_owned(), rest.strip_suffix('`').map(str::to_owned)),
        None => (message.to_owned(), None),
    }
}

/// The variable that overrides `key` (`database.driver` → `OPS__DATABASE__DRIVER`).
pub fn env_name(key: &str) -> String {
    format!("OPS__{}", key.replace('.', "__").to_ascii_uppercase())
}

/// The 1-based line of `key` (dotted, nested by indentation) in a YAML text, if it is there.
pub fn yaml_line(text: &str, key: &str) -> Option<usize> {
    let wanted: Vec<&str> = key.split('.').collect();
    // The path of keys leading to the current line, with the indentation of each.
    let mut path: Vec<(usize, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('-') {
            continue;
        }
        let Some((name, _)) = trimmed.split_once(':') else {
            continue;
        };
        let indent = line.len() - trimmed.len();
        while path.last().is_some_and(|(i, _)| *i >= indent) {
            path.pop();
        }
        path.push((indent, name.trim().trim_matches(['"', '\'']).to_owned()));
        if path.len() == wanted.len()
            && path
                .iter()
                .map(|(_, k)| k.as_str())
                .eq(wanted.iter().copied())
        {
            return Some(n + 1);
        }
    }
    None
}

/// "OPS__DATABASE__DRIVER", "./data/config.yaml line 17", or "the built-in template".
pub fn describe(key: &str, env_keys: &[String], file: Option<(&str, &Path)>) -> String {
    let var = env_name(key);
    if env_keys.contains(&var) {
        return format!("the environment variable {var}");
    }
    if let Some((text, path)) = file {
        if let Some(line) = yaml_line(text, key) {
            return format!("{} line {line}", path.display());
        }
        return format!("{} (key absent: the built-in default)", path.display());
    }
    "the built-in template".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_by_indentation() {
        let yaml = "server:\n  port: 1\ndatabase:\n  # c\n  driver: x\n  path: y\n";
        assert_eq!(yaml_line(yaml, "database.driver"), Some(5));
        assert_eq!(yaml_line(yaml, "server.port"), Some(2));
        assert_eq!(yaml_line(yaml, "server.driver"), None);
    }

    #[test]
    fn splits_the_key_off_the_message() {
        let (text, key) = split_key("\"x\" is not one of: a, b for key `database.driver`");
        assert_eq!(text, "\"x\" is not one of: a, b");
        assert_eq!(key.as_deref(), Some("database.driver"));
    }

    #[test]
    fn names_the_variable_before_the_file() {
        let env = vec!["OPS__DATABASE__DRIVER".to_owned()];
        let yaml = "database:\n  driver: x\n";
        let file = Some((yaml, Path::new("c.yaml")));
        assert_eq!(
            describe("database.driver", &env, file),
            "the environment variable OPS__DATABASE__DRIVER"
        );
        assert_eq!(describe("database.driver", &[], file), "c.yaml line 2");
    }
}
