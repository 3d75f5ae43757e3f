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
    write_raw(&format!("{text}\n"))
}

/// Writes one line on stderr (a note for people; failures to write it are ignored).
pub fn note(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// Longest text from outside (an answer's `message`, `detail`, a header, an error chain) printed
/// whole, in characters; the rest is cut with a note of how much was cut.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Whether `c` must not reach a terminal as is: control characters (C0 including ESC, CR and NUL,
/// DEL, C1), and the invisible format characters that reorder or hide text (bidi embeddings,
/// overrides and isolates, zero-width characters, the byte-order mark).
fn is_terminal_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0x061C | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF
                | 0xFFF9..=0xFFFB
        )
}

/// The one escaping of text shown on a terminal, on one line: `\n`, `\r`, `\t` and `\\` escaped,
/// other control and invisible format characters (ESC, NUL, bidi overrides, …) as `\u{…}`,
/// bytes that are not UTF-8 as `\xNN`; everything else (including non-ASCII text) as is.
pub fn escape(bytes: &[u8]) -> String {
    let mut escaped = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => escaped.push_str("\\n"),
                '\r' => escaped.push_str("\\r"),
                '\t' => escaped.push_str("\\t"),
                '\\' => escaped.push_str("\\\\"),
                c if is_terminal_unsafe(c) => {
                    escaped.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
                }
                c => escaped.push(c),
            }
        }
        for byte in chunk.invalid() {
            escaped.push_str(&format!("\\x{byte:02X}"));
        }
    }
    escaped
}

/// Text that came from outside, ready for the terminal: [`escape`]d and, past `max_chars`
/// characters, cut with a note of how much was cut (`… (3,145,000 more characters)`).
pub fn untrusted(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => escape(text.as_bytes()),
        Some((cut_at, _)) => {
            let rest = text.get(cut_at..).unwrap_or_default().chars().count();
            format!(
                "{}… ({} more character{})",
                escape(text.as_bytes().get(..cut_at).unwrap_or_default()),
                thousands(rest),
                if rest == 1 { "" } else { "s" }
            )
        }
    }
}

/// `3145000` as `3,145,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// JSON text made safe for a terminal and still valid JSON: serde_json already escapes C0
/// controls inside strings; DEL, C1 controls and invisible format characters (which it leaves raw,
/// and which can only occur inside strings) become `\uXXXX` escapes.
fn json_terminal_safe(json: &str) -> String {
    if !json.chars().any(|c| c != '\n' && is_terminal_unsafe(c)) {
        return json.to_owned();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if c != '\n' && is_terminal_unsafe(c) {
            // Every such character is in the Basic Multilingual Plane: one \uXXXX escape.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest trace event printed whole on stderr, in characters.
const MAX_TRACE_CHARS: usize = 4_000;

/// Where traces go: stderr, each event [`untrusted`] (escaped and cut), since trace fields can
/// carry pieces of an answer (an error's `message`, a `Request-ID`). The tracing formatter writes
/// one whole event per `write` call; only its final newline is kept as is.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceWriter;

impl Write for TraceWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(bytes);
        let (event, newline) = match text.strip_suffix('\n') {
            Some(event) => (event, "\n"),
            None => (&*text, ""),
        };
        let safe = untrusted(event, MAX_TRACE_CHARS);
        std::io::stderr()
            .lock()
            .write_all(format!("{safe}{newline}").as_bytes())?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// An error's text followed by its sources' texts, `: `-separated, made safe for the terminal
/// with [`untrusted`] (error texts can carry pieces of an answer).
pub fn chain(error: &dyn std::error::Error) -> String {
    untrusted(&raw_chain(error), MAX_TEXT_CHARS)
}

fn raw_chain(error: &dyn std::error::Error) -> String {
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
                let token = untrusted(token, MAX_CELL_WIDTH * 4);
                footer.push_str(&format!("; next page: --page-token {token}"));
            }
            line(&footer)
        }
    }
}

/// What a listing lists: the item's noun and the JSON fields shown as table columns (upper-cased).
#[derive(Debug, Clone, Copy)]
pub struct Listed {
    /// The item, singular (`stock`): messages say `3 stock(s)`.
    pub noun: &'static str,
    /// The columns of a streamed table, at most five.
    pub columns: &'static [&'static str],
}

/// The stocks of `stock list`.
pub const STOCKS: Listed = Listed {
    noun: "stock",
    columns: &STOCK_COLUMNS,
};

/// Prints the items of a listing (stocks, a user's coupons) page by page as they arrive, so
/// memory stays that of one page: one pretty JSON array (the same text as printing them all at
/// once), or a table with fixed columns and a count.
///
/// Call [`StockListPrinter::finish`] on every path, also after a failure, so the JSON array is
/// closed and stdout stays valid JSON.
#[derive(Debug)]
pub struct StockListPrinter {
    format: OutputFormat,
    printed: u64,
    listed: Listed,
}

/// Column widths of a streamed table: wide enough for usual ids, states and times.
const STREAMED_WIDTHS: [usize; 5] = [17, 12, 11, 20, 25];

impl StockListPrinter {
    /// Starts the listing of `listed`: `[` or the table header.
    pub fn start(format: OutputFormat, listed: Listed) -> Result<Self, Failure> {
        match format {
            OutputFormat::Json => write_raw("[")?,
            OutputFormat::Table => {
                let header: Vec<String> = listed.columns.iter().map(|c| c.to_string()).collect();
                line(&fixed_row(&header))?
            }
        }
        Ok(StockListPrinter {
            format,
            printed: 0,
            listed,
        })
    }

