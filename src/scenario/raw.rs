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
//!
//! The same types give the JSON Schema of the format (`schema`): each
//! struct derives `JsonSchema`, its fields described without their spans.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_spanned::Spanned;

/// A value with its byte span in the merged document.
pub(super) type S<T> = Spanned<T>;

/// A table whose keys are chosen by the user (class names, weekdays).
pub(super) type NamedNumbers = BTreeMap<S<String>, S<f64>>;

/// The whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioFile {
    #[schemars(with = "Option<String>")]
    pub name: Option<S<String>>,
    #[schemars(with = "Option<String>")]
    pub description: Option<S<String>>,
    #[schemars(with = "Option<Int>")]
    pub seed: Option<S<Int>>,
    #[schemars(with = "Option<DurationText>")]
    pub horizon: Option<S<DurationText>>,
    #[schemars(with = "Option<DurationText>")]
    pub warmup: Option<S<DurationText>>,
    #[schemars(with = "Option<Int>")]
    pub replications: Option<S<Int>>,
    #[schemars(with = "Option<StartText>")]
    pub start: Option<S<StartText>>,
    // Removed before decoding; listed so it counts as a known key.
    #[allow(dead_code, reason = "read by `sources` before decoding")]
    #[schemars(with = "Option<String>")]
    pub extends: Option<S<String>>,
    // Removed before decoding, like `extends`.
    #[allow(dead_code, reason = "read by `sources` before decoding")]
    #[schemars(with = "Option<Vec<String>>")]
    pub replaces: Option<S<Vec<S<String>>>>,
    #[schemars(with = "Option<RawDemand>")]
    pub demand: Option<S<RawDemand>>,
    #[schemars(with = "Option<Vec<RawClass>>")]
    pub classes: Option<S<Vec<S<RawClass>>>>,
    #[schemars(with = "Option<RawPort>")]
    pub port: Option<S<RawPort>>,
    #[schemars(with = "Option<RawAppointments>")]
    pub appointments: Option<S<RawAppointments>>,
    #[schemars(with = "Option<RawCosts>")]
    pub costs: Option<S<RawCosts>>,
    #[schemars(with = "Option<Vec<RawStage>>")]
    pub stages: Option<S<Vec<S<RawStage>>>>,
    #[schemars(with = "Option<RawEQueue>")]
    pub equeue: Option<S<RawEQueue>>,
    #[schemars(with = "Option<Vec<RawEntrance>>")]
    pub entrances: Option<S<Vec<S<RawEntrance>>>>,
    #[schemars(with = "Option<Vec<RawPool>>")]
    pub pools: Option<S<Vec<S<RawPool>>>>,
    #[schemars(with = "Option<Vec<RawClosure>>")]
    pub closures: Option<S<Vec<S<RawClosure>>>>,
    #[schemars(with = "Option<RawInitial>")]
    pub initial: Option<S<RawInitial>>,
}

/// `[equeue]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEQueue {
    #[schemars(with = "Option<Int>")]
    pub waiting_area: Option<S<Int>>,
    #[schemars(with = "Option<DistSpec>")]
    pub call_forward: Option<S<DistSpec>>,
    #[schemars(with = "Option<DistSpec>")]
    pub call_forward_home: Option<S<DistSpec>>,
    #[schemars(with = "Option<Int>")]
    pub daily_quota: Option<S<Int>>,
    #[schemars(with = "Option<f64>")]
    pub priority_share: Option<S<f64>>,
}

/// One `[[entrances]]` entry: a gate of its own, like `[port]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntrance {
    #[schemars(with = "Option<String>")]
    pub name: Option<S<String>>,
    #[schemars(with = "Option<Vec<RangeText>>")]
    pub open: Option<RawHours>,
    #[schemars(with = "Option<Vec<WeekdayText>>")]
    pub days: Option<RawDays>,
    #[schemars(with = "Option<Int>")]
    pub parking: Option<S<Int>>,
    #[schemars(with = "Option<Int>")]
    pub road_queue: Option<S<Int>>,
}

