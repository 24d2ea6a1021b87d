//! The S3 side of the blob store tests: a bucket of its own per test on the S3 API at
//! `OPS_TEST_S3_URL` (moto, started by `scripts/test`; keys test/test). The test binary starts
//! nothing. Without that variable the S3 tests fail under CI (`CI` set) and are skipped, with a
//! line saying so, on a developer's `cargo test`.

use futures_util::TryStreamExt;
use object_store::ObjectStore;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use ops::config::S3Config;

/// The S3 endpoint of this run, `None` when a developer runs without one.
pub fn s3_url() -> Option<String> {
    match std::env::var("OPS_TEST_S3_URL") {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_owned()),
        _ if std::env::var_os("CI").is_some() => panic!(
            "OPS_TEST_S3_URL is not set: run the tests with scripts/test, which starts moto's \
             S3 server, or point OPS_TEST_S3_URL at an S3 API (keys test/test)"
        ),
        _ => {
            eprintln!("skipped: no S3 API (OPS_TEST_S3_URL); scripts/test starts one");
            None
        }
    }
}

/// A new, empty bucket on `url`, as `file.s3` configuration.
pub async fn new_bucket(url: &str) -> S3Config {
    let bucket = format!("t-{}", &uuid::Uuid::new_v4().simple().to_string()[..24]);
    // moto makes a bucket from an unsigned PUT.
    let r = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .put(format!("{url}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("S3 API at {url} does not answer: {e}"));
    assert!(r.status().is_success(), "creating bucket: {}", r.status());
    S3Config {
        endpoint: url.to_owned(),
        bucket,
        region: "us-east-1".to_owned(),
        access_key: "test".to_owned(),
        secret_key: "test".to_owned(),
        path_style: true,
    }
}

/// `file.s3` as `OPS__FILE__…` variables, for a server process.
pub fn env_of(s3: &S3Config) -> Vec<(String, String)> {
    [
        ("OPS__FILE__STORE", "s3"),
        ("OPS__FILE__S3__ENDPOINT", s3.endpoint.as_str()),
        ("OPS__FILE__S3__BUCKET", s3.bucket.as_str()),
        ("OPS__FILE__S3__REGION", s3.region.as_str()),
        ("OPS__FILE__S3__ACCESS_KEY", s3.access_key.as_str()),
        ("OPS__FILE__S3__SECRET_KEY", s3.secret_key.as_str()),
        ("OPS__FILE__S3__PATH_STYLE", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A raw client of the bucket, to see what is stored independently of the server's code.
pub fn raw(s3: &S3Config) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(&s3.endpoint)
        .with_allow_http(true)
        .with_bucket_name(&s3.bucket)
        .with_region(&s3.region)
        .with_access_key_id(&s3.access_key)
        .with_secret_access_key(&s3.secret_key)
        .build()
        .unwrap()
}

/// Every key in the bucket (under `prefix` when given), sorted.
pub async fn keys(s3: &S3Config, prefix: Option<&str>) -> Vec<String> {
    let prefix = prefix.map(Path::from);
    let mut keys: Vec<String> = raw(s3)
        .list(prefix.as_ref())
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .unwrap();
    keys.sort();
    keys
}
