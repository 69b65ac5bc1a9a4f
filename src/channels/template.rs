//! Message templates: `Hi {{ name }}, your card ends on {{ target_date }}.`
//!
//! The syntax is MiniJinja's (Jinja2): `{{ name }}`, `{{ user.name }}`, `{{ name | upper }}`,
//! `{% if vip %}…{% endif %}`, `{% for item in items %}…{% endfor %}`. Output is plain text:
//! nothing is HTML-escaped.
//!
//! Undefined variables are lenient: `{{ missing }}` and `{{ missing.field }}` render as an
//! empty string, so a notification whose data lacks an optional field is still sent. Syntax is
//! checked when a notification or rule is created ([`check`], answered with `422`), so a
//! template that fails at send time is rare (e.g. `{{ 1 // 0 }}`).
//!
//! Templates are tenant input, so the environment is built from scratch with a small set of
//! text filters and tests rather than MiniJinja's full default set, and every render is bounded:
//!
//! - in instructions, by MiniJinja's fuel ([`RENDER_FUEL`] by default);
//! - in work, by a budget of [`RENDER_WORK`] units (bytes and items) charged by every operator,
//!   comparison, slice, filter and emitted value, so one instruction over a large value cannot
//!   do unbounded work that fuel does not see;
//! - in memory: no string built while rendering may exceed [`MAX_VALUE_BYTES`] and no repeated
//!   or concatenated sequence [`MAX_ITEMS`]. MiniJinja itself lets `"x" * 100000000` build a
//!   100 MB string, and `a ~ a` doubles without limit, so `*`, `+` and `~` are compiled into
//!   checked versions that refuse such values before allocating them;
//! - in output, by the channel's [`OutputLimit`];
//! - in time, by the caller's deadline, checked on every emitted value and loop iteration.
//!
//! Breaking the fuel, work, value or output bound is a [`RenderError`] that no retry can fix.

use super::ChannelKind;
use minijinja::machinery::{self, ast, CodeGenerator, Vm, WhitespaceConfig};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, Expression, UndefinedBehavior};
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Instant;

const NAME: &str = "message";

/// Default fuel of one render (`CHIME_RENDER_FUEL`).
pub const RENDER_FUEL: u64 = crate::config::DEFAULT_RENDER_FUEL;
/// Work units (bytes of strings, items of sequences and maps) one render may touch.
pub const RENDER_WORK: usize = 8 << 20;
/// Largest string a render may build (the largest output any channel accepts).
pub const MAX_VALUE_BYTES: usize = 256 * 1024;
/// Longest sequence `*` or `+` may build.
pub const MAX_ITEMS: usize = 100_000;
/// Output limit of e-mail subjects and bodies, and of webhook bodies.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;
/// Output limit of SMS bodies (ten concatenated segments).
pub const MAX_SMS_CHARS: usize = 1_600;

/// How much text a rendered field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputLimit {
    Bytes(usize),
    Chars(usize),
}

impl OutputLimit {
    pub fn for_channel(kind: ChannelKind) -> OutputLimit {
        match kind {
            ChannelKind::Sms => OutputLimit::Chars(MAX_SMS_CHARS),
            ChannelKind::Email | ChannelKind::Webhook => OutputLimit::Bytes(MAX_TEXT_BYTES),
        }
    }
}

impl OutputLimit {
    /// Whether `text` fits.
    pub fn fits(&self, text: &str) -> bool {
        match *self {
            OutputLimit::Bytes(n) => text.len() <= n,
            OutputLimit::Chars(n) => text.chars().count() <= n,
        }
    }
}

/// Whether a source is plain text: with no `{` it has no tag, expression or comment, renders
/// to (at most) itself and cannot run out of fuel or time.
pub fn is_plain_text(src: &str) -> bool {
    !src.contains('{')
}

/// What a plain-text source renders to: itself, byte for byte. `None` for a source with tags.
fn plain_output(src: &str) -> Option<&str> {
    is_plain_text(src).then_some(src)
}

/// Whether rendering `src` within `limit` gives `src` back unchanged: no render is needed, and
/// none can fail.
pub fn renders_as_itself(src: &str, limit: OutputLimit) -> bool {
    plain_output(src).is_some_and(|text| limit.fits(text))
}

impl fmt::Display for OutputLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputLimit::Bytes(n) => write!(f, "{n} bytes"),
            OutputLimit::Chars(n) => write!(f, "{n} characters"),
        }
    }
}

/// The bounds of one render.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub fuel: u64,
    pub output: OutputLimit,
    /// When the render must have finished.
    pub deadline: Option<Instant>,
}

impl Budget {
    pub fn new(output: OutputLimit) -> Budget {
        Budget {
            fuel: RENDER_FUEL,
            output,
            deadline: None,
        }
    }
}

/// Why a render failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// Out of fuel or work, or a value too large: the template will never render.
    #[error("template exceeded its render budget")]
    Budget,
    #[error("template exceeded its output size limit of {0}")]
    TooLong(OutputLimit),
    /// The deadline passed first: possibly only a busy machine.
    #[error("template did not finish rendering in time")]
    Deadline,
    /// Anything else the template got wrong (`{{ 1 // 0 }}`, an unknown filter).
    #[error("{0}")]
    Failed(String),
}

impl RenderError {
    /// A bound was broken: the template (with this data) can never be sent.
    pub fn is_limit(&self) -> bool {
        matches!(self, RenderError::Budget | RenderError::TooLong(_))
    }
}

