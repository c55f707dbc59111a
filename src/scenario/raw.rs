//! The scenario file as written: plain serde structs, one per TOML table.
//!
//! Every field is optional and every value carries its source span, so the
//! checks in `build` and `stages` can report missing keys, out-of-range
//! values and bad references at the right place, all at once. Unknown keys
//! are refused here (`deny_unknown_fields`) and turned into did-you-mean
//! messages by `decode`.
//!
//! Values that may take one of two shapes (`lanes = 4` or a shift table,
//! `service = "5m"` or a distribution table, a share as one number or per
//! class) have small hand-written `Deserialize` impls rather than
//! `#[serde(untagged)]`, which would lose the location of the error.
//! Strings with a meaning (durations, rates, times) are deserialised as
//! [`Text`], whose only job is to say what was expected when the value is
//! not a string at all; parsing the string happens during the checks.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_spanned::Spanned;

/// A value with its byte span in the merged document.
pub(super) type S<T> = Spanned<T>;

/// A table whose keys are chosen by the user (class names, weekdays).
pub(super) type NamedNumbers = BTreeMap<S<String>, S<f64>>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioFile {
    pub name: Option<S<String>>,
    pub description: Option<S<String>>,
    pub seed: Option<S<Int>>,
    pub horizon: Option<S<DurationText>>,
    pub warmup: Option<S<DurationText>>,
    pub replications: Option<S<Int>>,
    pub start: Option<S<StartText>>,
    /// Removed before decoding; listed so it counts as a known key.
    #[allow(dead_code, reason = "read by `sources` before decoding")]
    pub extends: Option<S<String>>,
    /// Removed before decoding, like `extends`.
    #[allow(dead_code, reason = "read by `sources` before decoding")]
    pub replaces: Option<S<Vec<S<String>>>>,
    pub demand: Option<S<RawDemand>>,
    pub classes: Option<S<Vec<S<RawClass>>>>,
    pub port: Option<S<RawPort>>,
    pub appointments: Option<S<RawAppointments>>,
    pub costs: Option<S<RawCosts>>,
    pub stages: Option<S<Vec<S<RawStage>>>>,
    pub equeue: Option<S<RawEQueue>>,
    pub entrances: Option<S<Vec<S<RawEntrance>>>>,
    pub pools: Option<S<Vec<S<RawPool>>>>,
    pub closures: Option<S<Vec<S<RawClosure>>>>,
    pub initial: Option<S<RawInitial>>,
}

/// `[equeue]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEQueue {
    pub waiting_area: Option<S<Int>>,
    pub call_forward: Option<S<DistSpec>>,
    pub call_forward_home: Option<S<DistSpec>>,
    pub daily_quota: Option<S<Int>>,
    pub priority_share: Option<S<f64>>,
}

/// One `[[entrances]]` entry: a gate of its own, like `[port]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntrance {
    pub name: Option<S<String>>,
    pub open: Option<RawHours>,
    pub days: Option<RawDays>,
    pub parking: Option<S<Int>>,
    pub road_queue: Option<S<Int>>,
}

/// One `[[pools]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPool {
    pub name: Option<S<String>>,
    pub lanes: Option<S<Lanes>>,
    pub open: Option<RawHours>,
    pub days: Option<RawDays>,
    pub queue: Option<S<QueueText>>,
}

/// One `[[closures]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClosure {
    pub dates: Option<S<Vec<S<DateText>>>>,
    pub stages: Option<S<Vec<S<String>>>>,
}

/// One `[[demand.seasons]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSeason {
    pub dates: Option<S<Vec<S<DateText>>>>,
    pub factor: Option<S<f64>>,
}

/// `[initial]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInitial {
    pub road: Option<S<Int>>,
    pub parking: Option<S<Int>>,
    pub waited: Option<S<DurationText>>,
    pub stages: Option<S<Vec<S<RawInitialStage>>>>,
    pub trucks: Option<S<Vec<S<RawInitialTruck>>>>,
}

/// One `[[initial.trucks]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInitialTruck {
    pub state: Option<S<String>>,
    pub stage: Option<S<String>>,
    pub arrived: Option<S<DurationText>>,
    pub since: Option<S<DurationText>>,
    pub class: Option<S<String>>,
    pub done: Option<S<Vec<S<String>>>>,
}

/// One `[[initial.stages]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInitialStage {
    pub name: Option<S<String>>,
    pub queued: Option<S<Int>>,
    pub in_service: Option<S<Int>>,
    pub waited: Option<S<DurationText>>,
}

/// A class's `tolerance`: exactly one of `queue` and `wait`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTolerance {
    pub queue: Option<S<NumberSpec>>,
    pub wait: Option<S<DistSpec>>,
}

/// `[appointments].no_show_later`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNoShowLater {
    pub probability: Option<S<f64>>,
    pub delay: Option<S<DistSpec>>,
}

/// `[demand]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDemand {
    pub rate: Option<S<RateText>>,
    pub profile: Option<S<Vec<S<f64>>>>,
    pub days: Option<S<NamedNumbers>>,
    pub interarrival: Option<S<DistSpec>>,
    pub seasons: Option<S<Vec<S<RawSeason>>>>,
}

