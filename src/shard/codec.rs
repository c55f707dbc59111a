//! Digests as lists of 64-bit words, exactly.
//!
//! A shard hands its units over as the digests the summary folds
//! (`experiment::digest::RepDigest` for `run` and `compare`, the
//! per-metric values of a study's replication for `sweep` and
//! `sensitivity`). JSON cannot carry every `f64` (NaN, infinities), and a
//! decimal round trip is one more thing to trust, so every number travels
//! as its bits: a `u64` as itself, an `f64` as `to_bits`, a `u128` as two
//! words, a list as its length then its items, a string as its length then
//! its UTF-8 bytes packed eight to a word. Encoding destructures every
//! struct completely, so a field added to a digest cannot be forgotten
//! here: it does not compile until it is encoded.

use crate::decide::points::UnitValues;
use crate::engine::stats::{DurationStats, RawDurations};
use crate::experiment::digest::{DurationDigest, GroupDigest, RepDigest, StageDigest};
use crate::model::{
    CostParts, Counts, GateResult, HourlyProfile, PoolResult, Stopped, TimeParts, Unfinished,
};

/// A digest that does not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The words ran out.
    #[error("the digest ends early")]
    Short,
    /// Words were left over.
    #[error("the digest has {0} words too many")]
    Long(usize),
    /// A value no encoder writes.
    #[error("the digest holds an impossible value ({0})")]
    Invalid(&'static str),
}

/// Words being written.
#[derive(Clone, Debug, Default)]
pub struct Writer {
    words: Vec<u64>,
}

impl Writer {
    /// The words written.
    pub fn finish(self) -> Vec<u64> {
        self.words
    }

    /// A whole number.
    pub fn u64(&mut self, x: u64) {
        self.words.push(x);
    }

    /// A number, as its bits.
    pub fn f64(&mut self, x: f64) {
        self.words.push(x.to_bits());
    }

    /// A wide number, high word first.
    pub fn u128(&mut self, x: u128) {
        self.words.push((x >> 64) as u64);
        self.words.push(x as u64);
    }

    /// A yes or no.
    pub fn bool(&mut self, b: bool) {
        self.words.push(u64::from(b));
    }

    /// A length or index.
    pub fn usize(&mut self, n: usize) {
        self.words.push(n as u64);
    }

    /// Text: its length in bytes, then the bytes, eight to a word.
    pub fn str(&mut self, s: &str) {
        self.usize(s.len());
        for chunk in s.as_bytes().chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.words.push(u64::from_le_bytes(b));
        }
    }
}

/// Words being read.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    words: &'a [u64],
}

impl<'a> Reader<'a> {
    /// Reads `words` from the start.
    pub fn new(words: &'a [u64]) -> Self {
        Reader { words }
    }

    /// Fails unless every word was read.
    pub fn end(&self) -> Result<(), CodecError> {
        match self.words.len() {
            0 => Ok(()),
            n => Err(CodecError::Long(n)),
        }
    }

    /// A whole number.
    pub fn u64(&mut self) -> Result<u64, CodecError> {
        let (&first, rest) = self.words.split_first().ok_or(CodecError::Short)?;
        self.words = rest;
        Ok(first)
    }

    /// A number from its bits.
    pub fn f64(&mut self) -> Result<f64, CodecError> {
        self.u64().map(f64::from_bits)
    }

    /// A wide number.
    pub fn u128(&mut self) -> Result<u128, CodecError> {
        let hi = self.u64()?;
        let lo = self.u64()?;
        Ok((u128::from(hi) << 64) | u128::from(lo))
    }

    /// A yes or no.
    pub fn bool(&mut self) -> Result<bool, CodecError> {
        match self.u64()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(CodecError::Invalid("a flag that is neither 0 nor 1")),
        }
    }

    /// A list's length, which cannot exceed the words left (every item
    /// takes at least one word), so a damaged length never allocates.
    pub fn list_len(&mut self) -> Result<usize, CodecError> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| CodecError::Invalid("a length beyond memory"))?;
        if n > self.words.len() {
            return Err(CodecError::Short);
        }
        Ok(n)
    }

    /// An index (not bounded by the words left).
    pub fn index(&mut self) -> Result<usize, CodecError> {
        usize::try_from(self.u64()?).map_err(|_| CodecError::Invalid("an index beyond memory"))
    }

    /// Text.
    pub fn str(&mut self) -> Result<String, CodecError> {
        let n = usize::try_from(self.u64()?).map_err(|_| CodecError::Short)?;
        let words = n.div_ceil(8);
        if words > self.words.len() {
            return Err(CodecError::Short);
        }
        let mut bytes = Vec::with_capacity(words * 8);
        for _ in 0..words {
            bytes.extend_from_slice(&self.u64()?.to_le_bytes());
        }
        bytes.truncate(n);
        String::from_utf8(bytes).map_err(|_| CodecError::Invalid("text that is not UTF-8"))
    }
}

