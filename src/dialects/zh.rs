//! The Chinese wording of field problems, shared by the three Chinese dialects (`ops_v1`,
//! `admin_v1`, `hanzi`). Each of them words problems in its own `error::word`, which keeps
//! its few own phrasings and defers to this table for the rest; the exhaustive `match` here
//! means a new [`Problem`] variant does not compile until it has a Chinese wording.

use crate::error::{Entity, Format, Kind, OrderRefusal, Problem, Rule};

/// `a、b 或 c`.
fn choices(allowed: &[&str]) -> String {
    match allowed.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} 或 {last}", rest.join("、")),
        None => String::new(),
    }
}

/// The noun of a record kind, for "… 不存在".
pub fn entity(entity: Entity) -> &'static str {
    match entity {
        Entity::User => "用户",
        Entity::Session => "会话",
        Entity::Role => "角色",
        Entity::Permission => "权限",
        Entity::File => "文件",
        Entity::Order => "订单",
        Entity::Glyph => "字形数据",
        Entity::Setting => "配置项",
        Entity::Api => "接口",
        Entity::Other => "记录",
    }
}

/// The noun of a unique field, for "… 已存在".
fn unique_field(field: &str) -> &str {
    match field.rsplit('.').next().unwrap_or(field) {
        "username" => "用户名",
        "email" => "邮箱",
        "phone" => "手机号",
        "code" => "编码",
        "name" => "名称",
        _ => "记录",
    }
}

/// The message of a clash on `field` ([`crate::error::Error::Conflict`]).
pub fn conflict(field: &str, problem: &Problem, value: Option<&str>) -> String {
    match (problem, value) {
        (Problem::Duplicate, Some(v)) => format!("{v} 记录已存在"),
        (Problem::Duplicate, None) => format!("{}已存在", unique_field(field)),
        (other, _) => word(other),
    }
}

fn kind(k: Kind) -> String {
    match k {
        Kind::String => "必须是字符串".into(),
        Kind::Boolean => "必须是布尔值".into(),
        Kind::Integer | Kind::PrimaryKey => "必须是整数".into(),
        Kind::Array => "必须是数组".into(),
        Kind::Object => "必须是对象".into(),
        Kind::StringOrNull => "必须是字符串或 null".into(),
        Kind::IntegerOrNull => "必须是整数或 null".into(),
        Kind::BooleanOrLevel { max } => format!("必须是布尔值或 0-{max} 的整数"),
        Kind::ArrayOrJsonText => "必须是数组或数组的 JSON 文本".into(),
    }
}

fn format(f: Format) -> &'static str {
    match f {
        Format::Email => "邮箱格式不正确",
        Format::Phone => "手机号格式不正确",
        Format::Username => "用户名格式不正确",
        Format::UserId => "用户 ID 只能由字母开头, 字母或数字组成, 以 _ 或 - 连接",
        Format::PermissionCode => "权限编码只能包含字母、数字和 : _ - . *,长度1-100",
        Format::RoleCode => "角色编码只能包含字母、数字和 _ - : .,长度1-50",
        Format::FileType => "文件类型必须是1-50个字母、数字、下划线或连字符",
        Format::Regex => "不是有效的正则表达式",
        Format::Date => "日期格式不正确,应为 YYYY-MM-DD",
        Format::IdCard => "身份证号格式不正确",
        Format::DateTime => {
            "时间格式必须是 RFC 3339、YYYY-MM-DD HH:MM:SS、YYYY-MM-DD HH:MM 或 YYYY-MM-DD"
        }
        Format::Sha256Hex => "必须是64位十六进制字符串",
        Format::CodePoint => "必须是有效的 Unicode 码位",
        Format::SingleCharacter => "必须是单个字符",
        Format::Utf8 => "必须是UTF-8文本",
        Format::Multipart => "请求必须是 multipart/form-data,并包含 file 字段",
        Format::Operator => "结构符必须是 ⿰-⿻ 之一",
        Format::Operands => "必须是 2-3 个字符的数组",
        Format::StrokeOrder => "必须是 {index, strokes} 的数组",
        Format::NumericParameters => "必须是数值参数对象",
        Format::StringList => "必须是字符串数组",
        Format::Strokes => "必须是笔画对象的数组",
        Format::PinyinList => "必须是拼音字符串或 {pinyin, importance} 对象的数组",
        Format::Reference => "必须是单个字符或有效的 Unicode 码位",
        Format::Amount => "金额必须是数字,最多两位小数",
    }
}