    /// Prints the items of one page.
    pub fn page<T: serde::Serialize>(&mut self, items: &[T]) -> Result<(), Failure> {
        for stock in items {
            match self.format {
                OutputFormat::Json => {
                    let text = json_text(&to_json(serde_json::to_value(stock))?)?;
                    let indented = text.replace('\n', "\n  ");
                    let separator = if self.printed == 0 { "\n  " } else { ",\n  " };
                    write_raw(&format!("{separator}{indented}"))?;
                }
                OutputFormat::Table => line(&fixed_row(&row(stock, self.listed.columns)?))?,
            }
            self.printed += 1;
        }
        Ok(())
    }

    /// The noun of the listed items (`stock`).
    pub fn noun(&self) -> &'static str {
        self.listed.noun
    }

    /// Ends the listing: `]`, or the count under the table.
    pub fn finish(self) -> Result<(), Failure> {
        match self.format {
            OutputFormat::Json if self.printed == 0 => line("]"),
            OutputFormat::Json => line("\n]"),
            OutputFormat::Table => line(&format!("{} {}(s)", self.printed, self.listed.noun)),
        }
    }
}

/// Writes `text` on stdout as is and flushes it (a closed pipe is not an error).
fn write_raw(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match write!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new(
            FailureKind::Other,
            format!("cannot write to stdout: {e}"),
        )),
    }
}

/// One row of a streamed table: each cell padded to its fixed width (a longer cell pushes the
/// rest of its row to the right).
fn fixed_row(cells: &[String]) -> String {
    let mut text = String::new();
    for (i, cell_text) in cells.iter().enumerate() {
        text.push_str(cell_text);
        if i + 1 < cells.len() {
            let width = STREAMED_WIDTHS.get(i).copied().unwrap_or(0);
            text.push_str(&" ".repeat(width.saturating_sub(display_width(cell_text)) + 2));
        }
    }
    text.trim_end().to_string()
}

const STOCK_COLUMNS: [&str; 5] = [
    "PRODUCT_COUPON_ID",
    "STOCK_ID",
    "STATE",
    "REMARK",
    "DEACTIVATE_TIME",
];

/// The table cells of one item, in `columns` order.
fn row(item: &impl serde::Serialize, columns: &[&str]) -> Result<Vec<String>, Failure> {
    let value = to_json(serde_json::to_value(item))?;
    Ok(columns
        .iter()
        .map(|name| {
            value
                .get(name.to_ascii_lowercase())
                .map(cell)
                .unwrap_or_default()
        })
        .collect())
}

fn stock_rows(stocks: &[StockEntity]) -> Result<String, Failure> {
    let mut rows = Vec::with_capacity(stocks.len());
    for stock in stocks {
        rows.push(row(stock, &STOCK_COLUMNS)?);
    }
    Ok(table(&STOCK_COLUMNS, &rows))
}

fn to_json(encoded: Result<Value, serde_json::Error>) -> Result<Value, Failure> {
    encoded.map_err(|e| {
        Failure::new(
            FailureKind::Other,
            format!("cannot encode the answer as JSON: {e}"),
        )
    })
}

/// One JSON value on one line of stdout, made safe for a terminal (still valid JSON).
pub fn json_line(value: &Value) -> Result<(), Failure> {
    let text = serde_json::to_string(value)
        .map_err(|e| Failure::new(FailureKind::Other, format!("cannot encode as JSON: {e}")))?;
    line(&json_terminal_safe(&text))
}

fn pretty(value: &Value) -> Result<(), Failure> {
    line(&json_text(value)?)
}

/// Pretty JSON, made safe for a terminal (still valid JSON).
fn json_text(value: &Value) -> Result<String, Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| {
        Failure::new(
            FailureKind::Other,
            format!("cannot encode the answer as JSON: {e}"),
        )
    })?;
    Ok(json_terminal_safe(&text))
}

/// Longest cell shown in a table, in terminal columns.
const MAX_CELL_WIDTH: usize = 60;

/// A JSON value as a table cell: text [`escape`]d, anything else as compact JSON, cut to fit.
fn cell(value: &Value) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    // Only the start can be shown: escape no more than that of a long text.
    let shown: String = text.chars().take(MAX_CELL_WIDTH * 2).collect();
    let text = escape(shown.as_bytes());
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
    fn hostile_text_is_escaped_and_cut() {
        let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J\rok line\u{0}\u{202e}txt\u{9b}\u{7f}";
        let safe = untrusted(hostile, MAX_TEXT_CHARS);
        assert_eq!(
            safe,
            "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\rok line\\u{0}\\u{202e}txt\\u{9b}\\u{7f}"
        );
        assert!(!safe.chars().any(is_terminal_unsafe));
        let long = "x".repeat(3_145_000 + 10);
        assert_eq!(
            untrusted(&long, 10),
            "xxxxxxxxxx… (3,145,000 more characters)"
        );
        assert_eq!(untrusted("abc", 3), "abc");
        assert_eq!(untrusted("abcd", 3), "abc… (1 more character)");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(escape(b"x\xff\n"), "x\\xFF\\n");
    }

    #[test]
    fn json_stays_json_without_raw_controls() {
        let value = serde_json::json!({"remark": "a\u{1b}[2J\u{0}\u{9b}\u{202e}\r批"});
        let text = json_terminal_safe(&serde_json::to_string_pretty(&value).unwrap());
        assert!(
            !text.chars().any(|c| c != '\n' && is_terminal_unsafe(c)),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn table_cells_are_escaped() {
        let text = cell(&Value::String("\u{1b}[31mred\u{0}".to_string()));
        assert_eq!(text, "\\u{1b}[31mred\\u{0}");
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