fn put_counts(w: &mut Writer, c: &Counts) {
    let Counts {
        offered,
        arrived,
        cleared,
        turned_away,
        turned_away_no_slot,
        no_shows,
        booked,
        bookings,
        unbooked_walk_ins,
        diverted,
        diverted_offsite,
        reneged,
        reneged_offsite,
        registered,
        called,
        lost_slot,
        late_walk_ins,
        in_port_start,
        booked_start,
        in_port_end,
        booked_ahead,
        equeue_start,
        equeue_end,
    } = *c;
    for x in [
        offered,
        arrived,
        cleared,
        turned_away,
        turned_away_no_slot,
        no_shows,
        booked,
        bookings,
        unbooked_walk_ins,
        diverted,
        diverted_offsite,
        reneged,
        reneged_offsite,
        registered,
        called,
        lost_slot,
        late_walk_ins,
        in_port_start,
        booked_start,
        in_port_end,
        booked_ahead,
        equeue_start,
        equeue_end,
    ] {
        w.u64(x);
    }
}

fn get_counts(r: &mut Reader) -> Result<Counts, CodecError> {
    Ok(Counts {
        offered: r.u64()?,
        arrived: r.u64()?,
        cleared: r.u64()?,
        turned_away: r.u64()?,
        turned_away_no_slot: r.u64()?,
        no_shows: r.u64()?,
        booked: r.u64()?,
        bookings: r.u64()?,
        unbooked_walk_ins: r.u64()?,
        diverted: r.u64()?,
        diverted_offsite: r.u64()?,
        reneged: r.u64()?,
        reneged_offsite: r.u64()?,
        registered: r.u64()?,
        called: r.u64()?,
        lost_slot: r.u64()?,
        late_walk_ins: r.u64()?,
        in_port_start: r.u64()?,
        booked_start: r.u64()?,
        in_port_end: r.u64()?,
        booked_ahead: r.u64()?,
        equeue_start: r.u64()?,
        equeue_end: r.u64()?,
    })
}

fn put_duration(w: &mut Writer, d: &DurationDigest) {
    let DurationDigest {
        count,
        sum,
        percentiles,
        max,
    } = *d;
    w.u64(count);
    w.u128(sum);
    percentiles.iter().for_each(|&p| w.f64(p));
    w.f64(max);
}

fn get_duration(r: &mut Reader) -> Result<DurationDigest, CodecError> {
    Ok(DurationDigest {
        count: r.u64()?,
        sum: r.u128()?,
        percentiles: [r.f64()?, r.f64()?, r.f64()?, r.f64()?],
        max: r.f64()?,
    })
}

fn put_group(w: &mut Writer, g: &GroupDigest) {
    let GroupDigest {
        counts,
        time_in_port,
        wait,
        offsite_wait,
        door_to_exit,
        steps,
        cost,
        cost_parts,
        time_parts,
    } = g;
    put_counts(w, counts);
    for d in [time_in_port, wait, offsite_wait, door_to_exit] {
        put_duration(w, d);
    }
    w.u64(*steps);
    w.f64(*cost);
    let CostParts {
        fees,
        time,
        overnight,
        fixed,
    } = *cost_parts;
    [fees, time, overnight, fixed]
        .iter()
        .for_each(|&x| w.f64(x));
    put_time_parts(w, time_parts);
}

fn put_time_parts(w: &mut Writer, p: &TimeParts) {
    let TimeParts {
        road,
        stage_wait,
        stage_service,
        before_start,
        equeue,
        travel,
        lead,
        booked,
    } = p;
    for x in [road, before_start, equeue, travel, lead] {
        w.u128(*x);
    }
    w.u64(*booked);
    for list in [stage_wait, stage_service] {
        w.usize(list.len());
        list.iter().for_each(|&x| w.u128(x));
    }
}

fn get_time_parts(r: &mut Reader) -> Result<TimeParts, CodecError> {
    let mut p = TimeParts {
        road: r.u128()?,
        before_start: r.u128()?,
        equeue: r.u128()?,
        travel: r.u128()?,
        lead: r.u128()?,
        booked: r.u64()?,
        ..TimeParts::default()
    };
    for list in [&mut p.stage_wait, &mut p.stage_service] {
        let n = r.list_len()?;
        for _ in 0..n {
            list.push(r.u128()?);
        }
    }
    Ok(p)
}

