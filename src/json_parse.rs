//! JSON text (RFC 8259) for the serde visitors of [`crate::json_view`], [`crate::jwks`]'s reader
//! and [`crate::encoding::parse_json_strict`]. It reads a text exactly as serde_json's
//! `from_slice` does: the same values (numbers correctly rounded, by [`crate::decimal`]), the
//! same errors with the same wording and positions (they reach users in our messages), and
//! the same 128-level nesting limit; in a fraction of serde_json's parser's code, which the wasm
//! modules no longer carry (issue 13). `tests::same_as_serde_json` holds it to serde_json.

use serde::de::{self, DeserializeSeed, Visitor};
use serde::forward_to_deserialize_any;
use std::borrow::Cow;
use std::fmt;

/// serde_json's words for each syntax error.
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_VALUE: &str = "expected value";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const NUMBER_OUT_OF_RANGE: &str = "number out of range";
const INVALID_CODE_POINT: &str = "invalid unicode code point";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const RECURSION_LIMIT: &str = "recursion limit exceeded";

/// A syntax error with its position, or a visitor's message (`line` 0 until the parser
/// gives it the position where it surfaced, as serde_json does).
#[derive(Debug)]
pub struct Error {
    message: Cow<'static, str>,
    line: usize,
    column: usize,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "{} at line {} column {}", self.message, self.line, self.column)
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(message: T) -> Error {
        Error { message: Cow::Owned(message.to_string()), line: 0, column: 0 }
    }
}

/// serde_json's position of byte offset `at`: 1-based line, column counted in bytes.
fn error_at(text: &[u8], at: usize, message: &'static str) -> Error {
    let line_start = text[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + text[..line_start].iter().filter(|&&b| b == b'\n').count();
    Error { message: Cow::Borrowed(message), line, column: at - line_start }
}

/// Reads one value from `text` with `read`, then refuses anything but whitespace after it.
pub fn parse<'de, T>(text: &'de [u8], read: impl FnOnce(&mut Parser<'de>) -> Result<T, Error>) -> Result<T, Error> {
    let mut parser = Parser { text, index: 0, scratch: Vec::new(), depth_left: 128 };
    let value = read(&mut parser)?;
    match parser.skip_whitespace() {
        Some(_) => Err(parser.peek_error(TRAILING_CHARACTERS)),
        None => Ok(value),
    }
}

pub struct Parser<'de> {
    text: &'de [u8],
    index: usize,
    /// A string's bytes once it has escapes (one without is borrowed from the text).
    scratch: Vec<u8>,
    depth_left: u8,
}

