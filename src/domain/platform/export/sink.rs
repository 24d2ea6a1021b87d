//! Writing export rows to a file as they come: CSV (UTF-8 with a BOM, RFC 4180 quoting) or
//! XLSX (rust_xlsxwriter's constant-memory mode, a new sheet every 1,048,575 data rows).
//! Memory does not grow with the number of rows: CSV goes through a buffered file writer, and
//! a constant-memory worksheet flushes each row to a temporary file when the next one starts.
//!
//! Text cells that a spreadsheet program would run as a formula (`=`, `+`, `-`, `@`, and the
//! tab / carriage return tricks) get a leading `'` in CSV; XLSX cells are always written as
//! strings, never as formulas, so they cannot run.
//!
//! Sinks are synchronous: the worker runs them on a blocking thread.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use rust_xlsxwriter::{Format, Workbook};

use super::model::{self, Cell};
use crate::domain::livestock::money::hundredths;

/// Rows per XLSX sheet, the header included (Excel's limit).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

/// A file being written row by row.
pub trait Sink: Send {
    fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()>;
    /// Finishes the file; answers its path.
    fn finish(self: Box<Self>) -> anyhow::Result<PathBuf>;
}

/// A sink for `format` writing under `dir`, with `header` as its first row (and the first
/// row of every further sheet).
pub fn open(
    format: model::Format,
    dir: &Path,
    header: Vec<String>,
) -> anyhow::Result<Box<dyn Sink>> {
    Ok(match format {
        model::Format::Csv => Box::new(CsvSink::create(dir, &header)?),
        model::Format::Excel => Box::new(XlsxSink::create(dir, header, XLSX_MAX_ROWS)?),
    })
}