fn get_group(r: &mut Reader) -> Result<GroupDigest, CodecError> {
    Ok(GroupDigest {
        counts: get_counts(r)?,
        time_in_port: get_duration(r)?,
        wait: get_duration(r)?,
        offsite_wait: get_duration(r)?,
        door_to_exit: get_duration(r)?,
        steps: r.u64()?,
        cost: r.f64()?,
        cost_parts: CostParts {
            fees: r.f64()?,
            time: r.f64()?,
            overnight: r.f64()?,
            fixed: r.f64()?,
        },
        time_parts: get_time_parts(r)?,
    })
}

fn put_stage(w: &mut Writer, s: &StageDigest) {
    let StageDigest {
        visits,
        utilization,
        overtime,
        capacity,
        limit_bound,
        mean_queue_len,
        mean_in_service,
        wait,
        present,
        limit_days,
        held_over,
        pool,
    } = s;
    w.u64(*visits);
    for x in [utilization, overtime, capacity] {
        w.f64(*x);
    }
    w.bool(*limit_bound);
    w.f64(*mean_queue_len);
    w.f64(*mean_in_service);
    put_duration(w, wait);
    w.u64(present.0);
    w.u64(present.1);
    w.u64(*limit_days);
    w.u64(*held_over);
    put_option(w, pool.as_ref(), |w, p| w.usize(*p));
}

fn get_stage(r: &mut Reader) -> Result<StageDigest, CodecError> {
    Ok(StageDigest {
        visits: r.u64()?,
        utilization: r.f64()?,
        overtime: r.f64()?,
        capacity: r.f64()?,
        limit_bound: r.bool()?,
        mean_queue_len: r.f64()?,
        mean_in_service: r.f64()?,
        wait: get_duration(r)?,
        present: (r.u64()?, r.u64()?),
        limit_days: r.u64()?,
        held_over: r.u64()?,
        pool: get_option(r, |r| r.index())?,
    })
}

fn put_gate(w: &mut Writer, g: &GateResult) {
    let GateResult {
        road_start,
        road_end,
        mean_road_queue,
    } = *g;
    w.u64(road_start);
    w.u64(road_end);
    w.f64(mean_road_queue);
}

fn get_gate(r: &mut Reader) -> Result<GateResult, CodecError> {
    Ok(GateResult {
        road_start: r.u64()?,
        road_end: r.u64()?,
        mean_road_queue: r.f64()?,
    })
}

fn put_pool(w: &mut Writer, p: &PoolResult) {
    let PoolResult {
        utilization,
        on_duty,
        overtime,
        mean_queue_len,
    } = *p;
    [utilization, on_duty, overtime, mean_queue_len]
        .iter()
        .for_each(|&x| w.f64(x));
}

fn get_pool(r: &mut Reader) -> Result<PoolResult, CodecError> {
    Ok(PoolResult {
        utilization: r.f64()?,
        on_duty: r.f64()?,
        overtime: r.f64()?,
        mean_queue_len: r.f64()?,
    })
}

fn put_stopped(w: &mut Writer, s: &Stopped) {
    let Stopped {
        reason,
        at,
        in_system,
        stage,
        stage_queue,
        road_queue,
    } = s;
    w.str(reason);
    w.u64(*at);
    w.u64(*in_system);
    w.str(stage);
    w.u64(*stage_queue);
    w.u64(*road_queue);
}

fn get_stopped(r: &mut Reader) -> Result<Stopped, CodecError> {
    Ok(Stopped {
        reason: r.str()?,
        at: r.u64()?,
        in_system: r.u64()?,
        stage: r.str()?,
        stage_queue: r.u64()?,
        road_queue: r.u64()?,
    })
}

fn put_hourly(w: &mut Writer, h: &HourlyProfile) {
    let HourlyProfile {
        arrivals,
        departures,
        waiting_area,
        ticks,
    } = h;
    arrivals.iter().for_each(|&x| w.u64(x));
    departures.iter().for_each(|&x| w.u64(x));
    waiting_area.iter().for_each(|&x| w.f64(x));
    ticks.iter().for_each(|&x| w.u64(x));
}

