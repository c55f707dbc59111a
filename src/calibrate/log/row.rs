//! One milestone of a log, held compactly.
//!
//! A log of a million rows must not cost the text of a million rows: each
//! row is kept as a few integers (the truck, stage, lane and class as ids
//! into [`Names`], the time in whole seconds, the event as a byte), 24
//! bytes whatever the length of its identifiers.

use fnv::FnvHashMap;

/// What a row says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Event {
    /// Reached the port: joined the road queue or the gate.
    Arrive,
    /// A service at a stage began.
    Start,
    /// A service at a stage ended.
    End,
    /// Left the port.
    Depart,
    /// Turned away (the road queue was full).
    TurnedAway,
    /// Did not join (diverted elsewhere).
    Diverted,
    /// Gave up waiting.
    Reneged,
}

impl Event {
    /// Every event, in the order the docs list them.
    pub const ALL: [Event; 7] = [
        Event::Arrive,
        Event::Start,
        Event::End,
        Event::Depart,
        Event::TurnedAway,
        Event::Diverted,
        Event::Reneged,
    ];

    /// The name a log writes.
    pub fn name(self) -> &'static str {
        match self {
            Event::Arrive => "arrive",
            Event::Start => "start",
            Event::End => "end",
            Event::Depart => "depart",
            Event::TurnedAway => "turned_away",
            Event::Diverted => "diverted",
            Event::Reneged => "reneged",
        }
    }

    /// Every name, for messages.
    pub fn names() -> Vec<&'static str> {
        Event::ALL.iter().map(|e| e.name()).collect()
    }

    /// The event named `text` (spaces around it and case ignored).
    pub fn parse(text: &str) -> Option<Event> {
        let text = text.trim();
        Event::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(text))
    }

    /// Whether the truck leaves the port with it.
    pub fn leaves(self) -> bool {
        matches!(
            self,
            Event::Depart | Event::TurnedAway | Event::Diverted | Event::Reneged
        )
    }

    /// Whether the row names a stage.
    pub fn at_stage(self) -> bool {
        matches!(self, Event::Start | Event::End)
    }

    /// Order of rows of one truck at the same time: arriving first, then
    /// ending a service, starting the next, and leaving last (so that an
    /// end and a start in the same minute read as one after the other).
    pub fn rank(self) -> u8 {
        match self {
            Event::Arrive => 0,
            Event::End => 1,
            Event::Start => 2,
            Event::Depart | Event::TurnedAway | Event::Diverted | Event::Reneged => 3,
        }
    }
}

/// No stage, lane or class on this row.
pub const NONE: u32 = u32::MAX;

/// One row, as ids and seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// Seconds since 1970-01-01T00:00, local.
    pub time: i64,
    /// Truck id (into [`Names`]).
    pub truck: u32,
    /// Stage id, or [`NONE`].
    pub stage: u32,
    /// Lane id, or [`NONE`].
    pub lane: u32,
    /// Class id (as `u16`), or `u16::MAX`.
    pub class: u16,
    /// What happened.
    pub event: Event,
}

impl Row {
    /// The order rows are reconstructed in: by truck, then time, then the
    /// event's rank, then stage and lane (so exact duplicates are
    /// neighbours).
    pub fn key(&self) -> (u32, i64, u8, u32, u32) {
        (
            self.truck,
            self.time,
            self.event.rank(),
            self.stage,
            self.lane,
        )
    }
}

/// Identifiers interned: each distinct text once, numbered in the order
/// first seen.
#[derive(Clone, Debug, Default)]
pub struct Names {
    names: Vec<Box<str>>,
    index: FnvHashMap<Box<str>, u32>,
}

impl Names {
    /// The id of `text`, adding it if new.
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX - 1);
        self.names.push(text.into());
        self.index.insert(text.into(), id);
        id
    }

    /// The text of `id` (empty for an unknown id).
    pub fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }

    /// The id of `text`, if seen.
    pub fn get(&self, text: &str) -> Option<u32> {
        self.index.get(text).copied()
    }

    /// How many distinct names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every name, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|s| &**s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_small_and_events_read_in_any_case() {
        assert!(std::mem::size_of::<Row>() <= 32);
        assert_eq!(Event::parse(" Start "), Some(Event::Start));
        assert_eq!(Event::parse("TURNED_AWAY"), Some(Event::TurnedAway));
        assert_eq!(Event::parse("strat"), None);
        let mut n = Names::default();
        assert_eq!(n.intern("a"), 0);
        assert_eq!(n.intern("b"), 1);
        assert_eq!(n.intern("a"), 0);
        assert_eq!(n.name(1), "b");
        assert_eq!(n.len(), 2);
    }
}