/// A parsed template, ready to render many times.
#[derive(Debug, Clone)]
pub struct Template {
    src: String,
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

fn parse(src: &str) -> Result<ast::Stmt<'_>, Error> {
    let ws = WhitespaceConfig {
        // Keep the body exactly as written, final newline included.
        keep_trailing_newline: true,
        ..WhitespaceConfig::default()
    };
    machinery::parse(src, NAME, SyntaxConfig, ws).map(|t| guarded_stmt(&t))
}

impl Template {
    /// Parses `src`; the error says what is wrong and where, e.g.
    /// `syntax error on line 1: unexpected end of input, expected end of variable block`.
    pub fn parse(src: &str) -> Result<Template, String> {
        parse(src).map_err(|e| describe(&e))?;
        Ok(Template {
            src: src.to_owned(),
        })
    }

    /// Renders with `data` as the variables (an object; anything else renders every variable
    /// as undefined), within `budget`. CPU-bound: call it off the async workers.
    pub fn render(&self, data: &serde_json::Value, budget: Budget) -> Result<String, RenderError> {
        self.render_with(data, budget, AutoEscape::None)
    }

    /// [`Template::render`] for an HTML part: every value is HTML-escaped, so data cannot add
    /// markup.
    pub fn render_html(
        &self,
        data: &serde_json::Value,
        budget: Budget,
    ) -> Result<String, RenderError> {
        self.render_with(data, budget, AutoEscape::Html)
    }

    fn render_with(
        &self,
        data: &serde_json::Value,
        budget: Budget,
        escape: AutoEscape,
    ) -> Result<String, RenderError> {
        let meter = Arc::new(Meter::new(budget));
        let mut env = environment(&meter);
        env.set_fuel(Some(budget.fuel));
        let tree = parse(&self.src).map_err(|e| RenderError::Failed(describe(&e)))?;
        let mut gen = CodeGenerator::new(NAME, &self.src);
        gen.compile_stmt(&tree);
        let (instructions, blocks) = gen.finish();
        let root = match data {
            serde_json::Value::Object(_) => Value::from_serialize(data),
            _ => Value::from(()),
        };
        let mut text = String::new();
        let result = Vm::new(&env).eval(
            &instructions,
            root,
            &blocks,
            &mut machinery::make_string_output(&mut text),
            escape,
        );
        match (result, meter.tripped()) {
            (Ok(_), _) => Ok(text),
            (Err(_), Some(e)) => Err(e),
            (Err(e), None) if e.kind() == ErrorKind::OutOfFuel => Err(RenderError::Budget),
            (Err(e), None) => Err(RenderError::Failed(describe(&e))),
        }
    }
}

/// Validates a template at create time (→ `422` with the message).
pub fn check(src: &str) -> Result<(), String> {
    Template::parse(src).map(|_| ())
}

/// Renders off the async workers, at most one render per CPU at a time, so renders neither
/// stall other tasks nor pile up in memory.
pub async fn render_blocking(
    src: String,
    data: Arc<serde_json::Value>,
    budget: Budget,
) -> Result<String, RenderError> {
    render_blocking_as(src, data, budget, false).await
}

/// [`render_blocking`] for an HTML part (values HTML-escaped).
pub async fn render_html_blocking(
    src: String,
    data: Arc<serde_json::Value>,
    budget: Budget,
) -> Result<String, RenderError> {
    render_blocking_as(src, data, budget, true).await
}

async fn render_blocking_as(
    src: String,
    data: Arc<serde_json::Value>,
    budget: Budget,
    html: bool,
) -> Result<String, RenderError> {
    // Most webhook bodies are empty and many texts have no tags: their output is known without
    // a blocking thread (one hop per send, through the render slots, at thousands a second).
    if renders_as_itself(&src, budget.output) {
        return Ok(src);
    }
    static SLOTS: LazyLock<Arc<tokio::sync::Semaphore>> = LazyLock::new(|| {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        Arc::new(tokio::sync::Semaphore::new(cpus.max(2)))
    });
    let slot = SLOTS.clone().acquire_owned();
    // Waiting for a slot counts against the deadline too.
    let permit = match budget.deadline {
        Some(d) => tokio::time::timeout_at(d.into(), slot)
            .await
            .map_err(|_| RenderError::Deadline)?,
        None => slot.await,
    }
    .map_err(|e| RenderError::Failed(e.to_string()))?;
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _entered = span.enter();
        let _permit = permit;
        let template = Template::parse(&src).map_err(RenderError::Failed)?;
        if html {
            template.render_html(&data, budget)
        } else {
            template.render(&data, budget)
        }
    })
    .await
    .map_err(|e| RenderError::Failed(format!("render task failed: {e}")))?
}

/// Template variables: `data`, plus the notification's own times and recipient where the data
/// does not define them.
pub fn context(
    data: &serde_json::Value,
    target_date: Option<String>,
    send_at: String,
    recipient: &str,
    id: uuid::Uuid,
) -> serde_json::Value {
    use serde_json::{json, Value as Json};
    let mut ctx = match data {
        Json::Object(map) => map.clone(),
        other => {
            let mut m = serde_json::Map::new();
            m.insert("data".into(), other.clone());
            m
        }
    };
    let extras = [
        (
            "target_date",
            target_date.map(Json::from).unwrap_or(Json::Null),
        ),
        ("send_at", json!(send_at)),
        ("recipient", json!(recipient)),
        ("notification_id", json!(id)),
    ];
    for (k, v) in extras {
        ctx.entry(k.to_string()).or_insert(v);
    }
    Json::Object(ctx)
}

// ---------------------------------------------------------------------------------------------
// Metering

const TRIP_NONE: u8 = 0;
const TRIP_BUDGET: u8 = 1;
const TRIP_OUTPUT: u8 = 2;
const TRIP_DEADLINE: u8 = 3;

