//! Message templates: `Hi {{ name }}, your card ends on {{ target_date }}.`
//!
//! The syntax is MiniJinja's (Jinja2): `{{ name }}`, `{{ user.name }}`, `{{ name | upper }}`,
//! `{% if vip %}…{% endif %}`, `{% for item in items %}…{% endfor %}`. Output is plain text:
//! nothing is HTML-escaped.
//!
//! Undefined variables are lenient: `{{ missing }}` and `{{ missing.field }}` render as an
//! empty string, so a notification whose data lacks an optional field is still sent. Syntax is
//! checked when a notification or rule is created ([`check`], answered with `422`), so a
//! template that fails at send time is rare (e.g. `{{ 1 / 0 }}`).
//!
//! Templates are tenant input, so the environment is built from scratch with a small set of
//! text filters and tests rather than MiniJinja's full default set.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

const NAME: &str = "message";

/// A parsed template, ready to render many times.
pub struct Template {
    env: Environment<'static>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template").finish_non_exhaustive()
    }
}

fn environment() -> Environment<'static> {
    use minijinja::{filters, tests};

    let mut env = Environment::empty();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // Keep the body exactly as written, final newline included.
    env.set_keep_trailing_newline(true);

    env.add_filter("upper", filters::upper);
    env.add_filter("lower", filters::lower);
    env.add_filter("title", filters::title);
    env.add_filter("capitalize", filters::capitalize);
    env.add_filter("trim", filters::trim);
    env.add_filter("replace", filters::replace);
    env.add_filter("default", filters::default);
    env.add_filter("d", filters::default);
    env.add_filter("length", filters::length);
    env.add_filter("count", filters::length);
    env.add_filter("join", filters::join);
    env.add_filter("first", filters::first);
    env.add_filter("last", filters::last);
    env.add_filter("round", filters::round);
    env.add_filter("abs", filters::abs);
    env.add_filter("int", filters::int);
    env.add_filter("float", filters::float);
    env.add_filter("string", filters::string);

    env.add_test("defined", tests::is_defined);
    env.add_test("undefined", tests::is_undefined);
    env.add_test("none", tests::is_none);
    env.add_test("number", tests::is_number);
    env.add_test("string", tests::is_string);
    env.add_test("even", tests::is_even);
    env.add_test("odd", tests::is_odd);
    env
}

/// A short, user-facing description of a MiniJinja error: what is wrong, and on which line.
fn describe(error: &minijinja::Error) -> String {
    let what = error
        .detail()
        .map(str::to_owned)
        .unwrap_or_else(|| error.kind().to_string());
    match error.line() {
        Some(line) => format!("{} on line {line}: {what}", error.kind()),
        None => format!("{}: {what}", error.kind()),
    }
}

impl Template {
    /// Parses `src`; the error says what is wrong and where, e.g.
    /// `syntax error on line 1: unexpected end of input, expected end of variable block`.
    pub fn parse(src: &str) -> Result<Template, String> {
        let mut env = environment();
        env.add_template_owned(NAME, src.to_owned())
            .map_err(|e| describe(&e))?;
        Ok(Template { env })
    }

    /// Renders with `data` as the variables (an object; anything else renders every variable
    /// as undefined).
    pub fn render(&self, data: &serde_json::Value) -> Result<String, String> {
        let template = self.env.get_template(NAME).map_err(|e| describe(&e))?;
        let context = match data {
            serde_json::Value::Object(_) => minijinja::Value::from_serialize(data),
            _ => minijinja::Value::from(()),
        };
        template.render(context).map_err(|e| describe(&e))
    }
}

/// Validates a template at create time (→ `422` with the message).
pub fn check(src: &str) -> Result<(), String> {
    Template::parse(src).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(src: &str, data: serde_json::Value) -> String {
        Template::parse(src).unwrap().render(&data).unwrap()
    }

    #[test]
    fn substitutes_variables_with_or_without_spaces() {
        let data = json!({"name": "Ada", "target_date": "2026-12-01"});
        assert_eq!(
            render("Hi {{name}}, your card ends on {{ target_date }}.", data),
            "Hi Ada, your card ends on 2026-12-01."
        );
    }

    #[test]
    fn missing_variables_render_empty() {
        assert_eq!(render("Hi {{ name }}!", json!({})), "Hi !");
        assert_eq!(render("Hi {{ user.name }}!", json!({})), "Hi !");
        assert_eq!(render("Hi {{ name }}!", serde_json::Value::Null), "Hi !");
        assert_eq!(
            render("Hi {{ name | default('there') }}!", json!({})),
            "Hi there!"
        );
    }

    #[test]
    fn output_is_plain_text() {
        assert_eq!(
            render("{{ html }}", json!({"html": "<b>Tom & Jerry</b> \"x\""})),
            "<b>Tom & Jerry</b> \"x\""
        );
        assert_eq!(render("line\n", json!({})), "line\n");
    }

    #[test]
    fn nested_data_filters_and_blocks() {
        let data = json!({"user": {"name": "ada"}, "items": ["a", "b"], "vip": true, "n": 3});
        assert_eq!(
            render(
                "{{ user.name | title }}: {% for i in items %}{{ i }}{% endfor %} {{ items | join(', ') }}{% if vip %} *{% endif %} {{ n + 1 }}",
                data
            ),
            "Ada: ab a, b * 4"
        );
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        let err = check("Hello\n{{ name ").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.starts_with("syntax error"), "{err}");
        let err = check("{% if x %}open").unwrap_err();
        assert!(err.contains("syntax error"), "{err}");
        check("no variables at all").unwrap();
    }

    #[test]
    fn render_errors_are_reported() {
        let template = Template::parse("{{ name | shout }}").unwrap();
        let err = template.render(&json!({"name": "x"})).unwrap_err();
        assert!(err.contains("shout"), "{err}");
    }
}