fn rule(r: Rule) -> &'static str {
    match r {
        Rule::WouldCreateCycle => "不能把它移动到它自己或它的下级之下",
        Rule::BuiltInRoleCode => "内置角色的编码不可修改",
        Rule::BuiltInRoleUndeletable => "内置角色不可删除",
        Rule::SuperAdminRoleDisabled => "超级管理员角色不可禁用",
        Rule::RoleInUse => "该角色仍有用户使用,不能删除",
        Rule::GlyphReferenced => "无法删除，因为还有别的字形引用它",
        Rule::ResetTokenInvalid => "重置令牌无效或已过期",
        Rule::UnknownSetting => "未知的配置项",
        Rule::UnknownGlyphType => "未知的字形类型",
        Rule::ImageTooManyPixels => "图片尺寸过大",
        Rule::ImageTooMuchMemory => "图片解码所需内存超出限制",
        Rule::ImageUndecodable => "图片已损坏或无法解码",
        Rule::PeriodTooLong => "统计区间不能超过3660天",
        Rule::SameBuyerAndSeller => "买家和卖家不能是同一用户",
        Rule::DiscountExceedsAmount => "优惠金额不能超过订单金额与运费之和",
        Rule::RefundExceedsActual => "退款金额不能超过实付金额",
        Rule::AnimalDead => "动物已死亡,不能交易",
        Rule::StartAfterEnd => "开始日期不能晚于结束日期",
        Rule::RangeTooLarge => "统计范围过大",
        Rule::DateInFuture => "日期不能晚于今天",
        Rule::OwnParent => "不能是动物自身",
        Rule::ParentWrongSex => "父亲必须是雄性,母亲必须是雌性",
        Rule::ParentNotOlder => "父母的出生日期必须早于该动物",
        Rule::ParentIsDescendant => "不能是该动物的后代",
        Rule::ParentGenderLocked => "已登记为其他动物的父母,性别不能更改",
        Rule::BornAfterOffspring => "出生日期必须早于其后代",
        Rule::WithdrawalOnlyForTreatment => "只有治疗记录可以设置休药期",
        Rule::StillReferenced => "仍被其他记录引用,不能删除",
        Rule::LastSuperAdmin => "最后一个超级管理员不能取消该角色",
    }
}

/// The Chinese message of one problem.
pub fn word(problem: &Problem) -> String {
    match problem {
        Problem::Required | Problem::Null | Problem::Blank => "不能为空".into(),
        Problem::RequiredOneOf { fields } => format!("{} 至少需要一个", fields.join("、")),
        Problem::TooShort { min } => format!("长度不能少于{min}个字符"),
        Problem::TooLong { max } => format!("长度不能超过{max}个字符"),
        Problem::Length { min, max } => format!("长度必须在{min}-{max}个字符之间"),
        Problem::AtLeast { min: 0 } => "不能为负数".into(),
        Problem::AtLeast { min: 1 } => "必须是正整数".into(),
        Problem::AtLeast { min } => format!("不能小于{min}"),
        Problem::AtMost { max } => format!("不能超过{max}"),
        Problem::OutOfRange { min, max } => format!("必须在{min}-{max}之间"),
        Problem::TooMany { max } => format!("不能超过{max}项"),
        Problem::WrongType { expected, .. } => kind(*expected),
        Problem::NotAnId { .. } => "必须是正整数".into(),
        Problem::BadFormat(f) => format(*f).into(),
        Problem::NotOneOf { allowed, .. } => format!("必须是 {}", choices(allowed)),
        Problem::ForbiddenCharacter => "不能包含空白字符".into(),
        Problem::UnknownReference { entity: e, .. } => format!("{}不存在", entity(*e)),
        Problem::Duplicate => "已存在".into(),
        Problem::NotUniqueTogether { fields } => format!("{} 的组合已存在", fields.join("、")),
        Problem::Mismatch => "两次输入的值不一致".into(),
        Problem::Unparsable { detail } => format!("格式错误: {detail}"),
        Problem::Rule(r) => rule(*r).into(),
    }
}

/// A field message: `worded` with the dialect's noun for the field in front when the wording
/// is about a length or a range ("用户名长度必须在3-20个字符之间", "每页数量必须在1-100之间"),
/// as the documents phrase them.
pub fn with_noun(noun: Option<&str>, problem: &Problem, worded: String) -> String {
    match (noun, problem) {
        (Some(noun), Problem::Length { .. } | Problem::OutOfRange { .. }) => {
            format!("{noun}{worded}")
        }
        _ => worded,
    }
}

fn order_action(action: &str) -> &str {
    match action {
        "approve" => "审核通过",
        "reject" => "审核拒绝",
        "pay" => "支付",
        "ship" => "发货",
        "deliver" => "确认送达",
        "complete" => "完成",
        "cancel" => "取消",
        "refund" => "退款",
        other => other,
    }
}

/// The message of a refused order action ([`crate::error::Error::OrderState`]).
pub fn order_refusal(r: &OrderRefusal) -> String {
    match r {
        OrderRefusal::Transition {
            action,
            order_status,
            payment_status,
        } => format!(
            "订单状态不允许此操作:{}(订单状态 {order_status},支付状态 {payment_status})",
            order_action(action)
        ),
        OrderRefusal::NotEditable => "只有待审核且未支付的订单可以修改".into(),
        OrderRefusal::NotDeletable => "只有未支付的待审核或已取消订单可以删除".into(),
        OrderRefusal::Withdrawal {
            animal_id,
            code,
            ends,
        } => format!("动物 {code}(ID {animal_id})处于休药期,{ends} 前不能交易或发货"),
    }
}

/// The message of a refused state change ([`crate::error::Error::StateNotAllowed`]).
pub fn state(r: Rule) -> &'static str {
    rule(r)
}