enum Str<'de, 's> {
    Borrowed(&'de str),
    Copied(&'s str),
}

enum Number {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl<'de> Parser<'de> {
    /// The error for the byte just consumed.
    fn error(&self, message: &'static str) -> Error {
        error_at(self.text, self.index, message)
    }

    /// The error for the byte about to be read.
    fn peek_error(&self, message: &'static str) -> Error {
        error_at(self.text, (self.index + 1).min(self.text.len()), message)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.index).copied()
    }

    fn next_byte(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.index += 1;
        Some(byte)
    }

    fn skip_whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.index += 1;
        }
        self.peek()
    }

    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.index += 1;
        }
    }

    fn parse_ident(&mut self, rest: &[u8]) -> Result<(), Error> {
        for &expected in rest {
            match self.next_byte() {
                None => return Err(self.error(EOF_VALUE)),
                Some(byte) if byte != expected => return Err(self.error(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A number from its first digit (after the `-` of a negative one).
    fn parse_number(&mut self, positive: bool) -> Result<Number, Error> {
        let start = self.index;
        match self.next_byte() {
            None => return Err(self.error(EOF_VALUE)),
            Some(b'0') if matches!(self.peek(), Some(b'0'..=b'9')) => return Err(self.peek_error(INVALID_NUMBER)),
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.skip_digits(),
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        }
        let int = &self.text[start..self.index];
        let mut frac: &[u8] = &[];
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.index += 1;
            let frac_start = self.index;
            self.skip_digits();
            if self.index == frac_start {
                return Err(self.peek_error(if self.peek().is_some() { INVALID_NUMBER } else { EOF_VALUE }));
            }
            frac = &self.text[frac_start..self.index];
            integer = false;
        }
        let mut exp10 = 0i64;
        if let Some(b'e' | b'E') = self.peek() {
            self.index += 1;
            integer = false;
            let negative_exp = match self.peek() {
                Some(b'-') => {
                    self.index += 1;
                    true
                }
                Some(b'+') => {
                    self.index += 1;
                    false
                }
                _ => false,
            };
            let mut exp = match self.next_byte() {
                None => return Err(self.error(EOF_VALUE)),
                Some(d @ b'0'..=b'9') => i64::from(d - b'0'),
                Some(_) => return Err(self.error(INVALID_NUMBER)),
            };
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.index += 1;
                exp = exp * 10 + i64::from(d - b'0');
                if exp > i64::from(i32::MAX) {
                    // serde_json stops here: out of range, or zero for a zero or a negative exponent.
                    if !negative_exp && int.iter().chain(frac).any(|&d| d != b'0') {
                        return Err(self.error(NUMBER_OUT_OF_RANGE));
                    }
                    self.skip_digits();
                    return Ok(Number::F64(if positive { 0.0 } else { -0.0 }));
                }
            }
            exp10 = if negative_exp { -exp } else { exp };
        }
        if integer {
            if let Some(n) = int.iter().try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0'))) {
                if positive {
                    return Ok(Number::U64(n));
                }
                let negated = (n as i64).wrapping_neg();
                // -0 and anything below i64::MIN are floats, as in serde_json.
                return Ok(if negated >= 0 { Number::F64(-(n as f64)) } else { Number::I64(negated) });
            }
        }
        let magnitude = crate::decimal::to_f64(int, frac, exp10);
        if magnitude.is_infinite() {
            return Err(self.error(NUMBER_OUT_OF_RANGE));
        }
        Ok(Number::F64(if positive { magnitude } else { -magnitude }))
    }

    /// A string's contents, from after its opening quote to after its closing one.
    fn parse_str<'s>(&'s mut self) -> Result<Str<'de, 's>, Error> {
        self.scratch.clear();
        let mut start = self.index;
        loop {
            while let Some(&b) = self.text.get(self.index) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.index += 1;
            }
            match self.peek() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => {
                    let end = self.index;
                    self.index += 1;
                    let text: &'de [u8] = self.text;
                    return if self.scratch.is_empty() {
                        utf8(text, self.index, &text[start..end]).map(Str::Borrowed)
                    } else {
                        self.scratch.extend_from_slice(&text[start..end]);
                        utf8(text, self.index, &self.scratch).map(Str::Copied)
                    };
                }
                Some(b'\\') => {
                    self.scratch.extend_from_slice(&self.text[start..self.index]);
                    self.index += 1;
                    self.parse_escape()?;
                    start = self.index;
                }
                Some(_) => {
                    self.index += 1;
                    return Err(self.error(CONTROL_CHARACTER));
                }
            }
        }
    }

    fn parse_escape(&mut self) -> Result<(), Error> {
        let byte = match self.next_byte() {
            None => return Err(self.error(EOF_STRING)),
            Some(b'u') => return self.parse_unicode_escape(),
            Some(c @ (b'"' | b'\\' | b'/')) => c,
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(_) => return Err(self.error(INVALID_ESCAPE)),
        };
        self.scratch.push(byte);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let Some(digits) = self.text.get(self.index..self.index + 4) else {
            self.index = self.text.len();
            return Err(self.error(EOF_STRING));
        };
        self.index += 4;
        let value = digits.iter().try_fold(0u32, |n, &d| Some(n << 4 | char::from(d).to_digit(16)?));
        value.ok_or_else(|| self.error(INVALID_ESCAPE))
    }

    /// After `\u`: a character, or a surrogate pair as two escapes.
    fn parse_unicode_escape(&mut self) -> Result<(), Error> {
        let first = self.hex4()?;
        let code = match first {
            0xDC00..=0xDFFF => return Err(self.error(LONE_SURROGATE)),
            0xD800..=0xDBFF => {
                for expected in [b'\\', b'u'] {
                    match self.next_byte() {
                        None => return Err(self.error(EOF_STRING)),
                        Some(byte) if byte != expected => return Err(self.error(END_OF_HEX_ESCAPE)),
                        Some(_) => {}
                    }
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error(LONE_SURROGATE));
                }
                0x10000 + ((first - 0xD800) << 10 | (second - 0xDC00))
            }
            _ => first,
        };
        let mut utf8 = [0; 4];
        self.scratch.extend_from_slice(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER).encode_utf8(&mut utf8).as_bytes());
        Ok(())
    }

    fn end_seq(&mut self) -> Result<(), Error> {
        match self.skip_whitespace() {
            Some(b']') => {
                self.index += 1;
                Ok(())
            }
            Some(b',') => {
                self.index += 1;
                let message = if self.skip_whitespace() == Some(b']') { TRAILING_COMMA } else { TRAILING_CHARACTERS };
                Err(self.peek_error(message))
            }
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Err(self.peek_error(EOF_LIST)),
        }
    }

    fn end_map(&mut self) -> Result<(), Error> {
        match self.skip_whitespace() {
            Some(b'}') => {
                self.index += 1;
                Ok(())
            }
            Some(b',') => Err(self.peek_error(TRAILING_COMMA)),
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Err(self.peek_error(EOF_OBJECT)),
        }
    }
}

