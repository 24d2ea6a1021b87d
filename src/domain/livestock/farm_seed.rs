//! Bulk demo farms and animals (`ops-server livestock seed --farms N --animals N`), for
//! benchmarks and trials.
//!
//! Owners are a few demo users (`farmer0001`, … with random passwords: they are not meant to
//! log in), created through the identity module. Farms and animals are written in
//! transactions of [`BATCH`] rows through multi-row `INSERT`s of one size, so each statement is
//! prepared once and reused. Every second animal gets a vaccination record. The content is
//! deterministic (a hash of the row number) and looks like Chinese farm data: provinces and
//! cities, farm names, breeds by kind, health states in realistic shares.

use chrono::{Days, NaiveDate};

use super::fields::date_text;
use crate::db::{self, Db, Sql};
use crate::domain::identity::{CreatePolicy, NewUser, password, user};
use crate::error::Result;

/// Rows per transaction.
pub const BATCH: usize = 1000;
/// Rows per multi-row `INSERT` (at most 17 values per row: 850 bound parameters).
const ROWS_PER_STATEMENT: usize = 50;

const REGIONS: [(&str, &str, &str); 10] = [
    ("北京市", "北京市", "顺义区"),
    ("河北省", "石家庄市", "藁城区"),
    ("内蒙古自治区", "呼和浩特市", "赛罕区"),
    ("山东省", "临沂市", "沂水县"),
    ("河南省", "南阳市", "内乡县"),
    ("四川省", "成都市", "双流区"),
    ("黑龙江省", "哈尔滨市", "双城区"),
    ("广东省", "清远市", "英德市"),
    ("湖南省", "长沙市", "望城区"),
    ("新疆维吾尔自治区", "昌吉回族自治州", "呼图壁县"),
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 8] = [
    "建国", "秀英", "志强", "桂兰", "海涛", "春梅", "国庆", "丽娟",
];

/// A kind of farm: `type`, the category it raises (name, code), its word and its breeds.
struct Kind {
    kind: &'static str,
    category: (&'static str, &'static str),
    word: &'static str,
    prefix: &'static str,
    breeds: &'static [&'static str],
    /// Typical live weight (kg) and value (yuan).
    weight: u64,
    value: u64,
}

const KINDS: [Kind; 4] = [
    Kind {
        kind: "pig",
        category: ("猪", "pig"),
        word: "养猪场",
        prefix: "PIG",
        breeds: &["杜洛克猪", "长白猪", "大白猪", "约克夏猪"],
        weight: 110,
        value: 1_800,
    },
    Kind {
        kind: "cattle",
        category: ("牛", "cattle"),
        word: "养牛场",
        prefix: "COW",
        breeds: &["西门塔尔牛", "安格斯牛", "荷斯坦奶牛", "鲁西黄牛"],
        weight: 550,
        value: 16_000,
    },
    Kind {
        kind: "sheep",
        category: ("羊", "sheep"),
        word: "养羊场",
        prefix: "SHP",
        breeds: &["小尾寒羊", "湖羊", "杜泊羊"],
        weight: 45,
        value: 1_500,
    },
    Kind {
        kind: "chicken",
        category: ("鸡", "chicken"),
        word: "养鸡场",
        prefix: "CHK",
        breeds: &["三黄鸡", "白羽肉鸡", "芦花鸡"],
        weight: 2,
        value: 60,
    },
];

/// SplitMix64 of the row number: random-looking, the same on every run.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn pick<T: Copy>(items: &[T], h: u64) -> T {
    items[(h % items.len() as u64) as usize]
}

/// Finds or creates the demo owners `farmer0001..=farmerNNNN`; answers their ids.
async fn owners(db: &Db, count: u64) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for n in 1..=count {
        let username = format!("farmer{n:04}");
        if let Some(u) = user::find_by_username(db, &username).await? {
            ids.push(u.id);
            continue;
        }
        let h = mix(n);
        let mut new = NewUser::new(username, password::random_token());
        new.display_name = format!("{}{}", pick(&SURNAMES, h), pick(&GIVEN, h >> 8));
        new.phone = Some(format!("139{:08}", n));
        ids.push(
            crate::domain::accounts::enrol::create(db, new, CreatePolicy::default())
                .await?
                .id,
        );
    }
    Ok(ids)
}

