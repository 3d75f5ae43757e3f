//! Everything printed: result lines on stdout (flushed at once), notes and errors on stderr.

use std::io::Write;

use serde_json::Value;
use wxbrand_product_coupon::{ListStocksResponse, StockEntity};

use crate::cli::OutputFormat;
use crate::exit::{Failure, FailureKind};

/// Writes one line on stdout and flushes it, so a reader of a pipe sees it at once.
///
/// A reader that went away (`| head`) is not an error: the command did its work.
pub fn line(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(
            FailureKind::Other,
            format!("cannot write to stdout: {e}"),
        )),
    }
}

/// Writes one line on stderr (a note for people; failures to write it are ignored).
pub fn note(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// An error's text followed by its sources' texts, `: `-separated.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Prints one stock (or another entity, e.g. a product coupon): pretty JSON (as answered), or a
/// field/value table.
pub fn stock(stock: &impl serde::Serialize, format: OutputFormat) -> Result<(), Failure> {
    let value = to_json(serde_json::to_value(stock))?;
    match format {
        OutputFormat::Json => pretty(&value),
        OutputFormat::Table => {
            let rows: Vec<Vec<String>> = match &value {
                Value::Object(fields) => fields
                    .iter()
                    .map(|(name, field)| vec![name.clone(), cell(field)])
                    .collect(),
                other => vec![vec![String::new(), cell(other)]],
            };
            line(&table(&["FIELD", "VALUE"], &rows))
        }
    }
}

/// Prints one page of `list stocks`: pretty JSON (as answered), or a table and a footer.
pub fn stock_page(page: &ListStocksResponse, format: OutputFormat) -> Result<(), Failure> {
    match format {
        OutputFormat::Json => pretty(&to_json(serde_json::to_value(page))?),
        OutputFormat::Table => {
            line(&stock_rows(&page.stock_list)?)?;
            let mut footer = match page.total_count {
                Some(total) => format!("{} of {total} stock(s)", page.stock_list.len()),
                None => format!("{} stock(s)", page.stock_list.len()),
            };
            if let Some(token) = page.next_page_token.as_deref().filter(|t| !t.is_empty()) {
                footer.push_str(&format!("; next page: --page-token {token}"));
            }
            line(&footer)
        }
    }
}

/// Prints every stock of a listing: one pretty JSON array, or a table and a count.
pub fn all_stocks(stocks: &[StockEntity], format: OutputFormat) -> Result<(), Failure> {
    match format {
        OutputFormat::Json => pretty(&to_json(serde_json::to_value(stocks))?),
        OutputFormat::Table => {
            line(&stock_rows(stocks)?)?;
            line(&format!("{} stock(s)", stocks.len()))
        }
    }
}

fn stock_rows(stocks: &[StockEntity]) -> Result<String, Failure> {
    let mut rows = Vec::with_capacity(stocks.len());
    for stock in stocks {
        let value = to_json(serde_json::to_value(stock))?;
        let field = |name: &str| value.get(name).map(cell).unwrap_or_default();
        rows.push(vec![
            field("product_coupon_id"),
            field("stock_id"),
            field("state"),
            field("remark"),
            field("deactivate_time"),
        ]);
    }
    Ok(table(
        &[
            "PRODUCT_COUPON_ID",
            "STOCK_ID",
            "STATE",
            "REMARK",
            "DEACTIVATE_TIME",
        ],
        &rows,
    ))
}

fn to_json(encoded: Result<Value, serde_json::Error>) -> Result<Value, Failure> {
    encoded.map_err(|e| {
        Failure::new(
            FailureKind::Other,
            format!("cannot encode the answer as JSON: {e}"),
        )
    })
}

fn pretty(value: &Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        Failure::new(
            FailureKind::Other,
            format!("cannot encode the answer as JSON: {e}"),
        )
    })?;
    line(&text)
}

/// Longest cell shown in a table, in terminal columns.
const MAX_CELL_WIDTH: usize = 60;

/// A JSON value as a table cell: text as is, anything else as compact JSON, cut to fit.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\r', '\t'], " ");
    if display_width(&text) <= MAX_CELL_WIDTH {
        return text;
    }
    let mut cut = String::new();
    let mut width = 0;
    for c in text.chars() {
        let w = char_width(c);
        if width + w > MAX_CELL_WIDTH - 1 {
            break;
        }
        cut.push(c);
        width += w;
    }
    cut.push('…');
    cut
}

/// Left-aligned columns separated by two spaces, padded by terminal width (CJK counts as two).
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for row in rows {
        for (i, text) in row.iter().enumerate() {
            if let Some(width) = widths.get_mut(i) {
                *width = (*width).max(display_width(text));
            }
        }
    }
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_string()).collect();
    let mut out = Vec::with_capacity(rows.len() + 1);
    for row in std::iter::once(&header_row).chain(rows) {
        let mut text = String::new();
        for (i, cell_text) in row.iter().enumerate() {
            if i + 1 == row.len() {
                text.push_str(cell_text);
            } else {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(display_width(cell_text));
                text.push_str(cell_text);
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push(text.trim_end().to_string());
    }
    out.join("\n")
}

fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Columns a character takes in a terminal: 2 for East Asian wide characters, else 1.
fn char_width(c: char) -> usize {
    let wide = matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_wide_characters() {
        let rows = vec![
            vec!["批次".to_string(), "x".to_string()],
            vec!["ab".to_string(), "y".to_string()],
        ];
        assert_eq!(table(&["NAME", "V"], &rows), "NAME  V\n批次  x\nab    y");
    }

    #[test]
    fn long_cells_are_cut() {
        let long = Value::String("满".repeat(100));
        let text = cell(&long);
        assert!(display_width(&text) <= MAX_CELL_WIDTH);
        assert!(text.ends_with('…'));
        assert_eq!(cell(&serde_json::json!({"a": 1})), "{\"a\":1}");
    }

    #[test]
    fn error_chains_skip_repeated_text() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("outer")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(chain(&error), "outer: inner");
    }
}