/// One `[[classes]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClass {
    pub name: Option<S<String>>,
    pub share: Option<S<f64>>,
    pub priority: Option<S<Int>>,
    pub tolerance: Option<S<RawTolerance>>,
    pub patience: Option<S<DistSpec>>,
    pub route: Option<S<Vec<S<String>>>>,
    pub entrance: Option<S<String>>,
}

/// Opening hours as written: a list of time ranges.
pub(super) type RawHours = S<Vec<S<RangeText>>>;

/// A list of weekdays as written.
pub(super) type RawDays = S<Vec<S<WeekdayText>>>;

/// `[port]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPort {
    pub open: Option<RawHours>,
    pub days: Option<RawDays>,
    pub parking: Option<S<Int>>,
    pub road_queue: Option<S<Int>>,
}

/// `[appointments]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAppointments {
    pub share: Option<S<f64>>,
    pub slot: Option<S<DurationText>>,
    pub capacity: Option<S<Lanes>>,
    pub hours: Option<RawHours>,
    pub days: Option<RawDays>,
    pub late_grace: Option<S<DurationText>>,
    pub no_show_later: Option<S<RawNoShowLater>>,
    pub no_show: Option<S<f64>>,
    pub punctuality: Option<S<DistSpec>>,
    pub priority: Option<S<bool>>,
    pub max_lead: Option<S<DurationText>>,
    pub no_slot: Option<S<NoSlotText>>,
}

/// `[costs]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCosts {
    pub currency: Option<S<String>>,
    pub per_hour: Option<S<f64>>,
    pub overnight: Option<S<f64>>,
    pub per_truck: Option<S<f64>>,
}

/// One `[[stages]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStage {
    pub name: Option<S<String>>,
    pub lanes: Option<S<Lanes>>,
    pub pool: Option<S<String>>,
    pub step: Option<S<bool>>,
    pub service: Option<S<DistSpec>>,
    pub open: Option<RawHours>,
    pub days: Option<RawDays>,
    pub share: Option<S<StageShare>>,
    pub fee: Option<S<f64>>,
    pub queue: Option<S<QueueText>>,
    pub rework: Option<S<RawRework>>,
    pub daily_limit: Option<S<Int>>,
}

/// One row of a shift table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShift {
    pub hours: Option<S<RangeText>>,
    pub count: Option<S<Int>>,
    pub days: Option<RawDays>,
}

/// A stage's `rework` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRework {
    pub probability: Option<S<f64>>,
    pub to: Option<S<String>>,
}

/// Says what a string-valued key expects, for type errors.
pub(super) trait Expect {
    /// "a duration like …".
    const WHAT: &'static str;
    /// Whether a bare TOML date (`2024-03-01`) is taken as its text.
    const DATES: bool = false;
}

/// A string whose meaning is parsed later; `E` names what it should be.
pub(super) struct Text<E>(pub String, PhantomData<E>);

impl<E> Text<E> {
    /// The same text, to be read as another kind.
    pub fn new(text: String) -> Self {
        Text(text, PhantomData)
    }
}

impl<E> fmt::Debug for Text<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The key under which the `toml` reader hands over a date or time.
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de, E: Expect> Deserialize<'de> for Text<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor<E>(PhantomData<E>);
        impl<'de, E: Expect> Visitor<'de> for TextVisitor<E> {
            type Value = Text<E>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(E::WHAT)
            }
            fn visit_str<Er: de::Error>(self, v: &str) -> Result<Self::Value, Er> {
                Ok(Text(v.to_owned(), PhantomData))
            }
            // A bare TOML date or time (`start = 2024-03-01`) arrives as
            // the reader's private one-key table; it is kept as its text,
            // and the checks parse it like a quoted one.
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                match map.next_key::<String>()? {
                    Some(key) if E::DATES && key == TOML_DATETIME => {
                        let text: String = map.next_value()?;
                        Ok(Text(text, PhantomData))
                    }
                    _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
                }
            }
        }
        deserializer.deserialize_any(TextVisitor(PhantomData))
    }
}

macro_rules! expect {
    ($marker:ident, $alias:ident, $what:expr) => {
        expect!($marker, $alias, $what, false);
    };
    ($marker:ident, $alias:ident, $what:expr, $dates:expr) => {
        #[derive(Debug)]
        pub(super) enum $marker {}
        impl Expect for $marker {
            const WHAT: &'static str = $what;
            const DATES: bool = $dates;
        }
        pub(super) type $alias = Text<$marker>;
    };
}