/// One `[[pools]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPool {
    #[schemars(with = "Option<String>")]
    pub name: Option<S<String>>,
    #[schemars(with = "Option<Lanes>")]
    pub lanes: Option<S<Lanes>>,
    #[schemars(with = "Option<Vec<RangeText>>")]
    pub open: Option<RawHours>,
    #[schemars(with = "Option<Vec<WeekdayText>>")]
    pub days: Option<RawDays>,
    #[schemars(with = "Option<QueueText>")]
    pub queue: Option<S<QueueText>>,
}

/// One `[[closures]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClosure {
    #[schemars(with = "Option<Vec<DateText>>")]
    pub dates: Option<S<Vec<S<DateText>>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub stages: Option<S<Vec<S<String>>>>,
}

/// One `[[demand.seasons]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSeason {
    #[schemars(with = "Option<Vec<DateText>>")]
    pub dates: Option<S<Vec<S<DateText>>>>,
    #[schemars(with = "Option<f64>")]
    pub factor: Option<S<f64>>,
}

/// `[initial]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInitial {
    #[schemars(with = "Option<Int>")]
    pub road: Option<S<Int>>,
    #[schemars(with = "Option<Int>")]
    pub parking: Option<S<Int>>,
    #[schemars(with = "Option<DurationText>")]
    pub waited: Option<S<DurationText>>,
    #[schemars(with = "Option<Vec<RawInitialStage>>")]
    pub stages: Option<S<Vec<S<RawInitialStage>>>>,
    #[schemars(with = "Option<Vec<RawInitialTruck>>")]
    pub trucks: Option<S<Vec<S<RawInitialTruck>>>>,
}

/// One `[[initial.trucks]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInitialTruck {
    #[schemars(with = "Option<String>")]
    pub state: Option<S<String>>,
    #[schemars(with = "Option<String>")]
    pub stage: Option<S<String>>,
    #[schemars(with = "Option<DurationText>")]
    pub arrived: Option<S<DurationText>>,
    #[schemars(with = "Option<DurationText>")]
    pub since: Option<S<DurationText>>,
    #[schemars(with = "Option<String>")]
    pub class: Option<S<String>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub done: Option<S<Vec<S<String>>>>,
}

/// One `[[initial.stages]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawInitialStage {
    #[schemars(with = "Option<String>")]
    pub name: Option<S<String>>,
    #[schemars(with = "Option<Int>")]
    pub queued: Option<S<Int>>,
    #[schemars(with = "Option<Int>")]
    pub in_service: Option<S<Int>>,
    #[schemars(with = "Option<DurationText>")]
    pub waited: Option<S<DurationText>>,
}

/// A class's `tolerance`: exactly one of `queue` and `wait`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTolerance {
    #[schemars(with = "Option<NumberSpec>")]
    pub queue: Option<S<NumberSpec>>,
    #[schemars(with = "Option<DistSpec>")]
    pub wait: Option<S<DistSpec>>,
}

/// `[appointments].no_show_later`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNoShowLater {
    #[schemars(with = "Option<f64>")]
    pub probability: Option<S<f64>>,
    #[schemars(with = "Option<DistSpec>")]
    pub delay: Option<S<DistSpec>>,
}

/// `[demand]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDemand {
    #[schemars(with = "Option<RateText>")]
    pub rate: Option<S<RateText>>,
    #[schemars(with = "Option<Vec<f64>>")]
    pub profile: Option<S<Vec<S<f64>>>>,
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub days: Option<S<NamedNumbers>>,
    #[schemars(with = "Option<DistSpec>")]
    pub interarrival: Option<S<DistSpec>>,
    #[schemars(with = "Option<Vec<RawSeason>>")]
    pub seasons: Option<S<Vec<S<RawSeason>>>>,
}

/// One `[[classes]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClass {
    #[schemars(with = "Option<String>")]
    pub name: Option<S<String>>,
    #[schemars(with = "Option<f64>")]
    pub share: Option<S<f64>>,
    #[schemars(with = "Option<Int>")]
    pub priority: Option<S<Int>>,
    #[schemars(with = "Option<RawTolerance>")]
    pub tolerance: Option<S<RawTolerance>>,
    #[schemars(with = "Option<DistSpec>")]
    pub patience: Option<S<DistSpec>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub route: Option<S<Vec<S<String>>>>,
    #[schemars(with = "Option<String>")]
    pub entrance: Option<S<String>>,
}