/// The running account of one render. Renders are single-threaded; atomics only make the
/// closures that share it `Send + Sync`.
struct Meter {
    work_left: AtomicUsize,
    output_left: AtomicUsize,
    output: OutputLimit,
    deadline: Option<Instant>,
    tripped: AtomicU8,
}

impl Meter {
    fn new(budget: Budget) -> Meter {
        let output_left = match budget.output {
            OutputLimit::Bytes(n) | OutputLimit::Chars(n) => n,
        };
        Meter {
            work_left: AtomicUsize::new(RENDER_WORK),
            output_left: AtomicUsize::new(output_left),
            output: budget.output,
            deadline: budget.deadline,
            tripped: AtomicU8::new(TRIP_NONE),
        }
    }

    fn trip(&self, why: u8) -> Error {
        self.tripped.store(why, Ordering::Relaxed);
        Error::new(ErrorKind::InvalidOperation, "render budget exceeded")
    }

    fn tripped(&self) -> Option<RenderError> {
        match self.tripped.load(Ordering::Relaxed) {
            TRIP_BUDGET => Some(RenderError::Budget),
            TRIP_OUTPUT => Some(RenderError::TooLong(self.output)),
            TRIP_DEADLINE => Some(RenderError::Deadline),
            _ => None,
        }
    }

    fn check_deadline(&self) -> Result<(), Error> {
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(self.trip(TRIP_DEADLINE)),
            _ => Ok(()),
        }
    }

    fn charge(&self, units: usize) -> Result<(), Error> {
        let left = self.work_left.load(Ordering::Relaxed);
        if units > left {
            return Err(self.trip(TRIP_BUDGET));
        }
        self.work_left.store(left - units, Ordering::Relaxed);
        Ok(())
    }

    /// Charges the full size of `v` (strings by bytes, containers by items, recursively);
    /// stops walking as soon as the budget is spent, so charging costs no more than it allows.
    fn charge_deep(&self, v: &Value) -> Result<(), Error> {
        let mut left = self.work_left.load(Ordering::Relaxed);
        if !deep_size_within(v, &mut left, 0) {
            return Err(self.trip(TRIP_BUDGET));
        }
        self.work_left.store(left, Ordering::Relaxed);
        Ok(())
    }

    /// Accounts for one emitted value before it is written. Inside `{% autoescape %}` blocks
    /// the text is counted six times over: no HTML escape is longer (`&quot;`).
    fn emit(&self, v: &Value, escaped: bool) -> Result<(), Error> {
        self.check_deadline()?;
        let factor = if escaped { 6 } else { 1 };
        let left = self.output_left.load(Ordering::Relaxed);
        let mut counter = Capped::counting(self.output, left / factor);
        if write!(counter, "{v}").is_err() {
            return Err(self.trip(TRIP_OUTPUT));
        }
        self.charge(counter.bytes.max(1))?;
        self.output_left
            .store(left - counter.used() * factor, Ordering::Relaxed);
        Ok(())
    }

    /// `a ~ b`: MiniJinja's concatenation of the two values' text, capped.
    fn concat(&self, a: &Value, b: &Value) -> Result<Value, Error> {
        let mut text = Capped::string(MAX_VALUE_BYTES);
        if write!(text, "{a}{b}").is_err() {
            return Err(self.trip(TRIP_BUDGET));
        }
        self.charge(text.bytes.max(1))?;
        Ok(Value::from(text.text))
    }

    /// `a * b`: refused when it would repeat a string or sequence past the caps.
    fn mul(&self, a: &Value, b: &Value) -> Result<Value, Error> {
        let repeated = if a.as_str().is_some() || is_seq(a) {
            Some((a, b))
        } else if b.as_str().is_some() || is_seq(b) {
            Some((b, a))
        } else {
            None
        };
        if let Some((seq, n)) = repeated {
            if let Some(n) = n.as_usize() {
                let (len, cap) = match seq.as_str() {
                    Some(s) => (s.len(), MAX_VALUE_BYTES),
                    None => (seq.len().unwrap_or(0), MAX_ITEMS),
                };
                match len.checked_mul(n) {
                    Some(total) if total <= cap => self.charge(total.max(1))?,
                    _ => return Err(self.trip(TRIP_BUDGET)),
                }
            }
        }
        self.charge(1)?;
        self.materialized(delegate(&MUL, a, b)?)
    }

    /// `a + b`: refused when it would join strings or sequences past the caps.
    fn add(&self, a: &Value, b: &Value) -> Result<Value, Error> {
        if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
            let total = x.len() + y.len();
            if total > MAX_VALUE_BYTES {
                return Err(self.trip(TRIP_BUDGET));
            }
            self.charge(total.max(1))?;
        } else if is_seq(a) && is_seq(b) {
            let total = a.len().unwrap_or(0).saturating_add(b.len().unwrap_or(0));
            if total > MAX_ITEMS {
                return Err(self.trip(TRIP_BUDGET));
            }
            self.charge(total.max(1))?;
        }
        self.charge(1)?;
        self.materialized(delegate(&ADD, a, b)?)
    }

    /// MiniJinja repeats and joins sequences lazily, so indexing or measuring the result walks
    /// it again every time: a list of at most [`MAX_ITEMS`] is built once instead.
    fn materialized(&self, v: Value) -> Result<Value, Error> {
        if !is_seq(&v) {
            return Ok(v);
        }
        let mut items = Vec::new();
        for item in v.try_iter()? {
            if items.len() == MAX_ITEMS {
                return Err(self.trip(TRIP_BUDGET));
            }
            items.push(item);
        }
        self.charge(items.len().max(1))?;
        Ok(Value::from(items))
    }

    /// The container of a subscript: indexing a string or a lazy sequence walks it.
    fn indexed(&self, v: Value) -> Result<Value, Error> {
        let cost = match (v.as_str(), v.kind()) {
            (Some(s), _) => s.len(),
            (None, ValueKind::Iterable) => v.len().unwrap_or(1),
            _ => 1,
        };
        self.charge(cost.max(1)).map(|_| v)
    }

    /// A filter's result: charged, and no string past [`MAX_VALUE_BYTES`].
    fn result(&self, v: Value) -> Result<Value, Error> {
        match v.as_str() {
            Some(s) if s.len() > MAX_VALUE_BYTES => Err(self.trip(TRIP_BUDGET)),
            Some(s) => self.charge(s.len().max(1)).map(|_| v),
            None => self.charge(1).map(|_| v),
        }
    }

    /// `replace`, refusing results past [`MAX_VALUE_BYTES`] before building them.
    fn replace(&self, value: &Value, from: &Value, to: &Value) -> Result<Value, Error> {
        let (value, from, to) = (text_of(value), text_of(from), text_of(to));
        let hits = if from.is_empty() {
            value.chars().count() + 1
        } else {
            value.matches(from.as_str()).count()
        };
        let grown = hits.saturating_mul(to.len());
        if value.len().saturating_add(grown) > MAX_VALUE_BYTES {
            return Err(self.trip(TRIP_BUDGET));
        }
        self.charge(value.len() + grown + 1)?;
        Ok(Value::from(value.replace(from.as_str(), &to)))
    }

    /// `join`, building its result under the [`MAX_VALUE_BYTES`] cap.
    fn join(&self, value: &Value, joiner: Option<&Value>) -> Result<Value, Error> {
        let joiner = joiner.map(text_of).unwrap_or_default();
        let items = value.try_iter().map_err(|_| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("cannot join value of type {}", value.kind()),
            )
        })?;
        let mut text = Capped::string(MAX_VALUE_BYTES);
        for (i, item) in items.enumerate() {
            let written = if i > 0 {
                text.write_str(&joiner)
            } else {
                Ok(())
            };
            if written.and_then(|_| write!(text, "{item}")).is_err() {
                return Err(self.trip(TRIP_BUDGET));
            }
        }
        self.charge(text.bytes.max(1))?;
        Ok(Value::from(text.text))
    }
}