fn get_hourly(r: &mut Reader) -> Result<HourlyProfile, CodecError> {
    let mut h = HourlyProfile::default();
    for x in &mut h.arrivals {
        *x = r.u64()?;
    }
    for x in &mut h.departures {
        *x = r.u64()?;
    }
    for x in &mut h.waiting_area {
        *x = r.f64()?;
    }
    for x in &mut h.ticks {
        *x = r.u64()?;
    }
    Ok(h)
}

fn put_histogram(w: &mut Writer, d: &DurationStats) {
    let RawDurations {
        count,
        sum,
        sum_sq,
        resolution,
        max,
        buckets,
    } = d.to_raw();
    w.u64(count);
    w.u128(sum);
    w.u128(sum_sq);
    w.u64(resolution);
    w.u64(max);
    w.usize(buckets.len());
    for (value, n) in buckets {
        w.u64(value);
        w.u64(n);
    }
}

fn get_histogram(r: &mut Reader) -> Result<DurationStats, CodecError> {
    let mut raw = RawDurations {
        count: r.u64()?,
        sum: r.u128()?,
        sum_sq: r.u128()?,
        resolution: r.u64()?,
        max: r.u64()?,
        buckets: Vec::new(),
    };
    let n = r.list_len()?;
    raw.buckets.reserve(n);
    for _ in 0..n {
        raw.buckets.push((r.u64()?, r.u64()?));
    }
    Ok(DurationStats::from_raw(&raw))
}

fn put_option<T>(w: &mut Writer, x: Option<&T>, put: impl Fn(&mut Writer, &T)) {
    match x {
        None => w.bool(false),
        Some(v) => {
            w.bool(true);
            put(w, v);
        }
    }
}

fn get_option<T>(
    r: &mut Reader,
    get: impl Fn(&mut Reader) -> Result<T, CodecError>,
) -> Result<Option<T>, CodecError> {
    if r.bool()? {
        get(r).map(Some)
    } else {
        Ok(None)
    }
}

fn put_list<T>(w: &mut Writer, xs: &[T], put: impl Fn(&mut Writer, &T)) {
    w.usize(xs.len());
    xs.iter().for_each(|x| put(w, x));
}

fn get_list<T>(
    r: &mut Reader,
    get: impl Fn(&mut Reader) -> Result<T, CodecError>,
) -> Result<Vec<T>, CodecError> {
    let n = r.list_len()?;
    (0..n).map(|_| get(r)).collect()
}

/// Appends a replication's digest.
pub fn put_digest(w: &mut Writer, d: &RepDigest) {
    let RepDigest {
        all,
        classes,
        stages,
        gate,
        entrances,
        pools,
        equeue_len,
        unfinished,
        booking_lead,
        days,
        stopped,
        daily_departures,
        hourly,
        time_in_port,
    } = d;
    put_group(w, all);
    put_list(w, classes, put_group);
    put_list(w, stages, put_stage);
    put_gate(w, gate);
    put_list(w, entrances, put_gate);
    put_list(w, pools, put_pool);
    put_option(w, equeue_len.as_ref(), |w, x| w.f64(*x));
    let Unfinished {
        count,
        age_sum,
        age_max,
    } = *unfinished;
    w.u64(count);
    w.u128(age_sum);
    w.u64(age_max);
    put_duration(w, booking_lead);
    w.f64(*days);
    put_option(w, stopped.as_ref(), put_stopped);
    put_list(w, daily_departures, |w, x| w.u64(*x));
    put_hourly(w, hourly);
    put_histogram(w, time_in_port);
}

/// Reads a replication's digest.
pub fn get_digest(r: &mut Reader) -> Result<RepDigest, CodecError> {
    Ok(RepDigest {
        all: get_group(r)?,
        classes: get_list(r, get_group)?,
        stages: get_list(r, get_stage)?,
        gate: get_gate(r)?,
        entrances: get_list(r, get_gate)?,
        pools: get_list(r, get_pool)?,
        equeue_len: get_option(r, |r| r.f64())?,
        unfinished: Unfinished {
            count: r.u64()?,
            age_sum: r.u128()?,
            age_max: r.u64()?,
        },
        booking_lead: get_duration(r)?,
        days: r.f64()?,
        stopped: get_option(r, get_stopped)?,
        daily_departures: get_list(r, |r| r.u64())?,
        hourly: get_hourly(r)?,
        time_in_port: get_histogram(r)?,
    })
}

/// Appends a study unit's values.
pub fn put_unit_values(w: &mut Writer, u: &UnitValues) {
    let UnitValues { values, stopped } = u;
    w.bool(*stopped);
    put_values(w, values);
}

