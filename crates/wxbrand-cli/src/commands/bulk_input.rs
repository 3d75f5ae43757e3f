//! The rows of a bulk job's `--from-file`: CSV with a header row, or JSON lines (one object per
//! line), told apart by the first character that is not white space (`{`: JSON lines). Every
//! row keeps its line number; a row that cannot be read is a [`BadRow`] and the others go on.

use std::collections::BTreeMap;

/// One row: its line in the file (from 1) and its values by column name (lower case). Empty
/// values and JSON `null` are left out, so a missing column and an empty one read the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) line: u64,
    fields: BTreeMap<String, String>,
}

impl Row {
    /// The value of `column`, if given and not empty.
    pub(crate) fn get(&self, column: &str) -> Option<&str> {
        self.fields.get(column).map(String::as_str)
    }

    /// Gives `column` the `value` of the command's flag for it, where the row has none.
    pub(crate) fn fill(&mut self, column: &str, value: &str) {
        if !self.fields.contains_key(column) && !value.is_empty() {
            self.fields.insert(column.to_owned(), value.to_owned());
        }
    }
}

/// A row that cannot be read, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadRow {
    pub(crate) line: u64,
    pub(crate) reason: String,
}

/// The rows of the file, or why none can be read at all (an unreadable CSV header, a CSV
/// header without the `required` columns).
pub(crate) fn rows(bytes: &[u8], required: &[&str]) -> Result<Vec<Result<Row, BadRow>>, String> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Ok(Vec::new()),
        Some(b'{') => Ok(json_lines(bytes)),
        Some(_) => csv_rows(bytes, required),
    }
}

fn json_lines(bytes: &[u8]) -> Vec<Result<Row, BadRow>> {
    let mut rows = Vec::new();
    for (index, text) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index as u64 + 1;
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let bad = |reason: String| BadRow { line, reason };
        let row = match serde_json::from_slice::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(object)) => object
                .into_iter()
                .filter_map(|(name, value)| match value {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(text) if text.is_empty() => None,
                    serde_json::Value::String(text) => Some(Ok((name.to_lowercase(), text))),
                    serde_json::Value::Number(number) => {
                        Some(Ok((name.to_lowercase(), number.to_string())))
                    }
                    _ => Some(Err(bad(format!(
                        "{name} must be a string (or a number), not {value}"
                    )))),
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(|fields| Row { line, fields }),
            Ok(_) => Err(bad("not a JSON object".into())),
            Err(error) => Err(bad(format!("not JSON: {error}"))),
        };
        rows.push(row);
    }
    rows
}

fn csv_rows(bytes: &[u8], required: &[&str]) -> Result<Vec<Result<Row, BadRow>>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .byte_headers()
        .map_err(|e| format!("cannot read the CSV header row: {e}"))?
        .iter()
        .map(|name| String::from_utf8_lossy(name).to_lowercase())
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|name| !header.iter().any(|h| h == name))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the CSV header row (line 1) has no column {} (it has: {}); the first line names the \
             columns, e.g. {}",
            missing.join(", "),
            header.join(","),
            required.join(",")
        ));
    }
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let start = record.position().map_or(start, csv::Position::byte);
                rows.push(csv_row(line_at(bytes, start), &header, &record));
            }
            Err(error) => {
                let start = error.position().map_or(start, csv::Position::byte);
                rows.push(Err(BadRow {
                    line: line_at(bytes, start),
                    reason: format!("not CSV: {error}"),
                }));
            }
        }
    }
    Ok(rows)
}

/// The line (from 1) of the first character at or after byte `start` that is not a line end: a
/// record's position counts from the end of the one before, blank lines included.
fn line_at(bytes: &[u8], start: u64) -> u64 {
    let start = usize::try_from(start)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let skipped = bytes[start..]
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .count();
    let before = bytes.get(..start + skipped).unwrap_or(bytes);
    1 + before.iter().filter(|&&b| b == b'\n').count() as u64
}

fn csv_row(line: u64, header: &[String], record: &csv::ByteRecord) -> Result<Row, BadRow> {
    let bad = |reason: String| BadRow { line, reason };
    if record.len() != header.len() {
        return Err(bad(format!(
            "{} field{}, the header row has {}",
            record.len(),
            if record.len() == 1 { "" } else { "s" },
            header.len()
        )));
    }
    let mut fields = BTreeMap::new();
    for (name, value) in header.iter().zip(record.iter()) {
        let value =
            std::str::from_utf8(value).map_err(|_| bad(format!("{name} is not UTF-8 text")))?;
        if !value.is_empty() {
            fields.insert(name.clone(), value.to_owned());
        }
    }
    Ok(Row { line, fields })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const REQUIRED: &[&str] = &["product_coupon_id", "stock_id"];

    fn lines_and_values(rows: &[Result<Row, BadRow>]) -> Vec<(u64, Option<String>)> {
        rows.iter()
            .map(|row| match row {
                Ok(row) => (row.line, row.get("stock_id").map(str::to_owned)),
                Err(bad) => (bad.line, None),
            })
            .collect()
    }

    #[test]
    fn csv_with_quotes_blank_lines_and_bad_rows() {
        let text = "product_coupon_id,Stock_ID,reason\n\
                    1000,2001,\"a, quoted reason\"\n\
                    \n\
                    1000,2002\n\
                    1000,2003,\n\
                    1000, 2004 ,r\n";
        let rows = rows(text.as_bytes(), REQUIRED).unwrap();
        assert_eq!(
            lines_and_values(&rows),
            [
                (2, Some("2001".into())),
                (4, None),
                (5, Some("2003".into())),
                (6, Some("2004".into()))
            ]
        );
        assert_eq!(
            rows[0].as_ref().unwrap().get("reason"),
            Some("a, quoted reason")
        );
        assert_eq!(rows[2].as_ref().unwrap().get("reason"), None);
        assert!(rows[1].as_ref().unwrap_err().reason.contains("2 fields"));
    }

    #[test]
    fn a_csv_header_without_the_columns_is_refused() {
        let error = rows(b"coupon,stock\n1,2\n", REQUIRED).unwrap_err();
        assert!(error.contains("product_coupon_id, stock_id"), "{error}");
    }

    #[test]
    fn json_lines_with_numbers_nulls_and_bad_lines() {
        let text = "\u{feff}{\"product_coupon_id\":\"1000\",\"stock_id\":2001,\"reason\":null}\n\
                    not json\n\
                    \n\
                    [1]\n\
                    {\"product_coupon_id\":\"1000\",\"stock_id\":{\"x\":1}}\n\
                    {\"product_coupon_id\":\"1000\",\"stock_id\":\"2002\",\"error\":\"x\"}";
        let rows = rows(text.as_bytes(), REQUIRED).unwrap();
        assert_eq!(
            lines_and_values(&rows),
            [
                (1, Some("2001".into())),
                (2, None),
                (4, None),
                (5, None),
                (6, Some("2002".into()))
            ]
        );
        assert_eq!(rows[0].as_ref().unwrap().get("reason"), None);
    }

    #[test]
    fn an_empty_file_has_no_rows() {
        assert!(rows(b"  \n", REQUIRED).unwrap().is_empty());
    }
}