/// `bytes` (a string's contents, the string closed at `end`) as UTF-8; serde_json points an
/// error at the first invalid byte by counting back from the closing quote.
fn utf8<'b>(text: &[u8], end: usize, bytes: &'b [u8]) -> Result<&'b str, Error> {
    std::str::from_utf8(bytes).map_err(|e| {
        let mut error = error_at(text, end, INVALID_CODE_POINT);
        error.column = error.column.saturating_sub(bytes.len() - e.valid_up_to());
        error
    })
}

impl<'de> de::Deserializer<'de> for &mut Parser<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let Some(peek) = self.skip_whitespace() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        let value = match peek {
            b'n' => {
                self.index += 1;
                self.parse_ident(b"ull")?;
                visitor.visit_unit()
            }
            b't' => {
                self.index += 1;
                self.parse_ident(b"rue")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.index += 1;
                self.parse_ident(b"alse")?;
                visitor.visit_bool(false)
            }
            b'-' | b'0'..=b'9' => {
                let positive = peek != b'-';
                if !positive {
                    self.index += 1;
                }
                match self.parse_number(positive)? {
                    Number::U64(n) => visitor.visit_u64(n),
                    Number::I64(n) => visitor.visit_i64(n),
                    Number::F64(n) => visitor.visit_f64(n),
                }
            }
            b'"' => {
                self.index += 1;
                match self.parse_str()? {
                    Str::Borrowed(s) => visitor.visit_borrowed_str(s),
                    Str::Copied(s) => visitor.visit_str(s),
                }
            }
            b'[' | b'{' => {
                self.depth_left -= 1;
                if self.depth_left == 0 {
                    return Err(self.peek_error(RECURSION_LIMIT));
                }
                self.index += 1;
                let (read, end) = if peek == b'[' {
                    let read = visitor.visit_seq(Seq { parser: &mut *self, first: true });
                    self.depth_left += 1;
                    (read, self.end_seq())
                } else {
                    let read = visitor.visit_map(Map { parser: &mut *self, first: true });
                    self.depth_left += 1;
                    (read, self.end_map())
                };
                read.and_then(|value| end.map(|()| value))
            }
            _ => Err(self.peek_error(EXPECTED_VALUE)),
        };
        // A visitor's own error gets the position where it surfaced.
        value.map_err(|e| if e.line == 0 { Error { message: e.message, ..self.error("") } } else { e })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct Seq<'p, 'de> {
    parser: &'p mut Parser<'de>,
    first: bool,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let parser = &mut *self.parser;
        match parser.skip_whitespace() {
            None => return Err(parser.peek_error(EOF_LIST)),
            Some(b']') => return Ok(None),
            Some(_) if self.first => self.first = false,
            Some(b',') => {
                parser.index += 1;
                match parser.skip_whitespace() {
                    Some(b']') => return Err(parser.peek_error(TRAILING_COMMA)),
                    Some(_) => {}
                    None => return Err(parser.peek_error(EOF_VALUE)),
                }
            }
            Some(_) => return Err(parser.peek_error(EXPECTED_LIST_COMMA_OR_END)),
        }
        seed.deserialize(parser).map(Some)
    }
}

struct Map<'p, 'de> {
    parser: &'p mut Parser<'de>,
    first: bool,
}