fn text_of(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

fn is_seq(v: &Value) -> bool {
    matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable)
}

fn deep_size_within(v: &Value, left: &mut usize, depth: usize) -> bool {
    fn take(left: &mut usize, n: usize) -> bool {
        match left.checked_sub(n) {
            Some(rest) => {
                *left = rest;
                true
            }
            None => false,
        }
    }
    if let Some(s) = v.as_str() {
        return take(left, s.len().max(1));
    }
    if !take(left, 1) {
        return false;
    }
    let kind = v.kind();
    if depth >= 64 || !matches!(kind, ValueKind::Seq | ValueKind::Iterable | ValueKind::Map) {
        return true;
    }
    let Ok(items) = v.try_iter() else {
        return true;
    };
    for item in items {
        if !deep_size_within(&item, left, depth + 1) {
            return false;
        }
        if kind == ValueKind::Map {
            if let Ok(value) = v.get_item(&item) {
                if !deep_size_within(&value, left, depth + 1) {
                    return false;
                }
            }
        }
    }
    true
}

/// A `fmt::Write` that fails once its limit would be passed: it either keeps the text or only
/// counts it.
struct Capped {
    text: String,
    keep: bool,
    bytes: usize,
    chars: usize,
    limit: OutputLimit,
}

impl Capped {
    fn string(max_bytes: usize) -> Capped {
        Capped {
            text: String::new(),
            keep: true,
            bytes: 0,
            chars: 0,
            limit: OutputLimit::Bytes(max_bytes),
        }
    }

    fn counting(unit: OutputLimit, left: usize) -> Capped {
        let limit = match unit {
            OutputLimit::Bytes(_) => OutputLimit::Bytes(left),
            OutputLimit::Chars(_) => OutputLimit::Chars(left),
        };
        Capped {
            text: String::new(),
            keep: false,
            bytes: 0,
            chars: 0,
            limit,
        }
    }

    fn used(&self) -> usize {
        match self.limit {
            OutputLimit::Bytes(_) => self.bytes,
            OutputLimit::Chars(_) => self.chars,
        }
    }
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes += s.len();
        if let OutputLimit::Chars(_) = self.limit {
            self.chars += s.chars().count();
        }
        let over = match self.limit {
            OutputLimit::Bytes(max) => self.bytes > max,
            OutputLimit::Chars(max) => self.chars > max,
        };
        if over {
            return Err(fmt::Error);
        }
        if self.keep {
            self.text.push_str(s);
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The environment

/// An unguarded environment whose only use is to apply MiniJinja's own `+` and `*` semantics
/// once the guards have accepted the operands.
static PLAIN: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::empty();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env
});

fn operator(src: &'static str) -> Expression<'static, 'static> {
    match PLAIN.compile_expression(src) {
        Ok(expr) => expr,
        Err(e) => unreachable!("the operator expression {src} does not compile: {e}"),
    }
}

static ADD: LazyLock<Expression<'static, 'static>> = LazyLock::new(|| operator("a + b"));
static MUL: LazyLock<Expression<'static, 'static>> = LazyLock::new(|| operator("a * b"));

fn delegate(op: &Expression<'static, 'static>, a: &Value, b: &Value) -> Result<Value, Error> {
    op.eval(Value::from_iter([("a", a.clone()), ("b", b.clone())]))
}