/// The category of each kind, created when missing.
async fn categories(db: &Db) -> Result<Vec<i64>> {
    let now = db::now();
    let mut ids = Vec::new();
    for k in &KINDS {
        let (name, code) = k.category;
        sqlx::query(
            "INSERT INTO animal_categories (name, code, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT DO NOTHING",
        )
        .bind(name)
        .bind(code)
        .bind(now)
        .execute(db.pool())
        .await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM animal_categories WHERE code = $1")
            .bind(code)
            .fetch_one(db.pool())
            .await?;
        ids.push(id);
    }
    Ok(ids)
}

/// Loads `count` demo farms (one owner per 500 farms, at most 200 owners). `progress` hears
/// the running total after every batch.
pub async fn farms(db: &Db, count: u64, mut progress: impl FnMut(u64)) -> Result<()> {
    let owners = owners(db, count.div_ceil(500).clamp(1, 200)).await?;
    let base: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM farms")
        .fetch_one(db.pool())
        .await?;
    let base = u64::try_from(base).unwrap_or(0);
    let now = db::now();
    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(BATCH as u64);
        let mut tx = db.begin().await?;
        let rows: Vec<u64> = (done..done + n).map(|i| base + i + 1).collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "INSERT INTO farms (user_id, name, code, type, area, capacity, address, province, \
                 city, district, longitude, latitude, license_number, description, status, \
                 created_at, updated_at) VALUES ",
            );
            for (j, &seq) in chunk.iter().enumerate() {
                let h = mix(seq);
                let k = &KINDS[(h % 4) as usize];
                let (province, city, district) = pick(&REGIONS, h >> 4);
                let surname = pick(&SURNAMES, h >> 12);
                let created = now - ((h >> 20) % (3 * 365 * 86_400)) as i64 * 1_000_000;
                if j > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(owners[(seq % owners.len() as u64) as usize])
                    .push(", ")
                    .bind(format!("{district}{surname}氏{}{seq}号", k.word))
                    .push(", ")
                    .bind(format!("FARM{seq:07}"))
                    .push(", ")
                    .bind(k.kind)
                    .push(", CAST(")
                    .bind(format!(
                        "{}.{:02}",
                        500 + (h >> 28) % 20_000,
                        (h >> 44) % 100
                    ))
                    .push(" AS DOUBLE PRECISION), ")
                    .bind(((h >> 36) % 2_000 + 50) as i64)
                    .push(", ")
                    .bind(format!(
                        "{province}{city}{district}{}{}村{}号",
                        surname,
                        pick(&GIVEN, h >> 40),
                        (h >> 48) % 200 + 1
                    ))
                    .push(", ")
                    .bind(province)
                    .push(", ")
                    .bind(city)
                    .push(", ")
                    .bind(district)
                    .push(", CAST(")
                    .bind(format!(
                        "{}.{:06}",
                        100 + (h >> 8) % 25,
                        (h >> 16) % 1_000_000
                    ))
                    .push(" AS DOUBLE PRECISION), CAST(")
                    .bind(format!(
                        "{}.{:06}",
                        22 + (h >> 24) % 20,
                        (h >> 32) % 1_000_000
                    ))
                    .push(" AS DOUBLE PRECISION), ")
                    .bind(format!(
                        "{}农许字[2024]{seq:06}号",
                        province.chars().next().unwrap_or('农')
                    ))
                    .push(", ")
                    .bind(format!("{}规模化{}", k.category.0, k.word))
                    .push(", ")
                    // Most farms approved; some pending, rejected or suspended.
                    .bind([1_i64, 1, 1, 1, 1, 1, 0, 2, 3, 1][((h >> 52) % 10) as usize])
                    .push(", ")
                    .bind(created)
                    .push(", ")
                    .bind(created)
                    .push(")");
            }
            sql.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        done += n;
        progress(done);
    }
    sqlx::query("ANALYZE").execute(db.write_pool()).await?;
    Ok(())
}