/// Reads a study unit's values.
pub fn get_unit_values(r: &mut Reader) -> Result<UnitValues, CodecError> {
    Ok(UnitValues {
        stopped: r.bool()?,
        values: get_values(r)?,
    })
}

/// A list of numbers, as bits.
pub fn put_values(w: &mut Writer, xs: &[f64]) {
    put_list(w, xs, |w, x| w.f64(*x));
}

/// A list of numbers.
pub fn get_values(r: &mut Reader) -> Result<Vec<f64>, CodecError> {
    get_list(r, |r| r.f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_and_text_survives() {
        let mut w = Writer::default();
        let floats = [
            0.1,
            -0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            1e-310,
            f64::MAX,
        ];
        put_values(&mut w, &floats);
        w.u128(u128::MAX - 7);
        w.str("queue at `exit` ≥ 3 — ünïcode");
        w.str("");
        w.bool(true);
        let words = w.finish();
        let mut r = Reader::new(&words);
        let back = get_values(&mut r).expect("values");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&floats));
        assert_eq!(r.u128(), Ok(u128::MAX - 7));
        assert_eq!(r.str().as_deref(), Ok("queue at `exit` ≥ 3 — ünïcode"));
        assert_eq!(r.str().as_deref(), Ok(""));
        assert_eq!(r.bool(), Ok(true));
        assert_eq!(r.end(), Ok(()));
    }

    fn words(d: &RepDigest) -> Vec<u64> {
        let mut w = Writer::default();
        put_digest(&mut w, d);
        w.finish()
    }

    /// A real replication's digest, with every optional part filled in
    /// (pools, entrances, an e-queue, a runaway stop) by distinct values,
    /// reads back as itself: a field read in the wrong place would change
    /// the words written again.
    #[test]
    fn a_digest_reads_back_as_itself() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/example.toml");
        let mut s = crate::scenario::load(&path).expect("the example loads");
        s.horizon = 2 * crate::engine::time::DAY;
        let r = crate::model::simulate(&s, 3, &crate::model::Limits::default()).expect("runs");
        let mut d = RepDigest::of(&r);
        d.pools = vec![
            PoolResult {
                utilization: 0.25,
                on_duty: 3.5,
                overtime: f64::NAN,
                mean_queue_len: 7.0,
            };
            2
        ];
        d.pools[1].utilization = 0.75;
        d.entrances = vec![GateResult {
            road_start: 4,
            road_end: 9,
            mean_road_queue: 2.5,
        }];
        d.equeue_len = Some(11.5);
        d.stages[0].pool = Some(1);
        d.stopped = Some(Stopped {
            reason: "more than 5 trucks in the system".into(),
            at: 86_400_123,
            in_system: 6,
            stage: "inspection ü".into(),
            stage_queue: 3,
            road_queue: 2,
        });
        let first = words(&d);
        let mut r = Reader::new(&first);
        let back = get_digest(&mut r).expect("decodes");
        assert_eq!(r.end(), Ok(()));
        assert_eq!(words(&back), first);
        assert_eq!(back.stopped, d.stopped);
        assert_eq!(back.daily_departures, d.daily_departures);
        assert!(d.all.counts.cleared > 0 && back.all.counts == d.all.counts);
        assert_eq!(
            back.time_in_port.percentiles(),
            d.time_in_port.percentiles()
        );
        assert_eq!(back.time_in_port.bins(40), d.time_in_port.bins(40));
        // Every prefix is refused, none panics.
        for n in (0..first.len()).step_by(7) {
            assert!(get_digest(&mut Reader::new(&first[..n])).is_err(), "{n}");
        }
    }

    #[test]
    fn damaged_words_are_errors_not_panics() {
        let mut w = Writer::default();
        put_values(&mut w, &[1.0, 2.0]);
        let words = w.finish();
        assert_eq!(
            get_values(&mut Reader::new(&words[..2])),
            Err(CodecError::Short)
        );
        let mut r = Reader::new(&words);
        get_values(&mut r).expect("whole");
        assert_eq!(r.end(), Ok(()));
        let mut long = words.clone();
        long.push(9);
        let mut r = Reader::new(&long);
        get_values(&mut r).expect("whole");
        assert_eq!(r.end(), Err(CodecError::Long(1)));
        assert!(Reader::new(&[u64::MAX]).str().is_err());
        assert!(Reader::new(&[2]).bool().is_err());
        assert!(get_digest(&mut Reader::new(&[1, 2, 3])).is_err());
    }
}
