//! A notification category (`billing`, `marketing`): what recipients opt in and out of.

use std::fmt;

/// A category name: 1 to 64 letters, digits, `_`, `-`, `.` or `:`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Category(String);

pub const MAX_CATEGORY_LEN: usize = 64;

impl Category {
    pub fn parse(input: &str) -> Result<Category, String> {
        let ok = !input.is_empty()
            && input.len() <= MAX_CATEGORY_LEN
            && input
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c));
        if ok {
            Ok(Category(input.to_owned()))
        } else {
            Err(format!(
                "'{input}' is not a category: 1 to {MAX_CATEGORY_LEN} letters, digits, '_', '-', '.' or ':'"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(Category::parse("billing").unwrap().as_str(), "billing");
        Category::parse("product.updates:v2").unwrap();
        for bad in ["", "*", "a b", "é", &"x".repeat(65)] {
            assert!(Category::parse(bad).is_err(), "{bad}");
        }
    }
}