// The names the guarded syntax compiles to; they cannot clash with the filters below.
const F_ADD: &str = "__add";
const F_MUL: &str = "__mul";
const F_CONCAT: &str = "__concat";
const F_CHARGE: &str = "__charge";
const F_RESULT: &str = "__result";
const F_INDEXED: &str = "__indexed";

fn environment(meter: &Arc<Meter>) -> Environment<'static> {
    use minijinja::{filters, tests};

    let mut env = Environment::empty();
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    env.set_auto_escape_callback(|_| AutoEscape::None);

    let m = meter.clone();
    env.set_formatter(move |out, state, value| {
        m.emit(value, !matches!(state.auto_escape(), AutoEscape::None))?;
        minijinja::escape_formatter(out, state, value)
    });
    let m = meter.clone();
    env.add_filter(F_ADD, move |a: Value, b: Value| m.add(&a, &b));
    let m = meter.clone();
    env.add_filter(F_MUL, move |a: Value, b: Value| m.mul(&a, &b));
    let m = meter.clone();
    env.add_filter(F_CONCAT, move |a: Value, b: Value| m.concat(&a, &b));
    let m = meter.clone();
    env.add_filter(F_CHARGE, move |v: Value| m.charge_deep(&v).map(|_| v));
    let m = meter.clone();
    env.add_filter(F_RESULT, move |v: Value| m.result(v));
    let m = meter.clone();
    env.add_filter(F_INDEXED, move |v: Value| m.indexed(v));
    let m = meter.clone();
    env.add_filter("replace", move |v: Value, from: Value, to: Value| {
        m.replace(&v, &from, &to)
    });
    let m = meter.clone();
    env.add_filter("join", move |v: Value, joiner: Option<Value>| {
        m.join(&v, joiner.as_ref())
    });

    env.add_filter("upper", filters::upper);
    env.add_filter("lower", filters::lower);
    env.add_filter("title", filters::title);
    env.add_filter("capitalize", filters::capitalize);
    env.add_filter("trim", filters::trim);
    env.add_filter("default", filters::default);
    env.add_filter("d", filters::default);
    env.add_filter("length", filters::length);
    env.add_filter("count", filters::length);
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

// ---------------------------------------------------------------------------------------------
// The guarded syntax tree
//
// The parsed tree is rebuilt (its nodes cannot be moved out) with:
// - `+`, `*` and `~` as calls to the checked filters above (which also stops the compiler from
//   folding `"x" * 100000000` into a constant while compiling);
// - the operands of every other operator, comparison and slice, the input of every filter and
//   the container of every subscript charged by size; every filter's result checked;
// - raw text emitted as a value, so the output limit sees it;
// - every loop iteration emitting an empty value, so the deadline is checked in empty loops too.
// The matches have no wildcard: a MiniJinja upgrade with new syntax fails to compile here.

fn filter<'a>(name: &'a str, expr: ast::Expr<'a>, args: Vec<ast::Expr<'a>>) -> ast::Expr<'a> {
    let span = expr.span();
    ast::Expr::Filter(ast::Spanned::new(
        ast::Filter {
            name,
            expr: Some(expr),
            args: args.into_iter().map(ast::CallArg::Pos).collect(),
        },
        span,
    ))
}

fn charged<'a>(e: &ast::Expr<'a>) -> ast::Expr<'a> {
    filter(F_CHARGE, guarded_expr(e), Vec::new())
}

fn guarded_opt<'a>(e: &Option<ast::Expr<'a>>) -> Option<ast::Expr<'a>> {
    e.as_ref().map(guarded_expr)
}

fn guarded_body<'a>(body: &[ast::Stmt<'a>]) -> Vec<ast::Stmt<'a>> {
    body.iter().map(guarded_stmt).collect()
}

fn guarded_args<'a>(args: &[ast::CallArg<'a>]) -> Vec<ast::CallArg<'a>> {
    args.iter()
        .map(|a| match a {
            ast::CallArg::Pos(e) => ast::CallArg::Pos(guarded_expr(e)),
            ast::CallArg::Kwarg(name, e) => ast::CallArg::Kwarg(name, guarded_expr(e)),
            ast::CallArg::PosSplat(e) => ast::CallArg::PosSplat(guarded_expr(e)),
            ast::CallArg::KwargSplat(e) => ast::CallArg::KwargSplat(guarded_expr(e)),
        })
        .collect()
}

fn guarded_call<'a>(c: &ast::Spanned<ast::Call<'a>>) -> ast::Spanned<ast::Call<'a>> {
    ast::Spanned::new(
        ast::Call {
            expr: guarded_expr(&c.expr),
            args: guarded_args(&c.args),
        },
        c.span(),
    )
}

fn guarded_filter<'a>(f: &ast::Spanned<ast::Filter<'a>>) -> ast::Spanned<ast::Filter<'a>> {
    ast::Spanned::new(
        ast::Filter {
            name: f.name,
            expr: f.expr.as_ref().map(charged),
            args: guarded_args(&f.args),
        },
        f.span(),
    )
}

