//! What admin_v1 writes into data in the system's name: record descriptions, notices. The
//! domain hands over the facts ([`TradeWords`], [`ExportWords`]); this file is their one
//! wording.

use crate::domain::livestock::words::TradeWords;
use crate::domain::platform::export::words::ExportWords;

/// admin_v1's wording of the system's own texts.
pub struct AdminWords;

pub static WORDS: AdminWords = AdminWords;

impl TradeWords for AdminWords {
    fn sale_description(&self, order_no: &str) -> String {
        format!("订单 {order_no} 收入")
    }

    fn refund_description(&self, order_no: &str) -> String {
        format!("订单 {order_no} 退款")
    }

    fn audit_notice(&self, order_no: &str, approved: bool) -> (String, String) {
        let verdict = if approved {
            "已通过审核"
        } else {
            "未通过审核,已取消"
        };
        (
            "订单审核结果".to_owned(),
            format!("订单 {order_no} {verdict}"),
        )
    }
}

impl ExportWords for AdminWords {
    fn completed(&self, resource: &str, records: i64, task_id: &str) -> (String, String) {
        (
            "导出完成".to_owned(),
            format!("{resource} 导出已完成,共 {records} 条记录({task_id})"),
        )
    }
}