/// Opening hours as written: a list of time ranges.
pub(super) type RawHours = S<Vec<S<RangeText>>>;

/// A list of weekdays as written.
pub(super) type RawDays = S<Vec<S<WeekdayText>>>;

/// `[port]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPort {
    #[schemars(with = "Option<Vec<RangeText>>")]
    pub open: Option<RawHours>,
    #[schemars(with = "Option<Vec<WeekdayText>>")]
    pub days: Option<RawDays>,
    #[schemars(with = "Option<Int>")]
    pub parking: Option<S<Int>>,
    #[schemars(with = "Option<Int>")]
    pub road_queue: Option<S<Int>>,
}

/// `[appointments]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAppointments {
    #[schemars(with = "Option<f64>")]
    pub share: Option<S<f64>>,
    #[schemars(with = "Option<DurationText>")]
    pub slot: Option<S<DurationText>>,
    #[schemars(with = "Option<Lanes>")]
    pub capacity: Option<S<Lanes>>,
    #[schemars(with = "Option<Vec<RangeText>>")]
    pub hours: Option<RawHours>,
    #[schemars(with = "Option<Vec<WeekdayText>>")]
    pub days: Option<RawDays>,
    #[schemars(with = "Option<DurationText>")]
    pub late_grace: Option<S<DurationText>>,
    #[schemars(with = "Option<RawNoShowLater>")]
    pub no_show_later: Option<S<RawNoShowLater>>,
    #[schemars(with = "Option<f64>")]
    pub no_show: Option<S<f64>>,
    #[schemars(with = "Option<DistSpec>")]
    pub punctuality: Option<S<DistSpec>>,
    #[schemars(with = "Option<bool>")]
    pub priority: Option<S<bool>>,
    #[schemars(with = "Option<DurationText>")]
    pub max_lead: Option<S<DurationText>>,
    #[schemars(with = "Option<NoSlotText>")]
    pub no_slot: Option<S<NoSlotText>>,
}

/// `[costs]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCosts {
    #[schemars(with = "Option<String>")]
    pub currency: Option<S<String>>,
    #[schemars(with = "Option<f64>")]
    pub per_hour: Option<S<f64>>,
    #[schemars(with = "Option<f64>")]
    pub overnight: Option<S<f64>>,
    #[schemars(with = "Option<f64>")]
    pub per_truck: Option<S<f64>>,
}

/// One `[[stages]]` entry.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStage {
    #[schemars(with = "Option<String>")]
    pub name: Option<S<String>>,
    #[schemars(with = "Option<Lanes>")]
    pub lanes: Option<S<Lanes>>,
    #[schemars(with = "Option<String>")]
    pub pool: Option<S<String>>,
    #[schemars(with = "Option<bool>")]
    pub step: Option<S<bool>>,
    #[schemars(with = "Option<DistSpec>")]
    pub service: Option<S<DistSpec>>,
    #[schemars(with = "Option<Vec<RangeText>>")]
    pub open: Option<RawHours>,
    #[schemars(with = "Option<Vec<WeekdayText>>")]
    pub days: Option<RawDays>,
    #[schemars(with = "Option<StageShare>")]
    pub share: Option<S<StageShare>>,
    #[schemars(with = "Option<f64>")]
    pub fee: Option<S<f64>>,
    #[schemars(with = "Option<QueueText>")]
    pub queue: Option<S<QueueText>>,
    #[schemars(with = "Option<RawRework>")]
    pub rework: Option<S<RawRework>>,
    #[schemars(with = "Option<Int>")]
    pub daily_limit: Option<S<Int>>,
}

/// One row of a shift table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShift {
    #[schemars(with = "Option<RangeText>")]
    pub hours: Option<S<RangeText>>,
    #[schemars(with = "Option<Int>")]
    pub count: Option<S<Int>>,
    #[schemars(with = "Option<Vec<WeekdayText>>")]
    pub days: Option<RawDays>,
}

/// A stage's `rework` table.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRework {
    #[schemars(with = "Option<f64>")]
    pub probability: Option<S<f64>>,
    #[schemars(with = "Option<String>")]
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