expect!(DurationKind, DurationText, super::units::DURATION_EXAMPLES);
expect!(RateKind, RateText, super::units::RATE_EXAMPLES);
expect!(RangeKind, RangeText, super::units::RANGE_EXAMPLES);
expect!(
    WeekdayKind,
    WeekdayText,
    r#"a weekday like "mon" or "saturday""#
);
expect!(
    StartKind,
    StartText,
    r#"a weekday like "mon" or a date like "2024-03-01""#,
    true
);
expect!(
    DateKind,
    DateText,
    r#"a date like "2024-03-01" or a range like "2024-03-01..2024-03-15""#,
    true
);
expect!(QueueKind, QueueText, r#""fifo" or "priority""#);
expect!(NoSlotKind, NoSlotText, r#""walk-in" or "turn-away""#);

/// An integer as written. TOML integers are 64-bit signed, but the reader
/// hands a larger literal over as unsigned; both are kept exactly, so a
/// range check quotes the number the user wrote and a `seed` may be any
/// `u64`, as on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Int(pub i128);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntVisitor)
    }
}

struct IntVisitor;

impl Visitor<'_> for IntVisitor {
    type Value = Int;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
        Ok(Int(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
        Ok(Int(v.into()))
    }
}

/// `lanes = 4`, a shift table, or `"unlimited"` (any other string is
/// kept and refused by the checks, which say what was expected).
#[derive(Debug)]
pub(super) enum Lanes {
    Count(Int),
    Shifts(Vec<S<RawShift>>),
    Word(String),
}

impl<'de> Deserialize<'de> for Lanes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LanesVisitor)
    }
}

struct LanesVisitor;

impl<'de> Visitor<'de> for LanesVisitor {
    type Value = Lanes;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            r#"a lane count like 4 or a shift table like [{ hours = "08:00-20:00", count = 6 }]"#,
        )
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Lanes, E> {
        Ok(Lanes::Count(Int(v.into())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Lanes, E> {
        Ok(Lanes::Count(Int(v.into())))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Lanes, A::Error> {
        Vec::deserialize(SeqAccessDeserializer::new(seq)).map(Lanes::Shifts)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Lanes, E> {
        Ok(Lanes::Word(v.to_owned()))
    }
}

/// A stage's `share`: one number for every class, or one per class.
#[derive(Debug)]
pub(super) enum StageShare {
    All(f64),
    PerClass(NamedNumbers),
}

impl<'de> Deserialize<'de> for StageShare {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShareVisitor)
    }
}

struct ShareVisitor;

impl<'de> Visitor<'de> for ShareVisitor {
    type Value = StageShare;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a share like 0.3 or a table of shares per class like { truck = 0.3 }")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<StageShare, E> {
        Ok(StageShare::All(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<StageShare, E> {
        Ok(StageShare::All(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<StageShare, E> {
        Ok(StageShare::All(v as f64))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StageShare, A::Error> {
        BTreeMap::deserialize(MapAccessDeserializer::new(map)).map(StageShare::PerClass)
    }
}

/// A distribution: a plain duration (deterministic) or a table with `dist`
/// and its parameters, checked against the distribution in `dists`.
#[derive(Debug)]
pub(super) enum DistSpec {
    Fixed(String),
    Table(BTreeMap<S<String>, S<Param>>),
}

impl<'de> Deserialize<'de> for DistSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DistVisitor)
    }
}

struct DistVisitor;

impl<'de> Visitor<'de> for DistVisitor {
    type Value = DistSpec;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            r#"a duration like "5m" or a distribution like { dist = "exponential", mean = "5m" }"#,
        )
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<DistSpec, E> {
        Ok(DistSpec::Fixed(v.to_owned()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<DistSpec, A::Error> {
        BTreeMap::deserialize(MapAccessDeserializer::new(map)).map(DistSpec::Table)
    }
}

/// A distribution of plain numbers (a queue length): a number, or a
/// table with `dist` whose parameters are numbers.
#[derive(Debug)]
pub(super) enum NumberSpec {
    Fixed(f64),
    Table(BTreeMap<S<String>, S<Param>>),
}

impl<'de> Deserialize<'de> for NumberSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NumberVisitor)
    }
}

struct NumberVisitor;

impl<'de> Visitor<'de> for NumberVisitor {
    type Value = NumberSpec;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            r#"a number of trucks like 20 or a distribution like { dist = "uniform", min = 10, max = 30 }"#,
        )
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumberSpec, E> {
        Ok(NumberSpec::Fixed(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumberSpec, E> {
        Ok(NumberSpec::Fixed(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumberSpec, E> {
        Ok(NumberSpec::Fixed(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<NumberSpec, A::Error> {
        BTreeMap::deserialize(MapAccessDeserializer::new(map)).map(NumberSpec::Table)
    }
}

/// A distribution parameter: a string (a duration or the `dist` name), a
/// number, or a list of either.
#[derive(Debug)]
pub(super) enum Param {
    Text(String),
    Int(i64),
    Float(f64),
    List(Vec<S<Param>>),
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ParamVisitor)
    }
}

struct ParamVisitor;

impl<'de> Visitor<'de> for ParamVisitor {
    type Value = Param;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a duration like "5m", a number, or a list of them"#)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Param, E> {
        Ok(Param::Text(v.to_owned()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Param, E> {
        Ok(Param::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Param, E> {
        Ok(Param::Float(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Param, E> {
        Ok(Param::Float(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Param, A::Error> {
        Vec::deserialize(SeqAccessDeserializer::new(seq)).map(Param::List)
    }
}
