//! Route tables: each dialect lists every routed method and path with what it requires, and
//! its guard looks the matched route up here. A route missing from its table is refused to
//! everyone (fails closed), so a forgotten entry cannot open a route.

use super::authorize::Requirement;

/// One route: method, path as routed (relative to the dialect's prefix, with `{param}`
/// placeholders), and what it requires. `A` is [`Requirement`], or a dialect's own access
/// kind when one depends on configuration (it is resolved to a requirement per request).
#[derive(Debug, Clone, Copy)]
pub struct RouteRule<A = Requirement> {
    pub method: &'static str,
    pub path: &'static str,
    pub access: A,
}

pub const fn rule<A>(method: &'static str, path: &'static str, access: A) -> RouteRule<A> {
    RouteRule {
        method,
        path,
        access,
    }
}

/// What `table` declares for `method path`; `None` is a route someone forgot to declare,
/// which the guard refuses to everyone. `HEAD` is answered by the `GET` route, as the router
/// does, so it needs what `GET` needs.
pub fn lookup<'a, A>(table: &'a [RouteRule<A>], method: &str, path: &str) -> Option<&'a A> {
    let method = if method.eq_ignore_ascii_case("HEAD") {
        "GET"
    } else {
        method
    };
    table
        .iter()
        .find(|r| r.path == path && r.method.eq_ignore_ascii_case(method))
        .map(|r| &r.access)
}

/// The `(method, path)` pairs a router module's source routes, for the tests that check a
/// table against its router: every `.route("path", get(..).post(..))` call, with the method
/// functions of the second argument.
#[cfg(test)]
pub fn routed_in(source: &str) -> Vec<(String, String)> {
    const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
    let mut out = Vec::new();
    for chunk in source.split(".route(").skip(1) {
        let Some(rest) = chunk.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some((path, args)) = rest.split_once('"') else {
            continue;
        };
        // The method router ends with the `.route(` call's closing parenthesis.
        let mut depth = 1usize;
        let mut end = args.len();
        for (i, c) in args.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let args = &args[..end];
        for (i, _) in args.match_indices('(') {
            let before = &args[..i];
            let word_start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(0, |j| j + 1);
            let word = &before[word_start..];
            if METHODS.contains(&word) {
                out.push((word.to_ascii_uppercase(), path.to_owned()));
            }
        }
    }
    out
}

/// Asserts that every route the `.rs` files under `dir` (relative to the crate root) route is
/// declared in `table`, and that the table lists each route once. Reading the whole directory
/// covers router files added later without touching the test.
#[cfg(test)]
pub fn assert_table_covers<A>(table: &[RouteRule<A>], dir: &str) {
    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("dialect directory").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).expect("source file"));
            }
        }
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        &mut files,
    );
    assert_source_covered(table, &files);
}

#[cfg(test)]
fn assert_source_covered<A>(table: &[RouteRule<A>], sources: &[String]) {
    let mut routed = 0;
    for source in sources {
        for (method, path) in routed_in(source) {
            routed += 1;
            assert!(
                lookup(table, &method, &path).is_some(),
                "{method} {path} is routed but not in the route table"
            );
        }
    }
    assert!(routed > 0, "no routes found in the router source");
    for (i, a) in table.iter().enumerate() {
        for b in &table[i + 1..] {
            assert!(
                !(a.method == b.method && a.path == b.path),
                "{} {} is listed twice",
                a.method,
                a.path
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[RouteRule] = &[
        rule("GET", "/a", Requirement::Public),
        rule("POST", "/a/{id}", Requirement::Login),
    ];

    #[test]
    fn lookup_finds_method_and_path_and_nothing_else() {
        assert_eq!(lookup(TABLE, "get", "/a"), Some(&Requirement::Public));
        assert_eq!(lookup(TABLE, "HEAD", "/a"), Some(&Requirement::Public));
        assert_eq!(lookup(TABLE, "DELETE", "/a/{id}"), None);
        assert_eq!(lookup(TABLE, "GET", "/b"), None);
    }

    #[test]
    fn routed_in_reads_chained_method_routers() {
        let src = r#"
            Router::new()
                .route("/x", get(h::list).post(h::create).layer(Limit::disable()))
                .route(
                    "/x/{id}",
                    get(h::get).delete(h::delete),
                )
        "#;
        assert_eq!(
            routed_in(src),
            vec![
                ("GET".into(), "/x".into()),
                ("POST".into(), "/x".into()),
                ("GET".into(), "/x/{id}".into()),
                ("DELETE".into(), "/x/{id}".into()),
            ]
        );
    }

    #[test]
    #[should_panic(expected = "not in the route table")]
    fn an_undeclared_route_fails_the_check() {
        assert_source_covered(TABLE, &[r#".route("/a/{id}", get(h::x))"#.to_owned()]);
    }
}
