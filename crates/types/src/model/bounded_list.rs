//! A JSON array that stops being read once it exceeds a limit, so an oversized input is refused
//! before its elements are allocated rather than after.

use serde::de::{Deserialize, Deserializer, Error, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// The start of the message a too-long list fails with; callers recognise it to word their error.
pub const TOO_MANY: &str = "the list has more than";

/// Reads a JSON array of at most `max` elements; one more ends the read with a [`TOO_MANY`] error.
pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D, max: usize) -> Result<Vec<T>, D::Error> {
    d.deserialize_seq(BoundedVisitor { max, element: PhantomData })
}

struct BoundedVisitor<T> {
    max: usize,
    element: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for BoundedVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a list of at most {} entries", self.max)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // The size hint comes from the input, so it only bounds the first allocation, never raises it.
        let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.max).min(4096));
        while let Some(element) = seq.next_element()? {
            if list.len() == self.max {
                return Err(A::Error::custom(format!("{TOO_MANY} {} entries", self.max)));
            }
            list.push(element);
        }
        Ok(list)
    }
}