fn guarded_stmt<'a>(s: &ast::Stmt<'a>) -> ast::Stmt<'a> {
    use ast::{Spanned, Stmt};
    match s {
        Stmt::Template(t) => Stmt::Template(Spanned::new(
            ast::Template {
                children: guarded_body(&t.children),
            },
            t.span(),
        )),
        Stmt::EmitExpr(e) => Stmt::EmitExpr(Spanned::new(
            ast::EmitExpr {
                expr: guarded_expr(&e.expr),
            },
            e.span(),
        )),
        Stmt::EmitRaw(r) => emit_const(r.raw, r.span()),
        Stmt::ForLoop(f) => {
            let mut body = vec![emit_const("", f.span())];
            body.extend(guarded_body(&f.body));
            Stmt::ForLoop(Spanned::new(
                ast::ForLoop {
                    target: guarded_expr(&f.target),
                    iter: guarded_expr(&f.iter),
                    filter_expr: guarded_opt(&f.filter_expr),
                    recursive: f.recursive,
                    body,
                    else_body: guarded_body(&f.else_body),
                },
                f.span(),
            ))
        }
        Stmt::IfCond(i) => Stmt::IfCond(Spanned::new(
            ast::IfCond {
                expr: guarded_expr(&i.expr),
                true_body: guarded_body(&i.true_body),
                false_body: guarded_body(&i.false_body),
            },
            i.span(),
        )),
        Stmt::WithBlock(w) => Stmt::WithBlock(Spanned::new(
            ast::WithBlock {
                assignments: w
                    .assignments
                    .iter()
                    .map(|(t, e)| (guarded_expr(t), guarded_expr(e)))
                    .collect(),
                body: guarded_body(&w.body),
            },
            w.span(),
        )),
        Stmt::Set(x) => Stmt::Set(Spanned::new(
            ast::Set {
                target: guarded_expr(&x.target),
                expr: guarded_expr(&x.expr),
            },
            x.span(),
        )),
        Stmt::SetBlock(x) => Stmt::SetBlock(Spanned::new(
            ast::SetBlock {
                target: guarded_expr(&x.target),
                filter: guarded_opt(&x.filter),
                body: guarded_body(&x.body),
            },
            x.span(),
        )),
        Stmt::AutoEscape(a) => Stmt::AutoEscape(Spanned::new(
            ast::AutoEscape {
                enabled: guarded_expr(&a.enabled),
                body: guarded_body(&a.body),
            },
            a.span(),
        )),
        Stmt::FilterBlock(f) => Stmt::FilterBlock(Spanned::new(
            ast::FilterBlock {
                filter: guarded_expr(&f.filter),
                body: guarded_body(&f.body),
            },
            f.span(),
        )),
        Stmt::Do(d) => Stmt::Do(Spanned::new(
            ast::Do {
                call: guarded_call(&d.call),
            },
            d.span(),
        )),
    }
}

fn emit_const<'a>(text: &str, span: machinery::Span) -> ast::Stmt<'a> {
    let value = ast::Expr::Const(ast::Spanned::new(
        ast::Const {
            // The template's own text: safe, so an HTML part keeps its markup while the values
            // it interpolates are escaped.
            value: Value::from_safe_string(text.to_owned()),
        },
        span,
    ));
    ast::Stmt::EmitExpr(ast::Spanned::new(ast::EmitExpr { expr: value }, span))
}