impl<'de> de::MapAccess<'de> for Map<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let parser = &mut *self.parser;
        match parser.skip_whitespace() {
            None => return Err(parser.peek_error(EOF_OBJECT)),
            Some(b'}') => return Ok(None),
            Some(b'"') if self.first => self.first = false,
            Some(_) if self.first => return Err(parser.peek_error(KEY_MUST_BE_A_STRING)),
            Some(b',') => {
                parser.index += 1;
                match parser.skip_whitespace() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(parser.peek_error(TRAILING_COMMA)),
                    Some(_) => return Err(parser.peek_error(KEY_MUST_BE_A_STRING)),
                    None => return Err(parser.peek_error(EOF_VALUE)),
                }
            }
            Some(_) => return Err(parser.peek_error(EXPECTED_OBJECT_COMMA_OR_END)),
        }
        seed.deserialize(Key(parser)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let parser = &mut *self.parser;
        match parser.skip_whitespace() {
            Some(b':') => parser.index += 1,
            Some(_) => return Err(parser.peek_error(EXPECTED_COLON)),
            None => return Err(parser.peek_error(EOF_OBJECT)),
        }
        seed.deserialize(parser)
    }
}

/// A member name: always a string (the map checked its opening quote).
struct Key<'p, 'de>(&'p mut Parser<'de>);

