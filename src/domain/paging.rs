//! Page requests and their arithmetic, shared by every list a domain module offers.
//! Dialects check their own documented limits before building a [`Page`].

/// A 1-based page of `size` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub size: i64,
}

impl Page {
    /// A page; numbers below 1 are read as 1 and sizes below 1 as 1 (dialects reject them
    /// earlier when their contract says so).
    pub fn new(number: i64, size: i64) -> Self {
        Self {
            number: number.max(1),
            size: size.max(1),
        }
    }

    /// Rows to skip.
    pub fn offset(&self) -> i64 {
        (self.number - 1).saturating_mul(self.size)
    }

    pub fn limit(&self) -> i64 {
        self.size
    }

    /// `(limit, offset)`, for [`crate::db::Sql::window`].
    pub fn window(&self) -> (i64, i64) {
        (self.limit(), self.offset())
    }

    /// How many pages `total` rows fill (0 for no rows).
    pub fn total_pages(&self, total: i64) -> i64 {
        if total <= 0 {
            0
        } else {
            (total + self.size - 1) / self.size
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_page_counts() {
        let p = Page::new(3, 20);
        assert_eq!((p.offset(), p.limit()), (40, 20));
        assert_eq!(p.total_pages(0), 0);
        assert_eq!(p.total_pages(1), 1);
        assert_eq!(p.total_pages(100), 5);
        assert_eq!(p.total_pages(101), 6);
        assert_eq!(Page::new(0, 0), Page::new(1, 1));
    }
}