/// Loads `count` demo animals spread over the existing farms (by the farm's kind), with a
/// vaccination record for every second one. Needs farms; `today` is the server's day.
pub async fn animals(
    db: &Db,
    count: u64,
    today: NaiveDate,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let cats = categories(db).await?;
    let farms: Vec<(i64, String)> = sqlx::query_as("SELECT id, type FROM farms ORDER BY id")
        .fetch_all(db.pool())
        .await?;
    if farms.is_empty() {
        return Err(crate::error::Error::Internal(anyhow::anyhow!(
            "there are no farms: seed --farms first"
        )));
    }
    let base: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM animals")
        .fetch_one(db.pool())
        .await?;
    let base = u64::try_from(base).unwrap_or(0);
    let now = db::now();
    let mut done = 0u64;
    while done < count {
        let n = (count - done).min(BATCH as u64);
        let mut tx = db.begin().await?;
        let rows: Vec<u64> = (done..done + n).map(|i| base + i + 1).collect();
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut sql = Sql::new(
                "INSERT INTO animals (farm_id, category_id, code, name, breed, gender, birth_date, \
                 weight, health_status, status, purchase_price, purchase_date, purchase_source, \
                 current_value, created_at, updated_at) VALUES ",
            );
            let mut vaccinated = Vec::new();
            for (j, &seq) in chunk.iter().enumerate() {
                let h = mix(seq ^ 0x5EED);
                let (farm_id, kind) = &farms[(h % farms.len() as u64) as usize];
                let ki = KINDS.iter().position(|k| k.kind == kind).unwrap_or(0);
                let k = &KINDS[ki];
                let age = (h >> 8) % 900 + 10;
                let born = today.checked_sub_days(Days::new(age)).unwrap_or(today);
                let bought = born
                    .checked_add_days(Days::new((h >> 18) % 10))
                    .unwrap_or(born)
                    .min(today);
                let health = match (h >> 24) % 100 {
                    0..=89 => "healthy",
                    90..=92 => "sick",
                    93..=94 => "treating",
                    95..=96 => "quarantine",
                    _ => "dead",
                };
                let value = k.value * (80 + (h >> 32) % 40) / 100;
                if seq % 2 == 0 {
                    vaccinated.push((j, born));
                }
                if j > 0 {
                    sql.push(", ");
                }
                sql.push("(")
                    .bind(*farm_id)
                    .push(", ")
                    .bind(cats[ki])
                    .push(", ")
                    .bind(format!("{}{seq:08}", k.prefix))
                    .push(", ")
                    .bind(format!("{}{seq}号", k.category.0))
                    .push(", ")
                    .bind(pick(k.breeds, h >> 40))
                    .push(", ")
                    .bind(1 + ((h >> 44) % 2) as i64)
                    .push(", ")
                    .bind(date_text(born))
                    .push(", CAST(")
                    .bind(format!(
                        "{}.{}",
                        k.weight * (50 + (h >> 48) % 70) / 100 + 1,
                        (h >> 56) % 10
                    ))
                    .push(" AS DOUBLE PRECISION), ")
                    .bind(health)
                    .push(", ")
                    .bind(if health == "dead" { 3_i64 } else { 1 })
                    .push(", ")
                    .bind(i64::try_from(value * 60).unwrap_or(0))
                    .push(", ")
                    .bind(date_text(bought))
                    .push(", ")
                    .bind(
                        ["本地养殖场", "种畜场引进", "自繁自养", "合作社调入"]
                            [((h >> 50) % 4) as usize],
                    )
                    .push(", ")
                    .bind(i64::try_from(value * 100).unwrap_or(0))
                    .push(", ")
                    .bind(now)
                    .push(", ")
                    .bind(now)
                    .push(")");
            }
            sql.push(" RETURNING id");
            let ids: Vec<i64> = sql.query_scalar().fetch_all(&mut *tx).await?;
            if !vaccinated.is_empty() {
                let mut rec = Sql::new(
                    "INSERT INTO health_records (animal_id, record_type, record_date, medicine, \
                     veterinarian, cost, images, created_at) VALUES ",
                );
                for (n, (j, born)) in vaccinated.iter().enumerate() {
                    let Some(id) = ids.get(*j) else { continue };
                    let day = born
                        .checked_add_days(Days::new(7))
                        .unwrap_or(*born)
                        .min(today);
                    if n > 0 {
                        rec.push(", ");
                    }
                    rec.push("(")
                        .bind(*id)
                        .push(", 'vaccination', ")
                        .bind(date_text(day))
                        .push(", ")
                        .bind(["口蹄疫疫苗", "猪瘟疫苗", "禽流感疫苗", "布病疫苗"][n % 4])
                        .push(", ")
                        .bind(format!("{}兽医", pick(&SURNAMES, mix(*id as u64))))
                        .push(", 3000, '[]', ")
                        .bind(now)
                        .push(")");
                }
                rec.query().execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        done += n;
        progress(done);
    }
    sqlx::query("ANALYZE").execute(db.write_pool()).await?;
    Ok(())
}