impl<'de> de::Deserializer<'de> for Key<'_, 'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.index += 1;
        match self.0.parse_str()? {
            Str::Borrowed(s) => visitor.visit_borrowed_str(s),
            Str::Copied(s) => visitor.visit_str(s),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod edge_cases;

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{MapAccess, SeqAccess};
    use std::fmt::Write;

    /// Records every event a deserializer gives, refusing (as the verify path's visitors do)
    /// a member named "dup" after reading its name, and a string value "boom".
    struct Trace;

    impl<'de> DeserializeSeed<'de> for Trace {
        type Value = String;
        fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
            deserializer.deserialize_any(Trace)
        }
    }

    impl<'de> Visitor<'de> for Trace {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("anything")
        }
        fn visit_bool<E>(self, v: bool) -> Result<String, E> {
            Ok(format!("bool {v}"))
        }
        fn visit_u64<E>(self, v: u64) -> Result<String, E> {
            Ok(format!("u64 {v}"))
        }
        fn visit_i64<E>(self, v: i64) -> Result<String, E> {
            Ok(format!("i64 {v}"))
        }
        fn visit_f64<E>(self, v: f64) -> Result<String, E> {
            Ok(format!("f64 {:#x}", v.to_bits()))
        }
        fn visit_unit<E>(self) -> Result<String, E> {
            Ok("null".into())
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<String, E> {
            if v == "boom" {
                return Err(E::custom("boom"));
            }
            Ok(format!("borrowed {v:?}"))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            if v == "boom" {
                return Err(E::custom("boom"));
            }
            Ok(format!("copied {v:?}"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
            let mut out = String::from("[");
            while let Some(item) = seq.next_element_seed(Trace)? {
                write!(out, "{item},").unwrap();
            }
            Ok(out + "]")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
            let mut out = String::from("{");
            let mut as_string = false;
            loop {
                // Member names read both ways the verify path reads them.
                as_string = !as_string;
                let name = if as_string { map.next_key::<String>()? } else { map.next_key_seed(Trace)? };
                let Some(name) = name else { break };
                if name.ends_with("\"dup\"") || name == "dup" {
                    return Err(de::Error::custom(format!("duplicate member name {name:?}")));
                }
                let value = map.next_value_seed(Trace)?;
                write!(out, "{name}:{value},").unwrap();
            }
            Ok(out + "}")
        }
    }

    fn ours(text: &[u8]) -> String {
        match parse(text, |parser| Trace.deserialize(parser)) {
            Ok(trace) => trace,
            Err(e) => format!("error {e}"),
        }
    }

    fn serde_json(text: &[u8]) -> String {
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        match Trace.deserialize(&mut deserializer).and_then(|trace| deserializer.end().map(|()| trace)) {
            Ok(trace) => trace,
            Err(e) => format!("error {e}"),
        }
    }

    #[track_caller]
    fn same(text: &[u8]) {
        assert_eq!(ours(text), serde_json(text), "{:?}", String::from_utf8_lossy(text));
    }

    const PIECES: &[&str] = &[
        "{", "}", "[", "]", ",", ":", " ", "\n", "\r\n", "\t", "\"", "\\", "\"dup\"", "\"boom\"", "\"a\"", "\"k\\u0041\"",
        "null", "nul", "true", "tru", "false", "fals", "0", "-0", "-", "01", "1.", ".5", "1.5", "-1.5e3", "1e", "1e+", "1E-7",
        "18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890.5e-3", "1e400", "-1e400", "1e-400", "0e999999999999", "1e2147483647", "1e2147483648",
        "1e-2147483648", "0.0000000000000000000000001e2147483648", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"",
        "\"\\ud83d\\u0041\"", "\"\\ud83dx\"", "\"\\u12\"", "\"\\uzzzz\"", "\"\\x\"", "\"\u{e9}\u{1f600}\"", "\"\\/\\b\\f\\n\\r\\t\"",
        "\"a\u{1}b\"", "\"\\\"\"", "\u{e9}", "x", "\"bad\u{fffd}\"",
    ];

    const VALUES: &[&str] = &[
        "null", "true", "false", "0", "-0", "-0.0", "1.5", "-1.5e3", "1E-7", "1700000000", "1700000000.25", "18446744073709551615",
        "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890.5e-3",
        "1e-400", "0e999999999999", "1e-2147483648", "2.2250738585072011e-308", "4.9406564584124654e-324",
        "\"\\ud83d\\ude00\"", "\"\u{e9}\u{1f600}\"", "\"\\/\\b\\f\\n\\r\\t\"", "\"\\\"\"", "\"plain text\"", "[]", "{}",
        "[1,\"x\",[null]]", "{\"n\":{\"m\":[true]}}",
    ];

    /// Texts built from JSON pieces, then changed byte by byte (including invalid UTF-8 and
    /// cuts), and deep nesting around the limit: the same values, events and errors
    /// (message, line and column) as serde_json's `from_slice`.
    #[test]
    fn same_as_serde_json() {
        let mut next = crate::test_rng::below(0x0123_4567_89ab_cdef);
        let mut errors = 0;
        for round in 0..150_000 {
            let mut text = Vec::new();
            if round % 3 == 0 {
                // Mostly well-formed: an object of members with values.
                text.push(b'{');
                for i in 0..next(6) {
                    if i > 0 {
                        text.push(b',');
                    }
                    let name = ["\"a\"", "\"b\"", "\"k\\u0041\"", "\"c\\nd\"", "\"\u{e9}\"", "\"dup\""][next(if round % 10 == 0 { 6 } else { 5 }) as usize];
                    text.extend_from_slice(name.as_bytes());
                    text.extend_from_slice(if next(4) == 0 { b" :\n " } else { b":" });
                    let value = if next(8) == 0 { PIECES[next(PIECES.len() as u64) as usize] } else { VALUES[next(VALUES.len() as u64) as usize] };
                    let value = if next(5) == 0 { format!("[{value},{value}]") } else { value.to_owned() };
                    text.extend_from_slice(value.as_bytes());
                }
                text.push(b'}');
            } else {
                for _ in 0..next(12) {
                    text.extend_from_slice(PIECES[next(PIECES.len() as u64) as usize].as_bytes());
                }
            }
            for _ in 0..next(3) * (round % 2) {
                if text.is_empty() {
                    break;
                }
                let at = next(text.len() as u64) as usize;
                match next(4) {
                    0 => text.truncate(at),
                    1 => text[at] = [b'"', b'\\', b'}', b']', b',', 0xff, 0xc3, b'\n', b'0', b'e'][next(10) as usize],
                    2 => {
                        text.remove(at);
                    }
                    _ => text.insert(at, [b' ', b'{', b'[', b'-', b'.', 0x80, 0x1f][next(7) as usize]),
                }
            }
            let trace = serde_json(&text);
            errors += usize::from(trace.starts_with("error"));
            assert_eq!(ours(&text), trace, "{:?}", String::from_utf8_lossy(&text));
        }
        // Both kinds well represented.
        assert!(errors > 50_000 && errors < 130_000, "{errors}");
        for depth in 120..135 {
            for (open, close) in [("[", "]"), ("{\"a\":", "}"), ("[{\"a\":", "}]")] {
                let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
                same(text.as_bytes());
                same(format!("{}1", open.repeat(depth)).as_bytes());
            }
        }
    }

    #[test]
    fn errors_are_worded_and_placed_as_serde_json() {
        for text in [
            "", " ", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{1:2}", "[1,2",
            "\"abc", "\"a\\", "\"\\u00", "{\"a\":1}\n\n  x", "\n\n{\"dup\":1}", "[\"boom\"]", "{\"a\":\"boom\"}", "tx", "nulx",
            "-", "-a", "1.e5", "1.", "1e", "1ea", "00", "\u{1}", "\"\u{1}\"", "\"\\ud800\\n\"", "[1]]", "{}}",
        ] {
            same(text.as_bytes());
        }
        same(b"\"ab\xffcd\"");
        same(b"{\"a\\n\":\"x\xe2\x82\"}");
    }
}