/// Whether a spreadsheet program would treat `text` as a formula (or as the start of one).
pub fn is_formula_like(text: &str) -> bool {
    matches!(
        text.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// `text` as a CSV field: a leading `'` when it looks like a formula, quoted when it holds a
/// comma, a quote or a line break (quotes doubled).
fn csv_field(text: &str, out: &mut String) {
    let guarded;
    let text = if is_formula_like(text) {
        guarded = format!("'{text}");
        guarded.as_str()
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

struct CsvSink {
    path: PathBuf,
    out: BufWriter<File>,
    line: String,
}

impl CsvSink {
    fn create(dir: &Path, header: &[String]) -> anyhow::Result<Self> {
        let path = dir.join("export.csv");
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut sink = Self {
            path,
            out: BufWriter::with_capacity(64 * 1024, file),
            line: String::new(),
        };
        // The BOM makes Excel read the file as UTF-8 (Chinese text would be garbled otherwise).
        sink.out.write_all("\u{feff}".as_bytes())?;
        let cells: Vec<Cell> = header.iter().map(|h| Cell::Text(h.clone())).collect();
        sink.row(&cells)?;
        Ok(sink)
    }
}

impl Sink for CsvSink {
    fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        self.line.clear();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            match cell {
                Cell::Int(n) => self.line.push_str(&n.to_string()),
                Cell::Float(x) => self.line.push_str(&x.to_string()),
                Cell::Money(fen) => self.line.push_str(&hundredths(*fen)),
                Cell::Text(t) => csv_field(t, &mut self.line),
                Cell::Empty => {}
            }
        }
        self.line.push_str("\r\n");
        self.out.write_all(self.line.as_bytes())?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<PathBuf> {
        self.out.flush()?;
        self.out.get_ref().sync_all()?;
        Ok(self.path.clone())
    }
}

struct XlsxSink {
    dir: PathBuf,
    workbook: Workbook,
    header: Vec<String>,
    rows_per_sheet: u32,
    /// Sheets so far; the last one is being written.
    sheets: usize,
    /// The next row of the current sheet.
    next_row: u32,
    /// `0.00`, for amounts.
    money: Format,
}

impl XlsxSink {
    fn create(dir: &Path, header: Vec<String>, rows_per_sheet: u32) -> anyhow::Result<Self> {
        let mut workbook = Workbook::new();
        // Constant-memory sheets spill each finished row to a temporary file here.
        workbook.set_tempdir(dir)?;
        let mut sink = Self {
            dir: dir.to_path_buf(),
            workbook,
            header,
            rows_per_sheet: rows_per_sheet.max(2),
            sheets: 0,
            next_row: 0,
            money: Format::new().set_num_format("0.00"),
        };
        sink.new_sheet()?;
        Ok(sink)
    }

    fn new_sheet(&mut self) -> anyhow::Result<()> {
        self.workbook.add_worksheet_with_constant_memory()?;
        self.sheets += 1;
        self.next_row = 0;
        let header: Vec<Cell> = self.header.iter().map(|h| Cell::Text(h.clone())).collect();
        self.write(&header)
    }

    fn write(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        let row = self.next_row;
        let sheet = self.workbook.worksheet_from_index(self.sheets - 1)?;
        for (col, cell) in cells.iter().enumerate() {
            let col = u16::try_from(col).context("too many columns")?;
            match cell {
                // Excel holds numbers as doubles: ids past 2^53 would lose digits, so they
                // go in as text.
                Cell::Int(n) if n.unsigned_abs() < (1 << 53) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Cell::Int(n) => {
                    sheet.write_string(row, col, n.to_string())?;
                }
                Cell::Float(x) => {
                    sheet.write_number(row, col, *x)?;
                }
                // A number shown with two decimals, as the lists show money. Amounts up to
                // 2^53 fen are exact as doubles, far past any real amount.
                Cell::Money(fen) => {
                    sheet.write_number_with_format(row, col, *fen as f64 / 100.0, &self.money)?;
                }
                Cell::Text(t) => {
                    sheet.write_string(row, col, t)?;
                }
                Cell::Empty => {}
            }
        }
        self.next_row += 1;
        Ok(())
    }
}

impl Sink for XlsxSink {
    fn row(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        if self.next_row >= self.rows_per_sheet {
            self.new_sheet()?;
        }
        self.write(cells)
    }

    fn finish(mut self: Box<Self>) -> anyhow::Result<PathBuf> {
        let path = self.dir.join("export.xlsx");
        self.workbook
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Vec<String> {
        vec!["id".into(), "username".into()]
    }

    #[test]
    fn csv_has_a_bom_quotes_and_formula_guards() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = open(model::Format::Csv, dir.path(), header()).unwrap();
        sink.row(&[Cell::Int(-5), Cell::Text("=HYPERLINK(\"x\")".into())])
            .unwrap();
        sink.row(&[Cell::Int(2), Cell::Text("a,b".into())]).unwrap();
        sink.row(&[Cell::Empty, Cell::Text("@SUM(1)".into())])
            .unwrap();
        sink.row(&[Cell::Int(3), Cell::Text("张三".into())])
            .unwrap();
        let text = std::fs::read_to_string(sink.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "\u{feff}id,username\r\n-5,\"'=HYPERLINK(\"\"x\"\")\"\r\n2,\"a,b\"\r\n,'@SUM(1)\r\n3,张三\r\n"
        );
    }

    #[test]
    fn formula_like_cells_are_recognised() {
        for t in ["=1+1", "+1", "-1", "@x", "\tx", "\rx"] {
            assert!(is_formula_like(t), "{t:?}");
        }
        for t in ["", "a=1", "1-2", "张三"] {
            assert!(!is_formula_like(t), "{t:?}");
        }
    }

    #[test]
    fn xlsx_continues_on_a_new_sheet_past_the_row_limit() {
        let dir = tempfile::tempdir().unwrap();
        // 3 rows per sheet: a header and two data rows; five data rows make three sheets.
        let mut sink: Box<dyn Sink> = Box::new(XlsxSink::create(dir.path(), header(), 3).unwrap());
        for i in 0..5 {
            sink.row(&[Cell::Int(i), Cell::Text(format!("=u{i}"))])
                .unwrap();
        }
        let bytes = std::fs::read(sink.finish().unwrap()).unwrap();
        assert_eq!(&bytes[..2], b"PK", "a zip file");
        let has = |name: &str| bytes.windows(name.len()).any(|w| w == name.as_bytes());
        assert!(has("xl/worksheets/sheet3.xml"));
        assert!(!has("xl/worksheets/sheet4.xml"));
    }
}