fn guarded_expr<'a>(e: &ast::Expr<'a>) -> ast::Expr<'a> {
    use ast::{BinOpKind, Expr, Spanned};
    match e {
        Expr::Var(v) => Expr::Var(Spanned::new(ast::Var { id: v.id }, v.span())),
        Expr::Const(c) => Expr::Const(Spanned::new(
            ast::Const {
                value: c.value.clone(),
            },
            c.span(),
        )),
        Expr::Slice(s) => Expr::Slice(Spanned::new(
            ast::Slice {
                expr: charged(&s.expr),
                start: guarded_opt(&s.start),
                stop: guarded_opt(&s.stop),
                step: guarded_opt(&s.step),
            },
            s.span(),
        )),
        Expr::UnaryOp(u) => Expr::UnaryOp(Spanned::new(
            ast::UnaryOp {
                op: match u.op {
                    ast::UnaryOpKind::Not => ast::UnaryOpKind::Not,
                    ast::UnaryOpKind::Neg => ast::UnaryOpKind::Neg,
                },
                expr: guarded_expr(&u.expr),
            },
            u.span(),
        )),
        Expr::BinOp(b) => {
            let checked = match b.op {
                BinOpKind::Add => Some(F_ADD),
                BinOpKind::Mul => Some(F_MUL),
                BinOpKind::Concat => Some(F_CONCAT),
                BinOpKind::Eq
                | BinOpKind::Ne
                | BinOpKind::Lt
                | BinOpKind::Lte
                | BinOpKind::Gt
                | BinOpKind::Gte
                | BinOpKind::ScAnd
                | BinOpKind::ScOr
                | BinOpKind::Sub
                | BinOpKind::Div
                | BinOpKind::FloorDiv
                | BinOpKind::Rem
                | BinOpKind::Pow
                | BinOpKind::In => None,
            };
            match checked {
                Some(name) => filter(name, guarded_expr(&b.left), vec![guarded_expr(&b.right)]),
                None => {
                    // Short-circuiting operators only evaluate their operands.
                    let plain = matches!(b.op, BinOpKind::ScAnd | BinOpKind::ScOr);
                    let operand = |x: &ast::Expr<'a>| {
                        if plain {
                            guarded_expr(x)
                        } else {
                            charged(x)
                        }
                    };
                    Expr::BinOp(Spanned::new(
                        ast::BinOp {
                            op: b.op,
                            left: operand(&b.left),
                            right: operand(&b.right),
                        },
                        b.span(),
                    ))
                }
            }
        }
        Expr::Compare(c) => Expr::Compare(Spanned::new(
            ast::Compare {
                expr: charged(&c.expr),
                ops: c
                    .ops
                    .iter()
                    .map(|o| ast::CompareOp {
                        op: o.op,
                        expr: charged(&o.expr),
                    })
                    .collect(),
            },
            c.span(),
        )),
        Expr::IfExpr(i) => Expr::IfExpr(Spanned::new(
            ast::IfExpr {
                test_expr: guarded_expr(&i.test_expr),
                true_expr: guarded_expr(&i.true_expr),
                false_expr: guarded_opt(&i.false_expr),
            },
            i.span(),
        )),
        Expr::Filter(f) => filter(F_RESULT, Expr::Filter(guarded_filter(f)), Vec::new()),
        Expr::Test(t) => Expr::Test(Spanned::new(
            ast::Test {
                name: t.name,
                expr: guarded_expr(&t.expr),
                args: guarded_args(&t.args),
            },
            t.span(),
        )),
        Expr::GetAttr(g) => Expr::GetAttr(Spanned::new(
            ast::GetAttr {
                expr: guarded_expr(&g.expr),
                name: g.name,
            },
            g.span(),
        )),
        Expr::GetItem(g) => Expr::GetItem(Spanned::new(
            ast::GetItem {
                expr: filter(F_INDEXED, guarded_expr(&g.expr), Vec::new()),
                subscript_expr: guarded_expr(&g.subscript_expr),
            },
            g.span(),
        )),
        Expr::Call(c) => Expr::Call(guarded_call(c)),
        Expr::List(l) => Expr::List(Spanned::new(
            ast::List {
                items: l.items.iter().map(guarded_expr).collect(),
            },
            l.span(),
        )),
        Expr::Map(m) => Expr::Map(Spanned::new(
            ast::Map {
                keys: m.keys.iter().map(guarded_expr).collect(),
                values: m.values.iter().map(guarded_expr).collect(),
            },
            m.span(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn budget() -> Budget {
        Budget::new(OutputLimit::Bytes(MAX_TEXT_BYTES))
    }

    fn try_render(src: &str, data: serde_json::Value) -> Result<String, RenderError> {
        Template::parse(src).unwrap().render(&data, budget())
    }

    fn render(src: &str, data: serde_json::Value) -> String {
        try_render(src, data).unwrap()
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
    fn html_parts_escape_values_but_not_the_template() {
        let data = json!({"name": "<script>alert(1)</script> & Ada"});
        let html = Template::parse("<p>Hi <b>{{ name }}</b></p>")
            .unwrap()
            .render_html(&data, budget())
            .unwrap();
        assert_eq!(
            html,
            "<p>Hi <b>&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; Ada</b></p>"
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
    fn guarded_operators_keep_their_meaning() {
        let data = json!({"a": "ab", "n": 3, "f": 1.5, "xs": [1, 2], "ys": [3]});
        assert_eq!(
            render(
                "{{ a * 2 }}|{{ 2 * a }}|{{ n * 2 }}|{{ f * 2 }}",
                data.clone()
            ),
            "abab|abab|6|3.0"
        );
        assert_eq!(
            render(
                "{{ a + a }}|{{ n + 1 }}|{{ (xs + ys) | join(',') }}",
                data.clone()
            ),
            "abab|4|1,2,3"
        );
        assert_eq!(
            render(
                "{{ a ~ n ~ missing ~ f }}|{{ (xs * 2) | length }}",
                data.clone()
            ),
            "ab31.5|4"
        );
        assert_eq!(
            render(
                "{{ 'b' in a }} {{ n > 2 and n < 4 }} {{ a[1:] }} {{ 1 < n < 5 }}",
                data.clone()
            ),
            "True True b True"
        );
        assert_eq!(
            render("{{ a | replace('b', 'c') | upper }} {{ none }}", data),
            "AC None"
        );
        assert_eq!(
            render("{% filter upper %}a{{ 'b' ~ 1 }}{% endfilter %}{% set x | title %}ada {{ 2 * 2 }}{% endset %} {{ x }}", json!({})),
            "AB1 Ada 4"
        );
        assert_eq!(
            render(
                "{% autoescape true %}{{ '<b>' }}{% endautoescape %}{{ '<i>' }}",
                json!({})
            ),
            "&lt;b&gt;<i>"
        );
        assert!(matches!(
            try_render("{{ 1 // 0 }}", json!({})),
            Err(RenderError::Failed(_))
        ));
        let err = try_render("{{ 'a' * 'b' }}", json!({})).unwrap_err();
        assert!(matches!(err, RenderError::Failed(_)), "{err:?}");
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
        let err = template
            .render(&json!({"name": "x"}), budget())
            .unwrap_err();
        assert!(err.to_string().contains("shout"), "{err}");
        assert!(!err.is_limit());
    }

    const NESTED: &str =
        "{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}";

    fn hostile() -> Vec<(&'static str, serde_json::Value)> {
        let s = "x".repeat(200);
        let big = "y".repeat(200_000);
        vec![
            (NESTED, json!({"s": s})),
            ("{{ \"x\" * 100000000 }}", json!({})),
            ("{% set a = \"x\" * 200000 %}{% set a = a ~ a %}{{ a | length }}", json!({})),
            ("{% set a = s * 1000 %}{% set a = a + a %}{{ a | length }}", json!({"s": s})),
            ("{{ ([s] * 1000000000) | join }}", json!({"s": s})),
            ("{{ big | replace('y', big) | length }}", json!({"big": big})),
            ("{% for a in s %}{% for b in s %}{{ big | upper | length }}{% endfor %}{% endfor %}", json!({"s": s, "big": big})),
            ("{% for a in s %}{% for b in s %}{% if 'z' in big %}{% endif %}{% endfor %}{% endfor %}", json!({"s": s, "big": big})),
            ("{{ ('x' * 1000) | join(big) | length }}", json!({"big": big})),
            ("{% for a in s %}{% for b in s %}{{ big[-1] }}{% endfor %}{% endfor %}", json!({"s": s, "big": big})),
            ("{% set xs = [1] * 100000 %}{% for a in s %}{% for b in s %}{{ xs[-1] }}{% endfor %}{% endfor %}", json!({"s": s})),
        ]
    }

    #[test]
    fn hostile_templates_break_the_budget_quickly() {
        for (src, data) in hostile() {
            let started = Instant::now();
            let err = try_render(src, data).unwrap_err();
            assert_eq!(err, RenderError::Budget, "{src}");
            assert_eq!(err.to_string(), "template exceeded its render budget");
            assert!(err.is_limit());
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{src}: {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn output_is_capped_per_channel() {
        let s = "x".repeat(200);
        let data = json!({"s": s});
        let src = "{% for a in s %}{% for b in s %}{{ s }}{% endfor %}{% endfor %}";
        let err = try_render(src, data.clone()).unwrap_err();
        assert_eq!(
            err,
            RenderError::TooLong(OutputLimit::Bytes(MAX_TEXT_BYTES))
        );
        assert_eq!(
            err.to_string(),
            "template exceeded its output size limit of 262144 bytes"
        );
        let raw = format!("{{% for a in s %}}{}{{% endfor %}}", "r".repeat(5000));
        let err = try_render(&raw, data.clone()).unwrap_err();
        assert_eq!(
            err,
            RenderError::TooLong(OutputLimit::Bytes(MAX_TEXT_BYTES))
        );

        let sms = Budget::new(OutputLimit::for_channel(ChannelKind::Sms));
        let template = Template::parse("{% for a in s %}é{% endfor %}").unwrap();
        assert_eq!(template.render(&data, sms).unwrap().chars().count(), 200);
        let template = Template::parse("{% for a in s %}{{ s }}{% endfor %}").unwrap();
        let err = template.render(&data, sms).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template exceeded its output size limit of 1600 characters"
        );
    }

    #[test]
    fn plain_text_skips_the_engine_and_renders_as_the_engine_does() {
        let sms = Budget::new(OutputLimit::for_channel(ChannelKind::Sms));
        let data = json!({"name": "Ada"});
        for src in [
            "",
            "Hello",
            "Hello\n",
            "Hello\r\n",
            "a\n\n",
            "\n",
            "  spaced  ",
            "é€ ünïcode\n",
            "50% off } ok",
            "tab\tand\rcr",
        ] {
            let engine = Template::parse(src).unwrap().render(&data, sms).unwrap();
            assert_eq!(plain_output(src), Some(engine.as_str()), "for {src:?}");
        }
        for src in [
            "{{ name }}",
            "{# c #}x",
            "{% if true %}x{% endif %}",
            "{ not a tag",
        ] {
            assert_eq!(plain_output(src), None, "{src:?} goes to the engine");
        }
        // Too long for its channel: the engine reports the limit, as it always did.
        let long = "x".repeat(MAX_SMS_CHARS + 1);
        assert!(!sms.output.fits(&long));
        assert!(sms.output.fits(&"é".repeat(MAX_SMS_CHARS)));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt
            .block_on(render_blocking(long, Arc::new(data.clone()), sms))
            .unwrap_err();
        assert_eq!(err, RenderError::TooLong(OutputLimit::Chars(MAX_SMS_CHARS)));
        let ok = rt
            .block_on(render_blocking("Hi\n".into(), Arc::new(data), sms))
            .unwrap();
        assert_eq!(ok, "Hi\n");
    }

    #[test]
    fn a_deadline_stops_a_render() {
        let mut budget = budget();
        budget.fuel = u64::MAX / 2;
        budget.deadline = Some(Instant::now() + std::time::Duration::from_millis(200));
        let started = Instant::now();
        let template = Template::parse(NESTED).unwrap();
        let err = template
            .render(&json!({"s": "x".repeat(200)}), budget)
            .unwrap_err();
        assert_eq!(err, RenderError::Deadline);
        assert!(!err.is_limit());
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    /// Figures for the documentation: `cargo test --release --lib render_cost -- --ignored
    /// --nocapture` (one test per process, so the peak RSS is this test's).
    #[test]
    #[ignore]
    fn render_cost() {
        fn status(field: &str) -> String {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let line = status.lines().find(|l| l.starts_with(field)).unwrap_or("");
            line.split_whitespace().nth(1).unwrap_or("?").to_owned()
        }
        let peak_rss_kib = || status("VmHWM:");
        // Resets the peak to the current RSS (the harness peaks higher while starting).
        std::fs::write("/proc/self/clear_refs", "5").unwrap();
        println!(
            "RSS before: {} KiB, peak {} KiB",
            status("VmRSS:"),
            peak_rss_kib()
        );
        for (src, data) in hostile() {
            let template = Template::parse(src).unwrap();
            let started = Instant::now();
            let runs = 20;
            for _ in 0..runs {
                assert!(template.render(&data, budget()).is_err());
            }
            let each = started.elapsed() / runs;
            println!(
                "{each:>10.2?}  peak RSS {:>7} KiB  {src:.70}",
                peak_rss_kib()
            );
        }
        let threads: Vec<_> = (0..16)
            .map(|_| {
                std::thread::spawn(|| {
                    for (src, data) in hostile() {
                        let template = Template::parse(src).unwrap();
                        assert!(template.render(&data, budget()).is_err());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        println!("16 threads at once: peak RSS {} KiB", peak_rss_kib());
        let plain = PLAIN.render_str("{{ (\"x\" * 100000000)[:3] }}", ());
        println!(
            "unguarded MiniJinja, one \"x\" * 100000000: {plain:?}, peak RSS {} KiB",
            peak_rss_kib()
        );
    }
}
